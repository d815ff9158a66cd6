package s3blob_test

import (
	"testing"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/s3blob"
	"github.com/eccs/eccs/internal/testkit/blobtest"
	"github.com/eccs/eccs/internal/testkit/s3test"
)

func TestMain(m *testing.M) { s3test.Main(m) }

// TestBlobConformance runs the suite every BlobStore passes, on a real MinIO server.
func TestBlobConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) eccs.BlobStore {
		s, err := s3blob.Open(t.Context(), s3test.URL(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestOpenRefusesBadURLsAndMissingBuckets(t *testing.T) {
	url := s3test.URL(t) // sets the credentials
	for _, bad := range []string{
		"s3://",
		"file:///tmp/x",
		"s3://bucket?endpoint=ftp://example.com",
		"s3://no-such-bucket-eccs?endpoint=http://" + s3test.Endpoint(t),
		"s3://bucket/../x?endpoint=http://" + s3test.Endpoint(t),
	} {
		if _, err := s3blob.Open(t.Context(), bad); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
	if _, err := s3blob.Open(t.Context(), url); err != nil {
		t.Fatalf("Open(%q): %v", url, err)
	}
}
