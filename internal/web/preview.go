package web

import (
	"encoding/csv"
	"errors"
	"io"
	"net/http"

	"github.com/xuri/excelize/v2"

	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
)

// Preview bounds: a preview reads at most maxPreviewBytes of a file and shows at most
// maxPreviewRows rows; a larger document is downloaded instead.
const (
	maxPreviewBytes = 8 << 20
	maxPreviewRows  = 200
)

// previewTable is the figures of a document as a table.
type previewTable struct {
	Document  eccs.Document
	Header    []string
	Rows      [][]string
	Truncated bool // more rows than maxPreviewRows
}

// previewable reports whether documents of type t have figures a preview can show: bills
// (XLSX) and the rated consumption reports (CSV).
func previewable(t eccs.DocumentType) bool {
	switch t {
	case eccs.TypeBills, eccs.TypePartialBills, eccs.TypeConsumptionRatedReports, eccs.TypePartialConsumptionRatedReports:
		return true
	}
	return false
}

// handleDocumentPreview is GET /contracts/{id}/documents/{doc}/preview: a bill's or a
// consumption report's figures as a table.
func (s *server) handleDocumentPreview(q *request) error {
	d, blob, err := s.openDocument(q)
	if err != nil {
		return err
	}
	defer blob.Close()
	if !previewable(d.Type) {
		return errNotFound
	}
	if blob.Size() > maxPreviewBytes {
		return &pageError{status: http.StatusRequestEntityTooLarge, message: "preview.too_large"}
	}
	table := previewTable{Document: d}
	if d.Type == eccs.TypeBills || d.Type == eccs.TypePartialBills {
		err = readBillingTable(&table, blob)
	} else {
		err = readCSVTable(&table, blob)
	}
	if err != nil {
		s.logger.Warn("web preview unreadable", "document", d.ID, "error", err.Error())
		return &pageError{status: http.StatusUnprocessableEntity, message: "preview.unreadable"}
	}
	s.render(q, http.StatusOK, "preview", view{Title: "preview.title", Nav: "documents", Data: table})
	return nil
}

// readCSVTable reads a ';'-separated file: its header line, then its rows.
func readCSVTable(t *previewTable, r io.Reader) error {
	cr := csv.NewReader(io.LimitReader(r, maxPreviewBytes))
	cr.Comma, cr.FieldsPerRecord, cr.ReuseRecord = ';', -1, false
	header, err := cr.Read()
	if err != nil {
		return err
	}
	t.Header = header
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(t.Rows) == maxPreviewRows {
			t.Truncated = true
			return nil
		}
		t.Rows = append(t.Rows, row)
	}
}

// billingHeaderRow is the row of the billing sheet that holds the column headings; the
// charges follow it (docformat.BillingXLSX).
const billingHeaderRow = 13

// readBillingTable reads the charges of a billing workbook's sheet, bounded when unzipped too.
func readBillingTable(t *previewTable, r io.Reader) error {
	f, err := excelize.OpenReader(io.LimitReader(r, maxPreviewBytes), excelize.Options{
		UnzipSizeLimit: 8 * maxPreviewBytes, UnzipXMLSizeLimit: 8 * maxPreviewBytes})
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := f.Rows(docformat.BillingSheet)
	if err != nil {
		return err
	}
	defer rows.Close()
	for n := 1; rows.Next(); n++ {
		if n < billingHeaderRow {
			continue
		}
		cols, err := rows.Columns()
		if err != nil {
			return err
		}
		if n == billingHeaderRow {
			t.Header = cols
			continue
		}
		if len(t.Rows) == maxPreviewRows {
			t.Truncated = true
			break
		}
		t.Rows = append(t.Rows, cols)
	}
	return rows.Error()
}
