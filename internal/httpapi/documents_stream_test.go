// Downloads whose bytes are missing, large, or fail midway.

package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/testkit/apitest"
	"github.com/eccs/eccs/internal/testkit/openapitest"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

func TestDocumentFileWithoutItsBytesAnswers500(t *testing.T) {
	w := newDocWorld(t)
	docs, _ := w.list(t, "", docContract, "?documentType=invoices&limit=2")
	gone, kept := docs[0], docs[1]
	stored, err := w.e.DB.Document(t.Context(), docContract, gone.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.e.Blobs.Delete(t.Context(), stored.BlobKey); err != nil {
		t.Fatalf("remove the document's bytes: %v", err)
	}
	if _, err := w.e.Blobs.Open(t.Context(), stored.BlobKey); !eccs.IsNotFound(err) {
		t.Fatalf("the bytes are still there after Delete: %v", err)
	}

	for _, tc := range []struct {
		name, method, query string
		header              []string
	}{
		{"GET", http.MethodGet, "", nil},
		{"HEAD", http.MethodHead, "", nil},
		{"zipped", http.MethodGet, "?zipped=1", nil},
		{"a range", http.MethodGet, "", []string{"Range", "bytes=0-9"}},
		{"a conditional request", http.MethodGet, "", []string{"If-None-Match", `"` + strings.Repeat("0", 64) + `"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docWant500(t, w, w.do(t, docReq{method: tc.method, path: docFilePath(gone) + tc.query, contract: docContract, header: tc.header}), tc.method == http.MethodHead, gone)
		})
	}

	t.Run("the other documents still download", func(t *testing.T) {
		docWantFile(t, w.do(t, docReq{path: docFilePath(kept), contract: docContract}), kept, "application/pdf", false)
	})
	t.Run("the list still names it", func(t *testing.T) {
		if !slices.Contains(docIDs(docs), gone.ID) {
			t.Error("the list lost the document")
		}
	})
}

// docWant500 checks the answer r (to a HEAD when head) about document gone, whose bytes are
// missing: a 500 that shows nothing of the cause, which the ERROR log line of its request holds.
func docWant500(t *testing.T, w *docWorld, r apitest.Response, head bool, gone api.Document) {
	t.Helper()
	if head {
		// No body to read: the status and the absence of file headers.
		r.WantStatus(t, http.StatusInternalServerError)
	} else {
		r.WantError(t, http.StatusInternalServerError, api.CodeInternalError)
	}
	for _, leak := range []string{w.e.Dir, "documents/", "contracts/", gone.ID, "no such file", "open ", "blob", "bytes missing", ".go"} {
		if bytes.Contains(r.Body, []byte(leak)) {
			t.Errorf("the answer shows %q: %s", leak, r.Body)
		}
	}
	for _, name := range []string{"ETag", "Content-Disposition", "Repr-Digest", "Accept-Ranges", "Last-Modified"} {
		if v := r.Header.Get(name); v != "" {
			t.Errorf("the error carries %s: %s", name, v)
		}
	}
	rid := r.Header.Get(api.HeaderRequestID)
	if line := docLogLine(t, w.e.Logs.String(), rid, "ERROR"); line == nil {
		t.Errorf("no ERROR log line with request id %s:\n%s", rid, w.e.Logs.String())
	} else if msg, _ := line["error"].(string); !strings.Contains(msg, gone.ID) || !strings.Contains(msg, "contracts/"+docContract+"/"+gone.ID) {
		t.Errorf("the log line does not hold the real error: %v", line)
	}
}

// docLogLine returns the first JSON log line of this request id at this level.
func docLogLine(t *testing.T, logs, requestID, level string) map[string]any {
	t.Helper()
	for line := range strings.Lines(logs) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			continue
		}
		if m["request_id"] == requestID && m["level"] == level {
			return m
		}
	}
	return nil
}

// docPattern is deterministic content where every 8-byte word holds its own offset, mixed:
// any slice of it is checkable, and a slice from the wrong offset is detected.
type docPattern struct{ off, size int64 }

func docPatternByte(p int64) byte {
	word := uint64(p&^7) * 0x9E3779B97F4A7C15
	return byte(word >> (8 * uint(p&7)))
}

func (d *docPattern) Read(b []byte) (int, error) {
	if d.off >= d.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(b)), d.size-d.off))
	i := 0
	for ; i < n && (d.off+int64(i))&7 != 0; i++ {
		b[i] = docPatternByte(d.off + int64(i))
	}
	for ; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], uint64(d.off+int64(i))*0x9E3779B97F4A7C15)
	}
	for ; i < n; i++ {
		b[i] = docPatternByte(d.off + int64(i))
	}
	d.off += int64(n)
	return n, nil
}

func docPatternSlice(from, to int64) []byte {
	b := make([]byte, to-from)
	io.ReadFull(&docPattern{off: from, size: to}, b)
	return b
}

func TestDocumentDownloadStreamsALargeFile(t *testing.T) {
	f := newDocLargeFile(t)
	t.Run("the whole file arrives intact", f.whole)
	f.ranges(t)
	t.Run("the pattern check catches a wrong offset", func(t *testing.T) {
		if bytes.Equal(docPatternSlice(1000, 1100), docPatternSlice(1008, 1108)) {
			t.Fatal("the pattern repeats every 8 bytes: the range checks prove nothing")
		}
	})
}

// docLargeFile is a 64 MiB document, its env, an access token and the SHA-256 of its bytes.
type docLargeFile struct {
	e       *apitest.Env
	tok     string
	doc     eccs.Document
	wantSum string
}

const docLargeSize = 64 << 20

// newDocLargeFile stores a document of docLargeSize bytes of docPattern.
func newDocLargeFile(t *testing.T) *docLargeFile {
	e := apitest.NewEnv(t)
	tok := e.Token()
	const size = docLargeSize
	h := sha256.New()
	// The bytes are a pattern, not a usage report: store them through a Service that takes any
	// file, and serve them through the test's own.
	raw, err := eccs.NewService(e.DB, e.Blobs, eccs.Config{Keys: apitest.Keys, Now: e.Clock.Now, Formats: testenv.AnyFormats{}})
	if err != nil {
		t.Fatal(err)
	}
	content := make([]byte, size)
	io.ReadFull(io.TeeReader(&docPattern{size: size}, h), content)
	doc, err := raw.AddDocument(t.Context(), eccs.NewDocument{
		ContractID: docContract, Type: eccs.TypeReports, Filename: "OCB0000001_202606_large_usage.csv",
		Period: "202606", Amount: 123456, Currency: "EUR",
	}, bytes.NewReader(content), size)
	if err != nil {
		t.Fatalf("add a %d-byte document: %v", size, err)
	}
	wantSum := hex.EncodeToString(h.Sum(nil))
	if doc.Size != size || doc.SHA256 != wantSum {
		t.Fatalf("stored %d bytes hashing to %s, want %d and %s", doc.Size, doc.SHA256, size, wantSum)
	}
	return &docLargeFile{e: e, tok: tok, doc: doc, wantSum: wantSum}
}

// get sends GET of the document's file with these headers (name, value) through a plain
// client, reading the body as it comes: the validating transport would buffer it.
func (f *docLargeFile) get(t *testing.T, header ...string) (*http.Response, func()) {
	t.Helper()
	e, tok, doc := f.e, f.tok, f.doc
	hr, err := http.NewRequestWithContext(t.Context(), http.MethodGet, e.URL+api.BasePath+"/documents/"+doc.ID+"/file", nil)
	if err != nil {
		t.Fatal(err)
	}
	hr.Header.Set("Authorization", "Bearer "+tok)
	hr.Header.Set(api.HeaderAPIKey, e.Creds.APIKeys.Client)
	hr.Header.Set(api.HeaderContractID, docContract)
	hr.Header.Set("Accept", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		hr.Header.Set(header[i], header[i+1])
	}
	res, err := docHTTP.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	openapitest.New(t).Check(t, hr, res.StatusCode, res.Header, nil)
	return res, func() { res.Body.Close() }
}

// whole is the subtest "the whole file arrives intact".
func (f *docLargeFile) whole(t *testing.T) {
	const size = docLargeSize
	get, wantSum := f.get, f.wantSum
	res, done := get(t)
	defer done()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	if res.ContentLength != size {
		t.Errorf("Content-Length %d, want %d", res.ContentLength, size)
	}
	if got, want := res.Header.Get("ETag"), `"`+wantSum+`"`; got != want {
		t.Errorf("ETag %s, want %s", got, want)
	}
	got := sha256.New()
	n, err := io.Copy(got, res.Body)
	if err != nil || n != size {
		t.Fatalf("read %d bytes (%v), want %d", n, err, size)
	}
	if sum := hex.EncodeToString(got.Sum(nil)); sum != wantSum {
		t.Errorf("the bytes hash to %s, want %s", sum, wantSum)
	}
}

// ranges runs a subtest for each of four ranges of the file.
func (f *docLargeFile) ranges(t *testing.T) {
	const size = docLargeSize
	get := f.get
	for _, tc := range []struct {
		name     string
		rng      string
		from, to int64
	}{
		{"a range in the middle", "bytes=33554429-33558531", 33554429, 33558532},
		{"a range across the last byte", fmt.Sprintf("bytes=%d-", size-1000), size - 1000, size},
		{"a suffix", "bytes=-4099", size - 4099, size},
		{"a large range from an odd offset", "bytes=12345677-46789012", 12345677, 46789013},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, done := get(t, "Range", tc.rng)
			defer done()
			if res.StatusCode != http.StatusPartialContent {
				t.Fatalf("status %d, want 206", res.StatusCode)
			}
			if got, want := res.Header.Get("Content-Range"), fmt.Sprintf("bytes %d-%d/%d", tc.from, tc.to-1, size); got != want {
				t.Errorf("Content-Range %q, want %q", got, want)
			}
			got, want := sha256.New(), sha256.New()
			n, err := io.Copy(got, res.Body)
			if err != nil || n != tc.to-tc.from {
				t.Fatalf("read %d bytes (%v), want %d", n, err, tc.to-tc.from)
			}
			docHashPattern(want, tc.from, tc.to)
			if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
				t.Errorf("not bytes %d-%d of the file", tc.from, tc.to-1)
			}
		})
	}
}

func docHashPattern(h hash.Hash, from, to int64) {
	io.CopyBuffer(h, &docPattern{off: from, size: to}, make([]byte, 256<<10))
}

// docFailingBlobs opens blobs whose reads fail once `after` bytes have been read: a disk error
// in the middle of a download.
type docFailingBlobs struct {
	eccs.BlobStore
	after int64
}

func (s docFailingBlobs) Open(ctx context.Context, key string) (eccs.Blob, error) {
	b, err := s.BlobStore.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	return &docFailingBlob{Blob: b, after: s.after}, nil
}

type docFailingBlob struct {
	eccs.Blob
	after, pos int64
}

var errDocDisk = errors.New("input/output error on the document disk")

func (b *docFailingBlob) Read(p []byte) (int, error) {
	if b.pos >= b.after {
		return 0, errDocDisk
	}
	if rest := b.after - b.pos; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := b.Blob.Read(p)
	b.pos += int64(n)
	return n, err
}

func (b *docFailingBlob) Seek(offset int64, whence int) (int64, error) {
	n, err := b.Blob.Seek(offset, whence)
	if err == nil {
		b.pos = n
	}
	return n, err
}

func TestDocumentDownloadFailingMidwayIsNeverAnswerComplete(t *testing.T) {
	e := apitest.NewEnv(t)
	tok := e.Token()
	svc, err := eccs.NewService(e.DB, docFailingBlobs{BlobStore: e.Blobs, after: 5000}, eccs.Config{Keys: apitest.Keys, Now: e.Clock.Now, Formats: docformat.Formats{}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(svc, slog.New(slog.NewJSONHandler(io.Discard, nil)), httpapi.Config{Now: e.Clock.Now}))
	t.Cleanup(srv.Close)
	w := &docWorld{e: &apitest.Env{T: t, URL: srv.URL, Creds: e.Creds}, tok: tok}
	docs, _ := w.list(t, "", docContract, "?documentType=bills&limit=1")
	bill := docs[0]

	for _, tc := range []struct {
		name   string
		query  string
		header []string
	}{
		{name: "the raw file", query: ""},
		{name: "a range across the failure", query: "", header: []string{"Range", "bytes=4000-9999"}},
		{name: "the ZIP", query: "?zipped=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hr := w.request(t, docReq{path: docFilePath(bill) + tc.query, contract: docContract, header: tc.header})
			res, err := docHTTP.Do(hr)
			if err != nil {
				return // the connection was aborted: the client knows it failed
			}
			defer res.Body.Close()
			if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusPartialContent {
				return // an error status tells the client too
			}
			n, err := io.Copy(io.Discard, res.Body)
			if err == nil {
				docCheck(t, fmt.Errorf("%d answer read to its end (%d bytes) although the server could not read the file past byte 5000", res.StatusCode, n))
			}
		})
	}
}
