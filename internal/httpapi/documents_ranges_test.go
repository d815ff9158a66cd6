// Checks of downloads: whole, single-range, multipart and ZIP answers.

package httpapi_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"testing"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/testkit/apitest"
)

// docFull reports whether r is a 200 holding the whole file.
func docFull(r apitest.Response, full []byte) error {
	if r.Status != http.StatusOK {
		return fmt.Errorf("status %d, want 200 with the whole file: %.200s", r.Status, r.Body)
	}
	if !bytes.Equal(r.Body, full) {
		return fmt.Errorf("200 with %d bytes, not the %d of the file", len(r.Body), len(full))
	}
	if r.Header.Get("Content-Range") != "" {
		return fmt.Errorf("200 with Content-Range %q", r.Header.Get("Content-Range"))
	}
	return nil
}

// docPartial reports whether r is a single-range 206 holding full[from:to].
func docPartial(r apitest.Response, full []byte, from, to int) error {
	if r.Status != http.StatusPartialContent {
		return fmt.Errorf("status %d, want 206 for bytes %d-%d: %.200s", r.Status, from, to-1, r.Body)
	}
	if !bytes.Equal(r.Body, full[from:to]) {
		return fmt.Errorf("206 with %d bytes, not bytes %d-%d", len(r.Body), from, to-1)
	}
	if got, want := r.Header.Get("Content-Range"), fmt.Sprintf("bytes %d-%d/%d", from, to-1, len(full)); got != want {
		return fmt.Errorf("Content-Range %q, want %q", got, want)
	}
	if got := r.Header.Get("Content-Length"); got != strconv.Itoa(to-from) {
		return fmt.Errorf("Content-Length %q, want %d", got, to-from)
	}
	sum := sha256.Sum256(full)
	if got, want := r.Header.Get("Repr-Digest"), "sha-256=:"+base64.StdEncoding.EncodeToString(sum[:])+":"; got != want {
		return fmt.Errorf("Repr-Digest %q, want the whole file's %q", got, want)
	}
	return nil
}

// docParts checks a multipart/byteranges 206 and returns the [from, to) of each part.
func docParts(t *testing.T, r apitest.Response, full []byte) [][2]int {
	t.Helper()
	r.WantStatus(t, http.StatusPartialContent)
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/byteranges" {
		t.Fatalf("Content-Type %q, want multipart/byteranges", r.Header.Get("Content-Type"))
	}
	if got := r.Header.Get("Content-Length"); got != strconv.Itoa(len(r.Body)) {
		t.Errorf("Content-Length %q for %d bytes", got, len(r.Body))
	}
	var parts [][2]int
	mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("part %d: %v", len(parts), err)
		}
		var from, to, total int
		if _, err := fmt.Sscanf(p.Header.Get("Content-Range"), "bytes %d-%d/%d", &from, &to, &total); err != nil || total != len(full) {
			t.Fatalf("part %d: Content-Range %q", len(parts), p.Header.Get("Content-Range"))
		}
		if ct := p.Header.Get("Content-Type"); ct != docXLSX {
			t.Errorf("part %d: Content-Type %q", len(parts), ct)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, full[from:to+1]) {
			t.Errorf("part %d: not bytes %d-%d", len(parts), from, to)
		}
		parts = append(parts, [2]int{from, to + 1})
	}
	return parts
}

// docWantZip checks a ZIP download of d: one entry, named as the document, holding its bytes.
func docWantZip(t *testing.T, r apitest.Response, d api.Document, full []byte, etag string) {
	t.Helper()
	r.WantStatus(t, http.StatusOK)
	h := r.Header
	if got := h.Get("Content-Type"); got != "application/zip" {
		t.Errorf("Content-Type %q, want application/zip", got)
	}
	if got, want := h.Get("Content-Disposition"), `attachment; filename="`+d.Filename+`.zip"`; got != want {
		t.Errorf("Content-Disposition %q, want %q", got, want)
	}
	if got := h.Get("ETag"); got != etag {
		t.Errorf("ETag %q, want %q", got, etag)
	}
	if got := h.Get("Accept-Ranges"); got != "none" {
		t.Errorf("Accept-Ranges %q, want none", got)
	}
	if got := h.Get("Content-Length"); got != "" {
		t.Errorf("Content-Length %q on a ZIP built while sent", got)
	}
	if got := h.Get("Content-Range"); got != "" {
		t.Errorf("Content-Range %q on a ZIP", got)
	}
	if got, want := h.Get("Last-Modified"), d.UpdatedAt.UTC().Format(http.TimeFormat); got != want {
		t.Errorf("Last-Modified %q, want %q", got, want)
	}
	zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		t.Fatalf("not a ZIP archive: %v", err)
	}
	if len(zr.File) != 1 {
		t.Fatalf("%d entries, want 1", len(zr.File))
	}
	f := zr.File[0]
	if f.Name != d.Filename {
		t.Errorf("entry %q, want %q", f.Name, d.Filename)
	}
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc) // checks the entry's CRC-32 too
	if err != nil {
		t.Fatalf("read the entry: %v", err)
	}
	if !bytes.Equal(got, full) {
		t.Errorf("the entry holds %d bytes, not the %d of the raw download", len(got), len(full))
	}
}
