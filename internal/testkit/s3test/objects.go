package s3test

import (
	"io"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
)

// Objects returns every object under the bucket and prefix of an s3:// blob URL, by key
// relative to the prefix, with its bytes (for tests that look at what is stored, such as the
// secrets scan).
func Objects(t testing.TB, blobURL string) map[string][]byte {
	t.Helper()
	Endpoint(t)
	bucket, prefix := parseURL(t, blobURL)
	if prefix != "" {
		prefix += "/"
	}
	client := newClient(t)
	out := map[string][]byte{}
	for obj := range client.ListObjects(t.Context(), bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			t.Fatalf("list bucket %s: %v", bucket, obj.Err)
		}
		o, err := client.GetObject(t.Context(), bucket, obj.Key, minio.GetObjectOptions{})
		if err != nil {
			t.Fatalf("get %s/%s: %v", bucket, obj.Key, err)
		}
		data, err := io.ReadAll(o)
		o.Close()
		if err != nil {
			t.Fatalf("read %s/%s: %v", bucket, obj.Key, err)
		}
		out[strings.TrimPrefix(obj.Key, prefix)] = data
	}
	return out
}
