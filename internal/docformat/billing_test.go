package docformat_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/eccs/eccs/internal/docformat"
)

const sheet = docformat.BillingSheet

func TestWriteBillingXLSXFollowsTheClientLayout(t *testing.T) {
	for name, st := range statements() {
		t.Run(name, func(t *testing.T) { checkBillLayout(t, st) })
	}
}

// checkBillLayout writes st as a bill and checks the client's layout: one sheet of a title
// block (rows 1 to 12), the column headings (row 13) and one row per line from row 14 with
// nothing below, whose last column adds up to the statement's total; the checker accepts it.
func checkBillLayout(t *testing.T, st docformat.Statement) {
	b := write(t, docformat.BillingXLSX, st)
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{sheet}) {
		t.Fatalf("sheets = %q", got)
	}
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 13+len(st.Lines) {
		t.Fatalf("%d rows for %d lines; want 13 + one per line and nothing below", len(rows), len(st.Lines))
	}
	checkBillTitle(t, rows, st)
	var sum int64
	for i, l := range st.Lines {
		sum += checkBillLine(t, f, rows, 14+i, l)
	}
	if sum != st.Total() {
		t.Errorf("column 17 adds up to %d cents, Total() is %d", sum, st.Total())
	}
	if err := docformat.CheckBillingXLSX(bytes.NewReader(b), int64(len(b))); err != nil {
		t.Errorf("the checker rejects the written file: %v", err)
	}
}

// checkBillTitle checks the title block of a bill of st (rows 1 to 12: none empty, the labelled
// values where the client reads them, "Billing Report" first) and its column headings (row 13).
func checkBillTitle(t *testing.T, rows [][]string, st docformat.Statement) {
	totals := st.Totals()
	wantTitle := map[int][2]string{
		2:  {"Customer", st.CustomerName},
		3:  {"Contract", st.ContractID},
		6:  {"Period", st.Period.String()},
		9:  {"Currency", st.Currency},
		10: {"Total amount", dot(int64(totals.Amount))},
		11: {"Total volume discount", dot(int64(totals.VolumeDiscount))},
		12: {"Total discounted amount (excl. VAT)", dot(st.Total())},
	}
	for r := 1; r <= 12; r++ {
		if len(rows[r-1]) == 0 {
			t.Errorf("title row %d is empty", r)
		}
		if want, ok := wantTitle[r]; ok && (len(rows[r-1]) < 2 || rows[r-1][0] != want[0] || rows[r-1][1] != want[1]) {
			t.Errorf("title row %d = %q, want %q", r, rows[r-1], want)
		}
	}
	if !strings.HasPrefix(rows[0][0], "Billing Report") {
		t.Errorf("A1 = %q", rows[0][0])
	}
	if !slices.Equal(rows[12], docformat.BillingColumns()) || len(rows[12]) < 18 {
		t.Errorf("row 13 = %q, want %q", rows[12], docformat.BillingColumns())
	}
}

// checkBillLine checks that row n of a bill is line l: its texts, its quantities and prices to
// the ten-thousandth and its amounts to the cent, all of them numeric cells. It returns the
// row's discounted amount in cents.
func checkBillLine(t *testing.T, f *excelize.File, rows [][]string, n int, l docformat.Line) int64 {
	row := rows[n-1]
	if len(row) < 18 {
		t.Fatalf("row %d has %d columns", n, len(row))
	}
	if row[0] != l.ServiceID || row[7] != l.ChargeLabel || row[9] != l.Region || row[10] != l.ServiceCloud ||
		row[11] != l.CodeLabel || row[13] != l.BillingUnit {
		t.Errorf("row %d = %q does not match line %+v", n, row, l)
	}
	for c, want := range map[int]int64{12: int64(l.Quantity), 14: int64(l.UnitPrice)} {
		if got := parseFixed(t, row[c], '.', 4); got != want {
			t.Errorf("row %d column %d = %q, want %d ten-thousandths", n, c, row[c], want)
		}
	}
	for c, want := range map[int]docformat.Cents{15: l.Amount, 16: l.VolumeDiscount, 17: l.DiscountedAmount} {
		if got := parseFixed(t, row[c], '.', 2); got != int64(want) {
			t.Errorf("row %d column %d = %q, want %v", n, c, row[c], want)
		}
	}
	for _, c := range []int{12, 14, 15, 16, 17} {
		cell, _ := excelize.CoordinatesToCellName(c+1, n)
		if typ, err := f.GetCellType(sheet, cell); err != nil || (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) {
			t.Errorf("cell %s has type %v (%v), want a number", cell, typ, err)
		}
	}
	return parseFixed(t, row[17], '.', 2)
}

// dot formats cents as excelize gives raw numbers back: 1501.14, 12.5, 0.
func dot(c int64) string {
	s := fmt.Sprintf("%d.%02d", c/100, c%100)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "" {
		return "0"
	}
	return s
}

// editBill opens the bill of a typical statement, lets edit change it and
// returns the new file.
func editBill(t *testing.T, edit func(f *excelize.File, last int)) []byte {
	t.Helper()
	st := billStatement()
	f, err := excelize.OpenReader(bytes.NewReader(write(t, docformat.BillingXLSX, st)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	edit(f, 13+len(st.Lines))
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func billStatement() docformat.Statement {
	return docformat.Generate(params("bill", docformat.OfferFlexibleEngine, 2024, time.March, 0))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func zipOf(t *testing.T, name, content string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.Create(name)
	must(t, err)
	_, err = w.Write([]byte(content))
	must(t, err)
	must(t, zw.Close())
	return b.Bytes()
}

// billCheck is a file given to CheckBillingXLSX and what it must say of it.
type billCheck struct {
	name     string
	file     []byte
	wantLine int
	want     string // exact message, or a prefix ending in "…"; "" means accepted
}

func TestCheckBillingXLSX(t *testing.T) {
	tests := slices.Concat(billFiles(t), billRowEdits(t), billHeadingEdits(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRejection(t, docformat.CheckBillingXLSX(bytes.NewReader(tt.file), int64(len(tt.file))), docformat.BillingXLSX, tt.wantLine, tt.want)
		})
	}
}

// billFiles are the written bill, two harmless edits of it, and files that are not a readable
// workbook at all.
func billFiles(t *testing.T) []billCheck {
	good := editBill(t, func(*excelize.File, int) {})
	return []billCheck{
		{"AcceptsTheWrittenFile", good, 0, ""},
		{"AcceptsAnotherSheetBeside", editBill(t, func(f *excelize.File, _ int) {
			_, err := f.NewSheet("Notes")
			must(t, err)
		}), 0, ""},
		{"AcceptsAnEmptyVolumeDiscount", editBill(t, func(f *excelize.File, _ int) {
			must(t, f.SetCellValue(sheet, "Q14", nil))
		}), 0, ""},
		{"RejectsEmptyFile", nil, 0, "the file is empty"},
		{"RejectsANonZip", []byte("Reference;Amount\nFE-ECS;12,50\n"), 0, "the file is not an XLSX workbook: it is not a ZIP archive"},
		{"RejectsATruncatedZip", good[:len(good)/2], 0,
			"the file is not a readable XLSX workbook: its ZIP structure is damaged or truncated"},
		{"RejectsAZipHeaderOnly", []byte("PK\x03\x04 and then nothing of a zip"), 0,
			"the file is not a readable XLSX workbook: its ZIP structure is damaged or truncated"},
		{"RejectsAZipThatIsNotAWorkbook", zipOf(t, "hello.txt", "hello"), 0,
			"the file is a ZIP archive but not an XLSX workbook: it has no [Content_Types].xml part"},
	}
}

// billRowEdits are bills without the sheet, with a short charge row, with something below the
// data or a gap in it, or with cells that lack the reference or hold something else than a
// number.
func billRowEdits(t *testing.T) []billCheck {
	below := 14 + len(billStatement().Lines) // the first row below the data
	return []billCheck{
		{"RejectsAWorkbookWithoutTheSheet", editBill(t, func(f *excelize.File, _ int) {
			must(t, f.SetSheetName(sheet, "Billing report"))
		}), 0, `the workbook has no sheet named "Billing Report"`},
		{"RejectsAShortChargeRow", editBill(t, func(f *excelize.File, _ int) {
			for c := 13; c <= 19; c++ {
				cell, _ := excelize.CoordinatesToCellName(c, 15)
				must(t, f.SetCellValue(sheet, cell, nil))
			}
		}), 15, "row 15 has 12 columns; every charge row needs at least 18"},
		{"RejectsATotalRowBelowTheData", editBill(t, func(f *excelize.File, last int) {
			must(t, f.SetCellValue(sheet, fmt.Sprintf("A%d", last+1), "Total"))
			must(t, f.SetCellValue(sheet, fmt.Sprintf("R%d", last+1), 1234.5))
		}), below, fmt.Sprintf(`row %d column Quantity (M) "" is not a number`, below)},
		{"RejectsAnEmptyRowBelowTheData", editBill(t, func(f *excelize.File, last int) {
			must(t, f.SetRowHeight(sheet, last+1, 30))
		}), below, fmt.Sprintf("row %d is empty; every row from 14 on must be a charge, with nothing below the data", below)},
		{"RejectsAGapInTheData", editBill(t, func(f *excelize.File, last int) {
			must(t, f.SetCellValue(sheet, fmt.Sprintf("A%d", last+2), "FE-ECS"))
		}), below, fmt.Sprintf("row %d is empty; every row from 14 on must be a charge, with nothing below the data", below)},
		{"RejectsAMissingReference", editBill(t, func(f *excelize.File, _ int) {
			must(t, f.SetCellValue(sheet, "A20", nil))
		}), 20, "row 20 has no Reference in column A"},
		{"RejectsTextInAmount", editBill(t, func(f *excelize.File, _ int) {
			must(t, f.SetCellValue(sheet, "P16", "81,84"))
		}), 16, "row 16 column Amount (P) holds text, not a number; it must be a numeric cell"},
		{"RejectsABooleanQuantity", editBill(t, func(f *excelize.File, _ int) {
			must(t, f.SetCellValue(sheet, "M18", true))
		}), 18, "row 18 column Quantity (M) holds a boolean, not a number; it must be a numeric cell"},
	}
}

// billHeadingEdits are a ZIP archive without its workbook part, a bill with a number stored as
// text, and bills whose column headings are short or missing.
func billHeadingEdits(t *testing.T) []billCheck {
	return []billCheck{
		{"RejectsAZipWithoutWorkbook", zipOf(t, "[Content_Types].xml", "<Types/>"), 0,
			"the file is a ZIP archive but not a readable XLSX workbook: its workbook part is missing or damaged"},
		{"RejectsANumberStoredAsText", editBill(t, func(f *excelize.File, _ int) {
			must(t, f.SetCellValue(sheet, "R17", "81.84"))
		}), 17, "row 17 column DiscountedAmount (R) holds text, not a number; it must be a numeric cell"},
		{"RejectsShortHeadings", editBill(t, func(f *excelize.File, _ int) {
			must(t, f.SetCellValue(sheet, "R13", nil))
			must(t, f.SetCellValue(sheet, "S13", nil))
		}), 13, "row 13 has 17 columns; the column headings need at least 18"},
		{"RejectsNoHeadingRow", func() []byte {
			f := excelize.NewFile()
			defer f.Close()
			must(t, f.SetSheetName("Sheet1", sheet))
			must(t, f.SetCellValue(sheet, "A1", "Billing Report"))
			b, err := f.WriteToBuffer()
			must(t, err)
			return b.Bytes()
		}(), 0, `the sheet "Billing Report" has 1 rows; it needs a title block in rows 1 to 12 and the column headings in row 13`},
	}
}

// hugeReaderAt claims a size it does not have; the checker must refuse the
// size before reading.
type hugeReaderAt struct{}

func (hugeReaderAt) ReadAt([]byte, int64) (int, error) { return 0, errors.New("must not be read") }

func TestCheckBillingXLSXRejectsTooLargeBeforeReading(t *testing.T) {
	err := docformat.CheckBillingXLSX(hugeReaderAt{}, docformat.MaxXLSXSize+1)
	checkRejection(t, err, docformat.BillingXLSX, 0,
		fmt.Sprintf("the file is %d bytes; a billing workbook may be at most %d bytes", docformat.MaxXLSXSize+1, docformat.MaxXLSXSize))
}

func TestCheckBillingXLSXReportsReadErrorsApart(t *testing.T) {
	err := docformat.CheckBillingXLSX(hugeReaderAt{}, 1000)
	var fe *docformat.FormatError
	if err == nil || errors.As(err, &fe) || !strings.Contains(err.Error(), "must not be read") {
		t.Errorf("error = %v, want the reader's error and no *FormatError", err)
	}
}
