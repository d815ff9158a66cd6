package eccs

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// DocumentService holds the rules of documents: who reads them, their files, their upload.
type DocumentService struct {
	*base
}

// DocumentStore keeps the rows of documents (their bytes are in a BlobStore).
type DocumentStore interface {
	CreateDocument(ctx context.Context, d Document) error
	// Document returns the document id of contract contractID.
	Document(ctx context.Context, contractID, id string) (Document, error)
	// Documents returns one page of the documents that f selects, sorted by period then
	// creation time, newest first, and how many it selects in all.
	Documents(ctx context.Context, f DocumentFilter) ([]Document, int, error)
	// UpdateDocument replaces every field of document d.ID of contract d.ContractID but its
	// id, contract and creation time; NotFound if that contract has no such document.
	UpdateDocument(ctx context.Context, d Document) error
	// AccountDocuments returns one page of the documents that f selects across contracts,
	// sorted as Documents sorts them, and how many it selects in all.
	AccountDocuments(ctx context.Context, f AccountDocumentFilter) ([]Document, int, error)
	// DeleteDocument removes document id of contract contractID; NotFound if none.
	DeleteDocument(ctx context.Context, contractID, id string) error
	// BlobKeys returns the blob key of every document, in no order (SweepBlobs reads them).
	BlobKeys(ctx context.Context) ([]string, error)
}

// DocumentReader is an Access that may read its contract's documents: Documents and
// OpenDocument take one, and only MayReadDocuments makes one, so the rule runs once, at the
// point of the transport's checks where the wire puts it (step 6 of the document calls, before
// their parameters are read).
type DocumentReader struct{ access Access }

// MayReadDocuments returns a DocumentReader of the access, or a Forbidden error unless the
// access includes a role on the contract's documents section.
func MayReadDocuments(a Access) (DocumentReader, error) {
	if a.roles.Documents == RoleNone {
		return DocumentReader{}, Errorf(Forbidden, "This API key has no role on the documents of contract %s.", a.contract.ID)
	}
	return DocumentReader{access: a}, nil
}

// Documents returns one page of the documents of the contract that the access's role may see,
// newest first, and how many there are in all. types nil selects every type the role allows;
// a non-nil types selects those of them the role allows (none for an empty slice).
func (s *DocumentService) Documents(ctx context.Context, r DocumentReader, types []DocumentType, page Page) ([]Document, int, error) {
	return s.DocumentsOfPeriod(ctx, r, types, "", page)
}

// DocumentsOfPeriod is Documents narrowed to the documents of one period (YYYYMM) when period
// is set. Errors: Invalid (Field "period") for a period that is not a month.
func (s *DocumentService) DocumentsOfPeriod(ctx context.Context, r DocumentReader, types []DocumentType, period string, page Page) ([]Document, int, error) {
	if period != "" && !ValidPeriod(period) {
		return nil, 0, invalidField("period", "A period is a month written YYYYMM, such as 202605.")
	}
	a := r.access
	visible := allowedDocumentTypes(a.roles.Documents, types)
	if len(visible) == 0 {
		return []Document{}, 0, nil
	}
	list, total, err := s.cachedDocuments(ctx, DocumentFilter{ContractID: a.contract.ID, Types: visible, Period: period, Page: page})
	if err != nil {
		return nil, 0, fmt.Errorf("list documents: %w", err)
	}
	return list, total, nil
}

// allowedDocumentTypes returns the types of documents that role may see among types, or
// every type it may see when types is nil.
func allowedDocumentTypes(role Role, types []DocumentType) []DocumentType {
	if types == nil {
		return VisibleDocumentTypes(role)
	}
	var allowed []DocumentType
	for _, t := range types {
		if role != RoleNone && role >= t.RequiredRole() {
			allowed = append(allowed, t)
		}
	}
	return allowed
}

// AccountDocuments returns one page of the documents of every contract acct sees and may read
// the documents of, each as its role there allows, of one period (YYYYMM) when period is set,
// newest first (period, creation time, id, all descending), and how many there are in all: the
// documents that DocumentsOfPeriod would list for each contract, with the DocumentReader that
// ContractAccess and MayReadDocuments give. types nil selects every type the roles allow; a
// non-nil types selects those of them the roles allow. One store query answers, whatever the
// number of contracts. Errors: Invalid (Field "period") for a period that is not a month.
func (s *DocumentService) AccountDocuments(ctx context.Context, acct Account, types []DocumentType, period string, page Page) ([]Document, int, error) {
	if period != "" && !ValidPeriod(period) {
		return nil, 0, invalidField("period", "A period is a month written YYYYMM, such as 202605.")
	}
	f := AccountDocumentFilter{Period: period, Page: page}
	switch acct.Type {
	case AccountAdministrator:
		// An administrator is manager on every section of the contracts its perimeter covers.
		f.PerimeterOf, f.Types = acct.ID, allowedDocumentTypes(ManagerEverywhere.Documents, types)
	case AccountClient:
		// ContractAccess shows a client the contracts where it holds a role on the contracts
		// section; MayReadDocuments wants a role on the documents section, which decides the
		// types.
		f.DeclaredIdentityID, f.MinContractsRole = acct.IdentityID, RoleVisitor
		f.TypesByRole = map[Role][]DocumentType{}
		for _, role := range []Role{RoleVisitor, RoleManager} {
			if allowed := allowedDocumentTypes(role, types); len(allowed) > 0 {
				f.TypesByRole[role] = allowed
			}
		}
	default:
		return nil, 0, fmt.Errorf("list documents: account of unknown type %q", acct.Type)
	}
	list, total, err := s.store.AccountDocuments(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("list documents: %w", err)
	}
	return list, total, nil
}

// OpenDocument returns a document of the contract and its bytes, which the caller must close.
// Errors: NotFound when the contract has no such document or the role may not see its type
// (the two answer alike); Internal when the bytes are missing from the blob store.
func (s *DocumentService) OpenDocument(ctx context.Context, r DocumentReader, documentID string) (Document, Blob, error) {
	a := r.access
	c := a.contract
	absent := Errorf(NotFound, "Contract %s has no document %s.", c.ID, documentID)
	if !ValidDocumentID(documentID) { // no document has such an id: nothing to look up
		return Document{}, nil, absent
	}
	d, cached, err := s.cachedDocument(ctx, c.ID, documentID)
	if err == nil && cached && a.roles.Documents >= d.Type.RequiredRole() {
		b, openErr := s.blobs.Open(ctx, d.BlobKey)
		if openErr == nil {
			return d, b, nil
		}
		if !IsNotFound(openErr) {
			return Document{}, nil, fmt.Errorf("open document %s: %w", d.ID, openErr)
		}
		// The cached row may name bytes that another process replaced, and deleted, since it
		// was read: the row in the store has the right ones.
		d, err = s.store.Document(ctx, c.ID, documentID)
	}
	if IsNotFound(err) {
		return Document{}, nil, absent
	}
	if err != nil {
		return Document{}, nil, fmt.Errorf("find document: %w", err)
	}
	if a.roles.Documents < d.Type.RequiredRole() {
		return Document{}, nil, absent
	}
	return s.openBlob(ctx, d)
}

// Formats knows the file formats of the document types (doc/wire.md §6): the server checks every
// uploaded file against its type's format.
type Formats interface {
	// Check returns an Invalid *Error (Field "file") when the size bytes of r break the format
	// of documents of type t, and another error when they cannot be read.
	Check(t DocumentType, r io.ReaderAt, size int64) error
	// ContentType returns the media type files of type t are served with.
	ContentType(t DocumentType) string
	// Extension returns the file name extension of type t, with its dot.
	Extension(t DocumentType) string
}

// NewDocument describes a document an operator adds to a contract.
type NewDocument struct {
	// ID, when set, is the document's id instead of a random one: documents loaded from
	// another billing system may keep their ids (ValidDocumentID).
	ID         string
	ContractID string
	Type       DocumentType
	Filename   string // default <contract>_<period>_<type><extension>
	Period     string
	Amount     int64 // cents
	Currency   string
	// CreatedAt, when set, is the document's creation time (documents loaded from another
	// billing system keep theirs); otherwise now.
	CreatedAt time.Time
}

// AddDocument checks a file against the format of its type, stores its bytes, then its
// metadata, and returns the document. The bytes are durably stored before the document
// becomes visible; if writing the metadata fails they are deleted. Errors: Invalid for bad
// metadata or a file that breaks its format (the message says what is wrong and where),
// NotFound for an unknown contract.
func (s *DocumentService) AddDocument(ctx context.Context, nd NewDocument, content io.ReaderAt, size int64) (Document, error) {
	if nd.Filename == "" && ValidPeriod(nd.Period) {
		nd.Filename = fmt.Sprintf("%s_%s_%s%s", nd.ContractID, nd.Period, nd.Type, s.formats.Extension(nd.Type))
	}
	if err := nd.validate(); err != nil {
		return Document{}, err
	}
	if _, err := s.store.Contract(ctx, nd.ContractID); err != nil {
		return Document{}, fmt.Errorf("add document: %w", err)
	}
	if err := s.checkFile(nd.Type, content, size); err != nil {
		return Document{}, err
	}
	id := nd.ID
	if id == "" {
		var err error
		if id, err = s.newID(); err != nil {
			return Document{}, err
		}
	}
	key, digest, stored, err := s.putBlob(ctx, nd.ContractID, id, content, size)
	if err != nil {
		return Document{}, err
	}
	created := s.now()
	if !nd.CreatedAt.IsZero() {
		created = nd.CreatedAt.UTC().Truncate(time.Microsecond)
	}
	d := Document{
		ID: id, ContractID: nd.ContractID, Type: nd.Type, Filename: nd.Filename, Period: nd.Period,
		Amount: nd.Amount, Currency: nd.Currency, ContentType: s.formats.ContentType(nd.Type), Size: stored,
		SHA256: digest, BlobKey: key, CreatedAt: created, UpdatedAt: created,
	}
	err = s.change(ctx, "document.add", "contract", func(tx Store) (string, map[string]string, error) {
		return d.ContractID, documentDetails(d), tx.CreateDocument(ctx, d)
	})
	if err != nil {
		// The row is not there, so nobody can reach the bytes: remove them. A failure here
		// leaves an orphan blob, never a document without bytes.
		_ = s.blobs.Delete(context.WithoutCancel(ctx), key)
		return Document{}, fmt.Errorf("add document: %w", err)
	}
	return d, nil
}

func documentDetails(d Document) map[string]string {
	return map[string]string{"document": d.ID, "type": string(d.Type), "period": d.Period, "filename": d.Filename,
		"amount": fmt.Sprintf("%d.%02d", d.Amount/100, abs(d.Amount%100)), "currency": d.Currency, "sha256": d.SHA256}
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// checkFile checks size bytes of r against the format of type t.
func (s *DocumentService) checkFile(t DocumentType, r io.ReaderAt, size int64) error {
	if size <= 0 {
		return invalidField("file", "The file is empty.")
	}
	err := s.formats.Check(t, r, size)
	if err != nil && ErrorCode(err) != Invalid {
		return fmt.Errorf("check the file: %w", err)
	}
	return err
}

// putBlob stores a document's bytes under a new key and returns the key, the digest and the
// size stored.
func (s *DocumentService) putBlob(ctx context.Context, contractID, documentID string, content io.ReaderAt, size int64) (string, string, int64, error) {
	suffix, err := randomString(s.random, blobSuffixLen, lowerBase32)
	if err != nil {
		return "", "", 0, err
	}
	// A fresh key per version: replacing a document never overwrites bytes being downloaded.
	key := documentBlobKey(contractID, documentID, suffix)
	stored, digest, err := s.blobs.Put(ctx, key, io.NewSectionReader(content, 0, size), size)
	if err != nil {
		return "", "", 0, fmt.Errorf("store document bytes: %w", err)
	}
	if stored != size {
		_ = s.blobs.Delete(context.WithoutCancel(ctx), key)
		return "", "", 0, Errorf(Invalid, "The file has %d bytes, not the %d announced.", stored, size)
	}
	return key, digest, stored, nil
}

// blobSuffixLen is the length of the random suffix that makes each version's blob key new.
const blobSuffixLen = 8

// documentBlobKey is where the bytes of one version of a document are stored:
// contracts/<contract>/<document id>-<suffix>, suffix blobSuffixLen random lower-case base32
// characters.
func documentBlobKey(contractID, documentID, suffix string) string {
	return "contracts/" + contractID + "/" + documentID + "-" + suffix
}

// ParseDocumentBlobKey returns the contract and document of a key of the shape
// documentBlobKey makes; ok is false for any other key (a file eccs did not write).
func ParseDocumentBlobKey(key string) (contractID, documentID string, ok bool) {
	rest, found := strings.CutPrefix(key, "contracts/")
	if !found {
		return "", "", false
	}
	contractID, name, found := strings.Cut(rest, "/")
	dash := strings.LastIndexByte(name, '-') // ids may hold '-'; the suffix never does
	if !found || dash < 0 || !ValidContractID(contractID) {
		return "", "", false
	}
	documentID, suffix := name[:dash], name[dash+1:]
	if !ValidDocumentID(documentID) || len(suffix) != blobSuffixLen || strings.Trim(suffix, lowerBase32) != "" {
		return "", "", false
	}
	return contractID, documentID, true
}

// OperatorDocument returns any document of a contract and its bytes, for an operator; the
// caller closes them. Errors: NotFound; Internal when the bytes are missing.
func (s *DocumentService) OperatorDocument(ctx context.Context, contractID, documentID string) (Document, Blob, error) {
	d, err := s.store.Document(ctx, contractID, documentID)
	if err != nil {
		return Document{}, nil, err
	}
	return s.openBlob(ctx, d)
}

// openBlob opens the bytes of document d; their absence is an internal error.
func (s *DocumentService) openBlob(ctx context.Context, d Document) (Document, Blob, error) {
	b, err := s.blobs.Open(ctx, d.BlobKey)
	if IsNotFound(err) {
		return Document{}, nil, fmt.Errorf("document %s of contract %s has no bytes under %q: %w", d.ID, d.ContractID, d.BlobKey, Errorf(Internal, "document bytes missing"))
	}
	if err != nil {
		return Document{}, nil, fmt.Errorf("open document %s: %w", d.ID, err)
	}
	return d, b, nil
}

// OperatorDocuments returns one page of every document of a contract, newest first.
func (s *DocumentService) OperatorDocuments(ctx context.Context, contractID string, p Page) ([]Document, int, error) {
	if _, err := s.store.Contract(ctx, contractID); err != nil {
		return nil, 0, err
	}
	return s.store.Documents(ctx, DocumentFilter{ContractID: contractID, Types: DocumentTypes, Page: p})
}

// FindDocument returns the documents of a contract with this type, period and filename (at
// most one in practice): bulk imports use it to skip what they already loaded.
func (s *DocumentService) FindDocument(ctx context.Context, contractID string, t DocumentType, period, filename string) ([]Document, error) {
	list, _, err := s.store.Documents(ctx, DocumentFilter{ContractID: contractID, Types: []DocumentType{t}, Period: period, Filename: filename})
	return list, err
}

// DocumentUpdate changes a document's metadata; nil fields are left as they are.
type DocumentUpdate struct {
	Filename *string
	Period   *string
	Amount   *int64
	Currency *string
}

// ReplaceDocument replaces a document's bytes (checked against its type's format) and,
// optionally, its metadata. Downloads already running finish with the old bytes. Errors:
// NotFound; Invalid for a bad file or value.
func (s *DocumentService) ReplaceDocument(ctx context.Context, contractID, documentID string, u DocumentUpdate, content io.ReaderAt, size int64) (Document, error) {
	current, err := s.store.Document(ctx, contractID, documentID)
	if err != nil {
		return Document{}, fmt.Errorf("replace document: %w", err)
	}
	if err := s.checkFile(current.Type, content, size); err != nil {
		return Document{}, err
	}
	key, digest, stored, err := s.putBlob(ctx, contractID, documentID, content, size)
	if err != nil {
		return Document{}, err
	}
	var d, old Document
	err = s.change(ctx, "document.replace", "contract", func(tx Store) (string, map[string]string, error) {
		// Read again in the transaction: the bytes to delete are those this change replaces.
		var err error
		if old, err = tx.Document(ctx, contractID, documentID); err != nil {
			return "", nil, err
		}
		d = old
		if u.Filename != nil {
			d.Filename = *u.Filename
		}
		if u.Period != nil {
			d.Period = *u.Period
		}
		if u.Amount != nil {
			d.Amount = *u.Amount
		}
		if u.Currency != nil {
			d.Currency = *u.Currency
		}
		nd := NewDocument{ContractID: d.ContractID, Type: d.Type, Filename: d.Filename, Period: d.Period, Amount: d.Amount, Currency: d.Currency}
		if err := nd.validate(); err != nil {
			return "", nil, err
		}
		d.BlobKey, d.SHA256, d.Size, d.UpdatedAt = key, digest, stored, s.now()
		return contractID, documentDetails(d), tx.UpdateDocument(ctx, d)
	})
	if err != nil {
		_ = s.blobs.Delete(context.WithoutCancel(ctx), key)
		return Document{}, fmt.Errorf("replace document: %w", err)
	}
	// The old bytes are unreachable now; an open download keeps its file handle.
	_ = s.blobs.Delete(context.WithoutCancel(ctx), old.BlobKey)
	return d, nil
}

// DeleteDocument removes a document, then its bytes. Errors: NotFound.
func (s *DocumentService) DeleteDocument(ctx context.Context, contractID, documentID string) error {
	var d Document
	err := s.change(ctx, "document.delete", "contract", func(tx Store) (string, map[string]string, error) {
		var err error
		if d, err = tx.Document(ctx, contractID, documentID); err != nil {
			return "", nil, err
		}
		return contractID, documentDetails(d), tx.DeleteDocument(ctx, contractID, documentID)
	})
	if err != nil {
		return fmt.Errorf("delete document: %w", err)
	}
	_ = s.blobs.Delete(context.WithoutCancel(ctx), d.BlobKey)
	return nil
}

func (nd NewDocument) validate() error {
	if nd.ID != "" && !ValidDocumentID(nd.ID) {
		return invalidField("id", "A document id is 1 to 64 letters, digits, '.', '_' or '-' (not %q).", nd.ID)
	}
	if t, ok := ParseDocumentType(string(nd.Type)); !ok || t != nd.Type {
		return invalidField("type", "type %q is not a document type (bills, invoices, reports, partialBills, comsumptionRatedReports, partialConsumptionRatedReports).", nd.Type)
	}
	switch {
	case !ValidContractID(nd.ContractID):
		return invalidField("contractId", "contractId %q is not a contract number.", nd.ContractID)
	case !ValidPeriod(nd.Period):
		return invalidField("period", "period %q must be a month as YYYYMM.", nd.Period)
	case !validFilename(nd.Filename):
		return invalidField("filename", "filename must be 1 to 200 characters without '/', '\\', '\"', ';', control or bidirectional control characters, or a leading dot.")
	case !ValidCurrency(nd.Currency):
		return invalidField("currency", "currency %q must be an ISO 4217 code such as EUR.", nd.Currency)
	case nd.Amount < -1e15 || nd.Amount > 1e15:
		return invalidField("amount", "amount is out of range.")
	}
	return nil
}

// validFilename reports whether name is safe to send in Content-Disposition and to write on a
// client's disk: no path separator, quote or ';', no leading dot, and no bidirectional
// control character (U+202A to U+202E, U+2066 to U+2069), with which "invoice" U+202E
// "fdp.exe" shows as "invoiceexe.pdf".
func validFilename(name string) bool {
	if !ValidText(name, 200) || name[0] == '.' {
		return false
	}
	for _, r := range name {
		if r == '/' || r == '\\' || r == '"' || r == ';' || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			return false
		}
	}
	return true
}

// DocumentFilter selects the documents of one contract whose type is in Types, narrowed to
// one Period and one Filename when those are set.
type DocumentFilter struct {
	ContractID string
	Types      []DocumentType
	Period     string
	Filename   string
	Page
}

// AccountDocumentFilter selects documents across the contracts an account sees. Exactly one
// of PerimeterOf and DeclaredIdentityID is set: the documents, of a type in Types, of the
// contracts covered by that account's perimeter (as Perimeter.Covers defines); or the
// documents of the contracts on which that identity is declared with at least
// MinContractsRole on the contracts section, of a type that TypesByRole lists for its role on
// the documents section (a role it does not list selects nothing). Period, when set, narrows
// to one period.
type AccountDocumentFilter struct {
	PerimeterOf        string
	Types              []DocumentType
	DeclaredIdentityID string
	MinContractsRole   Role
	TypesByRole        map[Role][]DocumentType
	Period             string
	Page
}
