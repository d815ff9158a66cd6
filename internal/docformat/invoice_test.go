package docformat_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/eccs/eccs/internal/docformat"
)

func TestWriteInvoicePDFIsAWellFormedInvoice(t *testing.T) {
	for name, st := range statements() {
		t.Run(name, func(t *testing.T) {
			b := write(t, docformat.InvoicePDF, st)
			checkPDFStructure(t, b)
			text := pdfText(t, b)
			inv := docformat.DefaultInvoice(st)
			for _, want := range []string{
				"INVOICE", inv.Number, st.ContractID, st.OfferName, "Orange Business", inv.Seller.Address[1],
				"Total excl. VAT", docformat.Money(docformat.Cents(st.Total()), st.Currency),
				"VAT 20%", docformat.Money(docformat.Cents(st.VAT()), st.Currency),
				"Total incl. VAT", docformat.Money(docformat.Cents(st.TotalInclVAT()), st.Currency),
				"Issue date: " + st.IssueTime().Format(time.DateOnly),
			} {
				if !strings.Contains(text, pdfString(want)) {
					t.Errorf("the page does not show %q", want)
				}
			}
			services := map[string]int64{}
			for _, l := range st.Lines {
				services[l.ServiceCloud] += int64(l.DiscountedAmount)
			}
			for s, total := range services {
				line := "(" + pdfString(s) + ")Tj"
				if !strings.Contains(text, line) || !strings.Contains(text, pdfString(docformat.Money(docformat.Cents(total), st.Currency))) {
					t.Errorf("the page has no line for service %s at %d cents", s, total)
				}
			}
			if !bytes.Contains(b, []byte("/CreationDate (D:"+st.IssueTime().Format("20060102150405")+")")) {
				t.Error("the creation date is not the statement's issue time")
			}
			if err := docformat.CheckInvoicePDF(bytes.NewReader(b), int64(len(b))); err != nil {
				t.Errorf("the checker rejects the written file: %v", err)
			}
		})
	}
}

func TestWriteInvoicePDFUsesTheInvoiceGiven(t *testing.T) {
	st := docformat.Generate(params("i", docformat.OfferCloudAvenue, 2025, time.April, 0))
	inv := docformat.Invoice{
		Number:    "F-2025-000042",
		IssueDate: time.Date(2025, time.May, 3, 0, 0, 0, 0, time.UTC),
		Seller:    docformat.Party{Name: "Seller SA", Address: []string{"1 rue A", "75001 Paris"}, VATID: "FR00123456789"},
		Customer:  docformat.Party{Name: "Client SAS", Address: []string{"2 avenue B", "69001 Lyon"}, VATID: "FR99987654321"},
	}
	var b bytes.Buffer
	if err := docformat.WriteInvoicePDF(&b, st, inv); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b.Bytes())
	for _, want := range []string{"F-2025-000042", "Issue date: 2025-05-03", "Due date: 2025-06-02", "Seller SA", "1 rue A",
		"Client SAS", "69001 Lyon", "VAT number: FR99987654321"} {
		if !strings.Contains(text, pdfString(want)) {
			t.Errorf("the page does not show %q", want)
		}
	}
	if err := docformat.WriteInvoicePDF(&b, st, docformat.Invoice{}); err == nil {
		t.Error("an invoice without a number was written")
	}
}

// pdfString escapes s the way a PDF literal string holds it.
func pdfString(s string) string {
	return strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`).Replace(s)
}

var xrefEntryRE = regexp.MustCompile(`^(\d{10}) (\d{5}) ([nf])\s*$`)

// checkPDFStructure checks what a PDF reader relies on to open the file: the
// header, the trailer, and every cross-reference entry pointing at its
// object.
func checkPDFStructure(t *testing.T, b []byte) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-1.")) {
		t.Fatalf("the file starts with %q", b[:min(len(b), 8)])
	}
	if !bytes.HasSuffix(bytes.TrimRight(b, "\r\n"), []byte("%%EOF")) {
		t.Fatal("the file does not end with the EOF marker")
	}
	i := bytes.LastIndex(b, []byte("startxref"))
	if i < 0 {
		t.Fatal("no startxref")
	}
	off, err := strconv.Atoi(string(bytes.Fields(b[i+len("startxref"):])[0]))
	if err != nil || !bytes.HasPrefix(b[off:], []byte("xref")) {
		t.Fatalf("startxref %d does not point at the xref table", off)
	}
	ls := strings.Split(string(b[off:]), "\n")
	var first, count int
	if _, err := fmt.Sscanf(ls[1], "%d %d", &first, &count); err != nil || count < 5 {
		t.Fatalf("xref subsection header %q", ls[1])
	}
	for n := 1; n < count; n++ { // entry 0 is the free-list head
		m := xrefEntryRE.FindStringSubmatch(ls[2+n])
		if m == nil || m[3] != "n" {
			t.Fatalf("xref entry %d is %q", n, ls[2+n])
		}
		at, _ := strconv.Atoi(m[1])
		if !bytes.HasPrefix(b[at:], fmt.Appendf(nil, "%d 0 obj", first+n)) {
			t.Errorf("object %d is not at offset %d", first+n, at)
		}
	}
	if !bytes.Contains(b[off:], []byte("trailer")) || !bytes.Contains(b[off:], []byte("/Root")) {
		t.Error("the trailer has no /Root")
	}
}

func TestCheckInvoicePDF(t *testing.T) {
	good := write(t, docformat.InvoicePDF, docformat.Generate(params("pdf", docformat.OfferFlexibleEngine, 2024, time.March, 0)))
	i := bytes.LastIndex(good, []byte("startxref"))
	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"AcceptsTheWrittenFile", good, ""},
		{"AcceptsTrailingNewlines", append(append([]byte(nil), good...), "\r\n\r\n"...), ""},
		{"RejectsEmptyFile", nil, "the file is empty"},
		{"RejectsATinyFile", []byte("%PDF-1.4\n%%EOF\n"), "the file is 15 bytes, too small to be a PDF document"},
		{"RejectsACSV", []byte(goodConsumption()), "the file does not start with a %PDF- header, so it is not a PDF document"},
		{"RejectsAnXLSX", editBill(t, func(*excelize.File, int) {}), "the file does not start with a %PDF- header, so it is not a PDF document"},
		{"RejectsATruncatedFile", good[:len(good)*2/3], "the file has no %%EOF marker near its end; it is truncated or not a PDF document"},
		{"RejectsNoStartxref", bytes.Replace(good, []byte("startxref"), []byte("startXref"), 1),
			"the file has no startxref entry near its end; it is truncated or not a PDF document"},
		{"RejectsAStartxrefOutside", append(append([]byte(nil), good[:i]...), "startxref\n99999999\n%%EOF\n"...),
			`the startxref offset "99999999" does not point inside the file`},
		{"RejectsAStartxrefToNowhere", append(append([]byte(nil), good[:i]...), "startxref\n20\n%%EOF\n"...),
			"the startxref offset 20 does not point at a cross-reference table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRejection(t, docformat.CheckInvoicePDF(bytes.NewReader(tt.file), int64(len(tt.file))), docformat.InvoicePDF, 0, tt.want)
		})
	}
}
