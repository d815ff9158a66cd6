package s3test_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/s3blob"
	"github.com/eccs/eccs/internal/testkit/s3test"
)

func TestMain(m *testing.M) { s3test.Main(m) }

// TestCopyBucketCopiesEveryObjectAndKeysListsThem fills a bucket with as many objects as the
// seeded test world holds, copies it, and checks that the copy holds the same keys and bytes
// and is independent of the original.
func TestCopyBucketCopiesEveryObjectAndKeysListsThem(t *testing.T) {
	ctx := context.Background()
	src := s3test.URL(t)
	store, err := s3blob.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	const n = 324
	var want []string
	for i := range n {
		key := fmt.Sprintf("contracts/OCB%07d/doc%04d", i%6+1, i)
		if _, _, err := store.Put(ctx, key, bytes.NewReader(content(i)), int64(len(content(i)))); err != nil {
			t.Fatal(err)
		}
		want = append(want, key)
	}
	slices.Sort(want)

	start := time.Now()
	dst := s3test.CopyBucket(t, src)
	t.Logf("copied %d objects in %s", n, time.Since(start).Round(time.Millisecond))
	if dst == src {
		t.Fatal("CopyBucket returned the source bucket")
	}
	if got := s3test.Keys(t, dst); !slices.Equal(got, want) {
		t.Fatalf("the copy holds %d keys, want %d", len(got), len(want))
	}
	copied, err := s3blob.Open(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 17, n - 1} {
		b, err := copied.Open(ctx, want[slices.IndexFunc(want, func(k string) bool { return k == fmt.Sprintf("contracts/OCB%07d/doc%04d", i%6+1, i) })])
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(b)
		b.Close()
		if err != nil || !bytes.Equal(got, content(i)) {
			t.Errorf("object %d: %d bytes (%v), want %d", i, len(got), err, len(content(i)))
		}
	}

	// Independent: a deletion in the copy leaves the original alone.
	if err := copied.Delete(ctx, want[0]); err != nil {
		t.Fatal(err)
	}
	if got := s3test.Keys(t, dst); len(got) != n-1 {
		t.Errorf("the copy holds %d keys after a deletion, want %d", len(got), n-1)
	}
	if got := s3test.Keys(t, src); len(got) != n {
		t.Errorf("the original holds %d keys after a deletion in the copy, want %d", len(got), n)
	}
}

func content(i int) []byte {
	return bytes.Repeat([]byte(fmt.Sprintf("object %d;", i)), 500+i*7)
}
