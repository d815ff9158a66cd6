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

func TestKindOfMapsEveryWireDocumentType(t *testing.T) {
	tests := []struct {
		documentType string
		want         docformat.Kind
		contentType  string
		extension    string
	}{
		{"bills", docformat.BillingXLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"},
		{"partialBills", docformat.BillingXLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"},
		{"invoices", docformat.InvoicePDF, "application/pdf", ".pdf"},
		{"reports", docformat.UsageCSV, "text/csv", ".csv"},
		{"comsumptionRatedReports", docformat.ConsumptionCSV, "text/csv", ".csv"},
		{"consumptionRatedReports", docformat.ConsumptionCSV, "text/csv", ".csv"},
		{"partialConsumptionRatedReports", docformat.ConsumptionCSV, "text/csv", ".csv"},
	}
	for _, tt := range tests {
		t.Run(tt.documentType, func(t *testing.T) {
			k, ok := docformat.KindOf(tt.documentType)
			if !ok || k != tt.want || k.ContentType() != tt.contentType || k.Extension() != tt.extension {
				t.Errorf("KindOf = %v, %v (%q, %q); want %v (%q, %q)", k, ok, k.ContentType(), k.Extension(),
					tt.want, tt.contentType, tt.extension)
			}
		})
	}
	for _, bad := range []string{"", "all", "toto", "Bills", "partialComsumptionRatedReports", "bills "} {
		if k, ok := docformat.KindOf(bad); ok {
			t.Errorf("KindOf(%q) = %v, want no format", bad, k)
		}
	}
}

func TestKindCheckAcceptsWhatKindWriteWrites(t *testing.T) {
	st := docformat.Generate(params("k", docformat.OfferCloudAvenue, 2025, time.August, 20))
	kinds := []docformat.Kind{docformat.ConsumptionCSV, docformat.BillingXLSX, docformat.InvoicePDF, docformat.UsageCSV}
	files := map[docformat.Kind][]byte{}
	for _, k := range kinds {
		files[k] = write(t, k, st)
		if err := k.CheckBytes(files[k]); err != nil {
			t.Errorf("%v rejects its own file: %v", k, err)
		}
	}
	// Every checker rejects every other format's file, as a FormatError.
	for _, k := range kinds {
		for _, other := range kinds {
			if other == k || k.Extension() == other.Extension() && k != docformat.BillingXLSX && other != docformat.BillingXLSX {
				continue // the usage checker accepts any well-formed CSV layout
			}
			var fe *docformat.FormatError
			if err := k.CheckBytes(files[other]); !errors.As(err, &fe) || fe.Kind != k {
				t.Errorf("%v on a %v file: %v, want a *FormatError", k, other, err)
			}
		}
	}
}

func TestInvalidKindFailsPlainly(t *testing.T) {
	var k docformat.Kind
	var fe *docformat.FormatError
	if k.ContentType() != "" || k.Extension() != "" || k.String() != "Kind(0)" {
		t.Errorf("zero Kind: %q %q %q", k.ContentType(), k.Extension(), k.String())
	}
	if err := k.CheckBytes([]byte("x")); err == nil || errors.As(err, &fe) {
		t.Errorf("Check = %v, want a plain error", err)
	}
	if err := k.Write(&bytes.Buffer{}, docformat.Statement{}, docformat.Invoice{}); err == nil {
		t.Error("Write succeeded")
	}
}

func TestWritersAreDeterministic(t *testing.T) {
	for name, st := range statements() {
		for _, k := range []docformat.Kind{docformat.ConsumptionCSV, docformat.BillingXLSX, docformat.InvoicePDF, docformat.UsageCSV} {
			t.Run(name+"/"+k.Extension()[1:]+k.String()[:3], func(t *testing.T) {
				a, b := write(t, k, st), write(t, k, st)
				if !bytes.Equal(a, b) {
					t.Fatalf("two writes of the same statement differ (%d and %d bytes)", len(a), len(b))
				}
			})
		}
	}
}

func TestGeneratedFilesAreByteIdenticalAcrossGenerateCalls(t *testing.T) {
	p := params("det", docformat.OfferFlexibleEngine, 2025, time.February, 0)
	for _, k := range []docformat.Kind{docformat.ConsumptionCSV, docformat.BillingXLSX, docformat.InvoicePDF, docformat.UsageCSV} {
		if !bytes.Equal(write(t, k, docformat.Generate(p)), write(t, k, docformat.Generate(p))) {
			t.Errorf("%v differs between two Generate calls with the same Params", k)
		}
	}
}

// TestEmbeddedTimestampsComeFromTheStatement makes sure no clock reading
// slips into the files, which a byte comparison within one second would miss.
func TestEmbeddedTimestampsComeFromTheStatement(t *testing.T) {
	st := docformat.Generate(params("ts", docformat.OfferFlexibleEngine, 2023, time.July, 9))
	issued := st.IssueTime()
	if want := time.Date(2023, time.July, 10, 0, 0, 0, 0, time.UTC); !issued.Equal(want) {
		t.Fatalf("IssueTime() = %v, want %v", issued, want)
	}

	xlsx := write(t, docformat.BillingXLSX, st)
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	must(t, err)
	for _, f := range zr.File {
		if f.ModifiedDate != 0 || f.ModifiedTime != 0 { // zero: no clock read
			t.Errorf("zip entry %s has a modification time %v", f.Name, f.Modified)
		}
		if f.Name == "docProps/core.xml" {
			rc, err := f.Open()
			must(t, err)
			core, err := io.ReadAll(rc)
			must(t, err)
			rc.Close()
			stamp := issued.Format(time.RFC3339)
			if n := strings.Count(string(core), ">"+stamp+"<"); n != 2 {
				t.Errorf("docProps/core.xml holds %d times %s, want created and modified: %s", n, stamp, core)
			}
		}
	}

	pdf := write(t, docformat.InvoicePDF, st)
	stamp := "(D:" + issued.Format("20060102150405") + ")"
	if !bytes.Contains(pdf, []byte("/CreationDate "+stamp)) || !bytes.Contains(pdf, []byte("/ModDate "+stamp)) {
		t.Errorf("the PDF dates are not %s", stamp)
	}
}
