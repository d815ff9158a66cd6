package eccs_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// addDoc adds a document to a contract and returns it.
func (w *world) addDoc(contractID string, typ eccs.DocumentType, period string, created time.Time, content string) eccs.Document {
	w.t.Helper()
	d, err := w.svc.AddDocument(w.ctx, eccs.NewDocument{ContractID: contractID, Type: typ,
		Filename: string(typ) + "-" + period + ".bin", Period: period, Amount: 12345, Currency: "EUR",
		CreatedAt: created}, strings.NewReader(content), int64(len(content)))
	if err != nil {
		w.t.Fatalf("AddDocument(%s, %s): %v", contractID, typ, err)
	}
	return d
}

// docSet is one document of every type on a contract, in the order a list must give them.
type docSet struct {
	bills, invoices, reports, partialBills, consumption, partialConsumption eccs.Document
	ordered                                                                 []eccs.Document
}

// addDocSet adds six documents, one per type, to contractID. Listed newest first they are:
// partialBills (202503, +2h), partialConsumption (202503, +1h), reports (202503, +0),
// invoices (202502), bills (202501), consumption (202412).
func (w *world) addDocSet(contractID string) docSet {
	var s docSet
	s.bills = w.addDoc(contractID, eccs.TypeBills, "202501", t0, "bill of "+contractID)
	s.reports = w.addDoc(contractID, eccs.TypeReports, "202503", t0, "report of "+contractID)
	s.invoices = w.addDoc(contractID, eccs.TypeInvoices, "202502", t0.Add(time.Hour), "invoice of "+contractID)
	s.partialBills = w.addDoc(contractID, eccs.TypePartialBills, "202503", t0.Add(2*time.Hour), "partial bill of "+contractID)
	s.consumption = w.addDoc(contractID, eccs.TypeConsumptionRatedReports, "202412", t0.Add(3*time.Hour), "consumption of "+contractID)
	s.partialConsumption = w.addDoc(contractID, eccs.TypePartialConsumptionRatedReports, "202503", t0.Add(time.Hour), "partial consumption of "+contractID)
	s.ordered = []eccs.Document{s.partialBills, s.partialConsumption, s.reports, s.invoices, s.bills, s.consumption}
	return s
}

func ids(docs []eccs.Document) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = string(d.Type) + "/" + d.Period
	}
	return out
}

func only(docs []eccs.Document, types ...eccs.DocumentType) []eccs.Document {
	var out []eccs.Document
	for _, d := range docs {
		if slices.Contains(types, d.Type) {
			out = append(out, d)
		}
	}
	return out
}

// blobFiles lists the regular files under the blob directory, relative to it.
func (e *env) blobFiles() []string {
	e.t.Helper()
	var files []string
	err := filepath.WalkDir(e.blobDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(e.blobDir, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return files
}

// docWorld is a world with one document of every type on BA1-FE, where carol is documents
// manager, and on BA3-FE, where she is documents visitor.
func docWorld(t *testing.T) (w *world, onBA1FE, onBA3FE docSet) {
	w = newWorld(t)
	onBA1FE = w.addDocSet("BA1-FE") // carol: documents manager
	onBA3FE = w.addDocSet("BA3-FE") // carol: documents visitor
	return w, onBA1FE, onBA3FE
}

// TestDocuments checks which documents a reader lists: every type to a documents manager, the
// reports only to a visitor, newest first, filtered by type.
func TestDocuments(t *testing.T) {
	t.Parallel()
	w, onBA1FE, onBA3FE := docWorld(t)
	reportTypes := []eccs.DocumentType{eccs.TypeReports, eccs.TypeConsumptionRatedReports, eccs.TypePartialConsumptionRatedReports}

	tests := []struct {
		name     string
		acct     eccs.Account
		contract string
		types    []eccs.DocumentType
		want     []eccs.Document
	}{
		{"manager sees all six types newest first", w.carol, "BA1-FE", nil, onBA1FE.ordered},
		{"administrator sees all six types", w.admin, "BA1-FE", nil, onBA1FE.ordered},
		{"referent sees all six types", w.rita, "BA3-FE", nil, onBA3FE.ordered},
		{"visitor sees only the reports", w.carol, "BA3-FE", nil, only(onBA3FE.ordered, reportTypes...)},
		{"manager filters by type", w.carol, "BA1-FE", []eccs.DocumentType{eccs.TypeBills, eccs.TypeReports}, []eccs.Document{onBA1FE.reports, onBA1FE.bills}},
		{"manager filters on one type", w.carol, "BA1-FE", []eccs.DocumentType{eccs.TypeConsumptionRatedReports}, []eccs.Document{onBA1FE.consumption}},
		{"visitor asking for bills gets nothing", w.carol, "BA3-FE", []eccs.DocumentType{eccs.TypeBills, eccs.TypeInvoices, eccs.TypePartialBills}, []eccs.Document{}},
		{"visitor asking for bills and reports gets the reports", w.carol, "BA3-FE", []eccs.DocumentType{eccs.TypeBills, eccs.TypeReports}, []eccs.Document{onBA3FE.reports}},
		{"empty non-nil types give an empty list", w.carol, "BA1-FE", []eccs.DocumentType{}, []eccs.Document{}},
		{"unknown type gives an empty list", w.carol, "BA1-FE", []eccs.DocumentType{"receipts"}, []eccs.Document{}},
		{"contract without documents gives an empty list", w.rita, "BA2-FE", nil, []eccs.Document{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := access(t, w, tc.acct, tc.contract)
			list, total, err := w.svc.Documents(w.ctx, readerOf(t, a), tc.types, eccs.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if list == nil {
				t.Fatal("nil list")
			}
			if !slices.Equal(ids(list), ids(tc.want)) || total != len(tc.want) {
				t.Fatalf("got %v (total %d), want %v", ids(list), total, ids(tc.want))
			}
			for i := range list {
				if list[i] != tc.want[i] {
					t.Errorf("document %d: listed %+v, added %+v", i, list[i], tc.want[i])
				}
			}
		})
	}
}

// A page of documents comes with the total of the list.
func TestDocumentsPaging(t *testing.T) {
	t.Parallel()
	w, onBA1FE, _ := docWorld(t)
	page, total, err := w.svc.Documents(w.ctx, readerOf(t, access(t, w, w.carol, "BA1-FE")), nil, eccs.Page{Offset: 1, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(page), ids(onBA1FE.ordered[1:3])) || total != 6 {
		t.Errorf("got %v total %d", ids(page), total)
	}
	page, total, err = w.svc.Documents(w.ctx, readerOf(t, access(t, w, w.carol, "BA3-FE")), nil, eccs.Page{Limit: 1})
	if err != nil || len(page) != 1 || page[0].Type != eccs.TypePartialConsumptionRatedReports || total != 3 {
		t.Errorf("visitor's first page: %v total %d, %v", ids(page), total, err)
	}
}

// An access without a documents role, or refused, reads no document.
func TestDocumentsForbidden(t *testing.T) {
	t.Parallel()
	w, _, onBA3FE := docWorld(t)
	t.Run("no role on documents", func(t *testing.T) {
		a := access(t, w, w.carol, "BA3-CAV")
		wantRefusedReader(t, w, a, onBA3FE.reports.ID)
	})
	for _, tc := range []struct {
		name     string
		acct     eccs.Account
		contract string
	}{
		{"invisible contract", w.carol, "BA1-CAV"},
		{"unknown contract", w.carol, "OCB0000404"},
		{"administrator outside its perimeter", w.admin, "BA3-FE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := w.svc.ContractAccess(w.ctx, tc.acct, tc.contract)
			wantErr(t, err, eccs.Forbidden, eccs.ReasonNone, "")
			// The access a refusal returns opens nothing either.
			wantRefusedReader(t, w, a, onBA3FE.reports.ID)
		})
	}
}

// wantRefusedReader checks that access a may not read documents, and that what the refusal
// returns reads nothing either: it lists no document and opens none, not even docID.
func wantRefusedReader(t *testing.T, w *world, a eccs.Access, docID string) {
	t.Helper()
	r, err := eccs.MayReadDocuments(a)
	wantErr(t, err, eccs.Forbidden, eccs.ReasonNone, "")
	list, _, err := w.svc.Documents(w.ctx, r, nil, eccs.Page{})
	if err != nil || len(list) != 0 {
		t.Errorf("a refused reader lists %d documents (%v)", len(list), err)
	}
	_, blob, err := w.svc.OpenDocument(w.ctx, r, docID)
	wantErr(t, err, eccs.NotFound, eccs.ReasonNone, "")
	if blob != nil {
		t.Error("a refused open returned a blob")
	}
}

// OpenDocument gives a readable document and its bytes.
func TestOpenDocument(t *testing.T) {
	t.Parallel()
	w, onBA1FE, onBA3FE := docWorld(t)
	for _, tc := range []struct {
		name     string
		acct     eccs.Account
		contract string
		doc      eccs.Document
		content  string
	}{
		{"manager opens a bill", w.carol, "BA1-FE", onBA1FE.bills, "bill of BA1-FE"},
		{"manager opens an invoice", w.carol, "BA1-FE", onBA1FE.invoices, "invoice of BA1-FE"},
		{"visitor opens a report", w.carol, "BA3-FE", onBA3FE.reports, "report of BA3-FE"},
		{"visitor opens a consumption report", w.carol, "BA3-FE", onBA3FE.consumption, "consumption of BA3-FE"},
		{"administrator opens a partial bill", w.admin, "BA1-FE", onBA1FE.partialBills, "partial bill of BA1-FE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, blob, err := w.svc.OpenDocument(w.ctx, readerOf(t, access(t, w, tc.acct, tc.contract)), tc.doc.ID)
			if err != nil {
				t.Fatal(err)
			}
			defer blob.Close()
			got, err := io.ReadAll(blob)
			if err != nil {
				t.Fatal(err)
			}
			if d != tc.doc || string(got) != tc.content || blob.Size() != int64(len(tc.content)) {
				t.Errorf("opened %+v with %q (size %d), want %+v with %q", d, got, blob.Size(), tc.doc, tc.content)
			}
		})
	}
}

// A document of another type than the reader may read, of another contract, or of no valid id,
// is not found, with the message of an absent document.
func TestOpenDocumentNotFound(t *testing.T) {
	t.Parallel()
	w, onBA1FE, onBA3FE := docWorld(t)
	_, _, err := w.svc.OpenDocument(w.ctx, readerOf(t, access(t, w, w.carol, "BA3-FE")), "abcdefghijklmnop")
	absent := wantErr(t, err, eccs.NotFound, eccs.ReasonNone, "")
	for _, tc := range []struct {
		name     string
		acct     eccs.Account
		contract string
		doc      eccs.Document
	}{
		{"visitor opening a bill", w.carol, "BA3-FE", onBA3FE.bills},
		{"visitor opening an invoice", w.carol, "BA3-FE", onBA3FE.invoices},
		{"visitor opening a partial bill", w.carol, "BA3-FE", onBA3FE.partialBills},
		{"document of another contract", w.carol, "BA3-FE", onBA1FE.reports},
		{"document of another contract, to a manager of both", w.rita, "BA3-FE", onBA1FE.bills},
		{"path in place of an id", w.rita, "BA3-FE", eccs.Document{ID: "../BA1-FE/" + onBA1FE.bills.ID}},
		{"id in upper case", w.rita, "BA3-FE", eccs.Document{ID: strings.ToUpper(onBA3FE.bills.ID)}},
		{"empty id", w.rita, "BA3-FE", eccs.Document{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, blob, err := w.svc.OpenDocument(w.ctx, readerOf(t, access(t, w, tc.acct, tc.contract)), tc.doc.ID)
			e := wantErr(t, err, eccs.NotFound, eccs.ReasonNone, "")
			if blob != nil {
				t.Error("a document not found came with a blob")
			}
			if tc.contract == "BA3-FE" {
				if want := strings.ReplaceAll(absent.Message, "abcdefghijklmnop", tc.doc.ID); e.Message != want {
					t.Errorf("message %q differs from that of an absent document %q", e.Message, want)
				}
			}
		})
	}
}

// A document whose bytes are missing from disk fails to open as internal, and is still listed.
func TestOpenDocumentWithoutItsBytes(t *testing.T) {
	t.Parallel()
	w, _, _ := docWorld(t)
	d := w.addDoc("BA1-FE", eccs.TypeReports, "202504", t0, "soon gone")
	if err := os.Remove(filepath.Join(w.blobDir, filepath.FromSlash(d.BlobKey))); err != nil {
		t.Fatal(err)
	}
	_, blob, err := w.svc.OpenDocument(w.ctx, readerOf(t, access(t, w, w.carol, "BA1-FE")), d.ID)
	if code := eccs.ErrorCode(err); code != eccs.Internal || blob != nil {
		t.Fatalf("got code %q (%v), want internal", code, err)
	}
	// The row is still listed: the loss is the operator's to repair, not hidden.
	list, _, err := w.svc.Documents(w.ctx, readerOf(t, access(t, w, w.carol, "BA1-FE")), []eccs.DocumentType{eccs.TypeReports}, eccs.Page{})
	if err != nil || len(list) != 2 {
		t.Errorf("reports listed: %d, %v", len(list), err)
	}
}

// validDocument is a valid bill of BA1-FE.
var validDocument = eccs.NewDocument{ContractID: "BA1-FE", Type: eccs.TypeBills, Filename: "bill-202502.xlsx",
	Period: "202502", Amount: 1234567, Currency: "EUR"}

// Content shorter than announced is refused and leaves no blob.
func TestAddDocumentShortContent(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	valid := validDocument
	before := len(w.blobFiles())
	_, err := w.svc.AddDocument(w.ctx, valid, strings.NewReader("abc"), 100)
	wantErr(t, err, eccs.Invalid, "", "")
	if after := len(w.blobFiles()); after != before {
		t.Fatalf("%d blob files before, %d after", before, after)
	}
}

// TestAddDocument checks that a document records the size and digest of its bytes, which it
// stores and serves, and echoes its metadata at the clock's time.
func TestAddDocument(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	valid := validDocument
	const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" // the media type of bills

	content := bytes.Repeat([]byte("0123456789abcdef"), 20_000) // 320 KB, more than one copy buffer
	sum := sha256.Sum256(content)
	w.clock.Advance(time.Minute)
	defer w.clock.Advance(-time.Minute)
	d, err := w.svc.AddDocument(w.ctx, valid, bytes.NewReader(content), int64(len(content)))
	if err != nil {
		t.Fatal(err)
	}
	if d.Size != int64(len(content)) || d.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("size %d sha256 %s, want %d %x", d.Size, d.SHA256, len(content), sum)
	}
	if len(d.ID) != 16 || !eccs.ValidDocumentID(d.ID) || strings.ToLower(d.ID) != d.ID {
		t.Errorf("id %q is not 16 lower-case characters", d.ID)
	}
	if d.ContractID != valid.ContractID || d.Type != valid.Type || d.Filename != valid.Filename || d.Period != valid.Period ||
		d.Amount != valid.Amount || d.Currency != valid.Currency || d.ContentType != xlsxType ||
		!d.CreatedAt.Equal(t0.Add(time.Minute)) || !d.UpdatedAt.Equal(d.CreatedAt) {
		t.Errorf("document %+v does not echo %+v at the clock's time", d, valid)
	}
	data, err := os.ReadFile(filepath.Join(w.blobDir, filepath.FromSlash(d.BlobKey)))
	if err != nil || !bytes.Equal(data, content) {
		t.Fatalf("blob file: %d bytes, %v", len(data), err)
	}
	_, blob, err := w.svc.OpenDocument(w.ctx, readerOf(t, access(t, w, w.carol, "BA1-FE")), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer blob.Close()
	got, _ := io.ReadAll(blob)
	if !bytes.Equal(got, content) {
		t.Errorf("opened %d bytes, want %d", len(got), len(content))
	}
}

// A creation time given with the document is kept, in UTC, to the microsecond.
func TestAddDocumentKeepsItsCreationTime(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	valid := validDocument
	nd := valid
	nd.CreatedAt = time.Date(2020, 1, 2, 3, 4, 5, 6789, time.FixedZone("CET", 3600))
	d, err := w.svc.AddDocument(w.ctx, nd, strings.NewReader("x"), 1)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2020, 1, 2, 2, 4, 5, 6000, time.UTC)
	if !d.CreatedAt.Equal(want) || d.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v, want %v", d.CreatedAt, want)
	}
}

// invalidDocuments are edits of validDocument that make its metadata invalid, with the field
// AddDocument names.
var invalidDocuments = []struct {
	name   string
	edit   func(*eccs.NewDocument)
	field  string
	reason eccs.Reason
}{
	{"unknown type", func(d *eccs.NewDocument) { d.Type = "receipts" }, "type", ""},
	{"empty type", func(d *eccs.NewDocument) { d.Type = "" }, "type", ""},
	{"alias spelling of the consumption type", func(d *eccs.NewDocument) { d.Type = "consumptionRatedReports" }, "type", ""},
	{"malformed contract id", func(d *eccs.NewDocument) { d.ContractID = "../etc" }, "contractId", ""},
	{"filename with a slash", func(d *eccs.NewDocument) { d.Filename = "a/b.pdf" }, "filename", ""},
	{"filename with a backslash", func(d *eccs.NewDocument) { d.Filename = `a\b.pdf` }, "filename", ""},
	{"filename with a quote", func(d *eccs.NewDocument) { d.Filename = `a"b.pdf` }, "filename", ""},
	{"filename with a semicolon", func(d *eccs.NewDocument) { d.Filename = "a;b.pdf" }, "filename", ""},
	{"filename with a leading dot", func(d *eccs.NewDocument) { d.Filename = ".hidden" }, "filename", ""},
	{"filename with a right-to-left override", func(d *eccs.NewDocument) { d.Filename = "invoice\u202efdp.exe" }, "filename", ""},
	{"filename with a left-to-right embedding", func(d *eccs.NewDocument) { d.Filename = "a\u202ab.pdf" }, "filename", ""},
	{"filename with a pop directional isolate", func(d *eccs.NewDocument) { d.Filename = "a\u2069b.pdf" }, "filename", ""},
	{"filename with a first strong isolate", func(d *eccs.NewDocument) { d.Filename = "a\u2068b.pdf" }, "filename", ""},
	{"document id with a slash", func(d *eccs.NewDocument) { d.ID = "a/b" }, "id", ""},
	{"document id of 65 characters", func(d *eccs.NewDocument) { d.ID = strings.Repeat("d", 65) }, "id", ""},
	{"filename with a newline", func(d *eccs.NewDocument) { d.Filename = "a\nb.pdf" }, "filename", ""},
	{"blank filename", func(d *eccs.NewDocument) { d.Filename = " " }, "filename", ""},
	{"filename too long", func(d *eccs.NewDocument) { d.Filename = strings.Repeat("a", 201) }, "filename", ""},
	{"period month 13", func(d *eccs.NewDocument) { d.Period = "202513" }, "period", ""},
	{"period month 00", func(d *eccs.NewDocument) { d.Period = "202500" }, "period", ""},
	{"period with a dash", func(d *eccs.NewDocument) { d.Period = "2025-02" }, "period", ""},
	{"period as a date", func(d *eccs.NewDocument) { d.Period = "20250201" }, "period", ""},
	{"period before 1970", func(d *eccs.NewDocument) { d.Period = "196912" }, "period", ""},
	{"currency in lower case", func(d *eccs.NewDocument) { d.Currency = "eur" }, "currency", ""},
	{"currency symbol", func(d *eccs.NewDocument) { d.Currency = "€" }, "currency", ""},
	{"currency of four letters", func(d *eccs.NewDocument) { d.Currency = "EURO" }, "currency", ""},
	{"negative amount past the range", func(d *eccs.NewDocument) { d.Amount = -1e15 - 1 }, "amount", ""},
	{"amount past the range", func(d *eccs.NewDocument) { d.Amount = 1e15 + 1 }, "amount", ""},
}

// Invalid metadata is refused before the content is read, and an unknown contract is not
// found: neither stores a blob.
func TestAddDocumentInvalidMetadata(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	valid := validDocument
	before := w.blobFiles()
	for _, tc := range invalidDocuments {
		t.Run(tc.name, func(t *testing.T) {
			nd := valid
			tc.edit(&nd)
			read := false
			_, err := w.svc.AddDocument(w.ctx, nd, readerAtFunc(func([]byte, int64) (int, error) { read = true; return 0, io.EOF }), 10)
			wantErr(t, err, eccs.Invalid, tc.reason, tc.field)
			if read {
				t.Error("the content was read before the metadata was checked")
			}
		})
	}
	t.Run("unknown contract is not found", func(t *testing.T) {
		nd := valid
		nd.ContractID = "OCB0000404"
		_, err := w.svc.AddDocument(w.ctx, nd, strings.NewReader("bytes"), 5)
		wantErr(t, err, eccs.NotFound, eccs.ReasonNone, "")
	})
	if after := w.blobFiles(); !slices.Equal(before, after) {
		t.Errorf("refused documents left blobs: before %v, after %v", before, after)
	}
}

// The canonical consumption type is accepted, with the media type of its CSV.
func TestAddDocumentConsumptionType(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	valid := validDocument
	nd := valid
	nd.Type = eccs.TypeConsumptionRatedReports
	d, err := w.svc.AddDocument(w.ctx, nd, strings.NewReader("x"), 1)
	if err != nil {
		t.Fatal(err)
	}
	if d.ContentType != "text/csv" {
		t.Errorf("content type %q, want the consumption report's text/csv", d.ContentType)
	}
}

// Content whose reading fails stores neither a blob nor a document.
func TestAddDocumentFailingContent(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	valid := validDocument
	before := w.blobFiles()
	failing := readerAtFunc(func(p []byte, off int64) (int, error) {
		if off < 7 {
			return copy(p, "partial"[off:]), nil
		}
		return 0, io.ErrUnexpectedEOF
	})
	_, err := w.svc.AddDocument(w.ctx, valid, failing, 1000)
	if err == nil {
		t.Fatal("a failing reader stored a document")
	}
	if after := w.blobFiles(); !slices.Equal(before, after) {
		t.Errorf("blobs before %v, after %v", before, after)
	}
	list, _, err := w.svc.OperatorDocuments(w.ctx, "BA1-FE", eccs.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		if d.Size == 7 {
			t.Errorf("the partial content was stored as document %s", d.ID)
		}
	}
}

// A document whose row cannot be stored leaves no blob behind, and never overwrites the bytes
// of another document.
func TestAddDocumentFailingRowLeavesNoBlob(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	valid := validDocument
	// A Service whose randomness is all zeros draws the same document id every time. The
	// second document, on another contract, gets a new blob key (the key holds the contract)
	// but its row clashes with the first's id: CreateDocument fails after Put.
	zero := w.service(func(c *eccs.Config) { c.Random = zeroReader{} })
	const zeroID = "aaaaaaaaaaaaaaaa"
	// The id is known in advance: while the bytes are being stored, the row does not exist.
	rowDuringPut := error(nil)
	content := readerAtFunc(func(p []byte, off int64) (int, error) {
		_, rowDuringPut = w.store.Document(w.ctx, "BA1-FE", zeroID)
		if off >= 5 {
			return 0, io.EOF
		}
		n := copy(p, "first"[off:])
		if off+int64(n) == 5 {
			return n, io.EOF
		}
		return n, nil
	})
	first, err := zero.AddDocument(w.ctx, valid, content, 5)
	if err != nil {
		t.Fatal(err)
	}
	if first.ID != zeroID || eccs.ErrorCode(rowDuringPut) != eccs.NotFound {
		t.Fatalf("id %s; row during the copy: %v (want not found: bytes first, then the row)", first.ID, rowDuringPut)
	}
	before := w.blobFiles()
	nd := valid
	nd.ContractID = "BA3-FE"
	_, err = zero.AddDocument(w.ctx, nd, strings.NewReader("second"), 6)
	wantErr(t, err, eccs.Conflict, eccs.ReasonNone, "")
	after := w.blobFiles()
	if !slices.Equal(before, after) {
		t.Errorf("blobs before %v, after %v", before, after)
	}
	if slices.Contains(after, "contracts/BA3-FE/"+first.ID) {
		t.Errorf("the second document's bytes were left behind")
	}
	list, _, err := w.svc.Documents(w.ctx, readerOf(t, access(t, w, w.rita, "BA3-FE")), nil, eccs.Page{})
	if err != nil || len(list) != 0 {
		t.Errorf("BA3-FE lists %d documents, %v", len(list), err)
	}

	// The same id on the same contract: the blob key exists; the first document's bytes
	// must survive the refused second one.
	_, err = zero.AddDocument(w.ctx, valid, strings.NewReader("overwrite attempt"), 17)
	wantErr(t, err, eccs.Conflict, eccs.ReasonNone, "")
	_, blob, err := w.svc.OpenDocument(w.ctx, readerOf(t, access(t, w, w.carol, "BA1-FE")), first.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer blob.Close()
	if got, _ := io.ReadAll(blob); string(got) != "first" {
		t.Errorf("the first document now holds %q", got)
	}
}

// readerAtFunc is an io.ReaderAt made of a function.
type readerAtFunc func(p []byte, off int64) (int, error)

func (f readerAtFunc) ReadAt(p []byte, off int64) (int, error) { return f(p, off) }
