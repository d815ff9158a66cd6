package conformance

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/eccs/eccs/api"
)

// The formats of doc/wire.md §6 that clients parse.
const (
	billingSheet    = "Billing Report"
	consumptionCols = 27
)

// download fetches a document's file as real clients do: with Accept: application/json, and
// without compression so that Content-Length is the file's.
func (r *runner) download(id, query string, header ...string) *exchange {
	q := r.resource("/documents/"+url.PathEscape(id)+"/file"+query, r.contractID)
	q.header["Accept-Encoding"] = []string{"identity"}
	for i := 0; i+1 < len(header); i += 2 {
		q.header[header[i]] = []string{header[i+1]}
	}
	return r.do(q)
}

func (r *runner) fileChecks() {
	r.fileWhy = "the download check failed (see it)"

	r.check("GET /documents/{id}/file with Accept: application/json → 200, the raw bytes, Content-Length", "doc/wire.md §0, §4, §7.3.4, §8 #6", func(v *verdict) {
		if !r.haveContract(v) {
			r.fileWhy = "no access token or no contract (see the checks above)"
			return
		}
		// The first bill, else the first document.
		var pick any
		lists := 0
		for _, l := range []*docList{r.bills, r.docsDefault, r.docsAll} {
			if l == nil || l.why != "" {
				continue
			}
			lists++
			if len(l.items) > 0 {
				pick = l.items[0]
				break
			}
		}
		id, _ := member(pick, "id")
		docID, ok := id.(string)
		switch {
		case lists == 0:
			r.fileWhy = "no list of documents to take a document id from: GET /documents did not answer a JSON array (see its check)"
		case pick == nil:
			r.fileWhy = fmt.Sprintf("GET /documents lists no document on contract %s; choose a contract that has documents", r.contractID)
		case !ok || docID == "":
			r.fileWhy = fmt.Sprintf("the first document listed on contract %s has no string id (see the document checks)", r.contractID)
		}
		if !ok || docID == "" {
			v.cannot("%s", r.fileWhy)
			return
		}
		docType, _ := member(pick, "documentType")
		ex := r.download(docID, "")
		if !v.wantStatus(ex, http.StatusOK) {
			return
		}
		if len(ex.body) == 0 {
			v.fail(ex, "expected the file's bytes, got an empty body")
			return
		}
		if looksLikeJSON(ex) {
			v.fail(ex, "expected the file's raw bytes (clients send Accept: application/json and write what comes back), got JSON (Content-Type %q): %s",
				ex.header.Get("Content-Type"), snippet(ex.body))
			return
		}
		switch cl := ex.header.Get("Content-Length"); {
		case cl == "":
			v.fail(ex, "expected a Content-Length header (%d), got none", len(ex.body))
		case cl != strconv.Itoa(len(ex.body)):
			v.fail(ex, "expected Content-Length %d, the length of the body, got %s", len(ex.body), cl)
		}
		t, _ := docType.(string)
		r.file = &downloaded{id: docID, docType: t, ex: ex}
	})

	r.check(fmt.Sprintf("bill file: an XLSX workbook with a %q sheet", billingSheet), "doc/wire.md §6, §7.4.4, §8 #8", func(v *verdict) {
		if !r.haveContract(v) || !haveList(v, r.bills) {
			return
		}
		if len(r.bills.items) == 0 {
			v.note = fmt.Sprintf("not applicable: GET /documents?documentType=bills lists no bill on contract %s", r.contractID)
			return
		}
		if r.file == nil {
			v.cannot("%s", r.fileWhy)
			return
		}
		if r.file.docType != api.DocumentBills {
			v.cannot("the downloaded document %s is not a bill (documentType %q)", r.file.id, r.file.docType)
			return
		}
		sheets, err := workbookSheets(r.file.ex.body)
		switch {
		case err != nil:
			v.fail(r.file.ex, "expected an XLSX workbook: %v", err)
		case !slices.Contains(sheets, billingSheet):
			v.fail(r.file.ex, "expected a sheet named %q, got the sheets %q", billingSheet, sheets)
		}
	})

	r.check(fmt.Sprintf("consumption report file: CSV, a header line, %d ;-separated fields on every line", consumptionCols), "doc/wire.md §6, §7.4.3, §8 #7", func(v *verdict) {
		if !r.haveContract(v) || !haveList(v, r.consumption) {
			return
		}
		if len(r.consumption.items) == 0 {
			v.note = fmt.Sprintf("not applicable: GET /documents?documentType=%s lists no document on contract %s", api.DocumentConsumptionRatedReports, r.contractID)
			return
		}
		d := r.consumption.items[0]
		id, ok := member(d, "id")
		docID, _ := id.(string)
		if !ok || docID == "" {
			v.fail(r.consumption.ex, "documents[0]: expected a string id, got %s", describe(id))
			return
		}
		ex := r.download(docID, "")
		if !v.wantStatus(ex, http.StatusOK) {
			return
		}
		if looksLikeJSON(ex) {
			v.fail(ex, "expected the CSV file's bytes, got JSON (Content-Type %q): %s", ex.header.Get("Content-Type"), snippet(ex.body))
			return
		}
		for _, p := range csvProblems(ex.body) {
			v.fail(ex, "%s", p)
		}
	})

	r.check("GET /documents/{id}/file?zipped=0 → the raw bytes", "doc/wire.md §4, §7.4.5", func(v *verdict) {
		if !r.haveContract(v) {
			return
		}
		if r.file == nil {
			v.cannot("%s", r.fileWhy)
			return
		}
		ex := r.download(r.file.id, "?zipped=0")
		if v.wantStatus(ex, http.StatusOK) && !bytes.Equal(ex.body, r.file.ex.body) {
			v.fail(ex, "expected the %d bytes of the file without zipped, got %d different bytes (%s)",
				len(r.file.ex.body), len(ex.body), snippet(ex.body))
		}
	})
}

// looksLikeJSON reports whether an answer that should be a file is JSON instead.
func looksLikeJSON(ex *exchange) bool {
	if mt, _, err := mime.ParseMediaType(ex.header.Get("Content-Type")); err == nil && mt == "application/json" {
		return true
	}
	b := bytes.TrimSpace(ex.body)
	return len(b) > 0 && (b[0] == '{' || b[0] == '[') && json.Valid(b)
}

// workbookSheets returns the sheet names of an XLSX workbook, from xl/workbook.xml.
func workbookSheets(b []byte) ([]string, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("the file is not a ZIP archive, as an XLSX workbook is (%v)", err)
	}
	for _, f := range zr.File {
		if f.Name != "xl/workbook.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("xl/workbook.xml cannot be read: %v", err)
		}
		defer rc.Close()
		var wb struct {
			Sheets []struct {
				Name string `xml:"name,attr"`
			} `xml:"sheets>sheet"`
		}
		if err := xml.NewDecoder(io.LimitReader(rc, 16<<20)).Decode(&wb); err != nil {
			return nil, fmt.Errorf("xl/workbook.xml is not XML: %v", err)
		}
		names := make([]string, len(wb.Sheets))
		for i, s := range wb.Sheets {
			names[i] = s.Name
		}
		return names, nil
	}
	return nil, errors.New("the ZIP archive has no xl/workbook.xml")
}

// csvProblems lists what a consumption CSV does that its parsers cannot take (doc/wire.md
// §7.4.3): a header line, then every line with exactly 27 ;-separated fields, no blank line, no
// footer. LF and CRLF are both fine.
func csvProblems(b []byte) []string {
	if len(b) == 0 {
		return []string{"expected a CSV file, got an empty body"}
	}
	s := strings.TrimPrefix(string(b), "\ufeff")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r")
	lines := strings.Split(s, "\n")
	var out []string
	bad := 0
	for i, line := range lines {
		line = strings.TrimSuffix(line, "\r")
		fields := strings.Split(line, ";")
		var p string
		switch {
		case strings.TrimSpace(line) == "":
			p = fmt.Sprintf("line %d is blank: expected no blank or trailing line", i+1)
		case len(fields) != consumptionCols:
			p = fmt.Sprintf("line %d has %d ;-separated fields, expected %d: %s", i+1, len(fields), consumptionCols, truncate(line, 100))
		case i == 0:
			for j, f := range fields {
				if strings.TrimSpace(f) == "" || isNumber(f) {
					p = fmt.Sprintf("line 1 is not a header line: its field %d is %q, expected a column name", j+1, f)
					break
				}
			}
		}
		if p != "" {
			bad++
			if bad <= 3 {
				out = append(out, p)
			}
		}
	}
	if bad > 3 {
		out = append(out, fmt.Sprintf("%d lines in all are wrong, of %d", bad, len(lines)))
	}
	return out
}

// isNumber reports whether a CSV field is a number (decimal comma or point).
func isNumber(f string) bool {
	_, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(f), ",", "."), 64)
	return err == nil
}
