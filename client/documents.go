package client

import (
	"archive/zip"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"iter"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/eccs/eccs/api"
)

// DocumentTypes lists the document types the API knows, spelled as on the wire.
var DocumentTypes = []string{
	api.DocumentBills, api.DocumentInvoices, api.DocumentReports, api.DocumentPartialBills,
	api.DocumentConsumptionRatedReports, api.DocumentPartialConsumptionRatedReports,
}

// DocumentQuery selects documents: of one type (a wire name such as api.DocumentBills; empty
// for every type), at most Limit of them (the API's default, 10, when 0; at most 1000), from
// Offset (an eccs extension).
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

// Documents returns one page of the documents of a contract, newest first (period, then
// creation). Types the account's role does not show are absent, never an error. It returns
// ErrUnknownDocumentType for a type the API does not know.
func (c *Client) Documents(ctx context.Context, contractID string, q DocumentQuery) ([]api.Document, error) {
	list, _, err := c.DocumentsPage(ctx, contractID, q)
	return list, err
}

// DocumentsPage is Documents with how many documents match in all, as the server announces it
// (X-Total-Count; -1 when it does not): a caller that shows a page can say there are more.
func (c *Client) DocumentsPage(ctx context.Context, contractID string, q DocumentQuery) ([]api.Document, int, error) {
	resp, err := c.do(ctx, request{method: http.MethodGet, path: "/documents", contract: contractID, query: q.values()})
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, 0, fmt.Errorf("eccs client: read the documents: %w", err)
	}
	if strings.HasPrefix(strings.TrimSpace(string(raw)), "{") {
		return nil, 0, ErrUnknownDocumentType
	}
	var list []api.Document
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, 0, fmt.Errorf("eccs client: decode the documents: %w", err)
	}
	return list, totalCount(resp.Header), nil
}

// AllDocuments yields every document of a contract of type docType ("" for all), newest
// first, page by page (pageSize 0 means 100). It stops at the first error, which it yields.
// Against a server that ignores offset it yields the first page only.
func (c *Client) AllDocuments(ctx context.Context, contractID, docType string, pageSize int) iter.Seq2[api.Document, error] {
	return pages(pageSize, func(limit, offset int) ([]api.Document, int, error) {
		return c.DocumentsPage(ctx, contractID, DocumentQuery{Type: docType, Limit: limit, Offset: offset})
	}, func(d api.Document) string { return d.ID })
}

// LatestDocument returns the newest document of a type ("" for any), of period YYYYMM when
// period is set. It returns an *Error with status 404 and code 60 when there is none.
func (c *Client) LatestDocument(ctx context.Context, contractID, docType, period string) (api.Document, error) {
	pageSize := 1
	if period != "" {
		pageSize = 100
	}
	for d, err := range c.AllDocuments(ctx, contractID, docType, pageSize) {
		if err != nil {
			return api.Document{}, err
		}
		if period == "" || d.Period == period {
			return d, nil
		}
		if d.Period < period {
			break // sorted newest first: it cannot come later
		}
		if pageSize == 1 {
			break
		}
	}
	what := docType
	if what == "" {
		what = "any"
	}
	desc := fmt.Sprintf("Contract %s has no document of type %s", contractID, what)
	if period != "" {
		desc += " for period " + period
	}
	return api.Document{}, &Error{Status: http.StatusNotFound, Code: api.CodeResourceNotFound,
		Message: api.ErrorMessage(api.CodeResourceNotFound), Description: desc + " that this account may see.", Attempts: 1}
}

// Download describes a downloaded file.
type Download struct {
	Filename    string // from Content-Disposition, reduced to a safe base name
	ContentType string
	Size        int64  // bytes written
	ETag        string // as the server sent it
	SHA256      string // hex digest of the bytes written
	// Verified is true when the bytes were checked against the digest the server announced
	// (Repr-Digest, or a strong ETag holding the SHA-256); for a ZIP saved by DownloadToDir,
	// when the file it holds was.
	Verified bool
	Resumed  int // how many times the transfer resumed after a broken connection
}

// ErrDigestMismatch is returned when the bytes received do not hash to what the server
// announced: the file must not be used.
var ErrDigestMismatch = errors.New("eccs: the downloaded bytes do not match the server's digest")

// MaxResumes bounds how many times one download resumes after a broken connection.
const MaxResumes = 5

// DownloadOption tunes one download.
type DownloadOption func(*downloadConfig)

type downloadConfig struct {
	progress func(done, total int64)
	mode     fs.FileMode // DownloadToDir's file mode; 0: owner only
}

// OnProgress calls f after every chunk written with the bytes written so far and the size of
// the file (-1 when the server does not say, as for a ZIP). It is called from the goroutine of
// the download.
func OnProgress(f func(done, total int64)) DownloadOption {
	return func(c *downloadConfig) { c.progress = f }
}

// FileMode makes DownloadToDir create the file with mode perm, less the umask (as other tools
// create downloads: 0o666 for the usual mode), instead of readable by its owner only (0o600,
// the default: bills are personal data). DownloadDocument ignores it.
func FileMode(perm fs.FileMode) DownloadOption {
	return func(c *downloadConfig) { c.mode = perm }
}

// DownloadDocument writes the bytes of a document to w, streaming. When the connection breaks
// midway, it resumes with Range and If-Range from the last byte written, up to MaxResumes
// times (a document that changed meanwhile is not mixed with the old bytes: it fails); at the
// end it checks the SHA-256 of everything written against the server's digest (Repr-Digest, or
// a strong ETag holding the SHA-256) and returns ErrDigestMismatch when they differ. With
// zipped, the server sends a ZIP archive holding the file, built on the fly: it cannot resume,
// and only DownloadToDir checks what it holds. A failed download may have written part of the
// file to w.
func (c *Client) DownloadDocument(ctx context.Context, contractID, documentID string, zipped bool, w io.Writer, opts ...DownloadOption) (Download, error) {
	var cfg downloadConfig
	for _, o := range opts {
		o(&cfg)
	}
	q := url.Values{}
	if zipped {
		q.Set("zipped", "1")
	}
	r := request{method: http.MethodGet, path: "/documents/" + url.PathEscape(documentID) + "/file", contract: contractID, query: q}
	resp, err := c.do(ctx, r)
	if err != nil {
		return Download{}, err
	}
	d := Download{ContentType: resp.Header.Get("Content-Type"), ETag: resp.Header.Get("ETag")}
	d.Filename = safeFilename(resp.Header.Get("Content-Disposition"), documentID)
	want := announcedDigest(resp.Header)
	total := resp.ContentLength
	out := &progressWriter{w: w, h: sha256.New(), total: total, progress: cfg.progress}
	readErr, err := copyBody(out, resp.Body)
	resp.Body.Close()
	canResume := !zipped && total > 0 && strongETag(d.ETag)
	for err == nil && readErr != nil && canResume && out.n < total && ctx.Err() == nil && d.Resumed < MaxResumes {
		d.Resumed++
		c.log.LogAttrs(ctx, slog.LevelInfo, "eccs download broken: resuming", slog.String("document", documentID),
			slog.Int64("offset", out.n), slog.String("cause", readErr.Error()))
		if !sleep(ctx, time.Duration(d.Resumed-1)*200*time.Millisecond) {
			break
		}
		readErr, err = c.resume(ctx, r, d.ETag, out.n, total, out)
	}
	if ctx.Err() != nil {
		return d, ctx.Err()
	}
	if err == nil {
		err = readErr
	}
	d.Size = out.n
	if err != nil {
		return d, fmt.Errorf("eccs client: download document %s (%d of %d bytes received, %d resumes): %w", documentID, out.n, total, d.Resumed, err)
	}
	if total >= 0 && out.n != total {
		return d, fmt.Errorf("eccs client: download document %s: got %d bytes of %d", documentID, out.n, total)
	}
	d.SHA256 = hex.EncodeToString(out.h.Sum(nil))
	if want != "" && !zipped {
		if want != d.SHA256 {
			return d, fmt.Errorf("%w: document %s, got sha-256 %s, the server announced %s", ErrDigestMismatch, documentID, d.SHA256, want)
		}
		d.Verified = true
	}
	return d, nil
}

// resume asks for the bytes from offset on, if the document still has etag, and copies them
// to w. It returns a read error (the connection broke again: resume again) apart from other
// errors (give up).
func (c *Client) resume(ctx context.Context, r request, etag string, offset, total int64, w io.Writer) (readErr, err error) {
	r.header = http.Header{"Range": {fmt.Sprintf("bytes=%d-", offset)}, "If-Range": {etag}}
	resp, err := c.do(ctx, r)
	if err != nil {
		var apiErr *Error
		if errors.As(err, &apiErr) || ctx.Err() != nil {
			return nil, err
		}
		return err, nil // the server could not be reached: try again
	}
	defer resp.Body.Close()
	want := fmt.Sprintf("bytes %d-%d/%d", offset, total-1, total)
	if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Range") != want || resp.Header.Get("ETag") != etag {
		return nil, fmt.Errorf("the document changed during the download (resume answered %d, Content-Range %q, ETag %q)",
			resp.StatusCode, resp.Header.Get("Content-Range"), resp.Header.Get("ETag"))
	}
	return copyBody(w, resp.Body)
}

// copyBody copies body to w; it tells an error reading body (the connection) from one
// writing w.
func copyBody(w io.Writer, body io.Reader) (readErr, writeErr error) {
	buf := make([]byte, 64<<10)
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return nil, werr
			}
		}
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			return err, nil
		}
	}
}

// progressWriter writes to w, hashes, counts and reports progress.
type progressWriter struct {
	w        io.Writer
	h        hash.Hash
	n, total int64
	progress func(done, total int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.h.Write(b[:n])
	p.n += int64(n)
	if p.progress != nil {
		p.progress(p.n, p.total)
	}
	return n, err
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// strongETag reports whether etag is a strong entity tag, the only kind If-Range accepts.
func strongETag(etag string) bool {
	return len(etag) >= 2 && etag[0] == '"' && etag[len(etag)-1] == '"'
}

// announcedDigest returns the hex SHA-256 the server announces for the representation: from
// Repr-Digest (RFC 9530) or a strong ETag of 64 hex characters; "" when it announces none.
func announcedDigest(h http.Header) string {
	for part := range strings.SplitSeq(h.Get("Repr-Digest"), ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "sha-256=:"); ok {
			if raw, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(v, ":")); err == nil && len(raw) == sha256.Size {
				return hex.EncodeToString(raw)
			}
		}
	}
	if etag := h.Get("ETag"); strongETag(etag) {
		if sum := strings.ToLower(strings.Trim(etag, `"`)); isSHA256Hex(sum) {
			return sum
		}
	}
	return ""
}

func isSHA256Hex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil && len(s) == 2*sha256.Size
}

// safeFilename returns the file name a Content-Disposition gives, reduced to a base name
// without path separators, leading dots or control characters, of at most 255 bytes; else
// fallback (the document id the caller gave, which may come from a server's list) reduced the
// same way; else "document". The result never leaves the directory it is joined to.
func safeFilename(disposition, fallback string) string {
	name := ""
	if _, params, err := mime.ParseMediaType(disposition); err == nil {
		name = params["filename"]
	}
	if name = baseName(name); name != "" {
		return name
	}
	if name = baseName(fallback); name != "" {
		return name
	}
	return "document"
}

// maxFilename is the longest file name most file systems take, in bytes.
const maxFilename = 255

// baseName reduces a name to what safeFilename may return, or "".
func baseName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == ':' || unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	if len(name) > maxFilename {
		// Keep a short extension (".xlsx") and cut the rest at a character boundary.
		ext := filepath.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		stem := name[:maxFilename-len(ext)]
		for !utf8.ValidString(stem) {
			stem = stem[:len(stem)-1]
		}
		name = strings.TrimSpace(stem) + ext
	}
	return name
}

// DownloadToDir downloads a document into dir under the name the server gives (made safe:
// never outside dir), as DownloadDocument does. It writes a temporary file in dir first and
// renames it only once it is complete and checked, so that a failed download never leaves a
// file under the final name; an existing file of that name is replaced. A ZIP (zipped) is
// checked by reading the file it holds against the archive's checksum and the SHA-256 its
// ETag carries. The file is readable by its owner only (bills are personal data) unless
// FileMode says otherwise. It returns the file's path.
func (c *Client) DownloadToDir(ctx context.Context, contractID, documentID, dir string, zipped bool, opts ...DownloadOption) (string, Download, error) {
	var cfg downloadConfig
	for _, o := range opts {
		o(&cfg)
	}
	tmp, err := createTemp(dir, cmp.Or(cfg.mode, 0o600))
	if err != nil {
		return "", Download{}, fmt.Errorf("eccs client: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this removes nothing
	d, err := c.DownloadDocument(ctx, contractID, documentID, zipped, tmp, opts...)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("eccs client: %w", cerr)
	}
	if err == nil && zipped {
		d.Verified, err = checkZip(tmp.Name(), d.ETag)
	}
	if err != nil {
		return "", d, err
	}
	path := filepath.Join(dir, d.Filename)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", d, fmt.Errorf("eccs client: %w", err)
	}
	return path, d, nil
}

// createTemp creates a new hidden file in dir with mode perm, less the umask (os.CreateTemp
// makes 0600 files whatever it is asked).
func createTemp(dir string, perm fs.FileMode) (*os.File, error) {
	for range 100 {
		f, err := os.OpenFile(filepath.Join(dir, ".eccs-download-"+rand.Text()[:12]), os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("create a temporary file in %s: too many names taken", dir)
}

// checkZip reads every file of the ZIP archive at path, which checks their CRC-32; when the
// archive holds one file and etag is "<sha256>-zip" (as eccs sends), it checks that file's
// SHA-256 too and reports true.
func checkZip(path, etag string) (bool, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return false, fmt.Errorf("eccs client: the downloaded archive is not a ZIP file: %w", err)
	}
	defer zr.Close()
	want, _ := strings.CutSuffix(strings.Trim(etag, `"`), "-zip")
	verified := false
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return false, fmt.Errorf("eccs client: the downloaded archive: %w", err)
		}
		h := sha256.New()
		_, err = io.Copy(h, rc)
		rc.Close()
		if err != nil {
			return false, fmt.Errorf("eccs client: the downloaded archive: %s: %w", f.Name, err)
		}
		if len(zr.File) == 1 && isSHA256Hex(want) {
			if got := hex.EncodeToString(h.Sum(nil)); got != strings.ToLower(want) {
				return false, fmt.Errorf("%w: %s in the archive has sha-256 %s, the server announced %s", ErrDigestMismatch, f.Name, got, want)
			}
			verified = true
		}
	}
	return verified, nil
}
