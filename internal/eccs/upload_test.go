package eccs_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
)

// formatWorld is a world whose Service checks files with docformat.
func formatWorld(t *testing.T) (*world, *eccs.Service) {
	w := newWorld(t)
	return w, w.service(func(c *eccs.Config) { c.Formats = docformat.Formats{} })
}

// feb is the period of the generated documents.
var feb = docformat.Period{Year: 2025, Month: time.February}

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// blobBytes returns the bytes stored under a blob key, or nil when there is no such file.
func (e *env) blobBytes(key string) []byte {
	e.t.Helper()
	data, err := os.ReadFile(filepath.Join(e.blobDir, filepath.FromSlash(key)))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return data
}

// TestUploadChecksTheFormat checks that a valid file of each type, on a Service that checks the
// formats, is stored with its media type and a default name.
func TestUploadChecksTheFormat(t *testing.T) {
	t.Parallel()
	w, s := formatWorld(t)
	for _, tc := range []struct {
		typ         eccs.DocumentType
		contentType string
		filename    string
	}{
		{eccs.TypeBills, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "BA1-FE_202502_bills.xlsx"},
		{eccs.TypePartialBills, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "BA1-FE_202502_partialBills.xlsx"},
		{eccs.TypeInvoices, "application/pdf", "BA1-FE_202502_invoices.pdf"},
		{eccs.TypeReports, "text/csv", "BA1-FE_202502_reports.csv"},
		{eccs.TypeConsumptionRatedReports, "text/csv", "BA1-FE_202502_comsumptionRatedReports.csv"},
		{eccs.TypePartialConsumptionRatedReports, "text/csv", "BA1-FE_202502_partialConsumptionRatedReports.csv"},
	} {
		t.Run(string(tc.typ), func(t *testing.T) {
			file := generated(t, "BA1-FE", tc.typ, feb, "upload")
			d, err := s.AddDocument(w.ctx, eccs.NewDocument{ContractID: "BA1-FE", Type: tc.typ, Period: "202502",
				Amount: 4242, Currency: "EUR"}, bytes.NewReader(file), int64(len(file)))
			if err != nil {
				t.Fatal(err)
			}
			if d.ContentType != tc.contentType || d.Filename != tc.filename || d.Size != int64(len(file)) || d.SHA256 != sha(file) {
				t.Errorf("document %+v", d)
			}
			if !bytes.Equal(w.blobBytes(d.BlobKey), file) {
				t.Errorf("the blob file does not hold the upload")
			}
			found := must(s.FindDocument(w.ctx, "BA1-FE", tc.typ, "202502", tc.filename))(t)
			if len(found) != 1 || found[0] != d {
				t.Errorf("FindDocument: %+v", found)
			}
		})
	}
}

// A checked upload keeps the filename it was given.
func TestUploadKeepsAnExplicitFilename(t *testing.T) {
	t.Parallel()
	w, s := formatWorld(t)
	file := generated(t, "BA1-FE", eccs.TypeReports, feb, "named")
	d, err := s.AddDocument(w.ctx, eccs.NewDocument{ContractID: "BA1-FE", Type: eccs.TypeReports, Period: "202502",
		Filename: "usage february.csv", Currency: "EUR"}, bytes.NewReader(file), int64(len(file)))
	if err != nil || d.Filename != "usage february.csv" {
		t.Fatalf("%+v, %v", d, err)
	}
}

// A file that breaks the format of its type is refused, naming what is wrong, and stores
// nothing.
func TestUploadOfABrokenFile(t *testing.T) {
	t.Parallel()
	w, s := formatWorld(t)
	csv := generated(t, "BA1-FE", eccs.TypeConsumptionRatedReports, feb, "broken")
	// The same file without its last column: 26 fields on every line.
	var cut strings.Builder
	for _, l := range strings.Split(strings.TrimSuffix(string(csv), "\n"), "\n") {
		cut.WriteString(l[:strings.LastIndexByte(l, ';')] + "\n")
	}
	columns26 := []byte(cut.String())
	if n := strings.Count(strings.SplitN(string(columns26), "\n", 2)[0], ";"); n != 25 {
		t.Fatalf("the broken file has %d separators on its first line", n)
	}
	wb := excelize.NewFile()
	wb.SetCellValue("Sheet1", "A1", "not a bill")
	var noSheet bytes.Buffer
	if _, err := wb.WriteTo(&noSheet); err != nil {
		t.Fatal(err)
	}
	pdf := generated(t, "BA1-FE", eccs.TypeInvoices, feb, "wrong")

	for _, tc := range []struct {
		name    string
		typ     eccs.DocumentType
		content []byte
		mention []string // what the message must name
	}{
		{"consumption CSV of 26 columns", eccs.TypeConsumptionRatedReports, columns26, []string{"line 1", "26 fields", "27"}},
		{"XLSX without the Billing Report sheet", eccs.TypeBills, noSheet.Bytes(), []string{"Billing Report"}},
		{"empty file", eccs.TypeReports, nil, []string{"empty"}},
		{"an invoice uploaded as a bill", eccs.TypeBills, pdf, []string{"XLSX"}},
		{"a bill uploaded as a consumption report", eccs.TypePartialConsumptionRatedReports, noSheet.Bytes(), []string{"consumption CSV"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			blobsBefore := w.blobFiles()
			_, rowsBefore := must2(s.OperatorDocuments(w.ctx, "BA2-FE", eccs.Page{}))(t)
			err := w.wantNoEvent(t, func() error {
				_, err := s.AddDocument(w.ctx, eccs.NewDocument{ContractID: "BA2-FE", Type: tc.typ, Period: "202502", Currency: "EUR"},
					bytes.NewReader(tc.content), int64(len(tc.content)))
				return err
			})
			e := wantErr(t, err, eccs.Invalid, "", "file")
			for _, m := range tc.mention {
				if !strings.Contains(e.Message, m) {
					t.Errorf("message %q does not mention %q", e.Message, m)
				}
			}
			if _, rows := must2(s.OperatorDocuments(w.ctx, "BA2-FE", eccs.Page{}))(t); rows != rowsBefore {
				t.Errorf("documents of BA2-FE: %d, before %d", rows, rowsBefore)
			}
			if after := w.blobFiles(); !slices.Equal(after, blobsBefore) {
				t.Errorf("blob files before %v, after %v", blobsBefore, after)
			}
		})
	}
}

// A reader that fails is not a format error, and stores nothing.
func TestUploadWithAFailingReader(t *testing.T) {
	t.Parallel()
	w, s := formatWorld(t)
	failing := readerAtFunc(func([]byte, int64) (int, error) { return 0, io.ErrUnexpectedEOF })
	before := w.blobFiles()
	_, err := s.AddDocument(w.ctx, eccs.NewDocument{ContractID: "BA2-FE", Type: eccs.TypeReports, Period: "202502", Currency: "EUR"}, failing, 100)
	if err == nil || eccs.ErrorCode(err) == eccs.Invalid {
		t.Fatalf("got %v (%s), want a read error", err, eccs.ErrorCode(err))
	}
	if after := w.blobFiles(); !slices.Equal(after, before) {
		t.Errorf("blob files before %v, after %v", before, after)
	}
}

// TestReplaceAndDeleteDocument replaces a document, tries replacements that must be refused,
// then deletes it, in order, on a Service that checks the formats.
func TestReplaceAndDeleteDocument(t *testing.T) {
	t.Parallel()
	r := newReplacements(t)
	t.Run("replace changes the bytes and deletes the old ones", r.wantReplaced)
	t.Run("refused replacements change nothing", r.wantRefusedReplacements)
	t.Run("delete removes the row and the bytes", r.wantDeleted)
	t.Run("operator lists", r.wantOperatorLists)
}

// replacements is a world whose Service checks the formats, two valid consumption reports
// of BA1-FE, and orig, a document of the first, which the steps replace, then delete.
type replacements struct {
	w             *world
	s             *eccs.Service
	first, second []byte
	orig          eccs.Document
}

func newReplacements(t *testing.T) *replacements {
	w, s := formatWorld(t)
	ctx := w.ctx
	first := generated(t, "BA1-FE", eccs.TypeConsumptionRatedReports, feb, "first")
	second := generated(t, "BA1-FE", eccs.TypeConsumptionRatedReports, feb, "second")
	if bytes.Equal(first, second) {
		t.Fatal("the two generated files are equal")
	}
	orig, err := s.AddDocument(ctx, eccs.NewDocument{ContractID: "BA1-FE", Type: eccs.TypeConsumptionRatedReports, Period: "202502",
		Amount: 100, Currency: "EUR"}, bytes.NewReader(first), int64(len(first)))
	if err != nil {
		t.Fatal(err)
	}
	return &replacements{w: w, s: s, first: first, second: second, orig: orig}
}

// wantReplaced replaces the document's bytes and metadata an hour later, and checks that the
// new bytes are stored and served and the old ones deleted.
func (r *replacements) wantReplaced(t *testing.T) {
	w, s, ctx, second := r.w, r.s, r.w.ctx, r.second
	w.clock.Advance(time.Hour)
	d, err := s.ReplaceDocument(ctx, "BA1-FE", r.orig.ID, eccs.DocumentUpdate{Amount: ptr(int64(250)), Filename: ptr("fixed.csv")},
		bytes.NewReader(second), int64(len(second)))
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != r.orig.ID || d.SHA256 != sha(second) || d.Size != int64(len(second)) || d.BlobKey == r.orig.BlobKey ||
		d.Amount != 250 || d.Filename != "fixed.csv" || d.Period != "202502" || d.ContentType != "text/csv" ||
		!d.CreatedAt.Equal(r.orig.CreatedAt) || !d.UpdatedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("replaced %+v", d)
	}
	if w.blobBytes(r.orig.BlobKey) != nil {
		t.Errorf("the old blob file %s is still there", r.orig.BlobKey)
	}
	if !bytes.Equal(w.blobBytes(d.BlobKey), second) {
		t.Errorf("the new blob file does not hold the new bytes")
	}
	_, blob, err := s.OpenDocument(ctx, readerOf(t, access(t, w, w.rita, "BA1-FE")), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer blob.Close()
	got, _ := io.ReadAll(blob)
	stored := must(w.store.Document(ctx, "BA1-FE", d.ID))(t)
	if !bytes.Equal(got, second) || stored != d {
		t.Errorf("served %d bytes; stored %+v", len(got), stored)
	}
	r.orig = d
}

// wantRefusedReplacements checks that replacements of unknown documents, or with invalid
// files or metadata, are refused, unrecorded, and change nothing.
func (r *replacements) wantRefusedReplacements(t *testing.T) {
	w, s, ctx, first, second := r.w, r.s, r.w.ctx, r.first, r.second
	for _, tc := range []struct {
		name     string
		contract string
		id       string
		u        eccs.DocumentUpdate
		content  []byte
		code     eccs.Code
		field    string
	}{
		{"unknown document", "BA1-FE", "abcdefghijklmnop", eccs.DocumentUpdate{}, first, eccs.NotFound, ""},
		{"document of another contract", "BA2-FE", r.orig.ID, eccs.DocumentUpdate{}, first, eccs.NotFound, ""},
		{"file of the wrong format", "BA1-FE", r.orig.ID, eccs.DocumentUpdate{}, []byte("a;b\n"), eccs.Invalid, "file"},
		{"empty file", "BA1-FE", r.orig.ID, eccs.DocumentUpdate{}, nil, eccs.Invalid, "file"},
		{"bad period", "BA1-FE", r.orig.ID, eccs.DocumentUpdate{Period: ptr("2025-02")}, first, eccs.Invalid, "period"},
		{"bad currency", "BA1-FE", r.orig.ID, eccs.DocumentUpdate{Currency: ptr("euro")}, first, eccs.Invalid, "currency"},
		{"bad filename", "BA1-FE", r.orig.ID, eccs.DocumentUpdate{Filename: ptr("../x.csv")}, first, eccs.Invalid, "filename"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := w.blobFiles()
			err := w.wantNoEvent(t, func() error {
				_, err := s.ReplaceDocument(ctx, tc.contract, tc.id, tc.u, bytes.NewReader(tc.content), int64(len(tc.content)))
				return err
			})
			wantErr(t, err, tc.code, "", tc.field)
			if after := w.blobFiles(); !slices.Equal(after, before) {
				t.Errorf("blob files before %v, after %v", before, after)
			}
		})
	}
	if stored := must(w.store.Document(ctx, "BA1-FE", r.orig.ID))(t); stored != r.orig || !bytes.Equal(w.blobBytes(r.orig.BlobKey), second) {
		t.Errorf("a refused replacement changed %+v", stored)
	}
}

// wantDeleted deletes the document and checks that its row and bytes are gone, and another
// document's kept; deleting it again, or elsewhere, is not found.
func (r *replacements) wantDeleted(t *testing.T) {
	w, s, ctx := r.w, r.s, r.w.ctx
	other := w.addDoc("BA1-FE", eccs.TypeReports, "202501", t0, "kept")
	if err := s.DeleteDocument(ctx, "BA1-FE", r.orig.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.Document(ctx, "BA1-FE", r.orig.ID); eccs.ErrorCode(err) != eccs.NotFound {
		t.Errorf("the row is still there: %v", err)
	}
	if w.blobBytes(r.orig.BlobKey) != nil {
		t.Errorf("the blob file is still there")
	}
	_, _, err := s.OpenDocument(ctx, readerOf(t, access(t, w, w.rita, "BA1-FE")), r.orig.ID)
	wantErr(t, err, eccs.NotFound, "", "")
	list, total := must2(s.OperatorDocuments(ctx, "BA1-FE", eccs.Page{}))(t)
	if total != 1 || list[0].ID != other.ID || w.blobBytes(other.BlobKey) == nil {
		t.Errorf("documents left: %v", ids(list))
	}
	for _, tc := range []struct{ name, contract, id string }{
		{"deleted twice", "BA1-FE", r.orig.ID},
		{"document of another contract", "BA2-FE", other.ID},
		{"unknown contract", "OCB0000404", other.ID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := w.wantNoEvent(t, func() error { return s.DeleteDocument(ctx, tc.contract, tc.id) })
			wantErr(t, err, eccs.NotFound, "", "")
		})
	}
	if w.blobBytes(other.BlobKey) == nil {
		t.Errorf("a refused delete removed another document's bytes")
	}
}

// wantOperatorLists checks the operator's lists of an unknown contract and of an unknown name.
func (r *replacements) wantOperatorLists(t *testing.T) {
	s, ctx := r.s, r.w.ctx
	_, _, err := s.OperatorDocuments(ctx, "OCB0000404", eccs.Page{})
	wantErr(t, err, eccs.NotFound, "", "")
	none := must(s.FindDocument(ctx, "BA1-FE", eccs.TypeReports, "202501", "no-such-name.bin"))(t)
	if len(none) != 0 {
		t.Errorf("FindDocument of an unknown name: %+v", none)
	}
}
