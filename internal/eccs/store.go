package eccs

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// Store persists the domain. It holds no rules: the Service validates and authorises before it
// calls a Store, so every implementation behaves the same (internal/storetest checks that).
//
// Lookups return a NotFound *Error when nothing matches, never a zero value and a nil error.
// Creations return a Conflict *Error when a unique key (id, e-mail, login, client id, key hash,
// declaration) is taken. A Store returns Unavailable when its database is down or busy past its
// timeout.
type Store interface {
	// InTx runs fn in one transaction, passing a Store bound to it; fn's error rolls back. fn
	// must return after any error of the Store: on PostgreSQL a failed statement aborts the
	// transaction.
	InTx(ctx context.Context, fn func(tx Store) error) error
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error

	CreateCustomer(ctx context.Context, c Customer) error
	Customer(ctx context.Context, id string) (Customer, error)
	// Customers returns one page of the customers sorted by id, and how many there are.
	Customers(ctx context.Context, p Page) ([]Customer, int, error)
	// UpdateCustomer replaces the name, segment and update time of customer c.ID.
	UpdateCustomer(ctx context.Context, c Customer) error
	CreateBillingAccount(ctx context.Context, b BillingAccount) error
	BillingAccount(ctx context.Context, id string) (BillingAccount, error)
	// BillingAccounts returns one page of the billing accounts of customerID ("" for all)
	// sorted by id, and how many there are.
	BillingAccounts(ctx context.Context, customerID string, p Page) ([]BillingAccount, int, error)
	// UpdateBillingAccount replaces the name and update time of billing account b.ID.
	UpdateBillingAccount(ctx context.Context, b BillingAccount) error
	CreateOffer(ctx context.Context, o Offer) error
	Offer(ctx context.Context, id string) (Offer, error)
	// Offers returns every offer sorted by id.
	Offers(ctx context.Context) ([]Offer, error)
	// UpdateOffer replaces the name, contract type, support levels and update time of o.ID.
	UpdateOffer(ctx context.Context, o Offer) error

	// CreateIdentity stores i; an empty Login is no login (several identities may have none).
	CreateIdentity(ctx context.Context, i Identity) error
	Identity(ctx context.Context, id string) (Identity, error)
	// IdentityByEmail and IdentityByLogin compare without regard to case; IdentityByLogin of ""
	// is NotFound.
	IdentityByEmail(ctx context.Context, email string) (Identity, error)
	IdentityByLogin(ctx context.Context, login string) (Identity, error)
	// UpdateIdentity replaces the e-mail, login, civility, names, phones and update time of
	// identity i.ID; Conflict when the e-mail or the login belongs to another identity.
	UpdateIdentity(ctx context.Context, i Identity) error

	// CreateContact stores c; Conflict when the customer already has a record of the identity,
	// or a record of another identity with the same login (compared without case).
	CreateContact(ctx context.Context, c Contact) error
	// Contact returns customerID's record of identityID.
	Contact(ctx context.Context, customerID, identityID string) (Contact, error)
	// ContactByLogin returns customerID's record whose login is login, without regard to case.
	ContactByLogin(ctx context.Context, customerID, login string) (Contact, error)

	// NextContractNumber returns a number never returned by a committed call before, starting
	// at 1, even under concurrent calls and across processes sharing the database. Called in a
	// transaction, the increment commits or rolls back with it.
	NextContractNumber(ctx context.Context) (int64, error)
	CreateContract(ctx context.Context, c Contract) error
	Contract(ctx context.Context, id string) (Contract, error)
	// Contracts returns one page of the contracts that f selects, sorted by id, and how many
	// it selects in all.
	Contracts(ctx context.Context, f ContractFilter) ([]Contract, int, error)
	// UpdateContract replaces every field of contract c.ID but its id, offer, billing account
	// and creation time (the referent by c.Referent.ID).
	UpdateContract(ctx context.Context, c Contract) error

	CreateDeclaration(ctx context.Context, d Declaration) error
	Declaration(ctx context.Context, contractID, identityID string) (Declaration, error)
	// Declarations returns the declarations of identityID, sorted by contract id.
	Declarations(ctx context.Context, identityID string) ([]Declaration, error)
	// Users returns the identities declared on contractID with their roles, each as the
	// contract's customer records them (Contact.As), sorted by that login (empty for an unknown
	// contract).
	Users(ctx context.Context, contractID string) ([]User, error)
	// UpdateDeclaration replaces the roles and update time of the declaration of d.IdentityID
	// on d.ContractID.
	UpdateDeclaration(ctx context.Context, d Declaration) error
	// DeleteDeclaration removes the declaration of identityID on contractID; NotFound if none.
	DeleteDeclaration(ctx context.Context, contractID, identityID string) error

	CreateAccount(ctx context.Context, a Account) error
	Account(ctx context.Context, id string) (Account, error)
	// Accounts returns one page of the accounts sorted by id, and how many there are.
	Accounts(ctx context.Context, p Page) ([]Account, int, error)
	// AccountsOf returns the accounts of identityID, sorted by id (none for an unknown one).
	AccountsOf(ctx context.Context, identityID string) ([]Account, error)
	// UpdateAccount replaces the perimeter and update time of account a.ID.
	UpdateAccount(ctx context.Context, a Account) error

	CreateAPIKey(ctx context.Context, k APIKey) error
	APIKey(ctx context.Context, id string) (APIKey, error)
	APIKeyByHash(ctx context.Context, hash string) (APIKey, error)
	// APIKeys returns one page of the keys f selects, sorted by expiry then id, and how many
	// it selects in all.
	APIKeys(ctx context.Context, f APIKeyFilter) ([]APIKey, int, error)
	// UpdateAPIKey replaces the expiry, revocation and successor (ReplacedBy) of key k.ID (last
	// use is TouchAPIKey's).
	UpdateAPIKey(ctx context.Context, k APIKey) error
	// TouchAPIKey sets the last use of key id, and nothing else: it runs beside operators'
	// changes to the same key and must not undo them.
	TouchAPIKey(ctx context.Context, id string, at time.Time, from string) error

	CreateApplication(ctx context.Context, a Application) error
	// UpdateApplication replaces every field of application a.ID but its id, client id and
	// creation time.
	UpdateApplication(ctx context.Context, a Application) error
	Application(ctx context.Context, id string) (Application, error)
	ApplicationByClientID(ctx context.Context, clientID string) (Application, error)
	// Applications returns one page of the applications sorted by id, and how many there are.
	Applications(ctx context.Context, p Page) ([]Application, int, error)

	CreateDocument(ctx context.Context, d Document) error
	// Document returns the document id of contract contractID.
	Document(ctx context.Context, contractID, id string) (Document, error)
	// Documents returns one page of the documents that f selects, sorted by period then
	// creation time, newest first, and how many it selects in all.
	Documents(ctx context.Context, f DocumentFilter) ([]Document, int, error)
	// UpdateDocument replaces every field of document d.ID of contract d.ContractID but its
	// id, contract and creation time; NotFound if that contract has no such document.
	UpdateDocument(ctx context.Context, d Document) error
	// DeleteDocument removes document id of contract contractID; NotFound if none.
	DeleteDocument(ctx context.Context, contractID, id string) error

	CreateOperatorToken(ctx context.Context, t OperatorToken) error
	OperatorToken(ctx context.Context, id string) (OperatorToken, error)
	OperatorTokenByHash(ctx context.Context, hash string) (OperatorToken, error)
	// OperatorTokens returns every operator token sorted by creation time.
	OperatorTokens(ctx context.Context) ([]OperatorToken, error)
	// UpdateOperatorToken replaces the name, expiry and revocation of token t.ID (last use is
	// TouchOperatorToken's).
	UpdateOperatorToken(ctx context.Context, t OperatorToken) error
	// TouchOperatorToken sets the last use of token id, and nothing else.
	TouchOperatorToken(ctx context.Context, id string, at time.Time) error

	CreateClaim(ctx context.Context, c Claim) error
	// TakeClaim deletes the claim whose hash is hash and returns it, atomically: two
	// concurrent calls never both get it. It takes expired claims too (the caller checks
	// ExpiresAt). NotFound if there is none.
	TakeClaim(ctx context.Context, hash string) (Claim, error)
	// Claim returns the claim whose hash is hash without taking it, expired ones too (the
	// caller checks ExpiresAt). NotFound if there is none.
	Claim(ctx context.Context, hash string) (Claim, error)
	// DeleteClaims removes the claims that expire at or before t and returns how many.
	DeleteClaims(ctx context.Context, t time.Time) (int, error)

	// Generation returns the change generation: a number every recorded change increments
	// (BumpGeneration, in the change's transaction). Processes compare it to know when their
	// caches are stale. 0 before the first change.
	Generation(ctx context.Context) (int64, error)
	// BumpGeneration increments the change generation.
	BumpGeneration(ctx context.Context) error

	// AppendAudit stores an audit event.
	AppendAudit(ctx context.Context, e AuditEvent) error
	// AuditEvents returns one page of the events f selects, newest first, and how many it
	// selects in all.
	AuditEvents(ctx context.Context, f AuditFilter) ([]AuditEvent, int, error)
}

// Page selects a slice of a sorted list. Limit 0 means no limit.
type Page struct {
	Offset int
	Limit  int
}

// ContractFilter selects contracts. Exactly one of DeclaredIdentityID, PerimeterOf and All is
// set: the contracts on which that identity is declared, the contracts covered by that
// account's perimeter (as Perimeter.Covers defines), or every contract (for operators). With
// All, CustomerID, BillingAccountID and OfferID narrow the list when set. A filter with none
// of the three is an error: a forgotten field must never list every contract.
type ContractFilter struct {
	DeclaredIdentityID string
	PerimeterOf        string
	All                bool
	CustomerID         string
	BillingAccountID   string
	OfferID            string
	Page
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

// APIKeyFilter selects API keys: of one account when AccountID is set; expiring before
// ExpiringBefore when it is set; revoked and expired keys only when IncludeInactive is set
// (inactive at Now).
type APIKeyFilter struct {
	AccountID       string
	ExpiringBefore  time.Time
	IncludeInactive bool
	Now             time.Time
	Page
}

// AuditFilter selects audit events: by actor, by object, and in [Since, Until) when those are
// set.
type AuditFilter struct {
	ActorType  ActorType
	ActorID    string
	ObjectType string
	ObjectID   string
	Since      time.Time
	Until      time.Time
	Page
}

// BlobStore keeps document bytes. Put is durable when it returns: a document row is written
// only after its bytes are stored, so a listed document always has its bytes.
type BlobStore interface {
	// Put stores everything r yields under key, replacing nothing: it returns a Conflict
	// *Error if key exists, and Invalid for a key CheckBlobKey refuses. size is what r will
	// yield, or -1 when unknown. It returns the size and hex SHA-256 of what it stored.
	Put(ctx context.Context, key string, r io.Reader, size int64) (stored int64, sha256 string, err error)
	// Open returns the bytes under key for reading and seeking; NotFound if there are none.
	Open(ctx context.Context, key string) (Blob, error)
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// Blob is stored bytes being read.
type Blob interface {
	io.ReadSeekCloser
	Size() int64
	ModTime() time.Time
}

// MaxBlobKeyLen is the longest blob key, in bytes.
const MaxBlobKeyLen = 512

// CheckBlobKey returns an Invalid error unless key is a valid blob key: '/'-separated segments
// of A-Z a-z 0-9 '.' '_' '-', none empty, '.' or '..', at most MaxBlobKeyLen bytes. Every
// BlobStore refuses other keys, so that no key can climb out of a directory or a prefix.
func CheckBlobKey(key string) error {
	invalid := func(why string) error {
		return Errorf(Invalid, "Blob key %q is invalid: %s.", key, why)
	}
	if key == "" {
		return invalid("it is empty")
	}
	if len(key) > MaxBlobKeyLen {
		return invalid(fmt.Sprintf("it is longer than %d bytes", MaxBlobKeyLen))
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch seg {
		case "":
			return invalid("it has an empty segment (a leading, trailing or doubled '/')")
		case ".", "..":
			return invalid("it has a '.' or '..' segment")
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
				return invalid("segments are made of A-Z a-z 0-9 '.' '_' '-'")
			}
		}
	}
	return nil
}
