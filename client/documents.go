package client

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/eccs/eccs/api"
)

// DocumentQuery selects documents: of one type (a wire name such as api.DocumentBills; empty
// for every type), at most Limit of them (the API's default, 10, when 0), from Offset.
type DocumentQuery struct {
	Type   string
	Limit  int
	Offset int
}

func (q DocumentQuery) values() url.Values {
	v := url.Values{}
	if q.Type != "" {
		v.Set("documentType", q.Type)
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Offset > 0 {
		v.Set("offset", strconv.Itoa(q.Offset))
	}
	return v
}

// ErrUnknownDocumentType is returned for a document type the API does not know: it answers
// {"documents": null} to those.
var ErrUnknownDocumentType = errors.New("eccs: the API does not know this document type")

// Documents returns the documents of a contract, newest first.
func (c *Client) Documents(ctx context.Context, contractID string, q DocumentQuery) ([]api.Document, error) {
	resp, err := c.do(ctx, request{method: http.MethodGet, path: "/documents", contract: contractID, query: q.values()})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("eccs client: read the documents: %w", err)
	}
	if strings.HasPrefix(strings.TrimSpace(string(raw)), "{") {
		return nil, ErrUnknownDocumentType
	}
	var list []api.Document
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("eccs client: decode the documents: %w", err)
	}
	return list, nil
}

// AllDocuments yields every document of a contract of type docType ("" for all), newest
// first, page by page.
func (c *Client) AllDocuments(ctx context.Context, contractID, docType string, pageSize int) iter.Seq2[api.Document, error] {
	return pages(pageSize, func(limit, offset int) ([]api.Document, error) {
		return c.Documents(ctx, contractID, DocumentQuery{Type: docType, Limit: limit, Offset: offset})
	}, func(d api.Document) string { return d.ID })
}

// LatestDocument returns the newest document of a type, of period YYYYMM when period is set.
// It returns an *Error with status 404 when there is none.
func (c *Client) LatestDocument(ctx context.Context, contractID, docType, period string) (api.Document, error) {
	for d, err := range c.AllDocuments(ctx, contractID, docType, 100) {
		if err != nil {
			return api.Document{}, err
		}
		if period == "" || d.Period == period {
			return d, nil
		}
		if period != "" && d.Period < period {
			break // sorted newest first: it cannot come later
		}
	}
	return api.Document{}, &Error{Status: http.StatusNotFound, Code: api.CodeResourceNotFound, Message: "Resource not found",
		Description: fmt.Sprintf("contract %s has no %s document for period %q", contractID, docType, period)}
}

// Download describes a downloaded file.
type Download struct {
	Filename    string // from Content-Disposition, reduced to a safe base name
	ContentType string
	Size        int64
	ETag        string
	SHA256      string // hex digest of the bytes written, checked against the server's
	Resumed     int    // how many times the transfer resumed after a broken connection
}

// ErrDigestMismatch is returned when the bytes received do not hash to what the server
// announced: the file must not be used.
var ErrDigestMismatch = errors.New("eccs: the downloaded bytes do not match the server's digest")

// maxResumes bounds how many times a download resumes.
const maxResumes = 5

// DownloadDocument writes the bytes of a document to w. When the connection breaks midway, it
// resumes with Range and If-Range from the last byte written (a changed document restarts
// nothing: it fails); at the end it checks the SHA-256 of everything written against the
// server's digest (Repr-Digest, or a strong ETag holding the SHA-256) and returns
// ErrDigestMismatch when they differ. With zipped, the server sends a ZIP archive holding the
// file, which cannot resume.
func (c *Client) DownloadDocument(ctx context.Context, contractID, documentID string, zipped bool, w io.Writer) (Download, error) {
	q := url.Values{}
	if zipped {
		q.Set("zipped", "1")
	}
	r := request{method: http.MethodGet, path: "/documents/" + url.PathEscape(documentID) + "/file", contract: contractID, query: q}
	resp, err := c.do(ctx, r)
	if err != nil {
		return Download{}, err
	}
	d := Download{ContentType: resp.Header.Get("Content-Type"), ETag: resp.Header.Get("ETag"), Size: resp.ContentLength}
	d.Filename = safeFilename(resp.Header.Get("Content-Disposition"), documentID)
	want := announcedDigest(resp.Header)
	h := sha256.New()
	written, err := io.Copy(io.MultiWriter(w, h), resp.Body)
	resp.Body.Close()
	for err != nil && !zipped && d.Size > 0 && written < d.Size && d.ETag != "" && ctx.Err() == nil && d.Resumed < maxResumes {
		d.Resumed++
		var n int64
		n, err = c.resume(ctx, r, d.ETag, written, io.MultiWriter(w, h))
		written += n
	}
	if err != nil {
		return d, fmt.Errorf("eccs client: download document %s: %w", documentID, err)
	}
	if d.Size >= 0 && written != d.Size {
		return d, fmt.Errorf("eccs client: download document %s: got %d bytes of %d", documentID, written, d.Size)
	}
	d.Size = written
	d.SHA256 = hex.EncodeToString(h.Sum(nil))
	if want != "" && !zipped && want != d.SHA256 {
		return d, ErrDigestMismatch
	}
	return d, nil
}

// resume asks for the bytes from offset on, if the document still has etag, and copies them
// to w.
func (c *Client) resume(ctx context.Context, r request, etag string, offset int64, w io.Writer) (int64, error) {
	r.header = http.Header{"Range": {fmt.Sprintf("bytes=%d-", offset)}, "If-Range": {etag}}
	resp, err := c.do(ctx, r)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || !strings.HasPrefix(resp.Header.Get("Content-Range"), fmt.Sprintf("bytes %d-", offset)) {
		return 0, fmt.Errorf("the document changed while it was downloaded (status %d on resume)", resp.StatusCode)
	}
	return io.Copy(w, resp.Body)
}

// announcedDigest returns the hex SHA-256 the server announces for the representation: from
// Repr-Digest (RFC 9530) or a strong ETag of 64 hex characters; "" when it announces none.
func announcedDigest(h http.Header) string {
	for _, part := range strings.Split(h.Get("Repr-Digest"), ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "sha-256=:"); ok {
			if raw, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(v, ":")); err == nil {
				return hex.EncodeToString(raw)
			}
		}
	}
	etag := strings.Trim(h.Get("ETag"), `"`)
	if _, err := hex.DecodeString(etag); err == nil && len(etag) == 64 {
		return etag
	}
	return ""
}

// safeFilename returns the file name a Content-Disposition gives, reduced to a base name
// without path separators, leading dots or control characters; fallback when there is none.
func safeFilename(disposition, fallback string) string {
	name := ""
	if _, params, err := mime.ParseMediaType(disposition); err == nil {
		name = params["filename"]
	}
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == ':' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimLeft(name, ".")
	if name == "" || name == "/" {
		return fallback
	}
	return name
}

// DownloadToDir downloads a document into dir under the name the server gives (made safe),
// writing a temporary file first and renaming it only once its digest is checked, so that a
// failed download never leaves a file that looks complete. It returns the file's path.
func (c *Client) DownloadToDir(ctx context.Context, contractID, documentID, dir string, zipped bool) (string, Download, error) {
	tmp, err := os.CreateTemp(dir, ".eccs-download-*")
	if err != nil {
		return "", Download{}, err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this removes nothing
	d, err := c.DownloadDocument(ctx, contractID, documentID, zipped, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", d, err
	}
	path := filepath.Join(dir, d.Filename)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", d, err
	}
	return path, d, nil
}
