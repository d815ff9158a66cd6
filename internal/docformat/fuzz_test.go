package docformat_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/docformat"
)

// The fuzz targets feed hostile bytes to the checkers. Besides never
// panicking, a checker reading from memory can only accept or reject: any
// error must be a *FormatError. The seed corpus is the files the writers
// produce (added below) plus the broken files in testdata/fuzz.

func fuzzStatement() docformat.Statement {
	return docformat.Generate(docformat.Params{Seed: "fuzz", ContractID: "OCB0000001", OfferName: docformat.OfferFlexibleEngine,
		Period: docformat.Period{Year: 2024, Month: time.February}, Through: 3})
}

func requireAcceptOrReject(t *testing.T, err error) {
	t.Helper()
	var fe *docformat.FormatError
	if err != nil && (!errors.As(err, &fe) || fe.Reason == "" || strings.Contains(fe.Reason, "\n")) {
		t.Fatalf("error %v (%T) is not a one-line *FormatError", err, err)
	}
}

func FuzzCheckConsumptionCSV(f *testing.F) {
	f.Add([]byte(goodConsumption()))
	f.Add(write(f, docformat.ConsumptionCSV, fuzzStatement()))
	f.Fuzz(func(t *testing.T, b []byte) {
		err := docformat.CheckConsumptionCSV(bytes.NewReader(b))
		requireAcceptOrReject(t, err)
		if err != nil {
			return
		}
		// Whatever was accepted, a client splitting on ';' must find 27
		// fields on every line.
		for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			if n := strings.Count(strings.TrimSuffix(line, "\r"), ";") + 1; n != docformat.ConsumptionFields {
				t.Fatalf("accepted line %d with %d fields", i+1, n)
			}
		}
	})
}

func FuzzCheckUsageCSV(f *testing.F) {
	f.Add(write(f, docformat.UsageCSV, fuzzStatement()))
	f.Fuzz(func(t *testing.T, b []byte) {
		err := docformat.CheckUsageCSV(bytes.NewReader(b))
		requireAcceptOrReject(t, err)
		if err != nil {
			return
		}
		ls := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		for i, line := range ls {
			if strings.Count(line, ";") != strings.Count(ls[0], ";") {
				t.Fatalf("accepted line %d with another field count than the header", i+1)
			}
		}
	})
}

func FuzzCheckBillingXLSX(f *testing.F) {
	xlsx := write(f, docformat.BillingXLSX, fuzzStatement())
	f.Add(xlsx)
	// The same workbook stored without compression, so that mutations
	// land in the XML rather than in deflated bytes.
	f.Add(restore(f, xlsx, zip.Store))
	f.Fuzz(func(t *testing.T, b []byte) {
		requireAcceptOrReject(t, docformat.CheckBillingXLSX(bytes.NewReader(b), int64(len(b))))
	})
}

// FuzzScanBillingSheet feeds worksheet XML straight to the sheet scanner.
func FuzzScanBillingSheet(f *testing.F) {
	f.Add(sheetXML(f, write(f, docformat.BillingXLSX, fuzzStatement())))
	f.Add([]byte(`<worksheet><sheetData><row r="13"><c r="R13" t="s"><v>1</v></c></row>` +
		`<row><c t="inlineStr"><is><t>A</t></is></c><c r="R14"><v>1.5</v></c></row></sheetData></worksheet>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		requireAcceptOrReject(t, docformat.ScanBillingSheet(b))
	})
}

// restore rewrites a ZIP archive with every entry stored by method.
func restore(tb testing.TB, b []byte, method uint16) []byte {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: zf.Name, Method: method})
		if err != nil {
			tb.Fatal(err)
		}
		rc, err := zf.Open()
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := io.Copy(w, rc); err != nil {
			tb.Fatal(err)
		}
		rc.Close()
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// sheetXML returns the worksheet part of a workbook written by this package.
func sheetXML(tb testing.TB, xlsx []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		tb.Fatal(err)
	}
	rc, err := zr.Open("xl/worksheets/sheet1.xml")
	if err != nil {
		tb.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func FuzzCheckInvoicePDF(f *testing.F) {
	f.Add(write(f, docformat.InvoicePDF, fuzzStatement()))
	f.Fuzz(func(t *testing.T, b []byte) {
		err := docformat.CheckInvoicePDF(bytes.NewReader(b), int64(len(b)))
		requireAcceptOrReject(t, err)
		if err == nil && !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Fatal("accepted a file without a PDF header")
		}
	})
}
