// GET /documents/{id}/file: media types, Range, conditional requests, ZIP, and refusals.

package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/testkit/apitest"
)

func TestDocumentFile(t *testing.T) {
	f := &docFile{}
	f.w = newDocWorld(t)
	f.all, _ = f.w.list(t, "", docContract, "?limit=1000")
	f.byType = docFirstOfType(f.all)
	if len(f.byType) != len(docPerType) {
		t.Fatalf("the seeded contract has %d document types, want %d", len(f.byType), len(docPerType))
	}

	t.Run("each type downloads with its Content-Type and validators", f.eachType)

	f.bill = f.byType[api.DocumentBills]
	f.full = f.w.do(t, docReq{path: docFilePath(f.bill), contract: docContract}).WantStatus(t, http.StatusOK).Body
	f.size = len(f.full)
	if f.size < 1000 {
		t.Fatalf("the bill is %d bytes: too small for the range tests", f.size)
	}
	f.sum = sha256.Sum256(f.full)
	f.etag = `"` + hex.EncodeToString(f.sum[:]) + `"`
	f.zipETag = `"` + hex.EncodeToString(f.sum[:]) + `-zip"`
	f.path = docFilePath(f.bill)

	t.Run("Accept: application/json still gets the bytes", f.acceptJSON)
	t.Run("HEAD answers the headers without the body", f.head)
	t.Run("the same bytes answer every path spelling", f.pathSpellings)
	t.Run("Range", f.ranges)
	t.Run("conditional requests", f.conditional)
	t.Run("zipped", f.zipped)

	// The visitor's contract, seen by its administrator (manager there) and by the client.
	f.adminOf2, _ = f.w.list(t, f.w.e.Creds.APIKeys.Administrator, docVisitorContract, "?limit=1000")
	f.billOf2 = docFirstOfType(f.adminOf2)[api.DocumentBills]
	f.reportOf2 = docFirstOfType(f.adminOf2)[api.DocumentReports]
	f.of3, _ = f.w.list(t, "", docClientOnly, "?limit=1")

	t.Run("a visitor downloads a report", f.visitorReport)
	t.Run("documents that are not there answer 404/60", f.notThere)
	t.Run("unknown document ids of any shape answer 404/60", f.unknownIDs)
	t.Run("paths with dot or empty segments answer 404/60, never a redirect", f.dotSegments)
	t.Run("X-ECCS-Contract-Id is checked", f.contractHeader)
	t.Run("a contract invisible to the key answers 403/50", f.invisibleContract)
	t.Run("methods other than GET and HEAD answer 405/61", f.methods)
}

// docFile is what the subtests of TestDocumentFile share.
type docFile struct {
	w         *docWorld
	all       []api.Document
	byType    map[string]api.Document
	bill      api.Document
	full      []byte
	size      int
	sum       [32]byte
	etag      string
	zipETag   string
	path      string
	adminOf2  []api.Document
	billOf2   api.Document
	reportOf2 api.Document
	of3       []api.Document
}

// eachType is the subtest "each type downloads with its Content-Type and validators".
func (f *docFile) eachType(t *testing.T) {
	w, byType := f.w, f.byType
	for _, tc := range []struct {
		typ, contentType, magic string
	}{
		{api.DocumentBills, docXLSX, "PK\x03\x04"},
		{api.DocumentPartialBills, docXLSX, "PK\x03\x04"},
		{api.DocumentInvoices, "application/pdf", "%PDF-"},
		{api.DocumentConsumptionRatedReports, "text/csv", "BillingMode;BeginDate;EndDate;"},
		{api.DocumentPartialConsumptionRatedReports, "text/csv", "BillingMode;BeginDate;EndDate;"},
		{api.DocumentReports, "text/csv", ""},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			d := byType[tc.typ]
			body := docWantFile(t, w.do(t, docReq{path: docFilePath(d), contract: docContract}), d, tc.contentType, false)
			if !bytes.HasPrefix(body, []byte(tc.magic)) {
				t.Errorf("the file starts with %q, want %q", body[:min(len(body), 40)], tc.magic)
			}
		})
	}
}

// acceptJSON is the subtest "Accept: application/json still gets the bytes".
func (f *docFile) acceptJSON(t *testing.T) {
	w, bill, full, path := f.w, f.bill, f.full, f.path
	for _, accept := range []string{"application/json", "text/html", "application/xml;q=1, */*;q=0"} {
		r := w.do(t, docReq{path: path, contract: docContract, header: []string{"Accept", accept}})
		if got := docWantFile(t, r, bill, docXLSX, false); !bytes.Equal(got, full) {
			t.Errorf("Accept %s: other bytes", accept)
		}
	}
}

// head is the subtest "HEAD answers the headers without the body".
func (f *docFile) head(t *testing.T) {
	w, bill, size, etag, path := f.w, f.bill, f.size, f.etag, f.path
	r := w.do(t, docReq{method: http.MethodHead, path: path, contract: docContract})
	docWantFile(t, r, bill, docXLSX, true)
	if r.Header.Get("Content-Length") != strconv.Itoa(size) {
		t.Errorf("Content-Length %q, want %d", r.Header.Get("Content-Length"), size)
	}
	if r.Header.Get("ETag") != etag {
		t.Errorf("ETag %q, want %q", r.Header.Get("ETag"), etag)
	}
}

// pathSpellings is the subtest "the same bytes answer every path spelling".
func (f *docFile) pathSpellings(t *testing.T) {
	w, bill, full := f.w, f.bill, f.full
	for _, p := range []string{
		"/document/" + bill.ID + "/file",
		"/documents/" + bill.ID + "/file/",
		"/document/" + bill.ID + "/file/",
	} {
		r := w.do(t, docReq{path: p, contract: docContract})
		if got := docWantFile(t, r, bill, docXLSX, false); !bytes.Equal(got, full) {
			t.Errorf("%s: other bytes", p)
		}
	}
}

// ranges is the subtest "Range".
func (f *docFile) ranges(t *testing.T) {
	w, bill, full, size, path := f.w, f.bill, f.full, f.size, f.path
	seventeen := make([]string, 17)
	for i := range seventeen {
		seventeen[i] = fmt.Sprintf("%d-%d", 2*i, 2*i)
	}
	sixteen := strings.Join(seventeen[:16], ",")
	for _, tc := range []struct {
		name     string
		rng      string
		status   int
		from, to int // the bytes a single-range 206 holds
	}{
		{name: "bytes=0-99 answers those 100 bytes", rng: "bytes=0-99", status: 206, from: 0, to: 100},
		{name: "a suffix answers the last 10 bytes", rng: "bytes=-10", status: 206, from: size - 10, to: size},
		{name: "an open range answers to the end", rng: "bytes=100-", status: 206, from: 100, to: size},
		{name: "a range in the middle", rng: "bytes=500-599", status: 206, from: 500, to: 600},
		{name: "the last byte", rng: fmt.Sprintf("bytes=%d-%d", size-1, size-1), status: 206, from: size - 1, to: size},
		{name: "a range past the end is cut at the end", rng: "bytes=10-999999999", status: 206, from: 10, to: size},
		{name: "a suffix longer than the file answers it all", rng: "bytes=-999999999", status: 206, from: 0, to: size},
		{name: "spaces around a range are allowed", rng: "bytes= 0-9", status: 206, from: 0, to: 10},
		{name: "a satisfiable range beside an unsatisfiable one", rng: "bytes=0-9,999999999-", status: 206, from: 0, to: 10},
		{name: "bytes=abc is ignored", rng: "bytes=abc", status: 200},
		{name: "another unit is ignored", rng: "items=0-1", status: 200},
		{name: "an inverted range is ignored", rng: "bytes=5-2", status: 200},
		{name: "17 ranges are ignored", rng: "bytes=" + strings.Join(seventeen, ","), status: 200},
		{name: "a negative start is ignored", rng: "bytes=--1", status: 200},
		{name: "no range at all is ignored", rng: "bytes=", status: 200},
		{name: "a lone dash is ignored", rng: "bytes=-", status: 200},
		{name: "a range without a dash is ignored", rng: "bytes=5", status: 200},
		{name: "a 20-digit position is ignored", rng: "bytes=99999999999999999999-", status: 200},
		{name: "one malformed range among good ones is ignored", rng: "bytes=0-1,x-2", status: 200},
		{name: "ranges adding up to more than the file answer it whole", rng: "bytes=0-,0-", status: 200},
		{name: "the unit is case-insensitive (RFC 9110 §14.1)", rng: "Bytes=0-9", status: 206, from: 0, to: 10},
		{name: "spaces before = are tolerated", rng: "bytes =0-9", status: 206, from: 0, to: 10},
		{name: "a no-break space is not RFC whitespace: ignored", rng: "bytes=\u00a00-9", status: 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, verr := w.send(t, docReq{path: path, contract: docContract, header: []string{"Range", tc.rng}})
			docCheck(t, verr)
			switch tc.status {
			case http.StatusOK:
				docCheck(t, docFull(r, full))
				if r.Status == http.StatusOK {
					docWantFile(t, r, bill, docXLSX, false)
				}
			case http.StatusPartialContent:
				docCheck(t, docPartial(r, full, tc.from, tc.to))
			}
		})
	}
	f.multipartRanges(t, sixteen)
}

// multipartRanges is the rest of the subtest "Range": multipart answers (sixteen is 16
// ranges), then unsatisfiable ranges.
func (f *docFile) multipartRanges(t *testing.T, sixteen string) {
	w, full, size, path := f.w, f.full, f.size, f.path
	t.Run("16 ranges answer a multipart 206", func(t *testing.T) {
		r := w.do(t, docReq{path: path, contract: docContract, header: []string{"Range", "bytes=" + sixteen}})
		parts := docParts(t, r, full)
		if len(parts) != 16 {
			t.Errorf("%d parts, want 16", len(parts))
		}
	})

	t.Run("two ranges answer a multipart 206 with each range", func(t *testing.T) {
		r := w.do(t, docReq{path: path, contract: docContract, header: []string{"Range", "bytes=0-9,20-29,-5"}})
		parts := docParts(t, r, full)
		want := [][2]int{{0, 10}, {20, 30}, {size - 5, size}}
		if len(parts) != len(want) {
			t.Fatalf("%d parts, want %d", len(parts), len(want))
		}
		for i, p := range parts {
			if p != want[i] {
				t.Errorf("part %d is bytes %d-%d, want %d-%d", i, p[0], p[1]-1, want[i][0], want[i][1]-1)
			}
		}
	})
	f.unsatisfiableRanges(t)
}

// unsatisfiableRanges is the rest of the subtest "Range": unsatisfiable ranges answer 416.
func (f *docFile) unsatisfiableRanges(t *testing.T) {
	w, size, path := f.w, f.size, f.path
	for _, tc := range []struct{ name, rng string }{
		{"a start past the end", "bytes=999999999-"},
		{"a start at the size", fmt.Sprintf("bytes=%d-", size)},
		{"a closed range past the end", fmt.Sprintf("bytes=%d-%d", size, size+10)},
		{"an empty suffix", "bytes=-0"},
		{"several ranges, none in the file", fmt.Sprintf("bytes=%d-,999999999-999999999", size+1)},
	} {
		t.Run(tc.name+" answers 416 with Content-Range", func(t *testing.T) {
			r := w.do(t, docReq{path: path, contract: docContract, header: []string{"Range", tc.rng}})
			desc := r.WantError(t, http.StatusRequestedRangeNotSatisfiable, api.CodeInvalidHeader)
			if got, want := r.Header.Get("Content-Range"), fmt.Sprintf("bytes */%d", size); got != want {
				t.Errorf("Content-Range %q, want %q", got, want)
			}
			if !strings.Contains(desc, "Range") {
				t.Errorf("description %q does not name Range", desc)
			}
			for _, name := range []string{"ETag", "Content-Disposition", "Repr-Digest", "Last-Modified", "Accept-Ranges"} {
				if v := r.Header.Get(name); v != "" {
					t.Errorf("the error carries %s: %s", name, v)
				}
			}
		})
	}
}

// conditional is the subtest "conditional requests".
func (f *docFile) conditional(t *testing.T) {
	w, bill, etag, zipETag, path := f.w, f.bill, f.etag, f.zipETag, f.path
	lastModified := bill.UpdatedAt.UTC().Format(http.TimeFormat)
	for _, tc := range []struct {
		name   string
		header []string
		status int
		from   int // for a 206
		to     int
	}{
		{name: "If-None-Match with the ETag answers 304", header: []string{"If-None-Match", etag}, status: 304},
		{name: "If-None-Match with the weak form of the ETag answers 304", header: []string{"If-None-Match", "W/" + etag}, status: 304},
		{name: "If-None-Match with a list holding the ETag answers 304", header: []string{"If-None-Match", `"other", ` + etag}, status: 304},
		{name: "If-None-Match * answers 304", header: []string{"If-None-Match", "*"}, status: 304},
		{name: "If-None-Match with another ETag answers 200", header: []string{"If-None-Match", `"` + strings.Repeat("0", 64) + `"`}, status: 200},
		{name: "If-None-Match with the ZIP's ETag answers the raw file", header: []string{"If-None-Match", zipETag}, status: 200},
		{name: "If-None-Match with the ETag beats Range", header: []string{"If-None-Match", etag, "Range", "bytes=0-99"}, status: 304},
		{name: "If-Modified-Since at Last-Modified answers 304", header: []string{"If-Modified-Since", lastModified}, status: 304},
		{name: "If-Modified-Since before Last-Modified answers 200", header: []string{"If-Modified-Since", bill.UpdatedAt.Add(-time.Hour).UTC().Format(http.TimeFormat)}, status: 200},
		{name: "If-Match with the ETag answers 200", header: []string{"If-Match", etag}, status: 200},
		{name: "If-Match * answers 200", header: []string{"If-Match", "*"}, status: 200},
		{name: "If-Match with another ETag answers 412/26", header: []string{"If-Match", `"other"`}, status: 412},
		{name: "If-Match with another ETag beats Range", header: []string{"If-Match", `"other"`, "Range", "bytes=0-99"}, status: 412},
		{name: "If-Unmodified-Since before Last-Modified answers 412/26", header: []string{"If-Unmodified-Since", bill.UpdatedAt.Add(-time.Hour).UTC().Format(http.TimeFormat)}, status: 412},
		{name: "If-Range with the ETag answers the range", header: []string{"If-Range", etag, "Range", "bytes=0-99"}, status: 206, from: 0, to: 100},
		{name: "If-Range with Last-Modified answers the range", header: []string{"If-Range", lastModified, "Range", "bytes=0-99"}, status: 206, from: 0, to: 100},
		{name: "If-Range with another ETag answers the whole file", header: []string{"If-Range", `"other"`, "Range", "bytes=0-99"}, status: 200},
		{name: "If-Range with a weak ETag answers the whole file", header: []string{"If-Range", "W/" + etag, "Range", "bytes=0-99"}, status: 200},
		{name: "If-Range with another ETag ignores even an unsatisfiable Range", header: []string{"If-Range", `"other"`, "Range", "bytes=999999999-"}, status: 200},
		{name: "If-None-Match with the ETag beats an unsatisfiable Range", header: []string{"If-None-Match", etag, "Range", "bytes=999999999-"}, status: 304},
		{name: "If-Match with another ETag beats an unsatisfiable Range", header: []string{"If-Match", `"other"`, "Range", "bytes=999999999-"}, status: 412},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, verr := w.send(t, docReq{path: path, contract: docContract, header: tc.header})
			docCheck(t, verr)
			docWantConditional(t, r, tc.status, f.full, f.etag, tc.from, tc.to)
		})
	}
}

// docWantConditional checks the answer r to a conditional request on the bill (bytes full,
// ETag etag): status, and the bytes from to to of a 206.
func docWantConditional(t *testing.T, r apitest.Response, status int, full []byte, etag string, from, to int) {
	t.Helper()
	switch status {
	case http.StatusNotModified:
		if r.Status != http.StatusNotModified {
			docCheck(t, fmt.Errorf("status %d, want 304: %.200s", r.Status, r.Body))
			return
		}
		if len(r.Body) != 0 {
			t.Errorf("304 with a body of %d bytes", len(r.Body))
		}
		if got := r.Header.Get("ETag"); got != etag {
			t.Errorf("ETag %q, want %q", got, etag)
		}
		if got := r.Header.Get("Content-Type"); got != "" {
			t.Errorf("304 with Content-Type %q", got)
		}
	case http.StatusOK:
		docCheck(t, docFull(r, full))
	case http.StatusPartialContent:
		docCheck(t, docPartial(r, full, from, to))
	case http.StatusPreconditionFailed:
		docCheck(t, docError(r, http.StatusPreconditionFailed, api.CodeInvalidHeader))
		desc := r.WantError(t, http.StatusPreconditionFailed, api.CodeInvalidHeader)
		if !strings.Contains(desc, "If-Match") {
			t.Errorf("description %q does not name the header", desc)
		}
		for _, name := range []string{"ETag", "Content-Disposition", "Repr-Digest", "Last-Modified"} {
			if v := r.Header.Get(name); v != "" {
				t.Errorf("the error carries %s: %s", name, v)
			}
		}
	}
}

// zipped is the subtest "zipped".
func (f *docFile) zipped(t *testing.T) {
	w, bill, full, zipETag, path := f.w, f.bill, f.full, f.zipETag, f.path
	for _, tc := range []struct {
		name   string
		query  string
		zipped bool
		code   int // an error
	}{
		{"zipped=1 is a ZIP", "zipped=1", true, 0},
		{"zipped=true is a ZIP", "zipped=true", true, 0},
		{"zipped=TRUE is a ZIP", "zipped=TRUE", true, 0},
		{"zipped=True is a ZIP", "zipped=True", true, 0},
		{"zipped=0 is the raw file", "zipped=0", false, 0},
		{"zipped=false is the raw file", "zipped=false", false, 0},
		{"zipped=FALSE is the raw file", "zipped=FALSE", false, 0},
		{"an unknown parameter is ignored", "foo=bar", false, 0},
		{"zipped=2 is 28", "zipped=2", false, 28},
		{"zipped=yes is 28", "zipped=yes", false, 28},
		{"zipped=1.0 is 28", "zipped=1.0", false, 28},
		{"zipped= 1 is 28", "zipped=%201", false, 28},
		{"zipped given twice is 28", "zipped=1&zipped=1", false, 28},
		{"zipped= empty is 27", "zipped=", false, 27},
		{"zipped without = is 27", "zipped", false, 27},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.do(t, docReq{path: path + "?" + tc.query, contract: docContract})
			switch {
			case tc.code != 0:
				desc := r.WantError(t, http.StatusBadRequest, tc.code)
				if !strings.Contains(desc, "zipped") {
					t.Errorf("description %q does not name zipped", desc)
				}
			case tc.zipped:
				docWantZip(t, r, bill, full, zipETag)
			default:
				if got := docWantFile(t, r, bill, docXLSX, false); !bytes.Equal(got, full) {
					t.Error("other bytes")
				}
			}
		})
	}

	t.Run("two ZIPs are byte-identical, as their strong ETag promises", func(t *testing.T) {
		a := w.do(t, docReq{path: path + "?zipped=1", contract: docContract})
		b := w.do(t, docReq{path: path + "?zipped=true", contract: docContract})
		if !bytes.Equal(a.Body, b.Body) {
			t.Error("two downloads of the same ZIP differ")
		}
	})
	f.zippedConditional(t)
}

// zippedConditional is the rest of the subtest "zipped": conditional and Range requests, and HEAD, on the ZIP.
func (f *docFile) zippedConditional(t *testing.T) {
	w, bill, full, etag, zipETag, path := f.w, f.bill, f.full, f.etag, f.zipETag, f.path
	for _, tc := range []struct {
		name   string
		header []string
		status int
	}{
		{"If-None-Match with the ZIP's ETag answers 304", []string{"If-None-Match", zipETag}, 304},
		{"If-None-Match with the ZIP's weak ETag answers 304", []string{"If-None-Match", "W/" + zipETag}, 304},
		{"If-None-Match * answers 304", []string{"If-None-Match", "*"}, 304},
		{"If-None-Match with the raw file's ETag answers the ZIP", []string{"If-None-Match", etag}, 200},
		{"Range is ignored", []string{"Range", "bytes=0-99"}, 200},
		{"an unsatisfiable Range is ignored", []string{"Range", "bytes=999999999-"}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.do(t, docReq{path: path + "?zipped=1", contract: docContract, header: tc.header})
			if tc.status == http.StatusOK {
				docWantZip(t, r, bill, full, zipETag)
				return
			}
			r.WantStatus(t, tc.status)
			if len(r.Body) != 0 {
				t.Errorf("304 with %d bytes of body", len(r.Body))
			}
			if got := r.Header.Get("ETag"); got != zipETag {
				t.Errorf("ETag %q, want %q", got, zipETag)
			}
		})
	}

	t.Run("HEAD answers the ZIP's headers without the body", func(t *testing.T) {
		r, verr := w.send(t, docReq{method: http.MethodHead, path: path + "?zipped=1", contract: docContract})
		r.WantStatus(t, http.StatusOK)
		if len(r.Body) != 0 {
			t.Errorf("HEAD answered %d bytes", len(r.Body))
		}
		if got := r.Header.Get("ETag"); got != zipETag {
			t.Errorf("ETag %q, want %q", got, zipETag)
		}
		if got := r.Header.Get("Content-Type"); got != "application/zip" {
			t.Errorf("Content-Type %q", got)
		}
		docCheck(t, verr)
		if got := r.Header.Get("Accept-Ranges"); got != "none" {
			t.Errorf("Accept-Ranges %q, want none (as the GET answers)", got)
		}
	})
}

// visitorReport is the subtest "a visitor downloads a report".
func (f *docFile) visitorReport(t *testing.T) {
	w, reportOf2 := f.w, f.reportOf2
	r := w.do(t, docReq{path: docFilePath(reportOf2), contract: docVisitorContract})
	docWantFile(t, r, reportOf2, "text/csv", false)
}

// notThere is the subtest "documents that are not there answer 404/60".
func (f *docFile) notThere(t *testing.T) {
	w, bill, billOf2, reportOf2 := f.w, f.bill, f.billOf2, f.reportOf2
	unknown := w.do(t, docReq{path: "/documents/" + docUnknownID + "/file", contract: docVisitorContract})
	unknownDesc := unknown.WantError(t, http.StatusNotFound, api.CodeResourceNotFound)
	for _, tc := range []struct {
		name, key, contract, id string
	}{
		{"a document of another contract", "", docContract, reportOf2.ID},
		{"a bill of OCB0000002 asked with OCB0000001", "", docContract, billOf2.ID},
		{"a document of OCB0000001 asked by its administrator with OCB0000002", w.e.Creds.APIKeys.Administrator, docVisitorContract, bill.ID},
		{"an unknown well-formed id", "", docContract, docUnknownID},
		{"another unknown well-formed id", "", docContract, "2222222222222222"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.do(t, docReq{path: "/documents/" + tc.id + "/file", key: tc.key, contract: tc.contract}).
				WantError(t, http.StatusNotFound, api.CodeResourceNotFound)
		})
	}

	t.Run("a visitor asking for a bill answers as an unknown id", func(t *testing.T) {
		r := w.do(t, docReq{path: docFilePath(billOf2), contract: docVisitorContract})
		desc := r.WantError(t, http.StatusNotFound, api.CodeResourceNotFound)
		if got, want := strings.ReplaceAll(desc, billOf2.ID, "<id>"), strings.ReplaceAll(unknownDesc, docUnknownID, "<id>"); got != want {
			t.Errorf("description %q\ndiffers from the unknown id's %q", got, want)
		}
		if got, want := bytes.ReplaceAll(r.Body, []byte(billOf2.ID), []byte("<id>")), bytes.ReplaceAll(unknown.Body, []byte(docUnknownID), []byte("<id>")); !bytes.Equal(got, want) {
			t.Errorf("body %s\ndiffers from the unknown id's %s", got, want)
		}
		// Zipped, the same.
		w.do(t, docReq{path: docFilePath(billOf2) + "?zipped=1", contract: docVisitorContract}).WantError(t, http.StatusNotFound, api.CodeResourceNotFound)
		// Its administrator, manager there, downloads it.
		docWantFile(t, w.do(t, docReq{path: docFilePath(billOf2), key: w.e.Creds.APIKeys.Administrator, contract: docVisitorContract}), billOf2, docXLSX, false)
	})
}

// unknownIDs is the subtest "unknown document ids of any shape answer 404/60".
func (f *docFile) unknownIDs(t *testing.T) {
	w, bill := f.w, f.bill
	// Ids are opaque to clients: documents loaded by an operator may keep another
	// billing system's ids, and an id the server does not know is absent, whatever it is.
	for _, tc := range []struct{ name, id string }{
		{"a dot", "a.b"},
		{"65 characters", strings.Repeat("a", 65)},
		{"64 characters", strings.Repeat("a", 64)},
		{"17 characters", strings.Repeat("a", 17)},
		{"15 characters", strings.Repeat("a", 15)},
		{"1 character", "a"},
		{"a real id in capitals", strings.ToUpper(bill.ID)},
		{"digits outside base32", "0000000000000000"},
		{"a dash", "aaaaaaaa-aaaaaaa"},
		{"an underscore", "aaaaaaaa_aaaaaaa"},
		{"an escaped space", "a%20b"},
		{"an escaped slash", "a%2Fb"},
		{"a tilde", "a~b"},
		{"a non-ASCII letter", "%C3%A9t%C3%A9"},
		{"a plus", "a+b"},
		{"three dots", "..."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			desc := w.do(t, docReq{path: "/documents/" + tc.id + "/file", contract: docContract}).WantError(t, http.StatusNotFound, api.CodeResourceNotFound)
			if !strings.Contains(desc, "no document") {
				t.Errorf("description %q does not say what is wrong", desc)
			}
		})
	}
	t.Run("after the contract's visibility (doc/wire.md §3 first)", func(t *testing.T) {
		w.do(t, docReq{path: "/documents/a.b/file", contract: docNobodys}).WantError(t, http.StatusForbidden, api.CodeAccessDenied)
	})
	t.Run("after the contract header", func(t *testing.T) {
		w.do(t, docReq{path: "/documents/a.b/file"}).WantError(t, http.StatusBadRequest, api.CodeMissingHeader)
	})
}

// dotSegments is the subtest "paths with dot or empty segments answer 404/60, never a redirect".
func (f *docFile) dotSegments(t *testing.T) {
	w, bill := f.w, f.bill
	for _, p := range []string{
		"/documents/../documents/" + bill.ID + "/file",
		"/documents/" + bill.ID + "/../" + bill.ID + "/file",
		"/documents/./" + bill.ID + "/file",
		"/documents//" + bill.ID + "/file",
		"/documents/" + bill.ID + "/file/..",
		"/documents/%2e%2e/file", // RFC 3986 §6.2.2.2: %2e%2e is the segment ".."
		"/documents/%2E%2E/" + bill.ID + "/file",
		"/documents/%2e/file",
	} {
		t.Run(p, func(t *testing.T) {
			r := w.do(t, docReq{path: p, contract: docContract})
			if loc := r.Header.Get("Location"); loc != "" {
				t.Errorf("redirect to %s", loc)
			}
			r.WantError(t, http.StatusNotFound, api.CodeResourceNotFound)
		})
	}
}

// contractHeader is the subtest "X-ECCS-Contract-Id is checked".
func (f *docFile) contractHeader(t *testing.T) {
	w, path := f.w, f.path
	docContractHeaderCases(t, w, path)
}

// invisibleContract is the subtest "a contract invisible to the key answers 403/50".
func (f *docFile) invisibleContract(t *testing.T) {
	w, path, of3 := f.w, f.path, f.of3
	for _, tc := range []struct{ name, key, contract, path string }{
		{"the administrator asking a client-only contract's document", w.e.Creds.APIKeys.Administrator, docClientOnly, docFilePath(of3[0])},
		{"the client asking a contract it is not declared on", "", docNobodys, "/documents/" + docUnknownID + "/file"},
		{"the client asking an unknown contract", "", docUnknownContract, path},
		{"zipped, the same", "", docNobodys, "/documents/" + docUnknownID + "/file?zipped=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.do(t, docReq{path: tc.path, key: tc.key, contract: tc.contract}).WantError(t, http.StatusForbidden, api.CodeAccessDenied)
		})
	}
	// The client, declared there, downloads the same document.
	docWantFile(t, w.do(t, docReq{path: docFilePath(of3[0]), contract: docClientOnly}), of3[0], docContentType(of3[0]), false)
}

// methods is the subtest "methods other than GET and HEAD answer 405/61".
func (f *docFile) methods(t *testing.T) {
	w, path := f.w, f.path
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		r := w.do(t, docReq{method: m, path: path, contract: docContract})
		r.WantError(t, http.StatusMethodNotAllowed, api.CodeMethodNotAllowed)
		if allow := r.Header.Get("Allow"); allow != "GET, HEAD" {
			t.Errorf("%s: Allow %q, want GET, HEAD", m, allow)
		}
	}
}

// docWantFile checks a 200 download of d (or of its headers, for HEAD) and returns its bytes.
func docWantFile(t *testing.T, r apitest.Response, d api.Document, contentType string, head bool) []byte {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status %d, want 200: %.300s", r.Status, r.Body)
	}
	h := r.Header
	if got := h.Get("Content-Type"); got != contentType {
		t.Errorf("Content-Type %q, want %q", got, contentType)
	}
	if got, want := h.Get("Content-Disposition"), `attachment; filename="`+d.Filename+`"`; got != want {
		t.Errorf("Content-Disposition %q, want %q", got, want)
	}
	size, err := strconv.Atoi(h.Get("Content-Length"))
	if err != nil || size <= 0 {
		t.Errorf("Content-Length %q", h.Get("Content-Length"))
	}
	if !head && size != len(r.Body) {
		t.Errorf("Content-Length %d, body %d bytes", size, len(r.Body))
	}
	if head && len(r.Body) != 0 {
		t.Errorf("HEAD answered %d bytes of body", len(r.Body))
	}
	etag := h.Get("ETag")
	if !regexp.MustCompile(`^"[0-9a-f]{64}"$`).MatchString(etag) {
		t.Errorf("ETag %q is not a strong SHA-256", etag)
	}
	if !head {
		sum := sha256.Sum256(r.Body)
		if want := `"` + hex.EncodeToString(sum[:]) + `"`; etag != want {
			t.Errorf("ETag %s, but the bytes hash to %s", etag, want)
		}
		if got, want := h.Get("Repr-Digest"), "sha-256=:"+base64.StdEncoding.EncodeToString(sum[:])+":"; got != want {
			t.Errorf("Repr-Digest %q, want %q", got, want)
		}
	} else if h.Get("Repr-Digest") == "" {
		t.Error("HEAD: no Repr-Digest")
	}
	if got, want := h.Get("Last-Modified"), d.UpdatedAt.UTC().Format(http.TimeFormat); got != want {
		t.Errorf("Last-Modified %q, want %q (the document's updatedAt)", got, want)
	}
	if got := h.Get("Accept-Ranges"); got != "bytes" {
		t.Errorf("Accept-Ranges %q, want bytes", got)
	}
	if got := h.Get("Cache-Control"); got != "private, no-cache" {
		t.Errorf("Cache-Control %q, want private, no-cache", got)
	}
	return r.Body
}

func docFilePath(d api.Document) string { return "/documents/" + d.ID + "/file" }

// docContentType is the Content-Type of a seeded document, by its type.
func docContentType(d api.Document) string {
	switch d.DocumentType {
	case api.DocumentBills, api.DocumentPartialBills:
		return docXLSX
	case api.DocumentInvoices:
		return "application/pdf"
	}
	return "text/csv"
}
