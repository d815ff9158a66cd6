package eccs

import (
	"context"
	"fmt"
	"io"
	"time"
)

// MayReadDocuments returns a Forbidden error unless the access includes a role on the
// contract's documents section (step 6 of the checks for the document calls).
func MayReadDocuments(a Access) error {
	if a.roles.Documents == RoleNone {
		return Errorf(Forbidden, "This API key has no role on the documents of contract %s.", a.contract.ID)
	}
	return nil
}

// Documents returns one page of the documents of the contract that the access's role may see,
// newest first, and how many there are in all. types nil selects every type the role allows;
// a non-nil types selects those of them the role allows (none for an empty slice). Errors:
// Forbidden without a role on the documents section.
func (s *Service) Documents(ctx context.Context, a Access, types []DocumentType, page Page) ([]Document, int, error) {
	if err := MayReadDocuments(a); err != nil {
		return nil, 0, err
	}
	visible := VisibleDocumentTypes(a.roles.Documents)
	if types != nil {
		var allowed []DocumentType
		for _, t := range types {
			if a.roles.Documents >= t.RequiredRole() {
				allowed = append(allowed, t)
			}
		}
		visible = allowed
	}
	if len(visible) == 0 {
		return []Document{}, 0, nil
	}
	list, total, err := s.store.Documents(ctx, DocumentFilter{ContractID: a.contract.ID, Types: visible, Page: page})
	if err != nil {
		return nil, 0, fmt.Errorf("list documents: %w", err)
	}
	return list, total, nil
}

// OpenDocument returns a document of the contract and its bytes, which the caller must close.
// Errors: Forbidden as for Documents; NotFound when the contract has no such document or the
// role may not see its type (the two answer alike); Internal when the bytes are missing from
// the blob store.
func (s *Service) OpenDocument(ctx context.Context, a Access, documentID string) (Document, Blob, error) {
	if err := MayReadDocuments(a); err != nil {
		return Document{}, nil, err
	}
	c := a.contract
	absent := Errorf(NotFound, "Contract %s has no document %s.", c.ID, documentID)
	d, err := s.store.Document(ctx, c.ID, documentID)
	if IsNotFound(err) {
		return Document{}, nil, absent
	}
	if err != nil {
		return Document{}, nil, fmt.Errorf("find document: %w", err)
	}
	if a.roles.Documents < d.Type.RequiredRole() {
		return Document{}, nil, absent
	}
	b, err := s.blobs.Open(ctx, d.BlobKey)
	if IsNotFound(err) {
		return Document{}, nil, fmt.Errorf("document %s of contract %s has no bytes under %q: %w", d.ID, c.ID, d.BlobKey, Errorf(Internal, "document bytes missing"))
	}
	if err != nil {
		return Document{}, nil, fmt.Errorf("open document %s: %w", d.ID, err)
	}
	return d, b, nil
}

// NewDocument describes a document an operator adds to a contract.
type NewDocument struct {
	ContractID  string
	Type        DocumentType
	Filename    string
	Period      string
	Amount      int64 // cents
	Currency    string
	ContentType string
	// CreatedAt, when set, is the document's creation time (documents loaded from another
	// billing system keep theirs); otherwise now.
	CreatedAt time.Time
}

// AddDocument stores a document's bytes, then its metadata, and returns the document. The
// bytes are durably stored before the document becomes visible; if writing the metadata fails
// the bytes are deleted. Errors: Invalid for bad metadata, NotFound for an unknown contract.
func (s *Service) AddDocument(ctx context.Context, nd NewDocument, content io.Reader) (Document, error) {
	if err := nd.validate(); err != nil {
		return Document{}, err
	}
	if _, err := s.store.Contract(ctx, nd.ContractID); err != nil {
		return Document{}, fmt.Errorf("add document: %w", err)
	}
	id, err := s.newID()
	if err != nil {
		return Document{}, err
	}
	key := fmt.Sprintf("contracts/%s/%s", nd.ContractID, id)
	size, digest, err := s.blobs.Put(ctx, key, content)
	if err != nil {
		return Document{}, fmt.Errorf("store document bytes: %w", err)
	}
	now := s.now()
	created := now
	if !nd.CreatedAt.IsZero() {
		created = nd.CreatedAt.UTC().Truncate(time.Microsecond)
	}
	d := Document{
		ID: id, ContractID: nd.ContractID, Type: nd.Type, Filename: nd.Filename, Period: nd.Period,
		Amount: nd.Amount, Currency: nd.Currency, ContentType: nd.ContentType, Size: size,
		SHA256: digest, BlobKey: key, CreatedAt: created, UpdatedAt: created,
	}
	if err := s.store.CreateDocument(ctx, d); err != nil {
		// The row is not there, so nobody can reach the bytes: remove them. A failure here
		// leaves an orphan blob, never a document without bytes.
		_ = s.blobs.Delete(context.WithoutCancel(ctx), key)
		return Document{}, fmt.Errorf("add document: %w", err)
	}
	return d, nil
}

func (nd NewDocument) validate() error {
	if _, ok := ParseDocumentType(string(nd.Type)); !ok || string(nd.Type) == "consumptionRatedReports" {
		return invalidField("type", "type %q is not a document type.", nd.Type)
	}
	switch {
	case !ValidContractID(nd.ContractID):
		return invalidField("contractId", "contractId %q is not a contract number.", nd.ContractID)
	case !validFilename(nd.Filename):
		return invalidField("filename", "filename must be 1 to 200 characters without '/', '\\', '\"', control characters or a leading dot.")
	case !ValidPeriod(nd.Period):
		return invalidField("period", "period %q must be a month as YYYYMM.", nd.Period)
	case !ValidCurrency(nd.Currency):
		return invalidField("currency", "currency %q must be an ISO 4217 code such as EUR.", nd.Currency)
	case nd.ContentType == "":
		return missingField("contentType", "contentType is required.")
	}
	return nil
}

// validFilename reports whether name is safe to send in Content-Disposition and to write on a
// client's disk.
func validFilename(name string) bool {
	if !ValidText(name, 200) || name[0] == '.' {
		return false
	}
	for _, r := range name {
		if r == '/' || r == '\\' || r == '"' || r == ';' {
			return false
		}
	}
	return true
}
