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
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/testkit/apitest"
)

const uploadPath = "/contracts/OCB0000001/documents"

func TestAdminDocuments(t *testing.T) {
	a := apitest.NewAdminEnv(t)
	csv := apitest.GeneratedFile(t, "comsumptionRatedReports", "OCB0000001", "202606", "admin test")
	r := a.Upload("POST", uploadPath+"?type=consumptionRatedReports&period=202606&amount=1234.5&currency=EUR", csv)
	d := apitest.OK[admin.Document](t, r, 201)
	sum := sha256.Sum256(csv)
	if d.DocumentType != "comsumptionRatedReports" || d.Period != "202606" || d.Amount != 1234.5 || d.Currency != "EUR" ||
		d.Size != int64(len(csv)) || d.SHA256 != hex.EncodeToString(sum[:]) || d.ContentType != "text/csv" ||
		d.Filename != "OCB0000001_202606_comsumptionRatedReports.csv" || d.ContractID != "OCB0000001" {
		t.Errorf("uploaded %+v", d)
	}
	if spool := a.Spooled(); len(spool) != 0 {
		t.Errorf("the spool directory keeps %q", spool)
	}

	// The customer sees it at once.
	r = a.AsClient("GET", "/documents?documentType=comsumptionRatedReports&limit=1", "OCB0000001", "").WantStatus(t, 200)
	if docs := apitest.Decode[[]api.Document](t, r); len(docs) != 1 || docs[0].ID != d.ID || docs[0].Amount != 1234.5 {
		t.Errorf("the customer sees %s", r.Body)
	}
	list := apitest.OK[admin.List[admin.Document]](t, a.Call("GET", uploadPath+"?limit=1", nil), 200)
	if list.Total < 14 || len(list.Items) != 1 || list.Items[0].ID != d.ID {
		t.Errorf("documents: total %d, first %+v", list.Total, list.Items)
	}
	a.Call("GET", "/contracts/OCB9999999/documents", nil).WantError(t, 404, api.CodeResourceNotFound)

	// Operators download any document.
	r = a.Call("GET", uploadPath+"/"+d.ID+"/file", nil).WantStatus(t, 200)
	if !bytes.Equal(r.Body, csv) || r.Header.Get("ETag") != `"`+d.SHA256+`"` || r.Header.Get("Content-Type") != "text/csv" {
		t.Errorf("download: %d bytes, ETag %s", len(r.Body), r.Header.Get("ETag"))
	}
	r = a.Send("GET", a.AdminURL+uploadPath+"/"+d.ID+"/file", nil, map[string]string{"Authorization": "Bearer " + a.OperatorToken, "Range": "bytes=0-9"}).WantStatus(t, 206)
	if !bytes.Equal(r.Body, csv[:10]) {
		t.Errorf("range: %q", r.Body)
	}
	a.Send("GET", a.AdminURL+uploadPath+"/"+d.ID+"/file", nil, map[string]string{"Authorization": "Bearer " + a.OperatorToken, "If-None-Match": `"` + d.SHA256 + `"`}).WantStatus(t, 304)
	a.Call("GET", uploadPath+"/zzzzzzzzzzzzzzzz/file", nil).WantError(t, 404, api.CodeResourceNotFound)
	a.Call("GET", uploadPath+"/not%20an%20id/file", nil).WantError(t, 404, api.CodeResourceNotFound) // ids are opaque

	adminReplaceAndDelete(t, a, d)

	// Every format takes its own valid file; a closed contract still takes documents.
	a.Call("POST", "/contracts/OCB0000002/close", nil).WantStatus(t, 200)
	for _, typ := range []string{"bills", "invoices", "reports", "partialBills", "partialConsumptionRatedReports"} {
		file := apitest.GeneratedFile(t, typ, "OCB0000002", "202606", "admin test")
		d := apitest.OK[admin.Document](t, a.Upload("POST", "/contracts/OCB0000002/documents?type="+typ+"&period=202606&amount=-10&currency=USD", file), 201)
		if d.DocumentType != typ || d.Amount != -10 || d.Size != int64(len(file)) {
			t.Errorf("%s: %+v", typ, d)
		}
	}
	a.CheckAudit()
}

// adminReplaceAndDelete replaces document d's file, then deletes d, and checks what operators,
// customers and the document store see.
func adminReplaceAndDelete(t *testing.T, a *apitest.AdminEnv, d admin.Document) {
	// Replaced: new bytes and metadata; the old bytes are gone.
	before := a.BlobKeys(t)
	csv2 := apitest.GeneratedFile(t, "comsumptionRatedReports", "OCB0000001", "202606", "admin test, corrected")
	a.Clock.Advance(time.Minute)
	d2 := apitest.OK[admin.Document](t, a.Upload("PUT", uploadPath+"/"+d.ID+"/file?amount=99.99&filename=corrected.csv", csv2), 200)
	if d2.ID != d.ID || d2.Amount != 99.99 || d2.Filename != "corrected.csv" || d2.SHA256 == d.SHA256 || !d2.UpdatedAt.After(d.UpdatedAt) || !d2.CreatedAt.Equal(d.CreatedAt) {
		t.Errorf("replaced %+v", d2)
	}
	if after := a.BlobKeys(t); len(after) != len(before) || slices.Equal(after, before) {
		t.Errorf("files: %d before, %d after the replacement, want as many, one of them new", len(before), len(after))
	}
	if r := a.Call("GET", uploadPath+"/"+d.ID+"/file", nil).WantStatus(t, 200); !bytes.Equal(r.Body, csv2) {
		t.Error("the download is not the new file")
	}
	a.Upload("PUT", uploadPath+"/"+d.ID+"/file?type=bills", csv2).WantError(t, 400, api.CodeInvalidQueryParameter)
	a.Upload("PUT", uploadPath+"/zzzzzzzzzzzzzzzz/file", csv2).WantError(t, 404, api.CodeResourceNotFound)
	a.Upload("PUT", uploadPath+"/"+d.ID+"/file?period=2026", csv2).WantError(t, 400, api.CodeInvalidQueryParameter)

	// Deleted: gone for operators and customers, bytes included.
	a.Call("DELETE", uploadPath+"/"+d.ID, nil).WantStatus(t, 204)
	a.Call("DELETE", uploadPath+"/"+d.ID, nil).WantError(t, 404, api.CodeResourceNotFound)
	a.Call("GET", uploadPath+"/"+d.ID+"/file", nil).WantError(t, 404, api.CodeResourceNotFound)
	a.AsClient("GET", "/documents/"+d.ID+"/file", "OCB0000001", "").WantError(t, 404, api.CodeResourceNotFound)
	if after := a.BlobKeys(t); len(after) != len(before)-1 {
		t.Errorf("files: %d before, %d after the deletion", len(before), len(after))
	}
}

// TestAdminUploadRefusals checks that every bad upload is refused with a clear error and leaves
// nothing behind: no document, no file in the documents directory, nothing spooled.
func TestAdminUploadRefusals(t *testing.T) {
	a := apitest.NewAdminEnv(t, apitest.WithMaxUpload(64<<10))
	csv := apitest.GeneratedFile(t, "comsumptionRatedReports", "OCB0000001", "202606", "refusals")
	if len(csv) > 64<<10 {
		t.Fatalf("the generated CSV is %d bytes, over the test's upload limit", len(csv))
	}
	short, xlsx := uploadRefusalFiles(t, csv)
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
		{"a 26-column consumption CSV", "?type=comsumptionRatedReports" + meta, short, 400, api.CodeInvalidBodyField, "26 fields"},
		{"an XLSX without the Billing Report sheet", "?type=bills" + meta, xlsx, 400, api.CodeInvalidBodyField, "Billing Report"},
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
			wantUploadRefused(t, a, tt.query, tt.file, tt.status, tt.code, tt.reason)
		})
	}
	uploadMoreRefusals(t, a, meta, csv, short, oversized)
	a.CheckAudit()
}

// wantUploadRefused checks that uploading file with query is refused with this status, code
// and reason, and leaves no trace: no document, no file, nothing in the spool.
func wantUploadRefused(t *testing.T, a *apitest.AdminEnv, query string, file []byte, status, code int, reason string) {
	t.Helper()
	files := a.BlobKeys(t)
	docs := documentCount(t, a)
	r := a.Upload("POST", uploadPath+query, file)
	desc := r.WantError(t, status, code)
	if !strings.Contains(desc, reason) {
		t.Errorf("description %q does not say %q", desc, reason)
	}
	if status == 413 { // also without Content-Length: the limit is enforced while reading
		r := a.Send("POST", a.AdminURL+uploadPath+query, io.MultiReader(bytes.NewReader(file)), map[string]string{"Authorization": "Bearer " + a.OperatorToken})
		r.WantError(t, 413, api.CodeEntityTooLarge)
	}
	if n := documentCount(t, a); n != docs {
		t.Errorf("%d documents before, %d after", docs, n)
	}
	if after := a.BlobKeys(t); !slices.Equal(after, files) {
		t.Errorf("the document store changed: %d files before, %d after", len(files), len(after))
	}
	if spool := a.Spooled(); len(spool) != 0 {
		t.Errorf("the spool directory keeps %q", spool)
	}
}

// uploadRefusalFiles makes from a valid consumption CSV two invalid files: the CSV with 26
// columns, and an XLSX without the "Billing Report" sheet.
func uploadRefusalFiles(t *testing.T, csv []byte) (short, xlsx []byte) {
	// 26 columns: the last field of every line dropped.
	var shortCSV bytes.Buffer
	for _, line := range strings.SplitAfter(string(csv), "\n") {
		if line == "" {
			continue
		}
		end := strings.TrimRight(line, "\r\n")
		shortCSV.WriteString(end[:strings.LastIndexByte(end, ';')] + line[len(end):])
	}
	// An XLSX without the "Billing Report" sheet.
	x := excelize.NewFile()
	x.SetCellValue("Sheet1", "A1", "Not a billing report")
	var xlsxFile bytes.Buffer
	if err := x.Write(&xlsxFile); err != nil {
		t.Fatal(err)
	}
	return shortCSV.Bytes(), xlsxFile.Bytes()
}

// uploadMoreRefusals checks the refusals of an upload to a missing contract and of a body that
// is not a file, and that replacing a document with a bad file (short, oversized) keeps it.
func uploadMoreRefusals(t *testing.T, a *apitest.AdminEnv, meta string, csv, short, oversized []byte) {
	a.Upload("POST", "/contracts/OCB9999999/documents?type=reports"+meta, csv).WantError(t, 404, api.CodeResourceNotFound)
	r := a.Send("POST", a.AdminURL+uploadPath+"?type=reports"+meta, bytes.NewReader(csv), map[string]string{"Authorization": "Bearer " + a.OperatorToken, "Content-Encoding": "gzip"})
	r.WantError(t, 415, api.CodeUnsupportedMediaType)
	// Replacing with a bad file keeps the document as it was.
	d := apitest.OK[admin.Document](t, a.Upload("POST", uploadPath+"?type=comsumptionRatedReports"+meta, csv), 201)
	files := a.BlobKeys(t)
	a.Upload("PUT", uploadPath+"/"+d.ID+"/file", short).WantError(t, 400, api.CodeInvalidBodyField)
	a.Upload("PUT", uploadPath+"/"+d.ID+"/file", oversized).WantError(t, 413, api.CodeEntityTooLarge)
	if !slices.Equal(a.BlobKeys(t), files) {
		t.Error("a refused replacement changed the document store")
	}
	if r := a.Call("GET", uploadPath+"/"+d.ID+"/file", nil).WantStatus(t, 200); !bytes.Equal(r.Body, csv) {
		t.Error("a refused replacement changed the document")
	}
}

// documentCount is how many documents contract OCB0000001 has.
func documentCount(t *testing.T, a *apitest.AdminEnv) int {
	t.Helper()
	_, total, err := a.Svc.OperatorDocuments(t.Context(), "OCB0000001", eccs.Page{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

// Documents loaded from another billing system keep that system's ids, which clients use as
// they use ours: ids are opaque.
func TestAdminDocumentsKeepTheirBillingSystemsIDs(t *testing.T) {
	a := apitest.NewAdminEnv(t)
	const id = "INV-2026.06_000123"
	csv := apitest.GeneratedFile(t, "comsumptionRatedReports", "OCB0000001", "202606", "kept id")
	d := apitest.OK[admin.Document](t, a.Upload("POST", uploadPath+"?type=comsumptionRatedReports&period=202606&amount=1&currency=EUR&id="+id, csv), 201)
	if d.ID != id {
		t.Fatalf("uploaded document %q, want the id %q", d.ID, id)
	}
	docs := apitest.Decode[[]api.Document](t, a.AsClient("GET", "/documents?documentType=comsumptionRatedReports&limit=1", "OCB0000001", "").WantStatus(t, 200))
	if len(docs) != 1 || docs[0].ID != id {
		t.Fatalf("the customer lists %+v", docs)
	}
	if r := a.AsClient("GET", "/documents/"+id+"/file", "OCB0000001", "").WantStatus(t, 200); !bytes.Equal(r.Body, csv) {
		t.Errorf("download of %s: %d bytes", id, len(r.Body))
	}
	a.AsClient("GET", "/documents/"+strings.ToLower(id)+"/file", "OCB0000001", "").WantError(t, 404, api.CodeResourceNotFound)
	// An id is one document's: taken, or not an id, the upload is refused and stores nothing.
	before := a.BlobKeys(t)
	a.Upload("POST", uploadPath+"?type=comsumptionRatedReports&period=202605&amount=1&currency=EUR&id="+id, csv).WantError(t, 409, api.CodeConflict)
	for _, bad := range []string{"a%2Fb", "..", strings.Repeat("x", 65), "caf%C3%A9"} {
		a.Upload("POST", uploadPath+"?type=comsumptionRatedReports&period=202605&amount=1&currency=EUR&id="+bad, csv).WantError(t, 400, api.CodeInvalidQueryParameter)
	}
	if after := a.BlobKeys(t); !slices.Equal(before, after) {
		t.Errorf("refused uploads left files: %q, before %q", after, before)
	}
}
