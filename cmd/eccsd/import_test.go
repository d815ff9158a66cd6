package main

// `eccsd admin import`: a folder of contracts, users and documents (real files, written by
// internal/docformat), imported through the admin API, idempotently.

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/adminclient"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/docformat"
)

// importFolder is an import folder being written: its rows, and its files under files/.
type importFolder struct {
	t         *testing.T
	dir       string
	contracts []admin.NewContract
	users     []userJSON
	documents []documentJSON
}

func newImportFolder(t *testing.T) *importFolder {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "files"), 0o755); err != nil {
		t.Fatal(err)
	}
	return &importFolder{t: t, dir: dir}
}

// addContract adds a contract of the seeded billing account and offer, with a user.
func (f *importFolder) addContract(id string) {
	f.contracts = append(f.contracts, admin.NewContract{
		ID: id, Name: "MIGRATED-" + id, OfferID: devseed.OfferCode, BillingAccountID: devseed.BillingAccountID,
		Referent:     admin.Person{Civility: "Mr", LastName: "Referent", FirstName: "Rémi", Email: strings.ToLower(id) + ".ref@acme.example"},
		ReferenceExt: []string{"LEGACY-" + id}, SupportLevel: "STD",
	})
	f.users = append(f.users, userJSON{ContractID: id, NewUser: admin.NewUser{
		Person: admin.Person{LastName: "User", FirstName: "Ursula", Email: strings.ToLower(id) + ".user@acme.example"},
		Login:  strings.ToLower(id) + ".user", Roles: map[string][]string{"contracts": {"visitor"}, "documents": {"manager"}},
	}})
}

// addDocument writes a real file of the type's format for the contract and period, and adds
// its row; mangle, when set, changes the bytes first.
func (f *importFolder) addDocument(contractID, docType, period string, mangle func([]byte) []byte) string {
	f.t.Helper()
	kind, ok := docformat.KindOf(docType)
	if !ok {
		f.t.Fatalf("unknown type %s", docType)
	}
	p, err := docformat.ParsePeriod(period)
	if err != nil {
		f.t.Fatal(err)
	}
	st := docformat.Generate(docformat.Params{Seed: "import test", ContractID: contractID, ContractName: "MIGRATED-" + contractID,
		CustomerName: "Acme Industries SA", OfferName: docformat.OfferFlexibleEngine, Period: p})
	var b bytes.Buffer
	if err := kind.Write(&b, st, docformat.DefaultInvoice(st)); err != nil {
		f.t.Fatal(err)
	}
	data := b.Bytes()
	if mangle != nil {
		data = mangle(data)
	}
	name := fmt.Sprintf("%s_%s_%s%s", contractID, period, docType, kind.Extension())
	if err := os.WriteFile(filepath.Join(f.dir, "files", name), data, 0o644); err != nil {
		f.t.Fatal(err)
	}
	total := st.Total()
	f.documents = append(f.documents, documentJSON{ContractID: contractID, Type: docType, Period: flexText(period),
		Amount: flexText(fmt.Sprintf("%d.%02d", total/100, total%100)), Currency: "EUR", File: "files/" + name,
		CreatedAt: "2024-04-02T08:00:00Z"})
	return name
}

// dropLastColumn turns a 27-column consumption CSV into a 26-column one.
func dropLastColumn(b []byte) []byte {
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if i := strings.LastIndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		out = append(out, line)
	}
	return []byte(strings.Join(out, "\n"))
}

// writeJSON writes manifest.json.
func (f *importFolder) writeJSON() {
	f.t.Helper()
	data, err := json.MarshalIndent(map[string]any{"contracts": f.contracts, "users": f.users, "documents": f.documents}, "", "  ")
	if err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.dir, "manifest.json"), data, 0o644); err != nil {
		f.t.Fatal(err)
	}
}

// writeCSV writes contracts.csv, users.csv and documents.csv separated by sep, with the
// columns in an order of their own.
func (f *importFolder) writeCSV(sep rune) {
	f.t.Helper()
	write := func(name string, header []string, rows [][]string) {
		var b bytes.Buffer
		b.WriteString("\ufeff")
		w := csv.NewWriter(&b)
		w.Comma = sep
		w.Write(header)
		w.WriteAll(rows)
		if err := os.WriteFile(filepath.Join(f.dir, name), b.Bytes(), 0o644); err != nil {
			f.t.Fatal(err)
		}
	}
	var rows [][]string
	for _, c := range f.contracts {
		ext := append(slices.Clone(c.ReferenceExt), "", "", "")
		rows = append(rows, []string{c.Name, c.ID, c.OfferID, c.BillingAccountID, c.SupportLevel, c.Referent.Civility, c.Referent.LastName,
			c.Referent.FirstName, c.Referent.Email, ext[0], ext[1], ext[2]})
	}
	write("contracts.csv", []string{"name", "id", "offerId", "billingAccountId", "supportLevel", "referentCivility", "referentLastName",
		"referentFirstName", "referentEmail", "referenceExt1", "referenceExt2", "referenceExt3"}, rows)
	rows = nil
	for _, u := range f.users {
		var roles []string
		for _, section := range []string{"contracts", "documents", "users"} {
			for _, r := range u.Roles[section] {
				roles = append(roles, section+"="+r)
			}
		}
		rows = append(rows, []string{u.ContractID, u.Email, u.LastName, u.FirstName, u.Login, strings.Join(roles, "|")})
	}
	write("users.csv", []string{"contractId", "email", "lastName", "firstName", "login", "roles"}, rows)
	rows = nil
	for _, d := range f.documents {
		rows = append(rows, []string{d.ContractID, d.Type, string(d.Period), string(d.Amount), d.Currency, d.File, d.CreatedAt, d.ID})
	}
	write("documents.csv", []string{"contractId", "type", "period", "amount", "currency", "file", "createdAt", "id"}, rows)
}

// importRun runs `eccsd admin import DIR [--dry-run] --output json` and returns its report and
// exit status.
func importRun(t *testing.T, w *adminWorld, dir string, args ...string) (importReport, int) {
	t.Helper()
	out, errOut, err := w.admin(t, append([]string{"import", dir, "--output", "json"}, args...)...)
	var r importReport
	if jerr := json.Unmarshal([]byte(out), &r); jerr != nil {
		t.Fatalf("import %s: %v (%v) in %q\nstderr:\n%s", strings.Join(args, " "), jerr, err, out, errOut)
	}
	if strings.Contains(errOut, "\r[") {
		t.Errorf("import drew a progress bar on a stderr that is not a terminal: %q", errOut)
	}
	return r, exitCode(err)
}

func counts(created, skipped, rejected int) importCounts {
	return importCounts{Created: created, Skipped: skipped, Rejected: rejected}
}

// TestAdminImportCreatesEverythingOnceAndSkipsEverythingOnARerun imports the same folder, as
// a JSON manifest and as CSV files with either separator: a dry run creates nothing, the first
// run creates every row, the next ones skip every row.
func TestAdminImportCreatesEverythingOnceAndSkipsEverythingOnARerun(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	for i, tc := range []struct {
		name  string
		write func(f *importFolder)
	}{
		{"JSON manifest", (*importFolder).writeJSON},
		{"CSV files separated by semicolons", func(f *importFolder) { f.writeCSV(';') }},
		{"CSV files separated by commas", func(f *importFolder) { f.writeCSV(',') }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newImportFolder(t)
			c1, c2 := fmt.Sprintf("OCB91%05d", 2*i+1), fmt.Sprintf("OCB91%05d", 2*i+2)
			f.addContract(c1)
			f.addContract(c2)
			f.addDocument(c1, "invoices", "202403", nil)
			f.addDocument(c1, "bills", "202403", nil)
			f.addDocument(c2, "comsumptionRatedReports", "202403", nil)
			tc.write(f)
			want := map[string]importCounts{kindContracts: counts(2, 0, 0), kindUsers: counts(2, 0, 0), kindDocuments: counts(3, 0, 0)}

			dry, code := importRun(t, w, f.dir, "--dry-run")
			if code != 0 || !dry.DryRun || !equalCounts(dry.Counts, want) {
				t.Fatalf("dry run: exit %d, %+v; want 0 and %v", code, dry, want)
			}
			if _, _, err := w.admin(t, "contracts", "show", c1); !adminclient.IsNotFound(err) {
				t.Fatalf("after the dry run, contracts show %s: %v; want 404 (nothing created)", c1, err)
			}

			first, code := importRun(t, w, f.dir)
			if code != 0 || !equalCounts(first.Counts, want) {
				t.Fatalf("first run: exit %d, %+v; want 0 and %v", code, first, want)
			}
			checkImportedContracts(t, w, c1, c2)

			second, code := importRun(t, w, f.dir)
			wantSkipped := map[string]importCounts{kindContracts: counts(0, 2, 0), kindUsers: counts(0, 2, 0), kindDocuments: counts(0, 3, 0)}
			if code != 0 || !equalCounts(second.Counts, wantSkipped) {
				t.Fatalf("second run: exit %d, %+v; want 0 and %v", code, second, wantSkipped)
			}
			out := w.mustAdmin(t, "import", f.dir)
			if !strings.Contains(out, "contracts  0        2        0") || strings.Contains(out, "Rejected") {
				t.Errorf("the summary of a third run:\n%s", out)
			}
		})
	}
}

// checkImportedContracts checks what the first import made: c1's two documents, c2's users
// (the referent and the imported user) and c2's support level and external reference.
func checkImportedContracts(t *testing.T, w *adminWorld, c1, c2 string) {
	t.Helper()
	var docs admin.List[admin.Document]
	w.adminJSON(t, &docs, "documents", "list", c1)
	if docs.Total != 2 {
		t.Errorf("documents of %s: %+v", c1, docs)
	}
	var users admin.List[admin.User]
	w.adminJSON(t, &users, "users", "list", c2)
	if emails := userEmails(users.Items); !slices.Contains(emails, strings.ToLower(c2)+".user@acme.example") || len(emails) != 2 {
		t.Errorf("users of %s: %v, want the referent and the imported user", c2, emails)
	}
	var contract admin.Contract
	w.adminJSON(t, &contract, "contracts", "show", c2)
	if contract.SupportLevel != "STD" || !slices.Equal(contract.ReferenceExt, []string{"LEGACY-" + c2}) {
		t.Errorf("contract %s: %+v", c2, contract)
	}
}

// badImportRow is a row that makes an import refuse it, and how the import names it.
type badImportRow struct {
	name       string
	bad        func(f *importFolder, contract string)
	wantKind   string
	wantRow    string
	wantReason string
}

// TestAdminImportRejectsABadRowWithItsReasonAndCreatesTheOthers imports a folder with one bad
// row among good ones: the dry run and the run reject that row only, naming it and why, and
// create the others; a different file under a name already imported is refused with the way
// to replace it.
func TestAdminImportRejectsABadRowWithItsReasonAndCreatesTheOthers(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	for i, tc := range []badImportRow{
		{
			name: "a consumption CSV with 26 columns",
			bad: func(f *importFolder, c string) {
				f.addDocument(c, "comsumptionRatedReports", "202404", dropLastColumn)
			},
			wantKind: kindDocuments, wantRow: "documents #3", wantReason: "26 fields",
		},
		{
			name: "a contract of an unknown offer",
			bad: func(f *importFolder, c string) {
				f.contracts = append(f.contracts, admin.NewContract{ID: c + "X", Name: "NOPE", OfferID: "NOPE", BillingAccountID: devseed.BillingAccountID,
					Referent: admin.Person{LastName: "Nope", FirstName: "Nora", Email: "nora.nope@acme.example"}})
			},
			wantKind: kindContracts, wantRow: "contracts #2", wantReason: "NOPE",
		},
		{
			name: "a document whose file is missing",
			bad: func(f *importFolder, c string) {
				f.documents = append(f.documents, documentJSON{ContractID: c, Type: "invoices", Period: "202405", Amount: "12.50", Currency: "EUR", File: "files/missing.pdf"})
			},
			wantKind: kindDocuments, wantRow: "documents #3", wantReason: "missing.pdf",
		},
	} {
		t.Run(tc.name, func(t *testing.T) { checkImportRejectsOneRow(t, w, fmt.Sprintf("OCB92%05d", i+1), tc) })
	}
	t.Run("a different file under a name already imported", func(t *testing.T) { checkImportRejectsADifferentFileUnderAnImportedName(t, w) })
}

// checkImportRejectsOneRow imports contract c with two good documents and tc's bad row.
func checkImportRejectsOneRow(t *testing.T, w *adminWorld, c string, tc badImportRow) {
	f := newImportFolder(t)
	f.addContract(c)
	f.addDocument(c, "invoices", "202403", nil)
	f.addDocument(c, "reports", "202403", nil)
	tc.bad(f, c)
	f.writeJSON()

	// A dry run finds the same bad row.
	dry, code := importRun(t, w, f.dir, "--dry-run")
	if n := dry.Counts[tc.wantKind].Rejected; code != exitRefused || n != 1 {
		t.Errorf("dry run: exit %d, %d %s rejected; want exit %d and 1 (%+v)", code, n, tc.wantKind, exitRefused, dry.Rows)
	}

	r, code := importRun(t, w, f.dir)
	if code != exitRefused {
		t.Errorf("exit %d, want %d", code, exitRefused)
	}
	var rejected []importResult
	for _, row := range r.Rows {
		if row.Outcome == outcomeRejected {
			rejected = append(rejected, row)
		} else if row.Outcome != outcomeCreated {
			t.Errorf("row %+v, want created", row)
		}
	}
	if len(rejected) != 1 || rejected[0].Kind != tc.wantKind || !strings.HasSuffix(rejected[0].Row, tc.wantRow) || !strings.Contains(rejected[0].Reason, tc.wantReason) {
		t.Fatalf("rejected rows %+v; want exactly %s %s, for a reason naming %q", rejected, tc.wantKind, tc.wantRow, tc.wantReason)
	}
	t.Logf("%s: %s", rejected[0].Row, rejected[0].Reason)
	if r.Counts[kindContracts].Created != 1 || r.Counts[kindUsers].Created != 1 || r.Counts[kindDocuments].Created != 2 {
		t.Errorf("counts %+v, want the good rows created", r.Counts)
	}
	// The rejected row changed nothing.
	var docs admin.List[admin.Document]
	w.adminJSON(t, &docs, "documents", "list", c)
	if docs.Total != 2 {
		t.Errorf("%s has %d documents, want the 2 good ones", c, docs.Total)
	}
	if _, _, err := w.admin(t, "contracts", "show", c+"X"); !adminclient.IsNotFound(err) {
		t.Errorf("contracts show %sX: %v, want 404", c, err)
	}
	// The table summary names the row and its reason.
	out, _, err := w.admin(t, "import", f.dir)
	if exitCode(err) != exitRefused || !strings.Contains(out, rejected[0].Row+" (") || !strings.Contains(out, tc.wantReason) {
		t.Errorf("re-run: exit %d, summary:\n%s", exitCode(err), out)
	}
}

// checkImportRejectsADifferentFileUnderAnImportedName imports an invoice, then writes another
// month's invoice over its file: the rerun rejects it, saying how to replace a document.
func checkImportRejectsADifferentFileUnderAnImportedName(t *testing.T, w *adminWorld) {
	f := newImportFolder(t)
	c := "OCB9300001"
	f.addContract(c)
	name := f.addDocument(c, "invoices", "202403", nil)
	f.writeJSON()
	if _, code := importRun(t, w, f.dir); code != 0 {
		t.Fatalf("first run: exit %d", code)
	}
	other := newImportFolder(t)
	other.addDocument(c, "invoices", "202402", nil)
	data, err := os.ReadFile(filepath.Join(other.dir, "files", c+"_202402_invoices.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.dir, "files", name), data, 0o644); err != nil {
		t.Fatal(err)
	}
	r, code := importRun(t, w, f.dir)
	d := r.Counts[kindDocuments]
	if code != exitRefused || d.Rejected != 1 || r.Counts[kindContracts].Skipped != 1 {
		t.Fatalf("exit %d, %+v", code, r.Counts)
	}
	for _, row := range r.Rows {
		if row.Outcome == outcomeRejected && !strings.Contains(row.Reason, "eccsd admin documents replace "+c) {
			t.Errorf("reason %q does not say how to replace it", row.Reason)
		}
	}
}

func TestAdminImportRefusesAFolderWithoutAManifest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"no manifest", map[string]string{"notes.txt": "hello"}, "no manifest"},
		{"a manifest that is not JSON", map[string]string{"manifest.json": "{contracts"}, "manifest.json"},
		{"an unknown member", map[string]string{"manifest.json": `{"contract": []}`}, "contract"},
		{"an unknown CSV column", map[string]string{"users.csv": "contractId;email;role\n"}, `"role"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, _, err := runCmd(t, envOf(map[string]string{"ECCS_ADMIN_URL": "http://127.0.0.1:1", "ECCS_ADMIN_TOKEN": "x"}), "admin", "import", dir)
			if exitCode(err) != exitLocal || !strings.Contains(fmt.Sprint(err), tc.want) {
				t.Errorf("import: %v (exit %d), want exit %d naming %q", err, exitCode(err), exitLocal, tc.want)
			}
		})
	}
}

func equalCounts(got, want map[string]importCounts) bool {
	for _, k := range importKinds {
		if got[k] != want[k] {
			return false
		}
	}
	return true
}

func userEmails(users []admin.User) []string {
	var out []string
	for _, u := range users {
		out = append(out, u.Email)
	}
	return out
}

// TestAdminImportKeepsDocumentIDsAndSkipsThemOnARerun imports documents with ids of the old
// system: they keep them, a rerun skips them, and rows whose id is taken, or is no id, are
// rejected with their reason.
func TestAdminImportKeepsDocumentIDsAndSkipsThemOnARerun(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	for i, tc := range []struct {
		name  string
		write func(f *importFolder)
	}{
		{"JSON manifest", (*importFolder).writeJSON},
		{"CSV files", func(f *importFolder) { f.writeCSV(';') }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, c2 := fmt.Sprintf("OCB96%05d", 2*i+1), fmt.Sprintf("OCB96%05d", 2*i+2)
			id1, id2 := "LEGACY."+c+"-1", "LEGACY_"+c+"-2"
			reportID := checkImportKeepsDocumentIDs(t, w, tc.write, c, c2, id1, id2)
			checkImportRejectsTakenIDs(t, w, tc.write, c, c2, id1, id2, reportID)
		})
	}
}

// checkImportKeepsDocumentIDs imports contracts c and c2 with three documents of c, the first
// two under id1 and id2: they keep them, and a rerun skips every row. It returns the id the
// third document got.
func checkImportKeepsDocumentIDs(t *testing.T, w *adminWorld, write func(*importFolder), c, c2, id1, id2 string) string {
	t.Helper()
	f := newImportFolder(t)
	f.addContract(c)
	f.addContract(c2)
	f.addDocument(c, "invoices", "202403", nil)
	f.addDocument(c, "bills", "202403", nil)
	f.addDocument(c, "reports", "202403", nil)
	f.documents[0].ID, f.documents[1].ID = id1, id2
	write(f)
	want := map[string]importCounts{kindContracts: counts(2, 0, 0), kindUsers: counts(2, 0, 0), kindDocuments: counts(3, 0, 0)}
	if r, code := importRun(t, w, f.dir); code != 0 || !equalCounts(r.Counts, want) {
		t.Fatalf("first run: exit %d, %+v", code, r)
	}
	var docs admin.List[admin.Document]
	w.adminJSON(t, &docs, "documents", "list", c)
	ids := map[string]string{}
	for _, d := range docs.Items {
		ids[d.DocumentType] = d.ID
	}
	if ids["invoices"] != id1 || ids["bills"] != id2 || ids["reports"] == "" || len(ids) != 3 {
		t.Errorf("the documents of %s have the ids %v, want invoices %s and bills %s", c, ids, id1, id2)
	}
	wantSkipped := map[string]importCounts{kindContracts: counts(0, 2, 0), kindUsers: counts(0, 2, 0), kindDocuments: counts(0, 3, 0)}
	if r, code := importRun(t, w, f.dir); code != 0 || !equalCounts(r.Counts, wantSkipped) {
		t.Fatalf("second run: exit %d, %+v", code, r)
	}
	return ids["reports"]
}

// checkImportRejectsTakenIDs imports rows whose id is taken, or is no id: they are rejected
// with their reason; the one loaded before without an id (as reportID) is recognised by its
// name.
func checkImportRejectsTakenIDs(t *testing.T, w *adminWorld, write func(*importFolder), c, c2, id1, id2, reportID string) {
	t.Helper()
	g := newImportFolder(t)
	g.addDocument(c, "invoices", "202405", nil) // another month under id1
	g.documents[0].ID = id1
	g.addDocument(c2, "bills", "202403", nil) // another contract's document under id2
	g.documents[1].ID = id2
	g.addDocument(c2, "reports", "202403", nil) // not an id
	g.documents[2].ID = "not an id"
	g.addDocument(c, "reports", "202403", nil) // loaded before without an id
	g.documents[3].ID = "LEGACY-" + c + "-3"
	write(g)
	r, code := importRun(t, w, g.dir)
	if code != exitRefused || r.Counts[kindDocuments] != counts(0, 1, 3) {
		t.Fatalf("third run: exit %d, %+v; want 1 skipped and 3 rejected", code, r.Rows)
	}
	for i, says := range []string{"id " + id1 + " is taken by another document of contract " + c, "id " + id2 + " is taken by a document of another contract",
		`id "not an id"`, "exists, as document " + reportID} {
		if row := r.Rows[i]; !strings.Contains(row.Reason, says) {
			t.Errorf("%s: %s %q, want it to say %q", row.Row, row.Outcome, row.Reason, says)
		}
	}
	var docs admin.List[admin.Document]
	w.adminJSON(t, &docs, "documents", "list", c2)
	if docs.Total != 0 {
		t.Errorf("%s has %d documents, want none (every row was rejected)", c2, docs.Total)
	}
}

// TestAdminImportTakesATakenIDForItsOwnDocumentOnlyWhenItIsTheSame imports one document whose
// upload answers 409 (its id was taken meanwhile), against a fake admin API that then lists
// what another run stored: the row is skipped only when that is the same document.
func TestAdminImportTakesATakenIDForItsOwnDocumentOnlyWhenItIsTheSame(t *testing.T) {
	t.Parallel()
	const contract, id = "OCB9700001", "LEGACY-1"
	dir := t.TempDir()
	content := []byte("%PDF-1.4 the bytes do not matter to this server")
	if err := os.WriteFile(filepath.Join(dir, "inv.pdf"), content, 0o644); err != nil {
		t.Fatal(err)
	}
	manifest := `{"documents": [{"id": "` + id + `", "contractId": "` + contract + `", "type": "invoices", "period": "202403",
		"amount": "1.00", "currency": "EUR", "file": "inv.pdf"}]}`
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	for _, tc := range []struct {
		name      string
		meanwhile admin.Document // what another run stored, seen only after the upload's 409
		outcome   string
		says      string
	}{
		{"the same document, created meanwhile", admin.Document{ID: id, DocumentType: "invoices", Period: "202403", Filename: "inv.pdf", SHA256: hex.EncodeToString(sum[:])},
			outcomeSkipped, "created meanwhile"},
		{"another document of the contract", admin.Document{ID: id, DocumentType: "invoices", Period: "202402", Filename: "inv.pdf", SHA256: hex.EncodeToString(sum[:])},
			outcomeRejected, "taken by another document of contract " + contract},
		{"the same name with another file", admin.Document{ID: id, DocumentType: "invoices", Period: "202403", Filename: "inv.pdf", SHA256: "00"},
			outcomeRejected, "a different file"},
		{"a document of another contract", admin.Document{ID: "OTHER", DocumentType: "bills", Period: "202403", Filename: "b.xlsx"},
			outcomeRejected, "taken by a document of another contract: Document LEGACY-1 already exists. (409/70)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := takenIDAdminAPI(t, contract, id, tc.meanwhile)
			getenv := envOf(map[string]string{"ECCS_ADMIN_URL": fake.URL, "ECCS_ADMIN_TOKEN": "eccsop_fake"})
			out, errOut, err := runCmd(t, getenv, "admin", "import", dir, "--output", "json")
			var r importReport
			if jerr := json.Unmarshal([]byte(out), &r); jerr != nil || len(r.Rows) != 1 {
				t.Fatalf("import: %v (%v) in %q\n%s", jerr, err, out, errOut)
			}
			if row := r.Rows[0]; row.Outcome != tc.outcome || !strings.Contains(row.Reason, tc.says) {
				t.Errorf("row %+v, want %s saying %q", row, tc.outcome, tc.says)
			}
			if wantCode := map[string]int{outcomeSkipped: 0, outcomeRejected: exitRefused}[tc.outcome]; exitCode(err) != wantCode {
				t.Errorf("exit %d, want %d", exitCode(err), wantCode)
			}
		})
	}
}

// takenIDAdminAPI is a fake admin API, closed when the test ends, on which contract has no
// user and no document until an upload (which must carry the id) answers 409; it then lists
// meanwhile, what another run stored.
func takenIDAdminAPI(t *testing.T, contract, id string, meanwhile admin.Document) *httptest.Server {
	var mu sync.Mutex
	uploaded := false
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.Method + " " + r.URL.Path {
		case "GET /admin/v1/contracts/" + contract + "/users":
			fmt.Fprint(w, `{"items": [], "total": 0}`)
		case "GET /admin/v1/contracts/" + contract + "/documents":
			list := admin.List[admin.Document]{Items: []admin.Document{}}
			if uploaded {
				list = admin.List[admin.Document]{Items: []admin.Document{meanwhile}, Total: 1}
			}
			json.NewEncoder(w).Encode(list)
		case "POST /admin/v1/contracts/" + contract + "/documents":
			if r.URL.Query().Get("id") != id {
				t.Errorf("upload without the id: %s", r.URL.RawQuery)
			}
			uploaded = true
			w.WriteHeader(http.StatusConflict)
			fmt.Fprint(w, `{"code": 70, "message": "Conflict", "description": "Document LEGACY-1 already exists."}`)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL)
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(fake.Close)
	return fake
}

func TestAdminImportPrintsTheNoticesOfTheRowsItCreated(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	f := newImportFolder(t)
	const c = "OCB9800001"
	f.contracts = append(f.contracts, admin.NewContract{ID: c, Name: "NOTICED", OfferID: devseed.OfferCode, BillingAccountID: devseed.BillingAccountID,
		Referent: admin.Person{LastName: "Durand", FirstName: "Pablo", Email: "paul.durand@acme.example"}})
	f.users = append(f.users, userJSON{ContractID: c, NewUser: admin.NewUser{Login: "claire.martin",
		Person: admin.Person{LastName: "Martine", FirstName: "Claire", Email: "claire.martin@acme.example"}, Roles: map[string][]string{"contracts": {"visitor"}}}})
	f.writeJSON()
	out, errOut, err := w.admin(t, "import", f.dir)
	if err != nil {
		t.Fatalf("import: %v\n%s\n%s", err, out, errOut)
	}
	for _, want := range []string{"notice: manifest.json contracts #1: paul.durand@acme.example is already known", "notice: manifest.json users #1: claire.martin@acme.example is already known"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q does not say %q", errOut, want)
		}
	}
	if strings.Contains(out, "notice") {
		t.Errorf("the summary holds the notices:\n%s", out)
	}
}
