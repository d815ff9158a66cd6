package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
)

// generatedFile returns a valid file of a document type for a contract and period.
func generatedFile(t *testing.T, documentType, contractID, period, seed string) []byte {
	t.Helper()
	kind, found := docformat.KindOf(documentType)
	if !found {
		t.Fatalf("no format for %s", documentType)
	}
	p, err := docformat.ParsePeriod(period)
	if err != nil {
		t.Fatal(err)
	}
	st := docformat.Generate(docformat.Params{Seed: seed, ContractID: contractID, ContractName: "Contract " + contractID,
		CustomerName: "Acme Industries SA", OfferName: docformat.OfferFlexibleEngine, Period: p, Currency: "EUR"})
	var b bytes.Buffer
	if err := kind.Write(&b, st, docformat.DefaultInvoice(st)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const uploadPath = "/contracts/OCB0000001/documents"

func TestAdminDocuments(t *testing.T) {
	a := newAdminEnv(t)
	csv := generatedFile(t, "comsumptionRatedReports", "OCB0000001", "202606", "admin test")
	r := a.upload("POST", uploadPath+"?type=consumptionRatedReports&period=202606&amount=1234.5&currency=EUR", csv)
	d := ok[admin.Document](t, r, 201)
	sum := sha256.Sum256(csv)
	if d.DocumentType != "comsumptionRatedReports" || d.Period != "202606" || d.Amount != 1234.5 || d.Currency != "EUR" ||
		d.Size != int64(len(csv)) || d.SHA256 != hex.EncodeToString(sum[:]) || d.ContentType != "text/csv" ||
		d.Filename != "OCB0000001_202606_comsumptionRatedReports.csv" || d.ContractID != "OCB0000001" {
		t.Errorf("uploaded %+v", d)
	}
	if spool := a.spooled(); len(spool) != 0 {
		t.Errorf("the spool directory keeps %q", spool)
	}

	// The customer sees it at once.
	r = a.asClient("GET", "/documents?documentType=comsumptionRatedReports&limit=1", "OCB0000001", "").wantStatus(t, 200)
	if docs := decode[[]api.Document](t, r); len(docs) != 1 || docs[0].ID != d.ID || docs[0].Amount != 1234.5 {
		t.Errorf("the customer sees %s", r.body)
	}
	list := ok[admin.List[admin.Document]](t, a.call("GET", uploadPath+"?limit=1", nil), 200)
	if list.Total < 14 || len(list.Items) != 1 || list.Items[0].ID != d.ID {
		t.Errorf("documents: total %d, first %+v", list.Total, list.Items)
	}
	a.call("GET", "/contracts/OCB9999999/documents", nil).wantError(t, 404, api.CodeResourceNotFound)

	// Operators download any document.
	r = a.call("GET", uploadPath+"/"+d.ID+"/file", nil).wantStatus(t, 200)
	if !bytes.Equal(r.body, csv) || r.header.Get("ETag") != `"`+d.SHA256+`"` || r.header.Get("Content-Type") != "text/csv" {
		t.Errorf("download: %d bytes, ETag %s", len(r.body), r.header.Get("ETag"))
	}
	r = a.send("GET", a.adminURL+uploadPath+"/"+d.ID+"/file", nil, map[string]string{"Authorization": "Bearer " + a.token, "Range": "bytes=0-9"}).wantStatus(t, 206)
	if !bytes.Equal(r.body, csv[:10]) {
		t.Errorf("range: %q", r.body)
	}
	a.send("GET", a.adminURL+uploadPath+"/"+d.ID+"/file", nil, map[string]string{"Authorization": "Bearer " + a.token, "If-None-Match": `"` + d.SHA256 + `"`}).wantStatus(t, 304)
	a.call("GET", uploadPath+"/zzzzzzzzzzzzzzzz/file", nil).wantError(t, 404, api.CodeResourceNotFound)
	a.call("GET", uploadPath+"/not%20an%20id/file", nil).wantError(t, 404, api.CodeResourceNotFound) // ids are opaque

	// Replaced: new bytes and metadata; the old bytes are gone.
	before := a.blobKeys(t)
	csv2 := generatedFile(t, "comsumptionRatedReports", "OCB0000001", "202606", "admin test, corrected")
	a.clock.Advance(time.Minute)
	d2 := ok[admin.Document](t, a.upload("PUT", uploadPath+"/"+d.ID+"/file?amount=99.99&filename=corrected.csv", csv2), 200)
	if d2.ID != d.ID || d2.Amount != 99.99 || d2.Filename != "corrected.csv" || d2.SHA256 == d.SHA256 || !d2.UpdatedAt.After(d.UpdatedAt) || !d2.CreatedAt.Equal(d.CreatedAt) {
		t.Errorf("replaced %+v", d2)
	}
	if after := a.blobKeys(t); len(after) != len(before) || slices.Equal(after, before) {
		t.Errorf("files: %d before, %d after the replacement, want as many, one of them new", len(before), len(after))
	}
	if r := a.call("GET", uploadPath+"/"+d.ID+"/file", nil).wantStatus(t, 200); !bytes.Equal(r.body, csv2) {
		t.Error("the download is not the new file")
	}
	a.upload("PUT", uploadPath+"/"+d.ID+"/file?type=bills", csv2).wantError(t, 400, api.CodeInvalidQueryParameter)
	a.upload("PUT", uploadPath+"/zzzzzzzzzzzzzzzz/file", csv2).wantError(t, 404, api.CodeResourceNotFound)
	a.upload("PUT", uploadPath+"/"+d.ID+"/file?period=2026", csv2).wantError(t, 400, api.CodeInvalidQueryParameter)

	// Deleted: gone for operators and customers, bytes included.
	a.call("DELETE", uploadPath+"/"+d.ID, nil).wantStatus(t, 204)
	a.call("DELETE", uploadPath+"/"+d.ID, nil).wantError(t, 404, api.CodeResourceNotFound)
	a.call("GET", uploadPath+"/"+d.ID+"/file", nil).wantError(t, 404, api.CodeResourceNotFound)
	a.asClient("GET", "/documents/"+d.ID+"/file", "OCB0000001", "").wantError(t, 404, api.CodeResourceNotFound)
	if after := a.blobKeys(t); len(after) != len(before)-1 {
		t.Errorf("files: %d before, %d after the deletion", len(before), len(after))
	}

	// Every format takes its own valid file; a closed contract still takes documents.
	a.call("POST", "/contracts/OCB0000002/close", nil).wantStatus(t, 200)
	for _, typ := range []string{"bills", "invoices", "reports", "partialBills", "partialConsumptionRatedReports"} {
		file := generatedFile(t, typ, "OCB0000002", "202606", "admin test")
		d := ok[admin.Document](t, a.upload("POST", "/contracts/OCB0000002/documents?type="+typ+"&period=202606&amount=-10&currency=USD", file), 201)
		if d.DocumentType != typ || d.Amount != -10 || d.Size != int64(len(file)) {
			t.Errorf("%s: %+v", typ, d)
		}
	}
	a.checkAudit()
}

// TestAdminUploadRefusals checks that every bad upload is refused with a clear error and leaves
// nothing behind: no document, no file in the documents directory, nothing spooled.
func TestAdminUploadRefusals(t *testing.T) {
	a := newAdminEnv(t, withMaxUpload(64<<10))
	csv := generatedFile(t, "comsumptionRatedReports", "OCB0000001", "202606", "refusals")
	if len(csv) > 64<<10 {
		t.Fatalf("the generated CSV is %d bytes, over the test's upload limit", len(csv))
	}
	// 26 columns: the last field of every line dropped.
	var short bytes.Buffer
	for _, line := range strings.SplitAfter(string(csv), "\n") {
		if line == "" {
			continue
		}
		end := strings.TrimRight(line, "\r\n")
		short.WriteString(end[:strings.LastIndexByte(end, ';')] + line[len(end):])
	}
	// An XLSX without the "Billing Report" sheet.
	x := excelize.NewFile()
	x.SetCellValue("Sheet1", "A1", "Not a billing report")
	var xlsx bytes.Buffer
	if err := x.Write(&xlsx); err != nil {
		t.Fatal(err)
	}
	const meta = "&period=202606&amount=12.34&currency=EUR"
	oversized := append(slices.Clone(csv), bytes.Repeat([]byte("1;"), 32<<10)...)

	for _, tt := range []struct {
		name   string
		query  string
		file   []byte
		status int
		code   int
		reason string // in the description
	}{
		{"a PDF that is text", "?type=invoices" + meta, []byte("%PDF? no, plain text\n"), 400, api.CodeInvalidBodyField, "not a valid invoice PDF"},
		{"a CSV that is not one", "?type=comsumptionRatedReports" + meta, []byte("hello\x00world"), 400, api.CodeInvalidBodyField, "consumption CSV"},
		{"a 26-column consumption CSV", "?type=comsumptionRatedReports" + meta, short.Bytes(), 400, api.CodeInvalidBodyField, "26 fields"},
		{"an XLSX without the Billing Report sheet", "?type=bills" + meta, xlsx.Bytes(), 400, api.CodeInvalidBodyField, "Billing Report"},
		{"a CSV as bills", "?type=bills" + meta, csv, 400, api.CodeInvalidBodyField, "billing XLSX"},
		{"an empty file", "?type=comsumptionRatedReports" + meta, nil, 400, api.CodeInvalidBodyField, "empty"},
		{"an oversized file", "?type=comsumptionRatedReports" + meta, oversized, 413, api.CodeEntityTooLarge, "65536 bytes"},
		{"no type", "?period=202606&amount=1&currency=EUR", csv, 400, api.CodeMissingQueryParameter, "type"},
		{"no amount", "?type=reports&period=202606&currency=EUR", csv, 400, api.CodeMissingQueryParameter, "amount"},
		{"an unknown type", "?type=statements" + meta, csv, 400, api.CodeInvalidQueryParameter, "statements"},
		// (Without filename, the domain blames the default file name it cannot make.)
		{"a bad period", "?type=comsumptionRatedReports&period=2026-06&amount=1&currency=EUR&filename=x.csv", csv, 400, api.CodeInvalidQueryParameter, "period"},
		{"a bad amount", "?type=comsumptionRatedReports&period=202606&amount=1,5&currency=EUR", csv, 400, api.CodeInvalidQueryParameter, "amount"},
		{"three decimals", "?type=comsumptionRatedReports&period=202606&amount=1.505&currency=EUR", csv, 400, api.CodeInvalidQueryParameter, "amount"},
		{"a bad currency", "?type=comsumptionRatedReports&period=202606&amount=1&currency=euro", csv, 400, api.CodeInvalidQueryParameter, "currency"},
		{"a bad file name", "?type=comsumptionRatedReports" + meta + "&filename=../x.csv", csv, 400, api.CodeInvalidQueryParameter, "filename"},
		{"a type given twice", "?type=reports&type=bills" + meta, csv, 400, api.CodeInvalidQueryParameter, "type"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			files := a.blobKeys(t)
			docs := documentCount(t, a)
			r := a.upload("POST", uploadPath+tt.query, tt.file)
			desc := r.wantError(t, tt.status, tt.code)
			if !strings.Contains(desc, tt.reason) {
				t.Errorf("description %q does not say %q", desc, tt.reason)
			}
			if tt.status == 413 { // also without Content-Length: the limit is enforced while reading
				r := a.send("POST", a.adminURL+uploadPath+tt.query, io.MultiReader(bytes.NewReader(tt.file)), map[string]string{"Authorization": "Bearer " + a.token})
				r.wantError(t, 413, api.CodeEntityTooLarge)
			}
			if n := documentCount(t, a); n != docs {
				t.Errorf("%d documents before, %d after", docs, n)
			}
			if after := a.blobKeys(t); !slices.Equal(after, files) {
				t.Errorf("the document store changed: %d files before, %d after", len(files), len(after))
			}
			if spool := a.spooled(); len(spool) != 0 {
				t.Errorf("the spool directory keeps %q", spool)
			}
		})
	}
	a.upload("POST", "/contracts/OCB9999999/documents?type=reports"+meta, csv).wantError(t, 404, api.CodeResourceNotFound)
	r := a.send("POST", a.adminURL+uploadPath+"?type=reports"+meta, bytes.NewReader(csv), map[string]string{"Authorization": "Bearer " + a.token, "Content-Encoding": "gzip"})
	r.wantError(t, 415, api.CodeUnsupportedMediaType)
	// Replacing with a bad file keeps the document as it was.
	d := ok[admin.Document](t, a.upload("POST", uploadPath+"?type=comsumptionRatedReports"+meta, csv), 201)
	files := a.blobKeys(t)
	a.upload("PUT", uploadPath+"/"+d.ID+"/file", short.Bytes()).wantError(t, 400, api.CodeInvalidBodyField)
	a.upload("PUT", uploadPath+"/"+d.ID+"/file", oversized).wantError(t, 413, api.CodeEntityTooLarge)
	if !slices.Equal(a.blobKeys(t), files) {
		t.Error("a refused replacement changed the document store")
	}
	if r := a.call("GET", uploadPath+"/"+d.ID+"/file", nil).wantStatus(t, 200); !bytes.Equal(r.body, csv) {
		t.Error("a refused replacement changed the document")
	}
	a.checkAudit()
}

// documentCount is how many documents contract OCB0000001 has.
func documentCount(t *testing.T, a *adminEnv) int {
	t.Helper()
	_, total, err := a.svc.OperatorDocuments(t.Context(), "OCB0000001", eccs.Page{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

// Documents loaded from another billing system keep that system's ids, which clients use as
// they use ours: ids are opaque.
func TestAdminDocumentsKeepTheirBillingSystemsIDs(t *testing.T) {
	a := newAdminEnv(t)
	const id = "INV-2026.06_000123"
	csv := generatedFile(t, "comsumptionRatedReports", "OCB0000001", "202606", "kept id")
	d := ok[admin.Document](t, a.upload("POST", uploadPath+"?type=comsumptionRatedReports&period=202606&amount=1&currency=EUR&id="+id, csv), 201)
	if d.ID != id {
		t.Fatalf("uploaded document %q, want the id %q", d.ID, id)
	}
	docs := decode[[]api.Document](t, a.asClient("GET", "/documents?documentType=comsumptionRatedReports&limit=1", "OCB0000001", "").wantStatus(t, 200))
	if len(docs) != 1 || docs[0].ID != id {
		t.Fatalf("the customer lists %+v", docs)
	}
	if r := a.asClient("GET", "/documents/"+id+"/file", "OCB0000001", "").wantStatus(t, 200); !bytes.Equal(r.body, csv) {
		t.Errorf("download of %s: %d bytes", id, len(r.body))
	}
	a.asClient("GET", "/documents/"+strings.ToLower(id)+"/file", "OCB0000001", "").wantError(t, 404, api.CodeResourceNotFound)
	// An id is one document's: taken, or not an id, the upload is refused and stores nothing.
	before := a.blobKeys(t)
	a.upload("POST", uploadPath+"?type=comsumptionRatedReports&period=202605&amount=1&currency=EUR&id="+id, csv).wantError(t, 409, api.CodeConflict)
	for _, bad := range []string{"a%2Fb", "..", strings.Repeat("x", 65), "caf%C3%A9"} {
		a.upload("POST", uploadPath+"?type=comsumptionRatedReports&period=202605&amount=1&currency=EUR&id="+bad, csv).wantError(t, 400, api.CodeInvalidQueryParameter)
	}
	if after := a.blobKeys(t); !slices.Equal(before, after) {
		t.Errorf("refused uploads left files: %q, before %q", after, before)
	}
}
