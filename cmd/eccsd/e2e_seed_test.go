package main

// The dev world as a client sees it: the credentials file, and the seeded documents, which
// must parse the way doc/wire.md §6 says and agree with each other and with their listed amounts.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/docformat"
)

// TestDevCredentialsFileIsCompletePrivateAndWorks checks dev-credentials.json as a client
// reads it: complete and private, pointing at the running server, and every credential in it
// doing what the file says.
func TestDevCredentialsFileIsCompletePrivateAndWorks(t *testing.T) {
	t.Parallel()
	s := sharedDev(t)
	tm := seededTemplate(t)

	t.Run("every field is set and the file is mode 0600", func(t *testing.T) { checkDevCredentialsFilesAreComplete(t, s, tm) })
	t.Run("the URLs point at the running server", func(t *testing.T) { checkDevCredentialsURLs(t, s, tm) })
	t.Run("the accounts see the contracts the file lists", func(t *testing.T) { checkDevAccountsSeeTheirContracts(t, s) })
	t.Run("the sample document is the sample contract's latest bill", func(t *testing.T) { checkDevSampleDocument(t, s) })
	t.Run("the other demo applications show each refusal", func(t *testing.T) { checkDevOtherApplications(t, s) })
}

// checkDevCredentialsFilesAreComplete checks the file written by the seeding start, then
// rewritten by a restart: mode 0600, no unknown field, no empty one, the four other
// applications.
func checkDevCredentialsFilesAreComplete(t *testing.T, s *server, tm *template) {
	for _, dir := range []string{tm.dir, s.dataDir} { // written by the seeding start, then rewritten by a restart
		path := filepath.Join(dir, "dev-credentials.json")
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", path, mode)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var c devseed.Credentials
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, empty := range emptyFields(reflect.ValueOf(c), "") {
			if empty == "people[0].totpSecret" {
				continue // Claire has no second factor; Nadia has one
			}
			t.Errorf("%s: %s is empty", path, empty)
		}
		if want := []string{"blocked", "pending", "suspended", "termsNotAccepted"}; !reflect.DeepEqual(sortedKeys(c.OtherApplications), want) {
			t.Errorf("%s: otherApplications %v, want %v", path, sortedKeys(c.OtherApplications), want)
		}
	}
}

// checkDevCredentialsURLs checks that the URLs point at the running server, and that a
// restart on the same data gives the same credentials, except the URLs.
func checkDevCredentialsURLs(t *testing.T, s *server, tm *template) {
	c := s.creds
	if c.BaseURL != s.url || c.TokenURL != s.url+api.TokenPath || c.APIURL != s.url+api.BasePath || c.AdminURL != s.url+"/admin/v1" {
		t.Errorf("baseUrl %q, tokenUrl %q, apiUrl %q, adminUrl %q; the server listens on %s", c.BaseURL, c.TokenURL, c.APIURL, c.AdminURL, s.url)
	}
	first, again := tm.creds, c
	if want := "http://localhost:" + s.url[strings.LastIndex(s.url, ":")+1:]; c.WebURL != want {
		t.Errorf("webUrl %q, want %q (browsers refuse passkeys on an IP address)", c.WebURL, want)
	}
	first.BaseURL, first.TokenURL, first.APIURL, first.AdminURL, first.WebURL = "", "", "", "", ""
	again.BaseURL, again.TokenURL, again.APIURL, again.AdminURL, again.WebURL = "", "", "", "", ""
	if !reflect.DeepEqual(first, again) {
		t.Errorf("credentials of the seeding start %+v\nand of a restart %+v differ", first, again)
	}
}

// checkDevAccountsSeeTheirContracts checks that each account lists the contracts the file
// lists for it, the sample one among them, and is refused 403/50 on the others; and, as the
// README says, that the client, visitor on the documents of OCB0000002, lists no bills or
// invoices there.
func checkDevAccountsSeeTheirContracts(t *testing.T, s *server) {
	c := s.creds
	tok := s.demoToken(t)
	for _, acc := range []struct {
		name, key string
		want      []string
	}{{"client", c.APIKeys.Client, c.Contracts.Client}, {"administrator", c.APIKeys.Administrator, c.Contracts.Administrator}} {
		var list []api.Contract
		s.mustJSON(t, call{path: "/cloud/b2b/v1/contracts", token: tok, key: acc.key}, http.StatusOK, &list)
		var got []string
		for _, ct := range list {
			got = append(got, ct.ID)
		}
		if !reflect.DeepEqual(got, acc.want) {
			t.Errorf("the %s account sees %v; the file says %v", acc.name, got, acc.want)
		}
		if !slices.Contains(got, c.SampleContractID) {
			t.Errorf("the %s account does not see the sample contract %s", acc.name, c.SampleContractID)
		}
		for _, id := range c.Contracts.All {
			if slices.Contains(acc.want, id) {
				continue
			}
			resp, body := s.do(t, call{path: "/cloud/b2b/v1/contract", token: tok, key: acc.key, contract: id})
			if e := envelope(t, body); resp.StatusCode != http.StatusForbidden || e.Code != api.CodeAccessDenied {
				t.Errorf("the %s account reading %s (not its own): %d %s, want 403/50", acc.name, id, resp.StatusCode, body)
			}
		}
	}
	for _, typ := range []string{"bills", "invoices", "partialBills"} {
		var docs []api.Document
		s.mustJSON(t, call{path: "/cloud/b2b/v1/documents?documentType=" + typ, token: tok, key: c.APIKeys.Client, contract: "OCB0000002"}, http.StatusOK, &docs)
		if len(docs) != 0 {
			t.Errorf("the client (visitor on the documents of OCB0000002) lists %d %s", len(docs), typ)
		}
	}
}

// checkDevSampleDocument checks, with both keys, that the sample document is the sample
// contract's latest bill and a valid billing sheet.
func checkDevSampleDocument(t *testing.T, s *server) {
	c := s.creds
	tok := s.demoToken(t)
	for _, key := range []string{c.APIKeys.Client, c.APIKeys.Administrator} {
		var docs []api.Document
		s.mustJSON(t, call{path: "/cloud/b2b/v1/documents?documentType=bills&limit=1", token: tok, key: key, contract: c.SampleContractID}, http.StatusOK, &docs)
		if len(docs) != 1 || docs[0].ID != c.SampleDocumentID {
			t.Errorf("latest bill of %s: %+v, the file says %s", c.SampleContractID, docs, c.SampleDocumentID)
		}
		resp, body := s.do(t, call{path: "/cloud/b2b/v1/documents/" + c.SampleDocumentID + "/file", token: tok, key: key, contract: c.SampleContractID})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("download of the sample document: %d", resp.StatusCode)
		}
		if err := docformat.CheckBillingXLSX(bytes.NewReader(body), int64(len(body))); err != nil {
			t.Errorf("the sample document: %v", err)
		}
	}
}

// checkDevOtherApplications checks that each other demo application shows its refusal: at
// the token endpoint, or on GET /contracts with the token it gets.
func checkDevOtherApplications(t *testing.T, s *server) {
	c := s.creds
	for _, tc := range []struct {
		state       string
		tokenStatus int
		callStatus  int // of GET /contracts with the token, when one is issued
		callCode    int
	}{
		{"pending", http.StatusOK, http.StatusForbidden, api.CodeAccessDenied},
		{"termsNotAccepted", http.StatusOK, http.StatusForbidden, api.CodeAccessDenied},
		{"suspended", http.StatusUnauthorized, 0, 0},
		{"blocked", http.StatusOK, http.StatusForbidden, api.CodeForbiddenRequester},
	} {
		t.Run(tc.state, func(t *testing.T) {
			app := c.OtherApplications[tc.state]
			resp, body := s.tokenRequest(t, app.ClientID, app.ClientSecret)
			if resp.StatusCode != tc.tokenStatus {
				t.Fatalf("token: %d %s, want %d", resp.StatusCode, body, tc.tokenStatus)
			}
			if tc.tokenStatus != http.StatusOK {
				var oe api.OAuthError
				if json.Unmarshal(body, &oe); oe.Error != api.OAuthInvalidClient {
					t.Errorf("token: %s, want invalid_client", body)
				}
				return
			}
			var tok api.Token
			json.Unmarshal(body, &tok)
			resp, body = s.do(t, call{path: "/cloud/b2b/v1/contracts", token: tok.AccessToken, key: c.APIKeys.Client})
			if e := envelope(t, body); resp.StatusCode != tc.callStatus || e.Code != tc.callCode {
				t.Errorf("GET /contracts: %d %s, want %d/%d", resp.StatusCode, body, tc.callStatus, tc.callCode)
			}
		})
	}
}

// emptyFields lists the zero-valued fields of v (strings, slices, maps, recursively), by
// JSON path.
func emptyFields(v reflect.Value, path string) []string {
	var out []string
	switch v.Kind() {
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			if name == "" {
				name = f.Name
			}
			out = append(out, emptyFields(v.Field(i), strings.TrimPrefix(path+"."+name, "."))...)
		}
	case reflect.Map:
		if v.Len() == 0 {
			return []string{path}
		}
		for _, k := range v.MapKeys() {
			out = append(out, emptyFields(v.MapIndex(k), path+"."+k.String())...)
		}
	case reflect.Slice:
		if v.Len() == 0 {
			return []string{path}
		}
		for i := 0; i < v.Len(); i++ {
			out = append(out, emptyFields(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
	default:
		if v.IsZero() {
			return []string{path}
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// documentTypes are the six wire document types, in the order their files are checked.
var documentTypes = []string{"bills", "comsumptionRatedReports", "reports", "invoices", "partialBills", "partialConsumptionRatedReports"}

// TestSeededDocumentsParseAsWireSpecSaysAndAgree downloads every seeded document of every
// contract the demo accounts see, checks that each parses as doc/wire.md §6 says, and that
// the figures of a month agree: the bill, the consumption and usage reports, the invoice.
func TestSeededDocumentsParseAsWireSpecSaysAndAgree(t *testing.T) {
	t.Parallel()
	s := sharedDev(t)
	c := s.creds
	tok := s.demoToken(t)

	now := time.Now().UTC()
	thisMonth := now.Format("200601")
	var months []string // the 13 months ending last month, newest first
	for back := 1; back <= 13; back++ {
		months = append(months, time.Date(now.Year(), now.Month()-time.Month(back), 1, 0, 0, 0, 0, time.UTC).Format("200601"))
	}

	contracts := slices.Clone(c.Contracts.Client)
	for _, id := range c.Contracts.Administrator {
		if !slices.Contains(contracts, id) {
			contracts = append(contracts, id)
		}
	}
	slices.Sort(contracts)
	for _, contract := range contracts {
		t.Run(contract, func(t *testing.T) {
			t.Parallel()
			// The administrator is manager on every contract of its perimeter; the client is
			// manager on the documents of the other contracts it sees (OCB0000001, OCB0000003).
			key := c.APIKeys.Client
			if slices.Contains(c.Contracts.Administrator, contract) {
				key = c.APIKeys.Administrator
			}
			// amounts[type][period] is the listed amount; sums[type][period] the file's total.
			amounts := map[string]map[string]float64{}
			sums := map[string]map[string]float64{}
			for _, typ := range documentTypes {
				want := months
				if strings.HasPrefix(typ, "partial") {
					want = []string{thisMonth}
				}
				amounts[typ], sums[typ] = checkSeededDocumentsOfType(t, s, tok, key, contract, typ, want)
			}
			checkSeededFiguresAgree(t, amounts, sums, thisMonth, months)
		})
	}
}

// checkSeededDocumentsOfType lists the contract's documents of one type, which must be of the
// periods want (newest first), each with its type, currency, amount and extension, and checks
// each file. It returns the listed amounts and the files' totals by period.
func checkSeededDocumentsOfType(t *testing.T, s *server, tok, key, contract, typ string, want []string) (amounts, sums map[string]float64) {
	t.Helper()
	var docs []api.Document
	resp := s.mustJSON(t, call{path: "/cloud/b2b/v1/documents?limit=1000&documentType=" + typ, token: tok, key: key, contract: contract}, http.StatusOK, &docs)
	if total := resp.Header.Get(api.HeaderTotalCount); total != strconv.Itoa(len(docs)) {
		t.Errorf("%s: X-Total-Count %s for %d documents", typ, total, len(docs))
	}
	var periods []string
	for _, d := range docs {
		periods = append(periods, d.Period)
	}
	if !reflect.DeepEqual(periods, want) {
		t.Errorf("%s: periods %v, want %v (newest first)", typ, periods, want)
	}
	amounts, sums = map[string]float64{}, map[string]float64{}
	kind, _ := docformat.KindOf(typ)
	for _, d := range docs {
		amounts[d.Period] = d.Amount
		if d.DocumentType != typ || d.Currency != "EUR" || d.Amount <= 0 || filepath.Ext(d.Filename) != kind.Extension() {
			t.Errorf("%s %s: type %q, currency %q, amount %v, filename %q", typ, d.ID, d.DocumentType, d.Currency, d.Amount, d.Filename)
		}
		sums[d.Period] = checkDocumentFile(t, s, tok, key, contract, d)
	}
	return amounts, sums
}

// checkSeededFiguresAgree checks that the figures of each month agree: the bill's
// DiscountedAmount column, the listed amounts of the bill, the consumption and usage reports,
// and the invoice (VAT included, 20 %).
func checkSeededFiguresAgree(t *testing.T, amounts, sums map[string]map[string]float64, thisMonth string, months []string) {
	t.Helper()
	for _, p := range append([]string{thisMonth}, months...) {
		bill, consumption := "bills", "comsumptionRatedReports"
		if p == thisMonth {
			bill, consumption = "partialBills", "partialConsumptionRatedReports"
		}
		total := sums[bill][p]
		for _, got := range []struct {
			what  string
			value float64
		}{
			{bill + " listed amount", amounts[bill][p]},
			{consumption + " listed amount", amounts[consumption][p]},
			{consumption + " DiscountedAmount column", sums[consumption][p]},
		} {
			if math.Abs(got.value-total) > 0.005 {
				t.Errorf("%s: %s %.2f, but the bill's DiscountedAmount column sums to %.4f", p, got.what, got.value, total)
			}
		}
		if p == thisMonth {
			continue
		}
		if r := amounts["reports"][p]; math.Abs(r-total) > 0.005 {
			t.Errorf("%s: the usage report lists %.2f, the bill %.4f (both exclude VAT)", p, r, total)
		}
		wantInvoice := math.Round(math.Round(total*100)*1.20) / 100
		if inv := amounts["invoices"][p]; math.Abs(inv-wantInvoice) > 0.0001 {
			t.Errorf("%s: the invoice lists %.2f, want the bill's %.2f × 1.20 = %.2f", p, inv, total, wantInvoice)
		}
	}
}

// checkDocumentFile downloads one document, checks its headers and its format, and returns
// the total of its DiscountedAmount column (bills and consumption reports; 0 otherwise).
func checkDocumentFile(t *testing.T, s *server, tok, key, contract string, d api.Document) float64 {
	t.Helper()
	resp, body := s.do(t, call{path: "/cloud/b2b/v1/documents/" + d.ID + "/file", token: tok, key: key, contract: contract})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("%s %s: download %d %s", d.DocumentType, d.ID, resp.StatusCode, body)
		return 0
	}
	kind, _ := docformat.KindOf(d.DocumentType)
	name := fmt.Sprintf("%s %s (%s)", d.DocumentType, d.Period, d.Filename)
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	sum := sha256.Sum256(body)
	_, disp, _ := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	switch {
	case mt != kind.ContentType():
		t.Errorf("%s: Content-Type %q, want %q", name, resp.Header.Get("Content-Type"), kind.ContentType())
	case resp.Header.Get("Content-Length") != strconv.Itoa(len(body)):
		t.Errorf("%s: Content-Length %q for %d bytes", name, resp.Header.Get("Content-Length"), len(body))
	case resp.Header.Get("ETag") != `"`+hex.EncodeToString(sum[:])+`"`:
		t.Errorf("%s: ETag %q is not the SHA-256 of the bytes", name, resp.Header.Get("ETag"))
	case disp["filename"] != d.Filename:
		t.Errorf("%s: Content-Disposition %q, want the listed filename", name, resp.Header.Get("Content-Disposition"))
	}
	if err := kind.CheckBytes(body); err != nil {
		t.Errorf("%s fails its %v checker: %v", name, kind, err)
	}
	switch kind {
	case docformat.BillingXLSX:
		return checkBillingSheet(t, name, body)
	case docformat.ConsumptionCSV:
		return checkConsumptionLines(t, name, body)
	case docformat.InvoicePDF:
		if !bytes.HasPrefix(body, []byte("%PDF-")) {
			t.Errorf("%s does not start with %%PDF-: %q", name, body[:min(len(body), 16)])
		}
	case docformat.UsageCSV:
		if first, _, _ := strings.Cut(string(body), "\n"); first != docformat.UsageHeader {
			t.Errorf("%s: header line %q, want %q", name, first, docformat.UsageHeader)
		}
	}
	return 0
}

// checkBillingSheet reads a bill with excelize as clients do (doc/wire.md §6) and returns the sum
// of column 17, DiscountedAmount.
func checkBillingSheet(t *testing.T, name string, body []byte) float64 {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Errorf("%s: excelize cannot open it: %v", name, err)
		return 0
	}
	defer f.Close()
	rows, err := f.GetRows(docformat.BillingSheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Errorf("%s: sheet %q: %v (sheets: %v)", name, docformat.BillingSheet, err, f.GetSheetList())
		return 0
	}
	if len(rows) < docformat.BillingFirstDataRow {
		t.Errorf("%s: %d rows, want a title block, headings and charges", name, len(rows))
		return 0
	}
	for i := 0; i < 12; i++ {
		if len(rows[i]) == 0 || rows[i][0] == "" {
			t.Errorf("%s: title block row %d is empty", name, i+1)
		}
	}
	if !strings.HasPrefix(rows[0][0], "Billing Report") {
		t.Errorf("%s: A1 %q, want the title", name, rows[0][0])
	}
	if got, want := rows[12], docformat.BillingColumns(); len(got) < 18 || !reflect.DeepEqual(got[:18], want[:18]) {
		t.Errorf("%s: row 13 (headings) %q, want %q", name, got, want)
	}
	total := sumBillingRows(t, f, name, rows)
	if len(rows[11]) < 2 {
		t.Errorf("%s: row 12 has no total", name)
	} else if v, err := strconv.ParseFloat(rows[11][1], 64); err != nil || math.Abs(v-total) > 0.005 {
		t.Errorf("%s: the title block's total discounted amount %q, the DiscountedAmount column sums to %.4f", name, rows[11][1], total)
	}
	return total
}

// sumBillingRows checks the charge rows of a bill (from row 14: numbers where numbers belong,
// in numeric cells; the key columns set) and returns the sum of their DiscountedAmount.
func sumBillingRows(t *testing.T, f *excelize.File, name string, rows [][]string) float64 {
	t.Helper()
	var total float64
	for i, row := range rows[13:] {
		n := i + 14
		if len(row) < 18 {
			t.Errorf("%s: row %d has %d columns, want at least 18 (nothing below the data)", name, n, len(row))
			continue
		}
		for _, col := range []int{12, 14, 15, 16, 17} {
			if col == 16 && row[col] == "" {
				continue // VolumeDiscount may be empty
			}
			if _, err := strconv.ParseFloat(row[col], 64); err != nil {
				t.Errorf("%s: row %d column %d (%s) %q is not a number", name, n, col, docformat.BillingColumns()[col], row[col])
			}
		}
		for _, col := range []int{0, 7, 9, 10, 11, 13} {
			if row[col] == "" && col != 9 {
				t.Errorf("%s: row %d column %d (%s) is empty", name, n, col, docformat.BillingColumns()[col])
			}
		}
		v, _ := strconv.ParseFloat(row[17], 64)
		total += v
		// The cells are numeric cells, not numbers stored as text.
		cell, _ := excelize.CoordinatesToCellName(18, n)
		if typ, err := f.GetCellType(docformat.BillingSheet, cell); err != nil || (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset) {
			t.Errorf("%s: %s has cell type %v (%v), want a number", name, cell, typ, err)
		}
	}
	return total
}

// checkConsumptionLines reads a consumption report the way client scripts do (split lines,
// split on ';') and returns the sum of its DiscountedAmount field.
func checkConsumptionLines(t *testing.T, name string, body []byte) float64 {
	t.Helper()
	text := string(body)
	if !strings.HasSuffix(text, "\n") {
		t.Errorf("%s does not end with a line end", name)
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if lines[0] != docformat.ConsumptionHeader {
		t.Errorf("%s: header %q, want %q", name, lines[0], docformat.ConsumptionHeader)
	}
	if len(lines) < 2 {
		t.Errorf("%s has no data line", name)
	}
	var total float64
	commas := 0
	for i, line := range lines {
		fields := strings.Split(strings.TrimSuffix(line, "\r"), ";")
		if len(fields) != 27 {
			t.Errorf("%s: line %d has %d fields, want 27: %q", name, i+1, len(fields), line)
			continue
		}
		if i == 0 {
			continue
		}
		for _, col := range []int{13, 15, 16, 17, 18} { // Quantity, UnitPrice, Amount, VolumeDiscount, DiscountedAmount
			v := fields[col]
			if col == 17 && v == "" {
				continue
			}
			if strings.Contains(v, ".") {
				t.Errorf("%s: line %d field %d %q has a decimal point, want a decimal comma", name, i+1, col, v)
			}
			if strings.Contains(v, ",") {
				commas++
			}
			if _, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64); err != nil {
				t.Errorf("%s: line %d field %d %q is not a number", name, i+1, col, v)
			}
		}
		v, _ := strconv.ParseFloat(strings.Replace(fields[18], ",", ".", 1), 64)
		total += v
	}
	if commas == 0 {
		t.Errorf("%s: no decimal comma in any amount", name)
	}
	return total
}
