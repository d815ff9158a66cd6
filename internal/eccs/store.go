package eccs

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// Store persists the domain: one interface per noun, each declared beside its noun's service
// (ContractStore in contracts.go, DocumentStore in documents.go…). It holds no rules: the
// Service validates and authorises before it calls a Store, so every implementation behaves
// the same (internal/testkit/storetest checks that).
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

	CatalogStore
	PeopleStore
	AccountStore
	APIKeyStore
	ApplicationStore
	ContractStore
	DeclarationStore
	DocumentStore
	OperatorTokenStore
	ClaimStore
	GenerationStore
	AuditStore
	EventStore
	SignInStore
	JobStore
	MailStore
}

// Page selects a slice of a sorted list. Limit 0 means no limit.
type Page struct {
	Offset int
	Limit  int
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
