package eccs

import (
	"context"
	"io"
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
	CreateBillingAccount(ctx context.Context, b BillingAccount) error
	BillingAccount(ctx context.Context, id string) (BillingAccount, error)
	CreateOffer(ctx context.Context, o Offer) error
	Offer(ctx context.Context, id string) (Offer, error)

	CreateIdentity(ctx context.Context, i Identity) error
	// IdentityByEmail and IdentityByLogin compare without regard to case.
	IdentityByEmail(ctx context.Context, email string) (Identity, error)
	IdentityByLogin(ctx context.Context, login string) (Identity, error)

	// NextContractNumber returns a number never returned by a committed call before, starting
	// at 1, even under concurrent calls and across processes sharing the database. Called in a
	// transaction, the increment commits or rolls back with it.
	NextContractNumber(ctx context.Context) (int64, error)
	CreateContract(ctx context.Context, c Contract) error
	Contract(ctx context.Context, id string) (Contract, error)
	// Contracts returns one page of the contracts that f selects, sorted by id, and how many
	// it selects in all.
	Contracts(ctx context.Context, f ContractFilter) ([]Contract, int, error)

	CreateDeclaration(ctx context.Context, d Declaration) error
	Declaration(ctx context.Context, contractID, identityID string) (Declaration, error)

	CreateAccount(ctx context.Context, a Account) error
	Account(ctx context.Context, id string) (Account, error)

	CreateAPIKey(ctx context.Context, k APIKey) error
	APIKeyByHash(ctx context.Context, hash string) (APIKey, error)

	CreateApplication(ctx context.Context, a Application) error
	// UpdateApplication replaces every field of application a.ID but its id, client id and
	// creation time.
	UpdateApplication(ctx context.Context, a Application) error
	Application(ctx context.Context, id string) (Application, error)
	ApplicationByClientID(ctx context.Context, clientID string) (Application, error)

	CreateDocument(ctx context.Context, d Document) error
	// Document returns the document id of contract contractID.
	Document(ctx context.Context, contractID, id string) (Document, error)
	// Documents returns one page of the documents that f selects, sorted by period then
	// creation time, newest first, and how many it selects in all.
	Documents(ctx context.Context, f DocumentFilter) ([]Document, int, error)
}

// Page selects a slice of a sorted list. Limit 0 means no limit.
type Page struct {
	Offset int
	Limit  int
}

// ContractFilter selects contracts. Exactly one of DeclaredIdentityID and PerimeterOf is set:
// the contracts on which that identity is declared, or the contracts covered by that account's
// perimeter (as Perimeter.Covers defines).
type ContractFilter struct {
	DeclaredIdentityID string
	PerimeterOf        string
	Page
}

// DocumentFilter selects the documents of one contract whose type is in Types.
type DocumentFilter struct {
	ContractID string
	Types      []DocumentType
	Page
}

// BlobStore keeps document bytes. Put is durable when it returns: a document row is written
// only after its bytes are stored, so a listed document always has its bytes.
type BlobStore interface {
	// Put stores everything r yields under key, replacing nothing: it returns a Conflict
	// *Error if key exists. It returns the size and hex SHA-256 of what it stored.
	Put(ctx context.Context, key string, r io.Reader) (size int64, sha256 string, err error)
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
