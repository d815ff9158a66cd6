package eccs

import "time"

// Customer is a company that holds contracts. Segment is a free market label ("int", "large", …).
type Customer struct {
	ID        string
	Name      string
	Segment   string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// BillingAccount is the account a customer is invoiced on; each contract is billed to one.
type BillingAccount struct {
	ID         string
	CustomerID string
	Name       string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Offer is a product sold under contract. ID is the offer code of POST /contract; SupportLevels
// lists the support level codes a new contract of this offer may choose, the first being the
// default. ContractType is the contractType of contracts ordered for it.
type Offer struct {
	ID            string
	Name          string
	ContractType  string
	SupportLevels []string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// AllowsSupportLevel reports whether level is one of the offer's support levels.
func (o Offer) AllowsSupportLevel(level string) bool {
	for _, l := range o.SupportLevels {
		if l == level {
			return true
		}
	}
	return false
}

// Identity is a person known to the customer space, with their own data: one identity per
// e-mail address (compared without case). Its login, names and phones are set by an operator
// (or, later, by the person); a person that only customers' callers have named so far has an
// e-mail and nothing else. A login, once set, names one identity (compared without case).
//
// On a contract, a person is shown as its customer knows them (Contact): Contract.Referent and
// User.Identity hold the contact record's data with the identity's id and e-mail.
type Identity struct {
	ID          string
	Login       string
	Email       string
	Civility    string
	LastName    string
	FirstName   string
	FixPhone    string
	MobilePhone string
	Language    string // of the person's mails: "fr", "en", or "" for the default (PreferredLanguage)
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// FullName is "First Last".
func (i Identity) FullName() string {
	switch {
	case i.FirstName == "":
		return i.LastName
	case i.LastName == "":
		return i.FirstName
	}
	return i.FirstName + " " + i.LastName
}

// Contact is a customer's record of a person: what that customer's callers (or an operator
// acting on that customer's contracts) said about them. It is shown on that customer's
// contracts only, and never changed, shown or reused for another customer. Login names one
// person within the customer (compared without case).
type Contact struct {
	CustomerID  string
	IdentityID  string
	Login       string
	Civility    string
	LastName    string
	FirstName   string
	FixPhone    string
	MobilePhone string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// As returns the person as this record shows them: the identity's id and e-mail with the
// record's login, names and phones.
func (c Contact) As(id Identity) Identity {
	return Identity{
		ID: id.ID, Email: id.Email, Login: c.Login, Civility: c.Civility, LastName: c.LastName,
		FirstName: c.FirstName, FixPhone: c.FixPhone, MobilePhone: c.MobilePhone,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

// Contract is a customer's subscription to an offer, billed to a billing account. The Offer*,
// Customer* and Referent fields are read from the rows they name; CreateContract stores only
// the ids.
type Contract struct {
	ID               string
	Name             string
	Type             string
	OfferID          string
	OfferName        string
	BillingAccountID string
	CustomerID       string
	CustomerName     string
	CustomerSegment  string
	PlatformID       string
	SupportLevel     string
	Referent         Identity // as the contract's customer knows them (Contact.As)
	ReferenceExt     [3]string
	ClosedAt         time.Time // zero while the contract is open
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Closed reports whether the contract was closed: it stays visible with its documents, but
// takes no new user and no change.
func (c Contract) Closed() bool { return !c.ClosedAt.IsZero() }

// Declaration puts an identity on a contract with a role per section.
type Declaration struct {
	ContractID string
	IdentityID string
	Roles      Roles
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// AccountType is the kind of customer-space account.
type AccountType string

// The account types.
const (
	AccountClient        AccountType = "client"
	AccountAdministrator AccountType = "administrator"
)

// Perimeter is what an administrator account sees: every contract whose billing account AND
// offer are both listed.
type Perimeter struct {
	BillingAccountIDs []string
	OfferIDs          []string
}

// Covers reports whether a contract billed to billingAccountID for offerID is in the perimeter.
// Stores filter lists with the same rule (ContractFilter.PerimeterOf).
func (p Perimeter) Covers(billingAccountID, offerID string) bool {
	return contains(p.BillingAccountIDs, billingAccountID) && contains(p.OfferIDs, offerID)
}

// Account is a customer-space login. A client account sees the contracts its identity is
// declared on; an administrator account sees its perimeter, with manager everywhere.
type Account struct {
	ID         string
	Type       AccountType
	IdentityID string
	Perimeter  Perimeter // administrator accounts only
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// APIKey names an account on every resource call (X-API-Key). Only a keyed hash of the key is
// stored; Prefix is its first characters, for people to recognise it.
type APIKey struct {
	ID           string
	AccountID    string
	Hash         string
	Prefix       string
	CreatedAt    time.Time
	ExpiresAt    time.Time
	RevokedAt    time.Time // zero while the key is valid
	LastUsedAt   time.Time
	LastUsedFrom string
	ReplacedBy   string // the id of the key a rotation issued to replace this one
}

// ApplicationStatus is the state of a developer application.
type ApplicationStatus string

// The application statuses. Suspended and deleted applications get no token and their tokens
// are refused; blocked applications are refused on resource calls with "Forbidden requester".
const (
	ApplicationActive    ApplicationStatus = "active"
	ApplicationSuspended ApplicationStatus = "suspended"
	ApplicationBlocked   ApplicationStatus = "blocked"
	ApplicationDeleted   ApplicationStatus = "deleted"
)

// SubscriptionState is the state of an application's subscription to the Customer Space API.
type SubscriptionState string

// The subscription states. Only an approved subscription with accepted terms gives access.
const (
	SubscriptionNone      SubscriptionState = "none"
	SubscriptionPending   SubscriptionState = "pending"
	SubscriptionApproved  SubscriptionState = "approved"
	SubscriptionRejected  SubscriptionState = "rejected"
	SubscriptionSuspended SubscriptionState = "suspended"
)

// Application is a developer application: it obtains bearer tokens with its client id and
// secret. Only keyed hashes of secrets are stored. During a secret rotation the previous secret
// keeps working until PreviousSecretExpiresAt, and so do the tokens issued with it; after, they
// are refused. SecretVersion counts the rotations: tokens carry the version of the secret they
// were issued with.
type Application struct {
	ID                      string
	ClientID                string
	Name                    string
	SecretHash              string
	PreviousSecretHash      string
	PreviousSecretExpiresAt time.Time
	SecretVersion           int64
	Status                  ApplicationStatus
	Subscription            SubscriptionState
	TermsAcceptedAt         time.Time // zero until the terms are accepted
	TermsAcceptedBy         string    // who accepted them, as the operator recorded it
	CreatedAt               time.Time
	UpdatedAt               time.Time
}

// Document is a billing document of a contract. Amount is in cents of Currency. The bytes live
// in the BlobStore under BlobKey; SHA256 is their hex digest.
type Document struct {
	ID          string
	ContractID  string
	Type        DocumentType
	Filename    string
	Period      string // YYYYMM, the month the document covers
	Amount      int64
	Currency    string
	ContentType string
	Size        int64
	SHA256      string
	BlobKey     string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// OperatorToken authenticates an operator on the admin API. Only a keyed hash of the token is
// stored; Prefix is its first characters, for people to recognise it.
type OperatorToken struct {
	ID         string
	Name       string
	Hash       string
	Prefix     string
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never
	RevokedAt  time.Time
	LastUsedAt time.Time
}

// ClaimKind is what a claim link reveals.
type ClaimKind string

// The claim kinds.
const (
	ClaimAPIKey       ClaimKind = "api_key"
	ClaimClientSecret ClaimKind = "client_secret"
)

// Claim is a one-time link that reveals a secret. The secret is stored sealed with a key
// derived from the link's token, which is not stored (only its keyed hash is): the database
// alone cannot reveal it, and taking the claim deletes it.
type Claim struct {
	ID        string
	Hash      string
	Kind      ClaimKind
	ObjectID  string // the API key or application whose secret it reveals
	Sealed    []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

// ActorType is the kind of who made a change.
type ActorType string

// The actor types.
const (
	ActorOperator ActorType = "operator" // an operator token (ID is the token's id)
	ActorAccount  ActorType = "account"  // a customer-space account (ID is the account's id)
	ActorPerson   ActorType = "person"   // a person in the web space (ID is the identity's id)
	ActorSystem   ActorType = "system"   // the server itself: dev seed, bootstrap
)

// AuditEvent records one change: who, what, when, and the request that made it. Details hold
// what changed, never a secret.
type AuditEvent struct {
	ID            string
	At            time.Time
	ActorType     ActorType
	ActorID       string
	ApplicationID string // the application behind the token, for changes made through the customer API
	RequestID     string
	Action        string // e.g. "contract.create", "api_key.revoke"
	ObjectType    string // e.g. "contract"
	ObjectID      string
	Details       map[string]string
}
