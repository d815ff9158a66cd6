package docformat

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
)

// Bounds of CheckBillingXLSX. The checker reads the ZIP directory and then
// streams the sheet's XML, so its memory does not grow with the number of
// rows; these bound its time and what a hostile archive can claim. Nothing
// is taken on trust from the archive: declared sizes are checked one by one
// before they are added up, every part is read through a limit at its
// declared size, and no single piece of XML (a tag, a text run, a comment)
// may grow past maxXMLToken, since an XML decoder holds each one whole.
const (
	// MaxXLSXSize is the largest workbook accepted, in bytes.
	MaxXLSXSize = 32 << 20
	// MaxXLSXUnzipped is the most the workbook's parts may add up to
	// once decompressed, in bytes, as declared in the ZIP directory; no
	// part may declare more. Reads stop at each part's declared size.
	MaxXLSXUnzipped = 128 << 20
	// maxXLSXParts bounds the number of files in the archive.
	maxXLSXParts = 10_000
	// maxXLSXMetaPart bounds the parts decoded whole to find the sheet
	// (the workbook and the relationships), whose decoded form grows with
	// their size; a workbook's are a few kilobytes.
	maxXLSXMetaPart = 4 << 20
	// maxXMLToken bounds one tag, text run or comment of a part, so that
	// a part of one enormous cell or attribute cannot make the XML decoder
	// buffer it. It is well above the longest cell (maxCellText
	// characters of up to 4 bytes).
	maxXMLToken = 1 << 20
	// maxSheetRow is the last row a spreadsheet can have.
	maxSheetRow = 1 << 20
	// maxBillingColumns bounds the width of a row.
	maxBillingColumns = 64
	// maxCellText is the longest text a spreadsheet cell can hold.
	maxCellText = 32767
)

// CheckBillingXLSX checks the workbook in the first size bytes of r and
// returns nil if client scripts (openpyxl, pandas) can read it: an XLSX (ZIP)
// file of at most MaxXLSXSize bytes with a sheet named exactly
// "Billing Report" whose row 13 has at least 18 columns (the headings), and
// whose every row from 14 on is a charge: at least 18 columns, a Reference in
// column A, and numeric cells in Quantity, UnitPrice, Amount and
// DiscountedAmount (and in VolumeDiscount when not empty). An empty row, a
// total line or anything else below the data is rejected, since clients
// would take it for a charge. The title block (rows 1 to 12) is not checked;
// a shared-string cell counts as not empty without its text being looked up.
//
// It streams the sheet, so memory stays small whatever the number of rows.
// A rejected file gives a *FormatError, naming the row where there is one;
// an error reading r is returned wrapped, and is not a *FormatError.
func CheckBillingXLSX(r io.ReaderAt, size int64) error {
	switch {
	case size <= 0:
		return xlsxReject(0, "the file is empty")
	case size > MaxXLSXSize:
		return xlsxReject(0, "the file is %d bytes; a billing workbook may be at most %d bytes", size, MaxXLSXSize)
	}
	// The ZIP reader reports damaged data and failing reads alike; the
	// wrapper remembers read failures so they are not blamed on the file.
	// The section keeps reads that damaged offsets send outside the file
	// (even negative ones) from reaching r: they just find nothing there.
	tr := &trackingReaderAt{r: io.NewSectionReader(r, 0, size)}
	err := checkBillingZip(tr, size)
	if tr.err != nil {
		return fmt.Errorf("docformat: reading the workbook: %w", tr.err)
	}
	return err
}

func xlsxReject(row int, format string, args ...any) *FormatError {
	return &FormatError{Kind: BillingXLSX, Line: row, Reason: fmt.Sprintf(format, args...)}
}

// trackingReaderAt keeps the first error of r other than io.EOF.
type trackingReaderAt struct {
	r   io.ReaderAt
	err error
}

func (t *trackingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := t.r.ReadAt(p, off)
	if err != nil && err != io.EOF && t.err == nil {
		t.err = err
	}
	return n, err
}

func checkBillingZip(r io.ReaderAt, size int64) error {
	magic := make([]byte, 4)
	if err := readAt(r, magic, 0); err != nil || string(magic) != "PK\x03\x04" {
		return xlsxReject(0, "the file is not an XLSX workbook: it is not a ZIP archive")
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return xlsxReject(0, "the file is not a readable XLSX workbook: its ZIP structure is damaged or truncated")
	}
	if len(zr.File) > maxXLSXParts {
		return xlsxReject(0, "the workbook holds %d files; at most %d are allowed", len(zr.File), maxXLSXParts)
	}
	// Each declared size is checked before it is added, so the sum never
	// passes MaxXLSXUnzipped and cannot wrap around, whatever the archive
	// declares.
	var unzipped uint64
	parts := make(map[string]*zip.File, len(zr.File))
	for _, zf := range zr.File {
		size := zf.UncompressedSize64
		if size > MaxXLSXUnzipped {
			return xlsxReject(0, "the part %s unpacks to %d bytes; at most %d are allowed", quote(zf.Name), size, MaxXLSXUnzipped)
		}
		if size > MaxXLSXUnzipped-unzipped {
			return xlsxReject(0, "the workbook unpacks to at least %d bytes; at most %d are allowed", unzipped+size, MaxXLSXUnzipped)
		}
		unzipped += size
		parts[strings.ToLower(zf.Name)] = zf
	}
	// Every Office Open XML package has this part; its absence says
	// plainly that the file is some other ZIP archive.
	if parts["[content_types].xml"] == nil {
		return xlsxReject(0, "the file is a ZIP archive but not an XLSX workbook: it has no [Content_Types].xml part")
	}
	sheet, ferr := findSheet(parts, BillingSheet)
	if ferr != nil {
		return ferr
	}
	rc, err := openPart(sheet, MaxXLSXUnzipped)
	var fe *FormatError
	switch {
	case errors.As(err, &fe):
		return fe
	case err != nil:
		return xlsxReject(0, "the sheet %q cannot be read: it is damaged", BillingSheet)
	}
	defer rc.Close()
	return scanBillingSheet(rc)
}

// openPart opens a part of the archive for reading through a limit: a part
// declaring more than limit bytes is refused, and reading stops with a
// *FormatError as soon as the part inflates past its declared size (the ZIP
// reader reports that too, as zip.ErrFormat, which is taken to mean the
// same).
func openPart(zf *zip.File, limit uint64) (io.ReadCloser, error) {
	if zf.UncompressedSize64 > limit {
		return nil, xlsxReject(0, "the part %s unpacks to %d bytes; at most %d are allowed", quote(zf.Name), zf.UncompressedSize64, limit)
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	return &partReader{rc: rc, name: zf.Name, declared: int64(zf.UncompressedSize64), left: int64(zf.UncompressedSize64)}, nil
}

// partReader reads a part, at most its declared size (left is what remains
// of it); one byte more is asked for, to tell a part that ends there from
// one that goes on.
type partReader struct {
	rc       io.ReadCloser
	name     string
	declared int64
	left     int64
}

func (p *partReader) Read(b []byte) (int, error) {
	if int64(len(b)) > p.left+1 {
		b = b[:p.left+1]
	}
	n, err := p.rc.Read(b)
	p.left -= int64(n)
	if p.left < 0 || errors.Is(err, zip.ErrFormat) {
		p.left = -1
		return 0, xlsxReject(0, "the part %s unpacks to more than the %d bytes its ZIP header declares", quote(p.name), p.declared)
	}
	return n, err
}

func (p *partReader) Close() error { return p.rc.Close() }

// errXMLTokenTooLong is the error of a boundedTokens that met a piece of
// XML longer than maxXMLToken.
var errXMLTokenTooLong = fmt.Errorf("a piece of XML is longer than %d bytes", maxXMLToken)

// boundedTokens reads the raw XML tokens of r, and fails with
// errXMLTokenTooLong when the token being read grows past maxXMLToken
// bytes, instead of letting the decoder hold it all in memory.
type boundedTokens struct {
	r     io.Reader
	d     *xml.Decoder
	read  int64 // bytes handed to the decoder
	start int64 // the decoder's input offset when the current token began
}

func newBoundedTokens(r io.Reader) *boundedTokens {
	bt := &boundedTokens{r: r}
	bt.d = xml.NewDecoder(bt)
	return bt
}

// RawToken is the decoder's RawToken.
func (bt *boundedTokens) RawToken() (xml.Token, error) {
	tok, err := bt.d.RawToken()
	bt.start = bt.d.InputOffset()
	return tok, err
}

// Read feeds the decoder. Its buffer asks for more only once it has used
// up what it was given, so read-start is what the token has taken so far.
func (bt *boundedTokens) Read(b []byte) (int, error) {
	if bt.read-bt.start > maxXMLToken {
		return 0, errXMLTokenTooLong
	}
	n, err := bt.r.Read(b)
	bt.read += int64(n)
	return n, err
}

// opcRels is an Open Packaging Conventions relationships part.
type opcRels struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

// xlsxWorkbook is the part of xl/workbook.xml that names the sheets. The
// relationship id is read from any attribute named "id" with a namespace
// prefix, since transitional and strict files use different namespaces.
type xlsxWorkbook struct {
	Sheets []struct {
		Name  string     `xml:"name,attr"`
		Attrs []xml.Attr `xml:",any,attr"`
	} `xml:"sheets>sheet"`
}

// findSheet follows the package relationships from the root to the
// workbook, then to the worksheet called name, and returns its part.
func findSheet(parts map[string]*zip.File, name string) (*zip.File, *FormatError) {
	damaged := xlsxReject(0, "the file is a ZIP archive but not a readable XLSX workbook: its workbook part is missing or damaged")
	workbook := "xl/workbook.xml"
	// A part refused for its size is reported as such; other damage to the
	// root relationships leaves the workbook at its usual place.
	var fe *FormatError
	var root opcRels
	if err := decodePart(parts, "_rels/.rels", &root); err == nil {
		for _, rel := range root.Rels {
			if strings.HasSuffix(rel.Type, "/officeDocument") {
				workbook = resolvePart("", rel.Target)
			}
		}
	} else if errors.As(err, &fe) {
		return nil, fe
	}
	var wb xlsxWorkbook
	if err := decodePart(parts, workbook, &wb); errors.As(err, &fe) {
		return nil, fe
	} else if err != nil {
		return nil, damaged
	}
	id := ""
	for _, s := range wb.Sheets {
		if s.Name != name {
			continue
		}
		for _, a := range s.Attrs {
			if a.Name.Local == "id" && a.Name.Space != "" {
				id = a.Value
			}
		}
	}
	if id == "" {
		return nil, xlsxReject(0, "the workbook has no sheet named %q", name)
	}
	var rels opcRels
	dir, file := path.Split(workbook)
	if err := decodePart(parts, dir+"_rels/"+file+".rels", &rels); errors.As(err, &fe) {
		return nil, fe
	} else if err != nil {
		return nil, damaged
	}
	for _, rel := range rels.Rels {
		if rel.ID == id {
			if part := parts[strings.ToLower(resolvePart(dir, rel.Target))]; part != nil {
				return part, nil
			}
		}
	}
	return nil, xlsxReject(0, "the workbook names a sheet %q but does not contain it", name)
}

// resolvePart turns a relationship target into a part name: absolute
// targets start at the package root, relative ones at the source's folder.
func resolvePart(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Clean("/"+dir+target), "/")
}

// decodePart unmarshals a small XML part, of at most maxXLSXMetaPart
// bytes. A part too large, declared or inflated, gives a *FormatError;
// a missing or damaged one, another error.
func decodePart(parts map[string]*zip.File, name string, v any) error {
	zf := parts[strings.ToLower(name)]
	if zf == nil {
		return errors.New("missing part")
	}
	rc, err := openPart(zf, maxXLSXMetaPart)
	if err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(rc).Decode(v)
}

// sheetCell is a cell of the row being read.
type sheetCell struct {
	typ   string // the t attribute: "" or "n" for numbers, "s", "str", "inlineStr", "b", "e", "d"
	value string // the <v> text, or the inline string's text
}

// scanBillingSheet streams a worksheet's XML and checks each row as it
// ends. Rows missing from the XML are empty rows and are checked as such.
func scanBillingSheet(r io.Reader) error {
	d := newBoundedTokens(r)
	var (
		row, lastRow int
		col          int // 1-based column of the current cell
		cells        = make([]sheetCell, 0, maxBillingColumns)
		cur          sheetCell
		inCell       bool
		capture      bool // inside <v>, or <t> of an inline string
		text         strings.Builder
	)
	damaged := func(err error) error {
		var fe *FormatError
		switch {
		case errors.As(err, &fe): // the part inflates past its declared size
			return fe
		case errors.Is(err, errXMLTokenTooLong) && capture:
			return xlsxReject(row, "row %d has a cell longer than %d characters", row, maxCellText)
		case errors.Is(err, errXMLTokenTooLong):
			return xlsxReject(lastRow+1, "the sheet %q holds an XML tag or text longer than %d bytes after row %d", BillingSheet, maxXMLToken, lastRow)
		}
		return xlsxReject(lastRow+1, "the sheet %q is damaged after row %d (%v)", BillingSheet, lastRow, err)
	}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return damaged(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				row = lastRow + 1
				if v := attr(t, "r"); v != "" {
					n, err := strconv.Atoi(v)
					if err != nil || n <= lastRow || n > maxSheetRow {
						return xlsxReject(lastRow+1, "the sheet %q has a row numbered %s after row %d", BillingSheet, quote(v), lastRow)
					}
					row = n
				}
				// Rows absent from the XML are empty: check them too.
				for empty := lastRow + 1; empty < row; empty++ {
					if err := checkBillingRow(empty, nil); err != nil {
						return err
					}
				}
				cells, col = cells[:0], 0
			case "c":
				col++
				if ref := attr(t, "r"); ref != "" {
					c, ok := columnOf(ref)
					if !ok {
						return xlsxReject(row, "row %d has a cell with the invalid reference %s", row, quote(ref))
					}
					col = c
				}
				if col > maxBillingColumns {
					return xlsxReject(row, "row %d has a cell in column %d; at most %d columns are allowed", row, col, maxBillingColumns)
				}
				cur, inCell = sheetCell{typ: attr(t, "t")}, true
			case "v", "t":
				if inCell {
					capture = true
					text.Reset()
				}
			}
		case xml.CharData:
			if capture {
				if text.Len()+len(t) > maxCellText*4 { // 4 bytes per character at most in UTF-8
					return xlsxReject(row, "row %d has a cell longer than %d characters", row, maxCellText)
				}
				text.Write(t)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "v", "t":
				if capture {
					cur.value += text.String() // rich text comes as several <t>
					capture = false
				}
			case "c":
				inCell = false
				if cur.value == "" {
					continue // an empty cell reads as no cell
				}
				for len(cells) < col-1 {
					cells = append(cells, sheetCell{})
				}
				if len(cells) >= col {
					return xlsxReject(row, "row %d has two cells in column %s or cells out of order", row, columnLetter(col-1))
				}
				cells = append(cells, cur)
			case "row":
				if err := checkBillingRow(row, cells); err != nil {
					return err
				}
				lastRow = row
			case "sheetData":
				if lastRow < BillingHeadingRow {
					return xlsxReject(0, "the sheet %q has %d rows; it needs a title block in rows 1 to 12 and the column headings in row %d",
						BillingSheet, lastRow, BillingHeadingRow)
				}
				return nil
			}
		}
	}
	return damaged(io.ErrUnexpectedEOF)
}

// checkBillingRow checks one row of the sheet; cells holds its non-empty
// cells by 0-based column, with zero values in the gaps.
func checkBillingRow(n int, cells []sheetCell) *FormatError {
	switch {
	case n < BillingHeadingRow:
		return nil
	case n == BillingHeadingRow:
		if len(cells) < BillingMinColumns {
			return xlsxReject(n, "row %d has %d columns; the column headings need at least %d", n, len(cells), BillingMinColumns)
		}
		return nil
	case len(cells) == 0:
		return xlsxReject(n, "row %d is empty; every row from %d on must be a charge, with nothing below the data", n, BillingFirstDataRow)
	case len(cells) < BillingMinColumns:
		return xlsxReject(n, "row %d has %d columns; every charge row needs at least %d", n, len(cells), BillingMinColumns)
	case cells[0].value == "":
		return xlsxReject(n, "row %d has no Reference in column A", n)
	}
	for _, c := range billingNumberColumns {
		cell := cells[c.index]
		name, letter := billingColumns[c.index], columnLetter(c.index)
		if cell.value == "" && c.optional {
			continue
		}
		if kind := nonNumericKind(cell.typ); kind != "" {
			return xlsxReject(n, "row %d column %s (%s) holds %s, not a number; it must be a numeric cell", n, name, letter, kind)
		}
		if x, err := strconv.ParseFloat(cell.value, 64); err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return xlsxReject(n, "row %d column %s (%s) %s is not a number", n, name, letter, quote(cell.value))
		}
	}
	return nil
}

// nonNumericKind names what a cell of type t holds when it is not a
// number, or returns "" for a number.
func nonNumericKind(t string) string {
	switch t {
	case "", "n":
		return ""
	case "b":
		return "a boolean"
	case "e":
		return "an error value"
	case "d":
		return "a date"
	}
	return "text"
}

func attr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// columnOf returns the 1-based column of a cell reference such as "AB12".
func columnOf(ref string) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z'; i++ {
		col = col*26 + int(ref[i]-'A'+1)
		if col > 16384 { // XFD, the last column
			return 0, false
		}
	}
	if i == 0 || i == len(ref) {
		return 0, false
	}
	for _, c := range ref[i:] {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	return col, true
}
