// Package blobtest is the conformance suite of eccs.BlobStore: every implementation (files on
// disk, S3) runs Run from its own tests and must pass it whole.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// Run runs the suite. open must return a new, empty BlobStore each time it is called (each
// subtest calls it once) and arrange its cleanup with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) eccs.BlobStore) {
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, open) })
	t.Run("Conflict", func(t *testing.T) { testConflict(t, open) })
	t.Run("Missing", func(t *testing.T) { testMissing(t, open) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, open) })
	t.Run("Seek", func(t *testing.T) { testSeek(t, open) })
	t.Run("Range", func(t *testing.T) { testRange(t, open) })
	t.Run("FailedPut", func(t *testing.T) { testFailedPut(t, open) })
	t.Run("InvalidKeys", func(t *testing.T) { testInvalidKeys(t, open) })
	t.Run("Streaming", func(t *testing.T) { testStreaming(t, open) })
}

// content returns n deterministic pseudo-random bytes.
func content(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed+1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// checkCode fails unless err is an error of the given code.
func checkCode(t *testing.T, err error, code eccs.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want a %s error", code)
	}
	if got := eccs.ErrorCode(err); got != code {
		t.Fatalf("got error %q with code %s, want code %s", err, got, code)
	}
}

// put stores b under key and checks what Put reports.
func put(t *testing.T, s eccs.BlobStore, key string, b []byte) {
	t.Helper()
	size, sum, err := s.Put(t.Context(), key, bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("Put %s: %v", key, err)
	}
	if size != int64(len(b)) || sum != hexSHA256(b) {
		t.Fatalf("Put %s = size %d, sha256 %s; want %d, %s", key, size, sum, len(b), hexSHA256(b))
	}
}

// readAll opens key and returns its bytes, checking Size against them.
func readAll(t *testing.T, s eccs.BlobStore, key string) []byte {
	t.Helper()
	b, err := s.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("Open %s: %v", key, err)
	}
	defer b.Close()
	got, err := io.ReadAll(b)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	if b.Size() != int64(len(got)) {
		t.Errorf("Size() = %d, but %d bytes were read", b.Size(), len(got))
	}
	return got
}

func testRoundTrip(t *testing.T, open func(t *testing.T) eccs.BlobStore) {
	tests := []struct {
		name string
		key  string
		data []byte
	}{
		{"empty blob reads back empty", "contracts/OCB0000001/empty", []byte{}},
		{"small blob reads back identical", "contracts/OCB0000001/doc-1", []byte("%PDF-1.7 a small bill\n")},
		{"one-megabyte blob reads back identical", "contracts/OCB0000001/doc-2.pdf", content(1<<20+17, 1)},
		{"top-level key reads back identical", "top_level-key.v2", content(4096, 2)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			before := time.Now().Add(-time.Minute)
			put(t, s, tc.key, tc.data)
			if got := readAll(t, s, tc.key); !bytes.Equal(got, tc.data) {
				t.Fatalf("read back %d bytes that differ from the %d stored", len(got), len(tc.data))
			}
			b, err := s.Open(t.Context(), tc.key)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if mt := b.ModTime(); mt.Before(before) || mt.After(time.Now().Add(time.Minute)) {
				t.Errorf("ModTime() = %v, want about now", mt)
			}
		})
	}
	t.Run("neighbouring keys keep their own bytes", func(t *testing.T) {
		s := open(t)
		a, b := content(1000, 3), content(2000, 4)
		put(t, s, "contracts/A/doc", a)
		put(t, s, "contracts/B/doc", b)
		if !bytes.Equal(readAll(t, s, "contracts/A/doc"), a) || !bytes.Equal(readAll(t, s, "contracts/B/doc"), b) {
			t.Error("a blob's bytes changed when another was stored")
		}
	})
}

func testConflict(t *testing.T, open func(t *testing.T) eccs.BlobStore) {
	t.Run("put of an existing key is Conflict and keeps the old bytes", func(t *testing.T) {
		s := open(t)
		old := []byte("the first version")
		put(t, s, "contracts/OCB0000001/doc", old)
		_, _, err := s.Put(t.Context(), "contracts/OCB0000001/doc", strings.NewReader("a second version"), 16)
		checkCode(t, err, eccs.Conflict)
		if got := readAll(t, s, "contracts/OCB0000001/doc"); !bytes.Equal(got, old) {
			t.Errorf("after the refused Put the key holds %q, want %q", got, old)
		}
	})
}

func testMissing(t *testing.T, open func(t *testing.T) eccs.BlobStore) {
	tests := []struct {
		name  string
		setup []string
		key   string
	}{
		{"open of a key never stored is NotFound", nil, "contracts/OCB0000001/none"},
		{"open of a key's prefix is NotFound", []string{"contracts/OCB0000001/doc"}, "contracts/OCB0000001"},
		{"open of a key below a blob is NotFound", []string{"contracts/doc"}, "contracts/doc/more"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			for _, k := range tc.setup {
				put(t, s, k, []byte("x"))
			}
			b, err := s.Open(t.Context(), tc.key)
			if err == nil {
				b.Close()
			}
			checkCode(t, err, eccs.NotFound)
		})
	}
}

func testDelete(t *testing.T, open func(t *testing.T) eccs.BlobStore) {
	t.Run("deleted key is NotFound and can be stored again", func(t *testing.T) {
		s := open(t)
		put(t, s, "contracts/OCB0000001/doc", []byte("v1"))
		put(t, s, "contracts/OCB0000001/other", []byte("stays"))
		if err := s.Delete(t.Context(), "contracts/OCB0000001/doc"); err != nil {
			t.Fatal(err)
		}
		_, err := s.Open(t.Context(), "contracts/OCB0000001/doc")
		checkCode(t, err, eccs.NotFound)
		if got := readAll(t, s, "contracts/OCB0000001/other"); string(got) != "stays" {
			t.Errorf("the neighbour holds %q after the delete, want %q", got, "stays")
		}
		put(t, s, "contracts/OCB0000001/doc", []byte("v2"))
		if got := readAll(t, s, "contracts/OCB0000001/doc"); string(got) != "v2" {
			t.Errorf("re-stored key holds %q, want %q", got, "v2")
		}
	})
	t.Run("delete of a missing key is nil", func(t *testing.T) {
		s := open(t)
		for _, k := range []string{"contracts/none", "none", "a/b/c/d"} {
			if err := s.Delete(t.Context(), k); err != nil {
				t.Errorf("Delete(%q) = %v, want nil", k, err)
			}
		}
	})
	t.Run("a read under way when the blob is deleted finishes whole", func(t *testing.T) {
		// Replacing a document deletes its old bytes: a download in progress must end with
		// them, not with an error.
		s := open(t)
		data := content(100_000, 5)
		put(t, s, "doc", data)
		b, err := s.Open(t.Context(), "doc")
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		first := make([]byte, 1000)
		if _, err := io.ReadFull(b, first); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(t.Context(), "doc"); err != nil {
			t.Fatal(err)
		}
		rest, err := io.ReadAll(b)
		if got := append(first, rest...); err != nil || !bytes.Equal(got, data) {
			t.Errorf("reading a blob deleted during the read: %d bytes, %v; want the %d stored", len(got), err, len(data))
		}
	})
}

// seekCase is a Seek on a freshly opened blob of 10,000 bytes, and a read from where it lands.
type seekCase struct {
	name   string
	offset int64
	whence int
	want   int64 // the position Seek returns
	read   int
}

func testSeek(t *testing.T, open func(t *testing.T) eccs.BlobStore) {
	s := open(t)
	data := content(10_000, 6)
	put(t, s, "contracts/OCB0000001/seek", data)
	tests := []seekCase{
		{"seek from start then read", 1234, io.SeekStart, 1234, 100},
		{"seek from end then read the tail", -10, io.SeekEnd, 9990, 10},
		{"seek to the end reads nothing", 0, io.SeekEnd, 10_000, 0},
		{"seek to the start reads from the first byte", 0, io.SeekStart, 0, 64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkSeek(t, s, data, tc) })
	}
	t.Run("seek from the current position moves relative to it", func(t *testing.T) { checkSeekCurrent(t, s, data) })
}

// checkSeek checks that Seek lands where tc says, that the bytes read from there are the
// stored ones, and that a read at the end is 0, EOF.
func checkSeek(t *testing.T, s eccs.BlobStore, data []byte, tc seekCase) {
	b, err := s.Open(t.Context(), "contracts/OCB0000001/seek")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// Move away first, so that a Seek that does nothing cannot pass.
	if _, err := b.Seek(5000, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	pos, err := b.Seek(tc.offset, tc.whence)
	if err != nil || pos != tc.want {
		t.Fatalf("Seek(%d, %d) = %d, %v; want %d", tc.offset, tc.whence, pos, err, tc.want)
	}
	buf := make([]byte, tc.read)
	if _, err := io.ReadFull(b, buf); err != nil {
		t.Fatalf("read %d bytes at %d: %v", tc.read, pos, err)
	}
	if !bytes.Equal(buf, data[pos:pos+int64(tc.read)]) {
		t.Errorf("bytes at %d differ from the stored ones", pos)
	}
	if n, err := b.Read(make([]byte, 1)); tc.want+int64(tc.read) == 10_000 && (n != 0 || err != io.EOF) {
		t.Errorf("read at the end = %d, %v; want 0, EOF", n, err)
	}
}

// checkSeekCurrent checks that a Seek from the current position, after a read, moves relative
// to where the read left off.
func checkSeekCurrent(t *testing.T, s eccs.BlobStore, data []byte) {
	b, err := s.Open(t.Context(), "contracts/OCB0000001/seek")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := io.ReadFull(b, make([]byte, 300)); err != nil {
		t.Fatal(err)
	}
	pos, err := b.Seek(200, io.SeekCurrent)
	if err != nil || pos != 500 {
		t.Fatalf("Seek(200, current) after reading 300 = %d, %v; want 500", pos, err)
	}
	buf := make([]byte, 10)
	if _, err := io.ReadFull(b, buf); err != nil || !bytes.Equal(buf, data[500:510]) {
		t.Errorf("bytes at 500 differ from the stored ones (%v)", err)
	}
}

// testRange serves a blob with http.ServeContent, which seeks and reads parts for Range
// requests, as the documents download does.
func testRange(t *testing.T, open func(t *testing.T) eccs.BlobStore) {
	s := open(t)
	data := content(50_000, 7)
	put(t, s, "contracts/OCB0000001/range.pdf", data)
	tests := []struct {
		name       string
		rangeValue string
		status     int
		want       []byte
	}{
		{"no range serves everything", "", http.StatusOK, data},
		{"middle range serves those bytes", "bytes=1000-1999", http.StatusPartialContent, data[1000:2000]},
		{"suffix range serves the tail", "bytes=-500", http.StatusPartialContent, data[49_500:]},
		{"open range serves to the end", "bytes=49000-", http.StatusPartialContent, data[49_000:]},
		{"range past the end is refused", "bytes=60000-60010", http.StatusRequestedRangeNotSatisfiable, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := s.Open(t.Context(), "contracts/OCB0000001/range.pdf")
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			req := httptest.NewRequest(http.MethodGet, "/doc", nil)
			if tc.rangeValue != "" {
				req.Header.Set("Range", tc.rangeValue)
			}
			rec := httptest.NewRecorder()
			http.ServeContent(rec, req, "range.pdf", b.ModTime(), b)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if tc.want != nil && !bytes.Equal(rec.Body.Bytes(), tc.want) {
				t.Errorf("body of %d bytes differs from the %d wanted", rec.Body.Len(), len(tc.want))
			}
		})
	}
}

// failingReader yields n bytes, then fails.
type failingReader struct {
	n   int
	err error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, r.err
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	r.n -= k
	return k, nil
}

func testFailedPut(t *testing.T, open func(t *testing.T) eccs.BlobStore) {
	t.Run("reader failing halfway returns its error and stores nothing", func(t *testing.T) {
		s := open(t)
		boom := errors.New("blobtest: the upload broke")
		_, _, err := s.Put(t.Context(), "contracts/OCB0000001/broken", &failingReader{n: 1 << 20, err: boom}, -1)
		if !errors.Is(err, boom) {
			t.Fatalf("Put = %v, want the reader's error", err)
		}
		b, err := s.Open(t.Context(), "contracts/OCB0000001/broken")
		if err == nil {
			b.Close()
		}
		checkCode(t, err, eccs.NotFound)
		put(t, s, "contracts/OCB0000001/broken", []byte("the retry"))
	})
	t.Run("cancelled context stores nothing", func(t *testing.T) {
		s := open(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, _, err := s.Put(ctx, "contracts/OCB0000001/cancelled", bytes.NewReader(content(1<<20, 8)), 1<<20)
		if err == nil {
			t.Fatal("Put with a cancelled context succeeded")
		}
		b, err := s.Open(t.Context(), "contracts/OCB0000001/cancelled")
		if err == nil {
			b.Close()
		}
		checkCode(t, err, eccs.NotFound)
	})
}

func testInvalidKeys(t *testing.T, open func(t *testing.T) eccs.BlobStore) {
	s := open(t)
	put(t, s, "contracts/x", []byte("x"))
	keys := []struct{ name, key string }{
		{"empty", ""},
		{"leading slash", "/etc/passwd"},
		{"trailing slash", "contracts/"},
		{"empty segment", "contracts//x"},
		{"dot segment", "contracts/./x"},
		{"dot-dot segment", "contracts/../x"},
		{"dot-dot alone", ".."},
		{"dot alone", "."},
		{"escaping the root", "../../x"},
		{"backslash", `contracts\x`},
		{"space", "contracts/a b"},
		{"non-ASCII letter", "contracts/é"},
		{"NUL byte", "contracts/a\x00b"},
		{"tilde", "contracts/~x"},
		{"colon", "c:x"},
		{"longer than 512 bytes", strings.Repeat("a", 513)},
	}
	for _, tc := range keys {
		t.Run(tc.name+" is Invalid", func(t *testing.T) {
			_, _, err := s.Put(t.Context(), tc.key, strings.NewReader("data"), 4)
			checkCode(t, err, eccs.Invalid)
			b, err := s.Open(t.Context(), tc.key)
			if err == nil {
				b.Close()
			}
			checkCode(t, err, eccs.Invalid)
			checkCode(t, s.Delete(t.Context(), tc.key), eccs.Invalid)
		})
	}
	t.Run("512-byte key is valid", func(t *testing.T) {
		key := strings.Repeat("a", 200) + "/" + strings.Repeat("b", 200) + "/" + strings.Repeat("c", 110)
		put(t, s, key, []byte("long"))
		if got := readAll(t, s, key); string(got) != "long" {
			t.Errorf("read %q, want %q", got, "long")
		}
	})
	if got := readAll(t, s, "contracts/x"); string(got) != "x" {
		t.Errorf("a valid blob changed after the invalid calls: %q", got)
	}
}

// streamReader yields n pseudo-random bytes without holding them, hashing them as it goes and
// sampling the heap, so a test can tell whether Put buffered what it read.
type streamReader struct {
	left     int64
	rng      *rand.ChaCha8
	sum      hash.Hash
	maxHeap  uint64
	sampleAt int64
}

func (r *streamReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.left)]
	_, _ = r.rng.Read(p)
	r.sum.Write(p)
	r.left -= int64(len(p))
	// Sample the heap every 4 MiB: if Put kept what it read, the heap near the end holds it.
	if r.left <= r.sampleAt {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		r.maxHeap = max(r.maxHeap, ms.HeapAlloc)
		r.sampleAt -= 4 << 20
	}
	return len(p), nil
}

func testStreaming(t *testing.T, open func(t *testing.T) eccs.BlobStore) {
	t.Run("64 MiB put streams without growing the heap by its size", func(t *testing.T) {
		if testing.Short() {
			t.Skip("64 MiB put skipped in -short mode")
		}
		s := open(t)
		const size = 64 << 20
		r := &streamReader{left: size, rng: rand.NewChaCha8([32]byte{9}), sum: sha256.New(), sampleAt: size - 4<<20}
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		n, sum, err := s.Put(t.Context(), "contracts/OCB0000001/big", r, -1)
		if err != nil {
			t.Fatal(err)
		}
		want := hex.EncodeToString(r.sum.Sum(nil))
		if n != size || sum != want {
			t.Fatalf("Put = %d bytes, sha256 %s; want %d, %s", n, sum, size, want)
		}
		const bound = 16 << 20
		if grew := int64(r.maxHeap) - int64(before.HeapAlloc); grew > bound {
			t.Errorf("the heap grew by %d MiB during a %d MiB put, more than %d MiB: Put seems to buffer the content",
				grew>>20, size>>20, bound>>20)
		}
		// Read it back as a stream too.
		b, err := s.Open(t.Context(), "contracts/OCB0000001/big")
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		h := sha256.New()
		if m, err := io.Copy(h, b); err != nil || m != size || hex.EncodeToString(h.Sum(nil)) != want {
			t.Errorf("read back %d bytes (%v) with another digest", m, err)
		}
	})
}
