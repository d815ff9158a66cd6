package docformat_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/bits"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
)

// Zip bombs aimed at CheckBillingXLSX: ZIP directories whose declared sizes
// wrap a 64-bit sum, parts that inflate past the size their header declares,
// and honest parts holding one enormous piece of XML. Each must be refused
// with a *FormatError (an Invalid error on "file" for the server) while the
// checker's memory stays small.

const sheetPart = "xl/worksheets/sheet1.xml"

// bombHead opens a cell whose value the bombs then make endless.
const bombHead = `<worksheet><sheetData><row r="13"><c r="A13"><v>`
const bombTail = `</v></c></row></sheetData></worksheet>`

// deflateRun returns a raw DEFLATE stream that inflates to head, then n
// copies of fill, then tail, with the CRC-32 of that text. It is written
// by hand, one block of fixed Huffman codes where each copy of 258 bytes at
// distance 1 costs 13 bits, because compress/flate takes minutes to squeeze
// a gigabyte under the race detector. head, fill and tail are ASCII.
func deflateRun(head string, fill byte, n int64, tail string) ([]byte, uint32) {
	var w bitWriter
	w.bits(1, 1)                                          // BFINAL
	w.bits(1, 2)                                          // BTYPE 01: fixed Huffman codes
	literal := func(c byte) { w.code(0x30+uint64(c), 8) } // literals 0 to 143
	for i := range len(head) {
		literal(head[i])
	}
	crc := crc32.ChecksumIEEE([]byte(head))
	if n > 0 {
		literal(fill)
		for left := n - 1; left > 0; {
			if left >= 258 {
				w.code(0b11000101, 8) // length code 285: 258 bytes
				w.code(0, 5)          // distance code 0: 1 byte back
				left -= 258
			} else {
				literal(fill)
				left--
			}
		}
		chunk := bytes.Repeat([]byte{fill}, 1<<20)
		for left := n; left > 0; left -= int64(len(chunk)) {
			crc = crc32.Update(crc, crc32.IEEETable, chunk[:min(left, int64(len(chunk)))])
		}
	}
	for i := range len(tail) {
		literal(tail[i])
	}
	crc = crc32.Update(crc, crc32.IEEETable, []byte(tail))
	w.code(0, 7) // end of block
	w.flush()
	return w.buf, crc
}

// bitWriter writes DEFLATE's bit stream: least significant bit first, but
// Huffman codes most significant bit first.
type bitWriter struct {
	buf []byte
	acc uint64
	n   uint
}

func (w *bitWriter) bits(v uint64, n uint) {
	w.acc |= v << w.n
	for w.n += n; w.n >= 8; w.n -= 8 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
	}
}

func (w *bitWriter) code(c uint64, n uint) { w.bits(bits.Reverse64(c)>>(64-n), n) }

func (w *bitWriter) flush() {
	if w.n > 0 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc, w.n = 0, 0
	}
}

func TestDeflateRunInflatesToWhatItSays(t *testing.T) {
	raw, crc := deflateRun("<v>", '7', 1000, "</v>")
	file := zipRaw(t, rawPart{name: "x", deflated: raw, crc: crc, declared: 1007})
	zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	must(t, err)
	rc, err := zr.File[0].Open()
	must(t, err)
	got, err := io.ReadAll(rc)
	must(t, err)
	if want := "<v>" + strings.Repeat("7", 1000) + "</v>"; string(got) != want {
		t.Fatalf("inflated %d bytes %.20q…, want %d", len(got), got, len(want))
	}
}

// rawPart is a ZIP entry written as is: deflated data and the sizes and
// checksum its headers declare, true or not.
type rawPart struct {
	name     string
	deflated []byte
	crc      uint32
	declared uint64 // the uncompressed size the ZIP headers declare
}

func zipRaw(t testing.TB, parts ...rawPart) []byte {
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, p := range parts {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, CRC32: p.crc,
			CompressedSize64: uint64(len(p.deflated)), UncompressedSize64: p.declared})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(p.deflated); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// billWith returns the bill this package writes with the parts of the
// same names replaced by parts, and the others added at the end.
func billWith(t testing.TB, parts ...rawPart) []byte {
	base := write(t, docformat.BillingXLSX, billStatement())
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	put := func(p rawPart) {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, CRC32: p.crc,
			CompressedSize64: uint64(len(p.deflated)), UncompressedSize64: p.declared})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(p.deflated); err != nil {
			t.Fatal(err)
		}
	}
	used := make([]bool, len(parts))
	for _, zf := range zr.File {
		if i := slices.IndexFunc(parts, func(p rawPart) bool { return p.name == zf.Name }); i >= 0 {
			put(parts[i])
			used[i] = true
			continue
		}
		if err := zw.Copy(zf); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range parts {
		if !used[i] {
			put(p)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// bomb is a part that inflates to head, n bytes of fill and tail, and
// declares declared bytes.
func bomb(name, head string, fill byte, n int64, tail string, declared uint64) rawPart {
	raw, crc := deflateRun(head, fill, n, tail)
	return rawPart{name: name, deflated: raw, crc: crc, declared: declared}
}

// checkBounded runs the checker on file, fails the test unless it rejects
// it with the message want, and returns the bytes the check allocated.
func checkBounded(t *testing.T, file []byte, want string) uint64 {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	err := docformat.CheckBillingXLSX(bytes.NewReader(file), int64(len(file)))
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	checkRejection(t, err, docformat.BillingXLSX, 0, want)
	return allocated
}

// maxCheckAlloc is what a check may allocate, whatever the file: the ZIP
// directory, the decompressor's window, buffers and one bounded XML token.
// The bombs below took hundreds of megabytes before the checker bounded
// them; a correct check takes a few.
const maxCheckAlloc = 48 << 20

func requireBoundedAlloc(t *testing.T, allocated uint64) {
	t.Helper()
	t.Logf("the check allocated %.1f MB", float64(allocated)/(1<<20))
	if allocated > maxCheckAlloc {
		t.Errorf("the check allocated %d bytes, more than %d", allocated, maxCheckAlloc)
	}
}

// The sheet declares 2^63 bytes and a padding part another 2^63: their
// sum wraps to 0. The sheet really holds 160 MB, one cell's value.
func TestCheckBillingXLSXRejectsDeclaredSizesThatWrap(t *testing.T) {
	file := billWith(t,
		bomb(sheetPart, bombHead, '1', 160<<20, bombTail, 1<<63),
		bomb("xl/media/pad.bin", "", 0, 0, "", 1<<63))
	t.Logf("the file is %d bytes", len(file))
	allocated := checkBounded(t, file, fmt.Sprintf(`the part %q unpacks to %d bytes; at most %d are allowed`,
		sheetPart, uint64(1<<63), docformat.MaxXLSXUnzipped))
	requireBoundedAlloc(t, allocated)
}

// Parts under the limit each but over it together are refused before any
// is read, with no overflow whatever their number.
func TestCheckBillingXLSXRejectsPartsOverTheLimitTogether(t *testing.T) {
	var parts []rawPart
	for i := range 3 {
		parts = append(parts, bomb(fmt.Sprintf("xl/media/pad%d.bin", i), "", 0, 0, "", docformat.MaxXLSXUnzipped/2))
	}
	file := billWith(t, parts...)
	var fe *docformat.FormatError
	err := docformat.CheckBillingXLSX(bytes.NewReader(file), int64(len(file)))
	if !errors.As(err, &fe) || !strings.HasPrefix(fe.Reason, "the workbook unpacks to at least ") ||
		!strings.HasSuffix(fe.Reason, fmt.Sprintf(" bytes; at most %d are allowed", docformat.MaxXLSXUnzipped)) {
		t.Errorf("error = %v, want the workbook's unpacked size refused", err)
	}
}

// Each part the checker reads declares a few kilobytes but inflates to a
// gigabyte: the read is cut at the declared size, with a clear rejection.
func TestCheckBillingXLSXCutsAPartThatInflatesPastItsHeader(t *testing.T) {
	const declared = 4096
	for _, tt := range []struct{ name, head, tail string }{
		{sheetPart, bombHead, bombTail},
		{"xl/workbook.xml", `<workbook><sheets><sheet name="`, `"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<Relationships><Relationship Id="`, `"/></Relationships>`},
		{"_rels/.rels", `<Relationships><Relationship Target="`, `"/></Relationships>`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := billWith(t, bomb(tt.name, tt.head, 'x', 1<<30, tt.tail, declared))
			want := fmt.Sprintf("the part %q unpacks to more than the %d bytes its ZIP header declares", tt.name, declared)
			requireBoundedAlloc(t, checkBounded(t, file, want))

			// The server answers Invalid on "file" with that reason.
			err := docformat.Formats{}.Check("bills", bytes.NewReader(file), int64(len(file)))
			var e *eccs.Error
			if !errors.As(err, &e) || e.Code != eccs.Invalid || e.Field != "file" || !strings.Contains(e.Message, want) {
				t.Errorf("Formats.Check = %v, want an Invalid error on \"file\" saying %q", err, want)
			}
		})
	}
}

// An honest part under the limit can still hold one piece of XML of a
// hundred megabytes, which an XML decoder would buffer whole: the checker
// refuses it after a bounded read.
func TestCheckBillingXLSXBoundsOneHugePieceOfXML(t *testing.T) {
	const n = 100 << 20
	for _, tt := range []struct {
		name       string
		head, tail string
		want       string
	}{
		{"CellValue", bombHead, bombTail, "row 13 has a cell longer than 32767 characters"},
		{"Attribute", `<worksheet><sheetData><row r="`, `"/></sheetData></worksheet>`,
			`the sheet "Billing Report" holds an XML tag or text longer than 1048576 bytes after row 0`},
		{"Comment", `<worksheet><!--`, `--><sheetData/></worksheet>`,
			`the sheet "Billing Report" holds an XML tag or text longer than 1048576 bytes after row 0`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := billWith(t, bomb(sheetPart, tt.head, '1', n, tt.tail, uint64(len(tt.head)+n+len(tt.tail))))
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			err := docformat.CheckBillingXLSX(bytes.NewReader(file), int64(len(file)))
			runtime.ReadMemStats(&after)
			var fe *docformat.FormatError
			if !errors.As(err, &fe) || fe.Reason != tt.want {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
			requireBoundedAlloc(t, after.TotalAlloc-before.TotalAlloc)
		})
	}
}

// A workbook.xml under the total limit but far over what a workbook part
// needs is refused from its declared size, before it is read.
func TestCheckBillingXLSXRejectsAnOversizedWorkbookPart(t *testing.T) {
	const n = 64 << 20
	head, tail := `<workbook><sheets>`, `</sheets></workbook>`
	file := billWith(t, bomb("xl/workbook.xml", head, ' ', n, tail, uint64(len(head)+n+len(tail))))
	want := fmt.Sprintf("the part %q unpacks to %d bytes; at most %d are allowed", "xl/workbook.xml", len(head)+n+len(tail), 4<<20)
	requireBoundedAlloc(t, checkBounded(t, file, want))
}
