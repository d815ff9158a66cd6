package main

// The manifest of `eccsd admin import`: manifest.json, or contracts.csv, users.csv and
// documents.csv. Reading it checks its shape only (JSON syntax, CSV headers); a row whose
// values cannot even be read (a bad date, unparsable roles) keeps its problem in row.err and
// is rejected without a call. The values themselves are the server's to judge.

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/adminclient"
	"github.com/eccs/eccs/internal/eccs"
)

// The kinds of rows, in the order the import applies them.
const (
	kindContracts = "contracts"
	kindUsers     = "users"
	kindDocuments = "documents"
)

var importKinds = []string{kindContracts, kindUsers, kindDocuments}

// importRow is one row of the manifest.
type importRow struct {
	kind  string
	where string // "manifest.json contracts #2", "users.csv line 3"
	err   error  // a value that could not be read: the row is rejected as is

	contract   admin.NewContract // contracts
	contractID string            // users, documents: the contract they belong to
	user       admin.NewUser     // users
	doc        adminclient.DocumentMeta
	file       string // documents: the file's path
	fileName   string // documents: the file as the manifest names it, for messages
}

// key names what a row is about, for the report: a contract number, an e-mail, a file name.
func (r importRow) key() string {
	switch r.kind {
	case kindContracts:
		return r.contract.ID
	case kindUsers:
		return r.contractID + " " + r.user.Email
	}
	return r.contractID + " " + r.doc.Filename
}

// manifest is every row to import, by kind.
type manifest struct {
	source string // what was read, for messages
	rows   map[string][]importRow
}

// readManifest reads DIR/manifest.json or, when there is none, DIR/contracts.csv,
// DIR/users.csv and DIR/documents.csv (any of them). Document files are relative to dir.
func readManifest(dir string) (manifest, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return manifest{}, fmt.Errorf("import folder: %w", err)
	}
	if !fi.IsDir() {
		return manifest{}, fmt.Errorf("import folder %s is not a directory", dir)
	}
	m := manifest{rows: map[string][]importRow{}}
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	switch {
	case err == nil:
		m.source = "manifest.json"
		return m, m.readJSON(dir, data)
	case !errors.Is(err, fs.ErrNotExist):
		return manifest{}, fmt.Errorf("manifest: %w", err)
	}
	var found []string
	for _, kind := range importKinds {
		name := kind + ".csv"
		data, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return manifest{}, fmt.Errorf("manifest: %w", err)
		}
		found = append(found, name)
		if m.rows[kind], err = readCSV(dir, kind, name, data); err != nil {
			return manifest{}, err
		}
	}
	if len(found) == 0 {
		return manifest{}, fmt.Errorf("%s holds no manifest: write manifest.json, or any of contracts.csv, users.csv and documents.csv", dir)
	}
	m.source = strings.Join(found, ", ")
	return m, nil
}

// The JSON manifest: {"contracts": [...], "users": [...], "documents": [...]}.
type manifestJSON struct {
	Contracts []json.RawMessage `json:"contracts"`
	Users     []json.RawMessage `json:"users"`
	Documents []json.RawMessage `json:"documents"`
}

// userJSON is a user row: the contract and the fields of admin.NewUser.
type userJSON struct {
	ContractID string `json:"contractId"`
	admin.NewUser
}

// documentJSON is a document row. Period and amount may be written as JSON numbers. ID, when
// set, is the document's id (such as the one another billing system gave it).
type documentJSON struct {
	ID         string   `json:"id,omitempty"`
	ContractID string   `json:"contractId"`
	Type       string   `json:"type"`
	Period     flexText `json:"period"`
	Amount     flexText `json:"amount"`
	Currency   string   `json:"currency"`
	Filename   string   `json:"filename"`
	File       string   `json:"file"`
	CreatedAt  string   `json:"createdAt"`
}

// flexText is a JSON string, or a number kept as written (1234.56 stays "1234.56").
type flexText string

func (f *flexText) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] != '"' {
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return errors.New("want a string or a number")
		}
		*f = flexText(n)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*f = flexText(s)
	return nil
}

func (m *manifest) readJSON(dir string, data []byte) error {
	var top manifestJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(&top)
	if err == nil {
		// A second object after the first (two manifests pasted together) would otherwise be
		// dropped without a word.
		if _, tokErr := dec.Token(); tokErr != io.EOF {
			err = errors.New("data after the JSON object")
		}
	}
	if err != nil {
		return fmt.Errorf("manifest.json: %w (want {\"contracts\": [...], \"users\": [...], \"documents\": [...]})", err)
	}
	for i, raw := range top.Contracts {
		r := importRow{kind: kindContracts, where: fmt.Sprintf("manifest.json contracts #%d", i+1)}
		r.err = strictJSON(raw, &r.contract)
		m.rows[kindContracts] = append(m.rows[kindContracts], r)
	}
	for i, raw := range top.Users {
		r := importRow{kind: kindUsers, where: fmt.Sprintf("manifest.json users #%d", i+1)}
		var u userJSON
		r.err = strictJSON(raw, &u)
		r.contractID, r.user = u.ContractID, u.NewUser
		m.rows[kindUsers] = append(m.rows[kindUsers], r)
	}
	for i, raw := range top.Documents {
		r := importRow{kind: kindDocuments, where: fmt.Sprintf("manifest.json documents #%d", i+1)}
		var d documentJSON
		r.err = strictJSON(raw, &d)
		if r.err == nil {
			r.err = r.setDocument(dir, d)
		}
		m.rows[kindDocuments] = append(m.rows[kindDocuments], r)
	}
	return nil
}

// strictJSON decodes one row, refusing members it does not know (a typo would otherwise drop
// a value silently).
func strictJSON(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("the row cannot be read: %w", err)
	}
	return nil
}

// setDocument fills a document row. Without a filename, the document takes the file's own
// name: the name is what a re-run recognises it by.
func (r *importRow) setDocument(dir string, d documentJSON) error {
	r.contractID = d.ContractID
	r.doc = adminclient.DocumentMeta{ID: d.ID, Type: d.Type, Period: string(d.Period), Amount: string(d.Amount), Currency: d.Currency, Filename: d.Filename}
	if d.ID != "" && !eccs.ValidDocumentID(d.ID) {
		return fmt.Errorf("id %q: a document id is 1 to %d of A-Z a-z 0-9 . _ -", d.ID, eccs.MaxDocumentIDLen)
	}
	if d.File == "" {
		return errors.New("file is required: the path of the document's file, relative to the import folder")
	}
	r.file, r.fileName = d.File, d.File
	if !filepath.IsAbs(r.file) {
		r.file = filepath.Join(dir, filepath.FromSlash(d.File))
	}
	if r.doc.Filename == "" {
		r.doc.Filename = filepath.Base(r.file)
	}
	if d.CreatedAt != "" {
		t, err := time.Parse(time.RFC3339, d.CreatedAt)
		if err != nil {
			return fmt.Errorf("createdAt %q is not an RFC 3339 time such as 2024-04-02T08:00:00Z", d.CreatedAt)
		}
		r.doc.CreatedAt = t
	}
	return nil
}

// The columns of each CSV file: the JSON member names, with the referent's fields flattened
// and the three external references numbered.
var csvColumns = map[string][]string{
	kindContracts: {"id", "name", "offerId", "billingAccountId", "supportLevel", "contractType", "platformId",
		"referentCivility", "referentLastName", "referentFirstName", "referentEmail", "referentFixPhone", "referentMobilePhone",
		"referentLogin", "referenceExt1", "referenceExt2", "referenceExt3", "createdAt"},
	kindUsers:     {"contractId", "civility", "lastName", "firstName", "email", "fixPhone", "mobilePhone", "login", "roles"},
	kindDocuments: {"id", "contractId", "type", "period", "amount", "currency", "filename", "file", "createdAt"},
}

// readCSV reads one CSV file of the manifest; its separator is ';' or ',', whichever its
// header uses.
func readCSV(dir, kind, name string, data []byte) ([]importRow, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // spreadsheets write a byte-order mark
	header, _, _ := bytes.Cut(data, []byte("\n"))
	sep := ','
	if bytes.Count(header, []byte(";")) > bytes.Count(header, []byte(",")) {
		sep = ';'
	}
	cr := csv.NewReader(bufio.NewReader(bytes.NewReader(data)))
	cr.Comma = sep
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.TrimSpace(h)
		if !slices.Contains(csvColumns[kind], h) {
			return nil, fmt.Errorf("%s: unknown column %q; the columns are %s", name, h, strings.Join(csvColumns[kind], string(sep)))
		}
		if _, dup := col[h]; dup {
			return nil, fmt.Errorf("%s: column %q appears twice", name, h)
		}
		col[h] = i
	}
	var rows []importRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		r := importRow{kind: kind, where: fmt.Sprintf("%s line %d", name, line)}
		if len(rec) != len(head) {
			r.err = fmt.Errorf("the line has %d fields, the header %d", len(rec), len(head))
			rows = append(rows, r)
			continue
		}
		v := func(name string) string {
			if i, ok := col[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		switch kind {
		case kindContracts:
			r.err = r.setContractCSV(v)
		case kindUsers:
			r.contractID = v("contractId")
			r.user = admin.NewUser{Login: v("login"), Person: admin.Person{
				Civility: v("civility"), LastName: v("lastName"), FirstName: v("firstName"), Email: v("email"),
				FixPhone: v("fixPhone"), MobilePhone: v("mobilePhone"),
			}}
			if roles := v("roles"); roles != "" {
				r.user.Roles, r.err = parseRoles(roles, "|")
			}
		case kindDocuments:
			r.err = r.setDocument(dir, documentJSON{
				ID: v("id"), ContractID: v("contractId"), Type: v("type"), Period: flexText(v("period")), Amount: flexText(v("amount")),
				Currency: v("currency"), Filename: v("filename"), File: v("file"), CreatedAt: v("createdAt"),
			})
		}
		rows = append(rows, r)
	}
}

func (r *importRow) setContractCSV(v func(string) string) error {
	c := admin.NewContract{
		ID: v("id"), Name: v("name"), OfferID: v("offerId"), BillingAccountID: v("billingAccountId"),
		SupportLevel: v("supportLevel"), ContractType: v("contractType"), PlatformID: v("platformId"),
		ReferentLogin: v("referentLogin"),
		Referent: admin.Person{
			Civility: v("referentCivility"), LastName: v("referentLastName"), FirstName: v("referentFirstName"),
			Email: v("referentEmail"), FixPhone: v("referentFixPhone"), MobilePhone: v("referentMobilePhone"),
		},
	}
	refs := []string{v("referenceExt1"), v("referenceExt2"), v("referenceExt3")}
	for len(refs) > 0 && refs[len(refs)-1] == "" {
		refs = refs[:len(refs)-1]
	}
	c.ReferenceExt = refs
	r.contract = c
	if s := v("createdAt"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return fmt.Errorf("createdAt %q is not an RFC 3339 time such as 2021-03-01T00:00:00Z", s)
		}
		r.contract.CreatedAt = t
	}
	return nil
}
