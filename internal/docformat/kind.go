package docformat

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/eccs/eccs/internal/eccs"
)

// Kind is a file format of doc/wire.md §6.
type Kind int

// The file formats. The zero Kind is not a format.
const (
	// ConsumptionCSV: comsumptionRatedReports, partialConsumptionRatedReports.
	ConsumptionCSV Kind = iota + 1
	// BillingXLSX: bills, partialBills.
	BillingXLSX
	// InvoicePDF: invoices.
	InvoicePDF
	// UsageCSV: reports.
	UsageCSV
)

// KindOf returns the file format of a wire document type: bills,
// partialBills, invoices, reports, comsumptionRatedReports (and its correct
// spelling consumptionRatedReports, which the server accepts as an alias) or
// partialConsumptionRatedReports. The match is exact (case-sensitive, like
// the wire); ok is false for any other value.
func KindOf(documentType string) (k Kind, ok bool) {
	switch documentType {
	case "bills", "partialBills":
		return BillingXLSX, true
	case "invoices":
		return InvoicePDF, true
	case "reports":
		return UsageCSV, true
	case "comsumptionRatedReports", "consumptionRatedReports", "partialConsumptionRatedReports":
		return ConsumptionCSV, true
	}
	return 0, false
}

// String names the format for messages, e.g. "consumption CSV".
func (k Kind) String() string {
	switch k {
	case ConsumptionCSV:
		return "consumption CSV"
	case BillingXLSX:
		return "billing XLSX"
	case InvoicePDF:
		return "invoice PDF"
	case UsageCSV:
		return "usage CSV"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ContentType returns the media type to serve the format with, or "" for
// an invalid Kind.
func (k Kind) ContentType() string {
	switch k {
	case ConsumptionCSV, UsageCSV:
		return "text/csv"
	case BillingXLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case InvoicePDF:
		return "application/pdf"
	}
	return ""
}

// Extension returns the file name extension with its dot (".csv", ".xlsx",
// ".pdf"), or "" for an invalid Kind.
func (k Kind) Extension() string {
	switch k {
	case ConsumptionCSV, UsageCSV:
		return ".csv"
	case BillingXLSX:
		return ".xlsx"
	case InvoicePDF:
		return ".pdf"
	}
	return ""
}

// Check runs the format's checker (CheckConsumptionCSV, CheckBillingXLSX,
// CheckInvoicePDF or CheckUsageCSV) on the size bytes of r, with the same
// contract: nil when the file is acceptable, a *FormatError when it is
// rejected, another error when reading fails. An invalid Kind gives an error
// that is not a *FormatError.
func (k Kind) Check(r io.ReaderAt, size int64) error {
	switch k {
	case ConsumptionCSV:
		return CheckConsumptionCSV(io.NewSectionReader(r, 0, size))
	case BillingXLSX:
		return CheckBillingXLSX(r, size)
	case InvoicePDF:
		return CheckInvoicePDF(r, size)
	case UsageCSV:
		return CheckUsageCSV(io.NewSectionReader(r, 0, size))
	}
	return fmt.Errorf("docformat: cannot check files of %v", k)
}

// CheckBytes is Check on a file held in memory.
func (k Kind) CheckBytes(b []byte) error {
	return k.Check(bytes.NewReader(b), int64(len(b)))
}

// Write writes st to w in the format k (see WriteConsumptionCSV,
// WriteBillingXLSX, WriteInvoicePDF and WriteUsageCSV); inv is used only by
// InvoicePDF. It returns the writer's errors, or an error for an invalid
// Kind.
func (k Kind) Write(w io.Writer, st Statement, inv Invoice) error {
	switch k {
	case ConsumptionCSV:
		return WriteConsumptionCSV(w, st)
	case BillingXLSX:
		return WriteBillingXLSX(w, st)
	case InvoicePDF:
		return WriteInvoicePDF(w, st, inv)
	case UsageCSV:
		return WriteUsageCSV(w, st)
	}
	return fmt.Errorf("docformat: cannot write files of %v", k)
}

// FormatError is a checker's rejection of a file: the file was read but
// breaks a rule of its format. Errors of the underlying reader are never
// FormatErrors, so errors.As tells "file rejected" from "could not read".
type FormatError struct {
	Kind Kind
	// Line is the 1-based CSV line or XLSX row at fault, or 0 when the
	// problem concerns the whole file.
	Line int
	// Reason is one sentence for a person, naming where the problem is,
	// e.g. "line 7 has 26 fields; every line must have exactly 27 fields
	// separated by ';'".
	Reason string
}

// Error returns Reason.
func (e *FormatError) Error() string {
	return e.Reason
}

// Formats gives the server (eccs.Config.Formats) the formats of the document types: it checks
// uploaded files and names their media types and extensions.
type Formats struct{}

// Check checks the size bytes of r against the format of documents of type t. A file that
// breaks the format gives an eccs.Invalid error on the field "file" whose message says what is
// wrong and where; an unknown type, an eccs.Invalid error on "type"; a failing reader, that
// reader's error.
func (Formats) Check(t eccs.DocumentType, r io.ReaderAt, size int64) error {
	kind, ok := KindOf(string(t))
	if !ok {
		return &eccs.Error{Code: eccs.Invalid, Field: "type", Message: fmt.Sprintf("%q is not a document type.", t)}
	}
	err := kind.Check(r, size)
	var fe *FormatError
	if errors.As(err, &fe) {
		return &eccs.Error{Code: eccs.Invalid, Field: "file", Message: fmt.Sprintf("The file is not a valid %s for %s: %s.", kind, t, strings.TrimSuffix(fe.Reason, "."))}
	}
	return err
}

// ContentType returns the media type of files of type t ("" for an unknown type).
func (Formats) ContentType(t eccs.DocumentType) string {
	kind, _ := KindOf(string(t))
	return kind.ContentType()
}

// Extension returns the file name extension of type t, with its dot ("" for an unknown type).
func (Formats) Extension(t eccs.DocumentType) string {
	kind, _ := KindOf(string(t))
	return kind.Extension()
}
