package main

// `eccsd admin import DIR`: bulk loading of contracts, users and documents from an existing
// billing system, through the admin API. Every row is one call, atomic on the server: a
// rejected row changes nothing, and the import goes on with the next. A re-run skips what is
// already there, so an interrupted import is finished by running it again.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/cmd/internal/progress"
	"github.com/eccs/eccs/internal/adminclient"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
)

// importRejectedError is the error of an import that rejected rows (exit status 2).
type importRejectedError struct{ n int }

func (e *importRejectedError) Error() string {
	if e.n == 1 {
		return "1 row was rejected (see the summary); it changed nothing"
	}
	return fmt.Sprintf("%d rows were rejected (see the summary); they changed nothing", e.n)
}

// The outcomes of a row.
const (
	outcomeCreated  = "created"
	outcomeSkipped  = "skipped"
	outcomeRejected = "rejected"
)

// importResult is what became of one row.
type importResult struct {
	Kind    string `json:"kind"`
	Row     string `json:"row"`
	Key     string `json:"key"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason,omitempty"`
}

// importCounts counts the outcomes of one kind of row.
type importCounts struct {
	Created  int `json:"created"`
	Skipped  int `json:"skipped"`
	Rejected int `json:"rejected"`
}

// importReport is the summary an import prints.
type importReport struct {
	DryRun bool                    `json:"dryRun"`
	Source string                  `json:"source"`
	Counts map[string]importCounts `json:"counts"`
	Rows   []importResult          `json:"rows"`
}

func (a *adminCLI) importCmd() *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "import DIR",
		Short: "Import contracts, users and documents from a folder, idempotently",
		Long: `Import contracts, then users, then documents from DIR/manifest.json or, when there is none,
from DIR/contracts.csv, DIR/users.csv and DIR/documents.csv (any of them), through the admin API.

manifest.json:
  {"contracts": [{"id": "OCB0001234", "name": "ACME-PROD", "offerId": "FE", "billingAccountId": "20451001",
                  "referent": {"lastName": "Martin", "firstName": "Claire", "email": "claire.martin@acme.example"},
                  "referenceExt": ["PO-117"], "createdAt": "2021-03-01T00:00:00Z", …}],
   "users":     [{"contractId": "OCB0001234", "lastName": "Doe", "firstName": "Jane", "email": "jane.doe@acme.example",
                  "login": "jane.doe.acme", "roles": {"contracts": ["visitor"], "documents": ["manager"]}}],
   "documents": [{"id": "INV-2024-000317", "contractId": "OCB0001234", "type": "invoices", "period": "202403",
                  "amount": "1234.56", "currency": "EUR", "filename": "invoice-202403.pdf",
                  "file": "files/inv-202403.pdf", "createdAt": "2024-04-02T08:00:00Z"}]}
  Contracts take the members of the admin API's NewContract; users, those of NewUser. A
  document's id is optional (1 to 64 of A-Z a-z 0-9 . _ -): given, the document keeps it, such
  as the id another billing system gave it; otherwise the server makes one.

CSV files: separated by ';' or ',' (as the header is), with a header of the JSON member names;
the referent's fields are referentCivility, referentLastName, referentFirstName, referentEmail,
referentFixPhone, referentMobilePhone (and referentLogin); the external references
referenceExt1 to referenceExt3; roles are written contracts=visitor|documents=manager.

Every contract needs its id. A document's file is relative to DIR; without a filename, the
document is named after its file.

A re-run changes nothing twice: a contract whose id exists is skipped, a user already declared
(by e-mail) is skipped, a document whose contract has one of the same type, period and file
name is skipped when the files are the same (SHA-256) and rejected when they differ. A
document with an id is skipped likewise when its contract has a document of that id, the same
type, period, file name and file; it is rejected when the id is another document's, of this
contract or another. A rejected
row (refused by the server, missing file, bad value) changes nothing and is reported with its
row and reason; the import goes on with the next row. The exit status is 2 when any row was
rejected. What the server noticed about a row it created (a known person given with other
data) is printed on standard error, with the row, at the end.

--dry-run reads the manifest, checks the files (their format too), asks the server what exists
already (reads only), and reports what the import would do, changing nothing.`,
		Example: `  eccsd admin import ./migration --dry-run
  eccsd admin import ./migration
  eccsd admin import ./migration --output json > import-report.json`,
		Args: exactArgs("DIR"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.checkOutput(); err != nil {
				return err
			}
			if a.output == outputID {
				return usageError{errors.New("--output id: import prints a report of its rows, which have no id of their own; use --output table or json")}
			}
			m, err := readManifest(args[0])
			if err != nil {
				return err
			}
			c, err := a.connect(cmd)
			if err != nil {
				return err
			}
			im := &importer{c: c, dryRun: dryRun, report: importReport{DryRun: dryRun, Source: m.source, Counts: map[string]importCounts{}},
				users: map[string]map[string]bool{}, documents: map[string][]admin.Document{}, newContracts: map[string]admin.NewContract{}}
			total := 0
			for _, kind := range importKinds {
				total += len(m.rows[kind])
			}
			if progress.OnTerminal(a.e.stderr) && total > 0 {
				im.progress = progress.New(a.e.stderr, "", int64(total), progress.Count)
			}
			runErr := im.run(cmd.Context(), m)
			im.progress.Clear()
			for _, n := range im.notices {
				fmt.Fprintln(a.e.stderr, "notice:", n)
			}
			if err := a.printImportReport(im.report); err != nil {
				return err
			}
			if runErr != nil {
				return runErr
			}
			rejected := 0
			for _, n := range im.report.Counts {
				rejected += n.Rejected
			}
			if rejected > 0 {
				return &importRejectedError{n: rejected}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "check everything and report what would be done, changing nothing")
	a.apiFlags(cmd.Flags())
	return cmd
}

// importer applies a manifest's rows through the admin API.
type importer struct {
	c        *adminclient.Client
	dryRun   bool
	report   importReport
	notices  []string // what the server noticed about the rows created, "<row>: <notice>"
	progress *progress.Bar

	users        map[string]map[string]bool   // contract → lower-case e-mails declared
	documents    map[string][]admin.Document  // contract → its documents
	newContracts map[string]admin.NewContract // dry run: contracts the import would create
	offers       map[string]bool              // dry run: the offers that exist
	accounts     map[string]bool              // dry run: the billing accounts that exist
}

// run applies the rows, contracts first, then users, then documents. It stops only when the
// server cannot be reached or answers something that is not the API's (a row's refusal is
// the row's outcome).
func (im *importer) run(ctx context.Context, m manifest) error {
	for _, kind := range importKinds {
		for _, r := range m.rows[kind] {
			outcome, reason, err := im.apply(ctx, r)
			if err != nil {
				if _, refused := errors.AsType[*adminclient.Error](err); !refused {
					return fmt.Errorf("import stopped at %s: %w", r.where, err)
				}
				outcome, reason = outcomeRejected, refusal(err)
			}
			im.record(r, outcome, reason)
			im.progress.Step(kind)
		}
	}
	return nil
}

// refusal is the reason a server refusal gives.
func refusal(err error) string {
	e, ok := errors.AsType[*adminclient.Error](err)
	if !ok {
		return err.Error()
	}
	desc := e.Description
	if desc == "" {
		desc = e.Message
	}
	if e.Code != 0 {
		return fmt.Sprintf("%s (%d/%d)", desc, e.Status, e.Code)
	}
	return fmt.Sprintf("%s (%d)", desc, e.Status)
}

func (im *importer) record(r importRow, outcome, reason string) {
	im.report.Rows = append(im.report.Rows, importResult{Kind: r.kind, Row: r.where, Key: r.key(), Outcome: outcome, Reason: reason})
	n := im.report.Counts[r.kind]
	switch outcome {
	case outcomeCreated:
		n.Created++
	case outcomeSkipped:
		n.Skipped++
	default:
		n.Rejected++
	}
	im.report.Counts[r.kind] = n
}

// apply applies one row and returns its outcome; an error is a refusal (the row is rejected)
// or a failure to reach the server (the import stops).
func (im *importer) apply(ctx context.Context, r importRow) (outcome, reason string, err error) {
	if r.err != nil {
		return outcomeRejected, r.err.Error(), nil
	}
	switch r.kind {
	case kindContracts:
		return im.contract(ctx, r)
	case kindUsers:
		return im.user(ctx, r)
	}
	return im.document(ctx, r)
}

func (im *importer) contract(ctx context.Context, r importRow) (string, string, error) {
	id := r.contract.ID
	if id == "" {
		return outcomeRejected, "id is required: an imported contract keeps its number, so that a re-run can skip it", nil
	}
	if _, ok := im.newContracts[id]; ok {
		return outcomeSkipped, "exists (earlier in this import)", nil
	}
	_, err := im.c.Contract(ctx, id)
	switch {
	case err == nil:
		return outcomeSkipped, "exists", nil
	case !adminclient.IsNotFound(err):
		return "", "", err
	}
	if im.dryRun {
		if reason, err := im.wouldRefuseContract(ctx, r.contract); err != nil || reason != "" {
			return outcomeRejected, reason, err
		}
		im.newContracts[id] = r.contract
		return outcomeCreated, "", nil
	}
	c, err := im.c.CreateContract(ctx, r.contract)
	im.notice(r, c.Notices)
	if err != nil {
		if adminclient.IsConflict(err) {
			if _, again := im.c.Contract(ctx, id); again == nil {
				return outcomeSkipped, "exists (created meanwhile)", nil
			}
		}
		return "", "", err
	}
	return outcomeCreated, "", nil
}

// notice keeps what the server noticed about a row it created, to print once the import is
// done (the progress bar owns the terminal's line until then).
func (im *importer) notice(r importRow, notices []string) {
	for _, n := range notices {
		im.notices = append(im.notices, r.where+": "+n)
	}
}

// wouldRefuseContract tells, in a dry run, the reasons a contract's creation would fail that
// reads can tell: an unknown offer or billing account. The server checks the rest.
func (im *importer) wouldRefuseContract(ctx context.Context, nc admin.NewContract) (string, error) {
	if im.offers == nil {
		offers, err := im.c.Offers(ctx)
		if err != nil {
			return "", err
		}
		im.offers = map[string]bool{}
		for _, o := range offers.Items {
			im.offers[o.ID] = true
		}
	}
	if im.accounts == nil {
		im.accounts = map[string]bool{}
		for page := (adminclient.Page{Limit: 1000}); ; page.Offset += page.Limit {
			list, err := im.c.BillingAccounts(ctx, "", page)
			if err != nil {
				return "", err
			}
			for _, b := range list.Items {
				im.accounts[b.ID] = true
			}
			if len(list.Items) == 0 || page.Offset+len(list.Items) >= list.Total {
				break
			}
		}
	}
	switch {
	case !im.offers[nc.OfferID]:
		return fmt.Sprintf("offer %q does not exist", nc.OfferID), nil
	case !im.accounts[nc.BillingAccountID]:
		return fmt.Sprintf("billing account %q does not exist", nc.BillingAccountID), nil
	}
	return "", nil
}

// contractKnown loads what the import needs of a contract (its users and documents). It
// returns a reason to reject the row when the row names no contract, and the server's
// refusal when the contract does not exist (in a dry run, one the import would create is
// known).
func (im *importer) contractKnown(ctx context.Context, contractID string) (string, error) {
	if contractID == "" {
		return "contractId is required", nil
	}
	if _, ok := im.users[contractID]; ok {
		return "", nil
	}
	if nc, ok := im.newContracts[contractID]; ok && im.dryRun {
		// Its referent would be declared with it.
		im.users[contractID], im.documents[contractID] = map[string]bool{strings.ToLower(nc.Referent.Email): true}, nil
		return "", nil
	}
	users, err := im.c.Users(ctx, contractID)
	if err != nil {
		return "", err
	}
	docs, err := im.listDocuments(ctx, contractID)
	if err != nil {
		return "", err
	}
	emails := map[string]bool{}
	for _, u := range users.Items {
		emails[strings.ToLower(u.Email)] = true
	}
	im.users[contractID], im.documents[contractID] = emails, docs
	return "", nil
}

func (im *importer) user(ctx context.Context, r importRow) (string, string, error) {
	if r.user.Email == "" {
		return outcomeRejected, "email is required: a user is recognised by their e-mail", nil
	}
	if reason, err := im.contractKnown(ctx, r.contractID); reason != "" || err != nil {
		return outcomeRejected, reason, err
	}
	email := strings.ToLower(r.user.Email)
	if im.users[r.contractID][email] {
		return outcomeSkipped, "already declared", nil
	}
	if !im.dryRun {
		u, err := im.c.AddUser(ctx, r.contractID, r.user)
		if err != nil {
			return "", "", err
		}
		im.notice(r, u.Notices)
	}
	im.users[r.contractID][email] = true
	return outcomeCreated, "", nil
}

func (im *importer) document(ctx context.Context, r importRow) (string, string, error) {
	if reason, err := im.contractKnown(ctx, r.contractID); reason != "" || err != nil {
		return outcomeRejected, reason, err
	}
	sum, size, err := fileDigest(r.file)
	if errors.Is(err, fs.ErrNotExist) {
		return outcomeRejected, fmt.Sprintf("file %s does not exist", r.fileName), nil
	}
	if err != nil {
		return outcomeRejected, fmt.Sprintf("file %s: %v", r.fileName, err), nil
	}
	docType := r.doc.Type
	if t, ok := eccs.ParseDocumentType(docType); ok {
		docType = string(t) // the server stores the canonical spelling
	}
	if outcome, reason, found := im.loaded(r, docType, sum); found {
		return outcome, reason, nil
	}
	if im.dryRun {
		// The same checker the server runs, so that a dry run finds the files it would refuse.
		f, err := openUpload(r.file)
		if err != nil {
			return outcomeRejected, err.Error(), nil
		}
		defer f.Close()
		if err := (docformat.Formats{}).Check(eccs.DocumentType(docType), f, size); err != nil {
			if de, ok := errors.AsType[*eccs.Error](err); ok {
				return outcomeRejected, de.Message, nil
			}
			return outcomeRejected, err.Error(), nil
		}
		im.documents[r.contractID] = append(im.documents[r.contractID], admin.Document{ID: r.doc.ID, DocumentType: docType, Period: r.doc.Period, Filename: r.doc.Filename, SHA256: sum})
		return outcomeCreated, "", nil
	}
	f, err := openUpload(r.file)
	if err != nil {
		return outcomeRejected, err.Error(), nil
	}
	defer f.Close()
	d, err := im.c.UploadDocument(ctx, r.contractID, r.doc, f)
	if r.doc.ID != "" && adminclient.IsConflict(err) {
		return im.idTaken(ctx, r, docType, sum, err)
	}
	if err != nil {
		return "", "", err
	}
	im.documents[r.contractID] = append(im.documents[r.contractID], d)
	return outcomeCreated, "", nil
}

// loaded tells whether a document row is already loaded, from the documents of its contract:
// the one with the row's id, if any, must be the row's (same type, period and file name, and
// the same file) or the row is rejected; otherwise the one of the same type, period and file
// name is the row's when the files are the same (SHA-256), and the row is rejected when they
// differ.
func (im *importer) loaded(r importRow, docType, sum string) (outcome, reason string, found bool) {
	same := func(d admin.Document) bool {
		return d.DocumentType == docType && d.Period == r.doc.Period && d.Filename == r.doc.Filename
	}
	sameFile := func(d admin.Document) (string, string) {
		if d.SHA256 == sum {
			if r.doc.ID != "" && d.ID != r.doc.ID {
				return outcomeSkipped, fmt.Sprintf("exists, as document %s (not %s)", d.ID, r.doc.ID)
			}
			return outcomeSkipped, "exists"
		}
		return outcomeRejected, fmt.Sprintf("a different file is already stored under this name (document %s); replace it with `eccsd admin documents replace %s %s %s`",
			d.ID, r.contractID, d.ID, r.file)
	}
	docs := im.documents[r.contractID]
	if r.doc.ID != "" {
		for _, d := range docs {
			if d.ID != r.doc.ID {
				continue
			}
			if !same(d) {
				return outcomeRejected, fmt.Sprintf("id %s is taken by another document of contract %s: %s %s %s", d.ID, r.contractID, d.DocumentType, d.Period, d.Filename), true
			}
			outcome, reason := sameFile(d)
			return outcome, reason, true
		}
	}
	for _, d := range docs {
		if same(d) {
			outcome, reason := sameFile(d)
			return outcome, reason, true
		}
	}
	return "", "", false
}

// idTaken is the outcome of a document row the server refused because its id is taken
// (refused): the row is already loaded when the document that has the id is the row's, created
// meanwhile; otherwise it is rejected with the reason.
func (im *importer) idTaken(ctx context.Context, r importRow, docType, sum string, refused error) (string, string, error) {
	docs, err := im.listDocuments(ctx, r.contractID)
	if err != nil {
		return "", "", err
	}
	im.documents[r.contractID] = docs
	if outcome, reason, found := im.loaded(r, docType, sum); found {
		if outcome == outcomeSkipped {
			reason += " (created meanwhile)"
		}
		return outcome, reason, nil
	}
	return outcomeRejected, fmt.Sprintf("id %s is taken by a document of another contract: %s", r.doc.ID, refusal(refused)), nil
}

// listDocuments returns every document of a contract.
func (im *importer) listDocuments(ctx context.Context, contractID string) ([]admin.Document, error) {
	var docs []admin.Document
	for page := (adminclient.Page{Limit: 1000}); ; page.Offset += page.Limit {
		list, err := im.c.Documents(ctx, contractID, page)
		if err != nil {
			return nil, err
		}
		docs = append(docs, list.Items...)
		if len(list.Items) == 0 || page.Offset+len(list.Items) >= list.Total {
			return docs, nil
		}
	}
}

// fileDigest returns the hex SHA-256 and size of a file, read as a stream.
func fileDigest(path string) (string, int64, error) {
	f, err := openUpload(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

func (a *adminCLI) printImportReport(r importReport) error {
	return a.print(r, func(w io.Writer) {
		if r.DryRun {
			fmt.Fprintf(w, "Dry run of %s: nothing was changed.\n", r.Source)
			fmt.Fprintln(w, "\tWOULD CREATE\tWOULD SKIP\tWOULD REJECT")
		} else {
			fmt.Fprintf(w, "Import of %s:\n", r.Source)
			fmt.Fprintln(w, "\tCREATED\tSKIPPED\tREJECTED")
		}
		for _, kind := range importKinds {
			n := r.Counts[kind]
			fmt.Fprintf(w, "%s\t%d\t%d\t%d\n", kind, n.Created, n.Skipped, n.Rejected)
		}
		first := true
		for _, row := range r.Rows {
			if row.Outcome != outcomeRejected {
				continue
			}
			if first {
				fmt.Fprintln(w, "\nRejected (nothing was changed for these rows):")
				first = false
			}
			fmt.Fprintf(w, "  %s (%s): %s\n", row.Row, row.Key, row.Reason)
		}
	})
}
