// Package s3blob keeps document bytes in S3-compatible object storage (AWS S3, MinIO, Ceph…),
// so that many eccsd replicas share them. Uploads stream (multipart for large or unsized
// files), downloads read ranges straight from the object store: no whole file is held in
// memory.
package s3blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/eccs/eccs/internal/eccs"
)

// Store is an eccs.BlobStore on one bucket, under an optional key prefix.
type Store struct {
	client *minio.Client
	bucket string
	prefix string
}

var _ eccs.BlobStore = (*Store)(nil)

// partSize is the size of multipart upload parts, the smallest S3 allows: what an upload of
// unknown size holds in memory at a time. 10,000 parts of it make 50 GiB.
const partSize = 5 << 20

// maxAttempts bounds the attempts of each request to the object store. A transient refusal
// (SlowDown, a dropped connection) is tried again twice, within about a second and a half
// with minio-go's backoff; a store that is down fails a download in that time, with 503.
// minio-go's default, 10 attempts, held each download of a dead store for 4 to 7 seconds
// before its 503, and clients retry 503 on downloads.
const maxAttempts = 3

// connectTimeout bounds how long one attempt may take to connect to the store, and
// responseTimeout how long the store may take to start answering a request once it is sent
// (its headers; a body then streams at its own pace). A store that accepts connections but
// answers nothing (a frozen process, a network that drops packets) thus fails an operation
// with 503 after about maxAttempts × responseTimeout (16 s), instead of the minute per attempt
// of minio-go's default transport. S3 starts answering in well under a second; 5 s leaves
// room for a loaded MinIO.
const (
	connectTimeout  = 5 * time.Second
	responseTimeout = 5 * time.Second
)

// Open connects to the bucket a URL names:
//
//	s3://BUCKET[/PREFIX]?endpoint=http://127.0.0.1:9000&region=us-east-1
//
// endpoint defaults to AWS S3; the region to us-east-1. Credentials come from the environment
// (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the usual AWS and MinIO chains). The
// bucket must exist. Paths are addressed path-style, which every S3-compatible store accepts.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return nil, fmt.Errorf("blob URL %q: write s3://bucket?endpoint=https://host&region=…", rawURL)
	}
	q := u.Query()
	endpoint := q.Get("endpoint")
	if endpoint == "" {
		endpoint = "https://s3.amazonaws.com"
	}
	eu, err := url.Parse(endpoint)
	if err != nil || (eu.Scheme != "http" && eu.Scheme != "https") || eu.Host == "" {
		return nil, fmt.Errorf("blob URL %q: endpoint %q is not an http(s) URL", rawURL, endpoint)
	}
	region := q.Get("region")
	if region == "" {
		region = "us-east-1"
	}
	creds := credentials.NewChainCredentials([]credentials.Provider{
		&credentials.EnvAWS{}, &credentials.EnvMinio{}, &credentials.FileAWSCredentials{}, &credentials.IAM{},
	})
	transport, err := minio.DefaultTransport(eu.Scheme == "https")
	if err != nil {
		return nil, fmt.Errorf("blob URL %q: %w", rawURL, err)
	}
	transport.DialContext = (&net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second}).DialContext
	transport.ResponseHeaderTimeout = responseTimeout
	client, err := minio.New(eu.Host, &minio.Options{
		Creds: creds, Secure: eu.Scheme == "https", Region: region, BucketLookup: minio.BucketLookupPath,
		MaxRetries: maxAttempts, Transport: transport,
	})
	if err != nil {
		return nil, fmt.Errorf("blob URL %q: %w", rawURL, err)
	}
	s := &Store{client: client, bucket: u.Host, prefix: strings.Trim(u.Path, "/")}
	if s.prefix != "" {
		if err := eccs.CheckBlobKey(s.prefix); err != nil {
			return nil, fmt.Errorf("blob URL %q: the prefix %w", rawURL, err)
		}
		s.prefix += "/"
	}
	checkCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	ok, err := client.BucketExists(checkCtx, s.bucket)
	if err != nil {
		return nil, fmt.Errorf("blob URL %q: %w", rawURL, unavailable(err))
	}
	if !ok {
		return nil, fmt.Errorf("blob URL %q: bucket %s does not exist; create it first", rawURL, s.bucket)
	}
	return s, nil
}

// Put stores r under key, never replacing an object (If-None-Match: *), and returns the size
// and SHA-256 of what it sent. An object whose upload fails is never visible.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64) (int64, string, error) {
	if err := eccs.CheckBlobKey(key); err != nil {
		return 0, "", err
	}
	if _, err := s.client.StatObject(ctx, s.bucket, s.prefix+key, minio.StatObjectOptions{}); err == nil {
		return 0, "", eccs.Errorf(eccs.Conflict, "Blob %s already exists.", key)
	} else if !isNotFound(err) {
		return 0, "", fmt.Errorf("store blob %s: %w", key, unavailable(err))
	}
	h := sha256.New()
	counted := &countingReader{r: io.TeeReader(r, h)}
	opts := minio.PutObjectOptions{ContentType: "application/octet-stream", PartSize: partSize}
	opts.SetMatchETagExcept("*")
	_, err := s.client.PutObject(ctx, s.bucket, s.prefix+key, counted, size, opts)
	if err != nil {
		var resp minio.ErrorResponse
		if errors.As(err, &resp) && resp.StatusCode == http.StatusPreconditionFailed {
			return 0, "", eccs.Errorf(eccs.Conflict, "Blob %s already exists.", key)
		}
		if counted.err != nil { // the source failed, not the store
			return 0, "", fmt.Errorf("store blob %s: %w", key, counted.err)
		}
		return 0, "", fmt.Errorf("store blob %s: %w", key, unavailable(err))
	}
	return counted.n, hexSum(h), nil
}

// Open returns the object under key; NotFound if there is none. Reads and seeks become range
// requests to the store.
func (s *Store) Open(ctx context.Context, key string) (eccs.Blob, error) {
	if err := eccs.CheckBlobKey(key); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("open blob %s: %w", key, unavailable(err))
	}
	info, err := obj.Stat()
	if err != nil {
		obj.Close()
		if isNotFound(err) {
			return nil, eccs.Errorf(eccs.NotFound, "There is no blob %s.", key)
		}
		return nil, fmt.Errorf("open blob %s: %w", key, unavailable(err))
	}
	return &blob{Object: obj, size: info.Size, modTime: info.LastModified}, nil
}

// Delete removes the object under key; a missing one is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := eccs.CheckBlobKey(key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{}); err != nil && !isNotFound(err) {
		return fmt.Errorf("delete blob %s: %w", key, unavailable(err))
	}
	return nil
}

// List calls fn with the key and the last modification time of every object under the
// store's prefix, in lexical order. For an object uploaded in parts, S3 may give the time the
// upload began rather than ended. It stops at fn's first error, or ctx's, and returns it.
func (s *Store) List(ctx context.Context, fn func(key string, modTime time.Time) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing goroutine when fn fails
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix, Recursive: true}) {
		if obj.Err != nil {
			return fmt.Errorf("list blobs: %w", unavailable(obj.Err))
		}
		if err := fn(strings.TrimPrefix(obj.Key, s.prefix), obj.LastModified); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// blob is an object being read.
type blob struct {
	*minio.Object
	size    int64
	modTime time.Time
}

func (b *blob) Size() int64        { return b.size }
func (b *blob) ModTime() time.Time { return b.modTime }

// countingReader counts what it yields and remembers its source's error.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}

func isNotFound(err error) bool {
	var resp minio.ErrorResponse
	return errors.As(err, &resp) && (resp.Code == "NoSuchKey" || resp.StatusCode == http.StatusNotFound)
}

// unavailable marks errors of the object store itself (unreachable, refusing) as Unavailable:
// the request may succeed later; the caller's context errors stay as they are.
func unavailable(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return errors.Join(&eccs.Error{Code: eccs.Unavailable, Message: "The document store is unavailable; retry later."}, err)
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }
