// Package admin holds the wire types of the eccs admin API (/admin/v1), which operators use to
// load customers, contracts and documents, manage accounts, API keys and applications, and read
// the audit trail. `eccsd admin …` drives it. Errors use the gateway envelope of the customer
// API (api.Error). Conventions are those of package api: camelCase members, RFC 3339 UTC
// dates, absent optional values omitted.
package admin

import (
	_ "embed"
	"time"
)

// OpenAPI is the OpenAPI 3 description of the admin API, served at /admin/v1/openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte

// BasePath is the path under which the admin API lives.
const BasePath = "/admin/v1"

// ClaimPath is the public path of claim links: ClaimPath + "/" + token.
const ClaimPath = "/claim"

// List is a page of items with the total the filter selects.
type List[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

// Customer is a company that holds contracts.
type Customer struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Segment   string    `json:"segment"`
	CreatedAt time.Time `json:"createdAt,omitzero"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
}

// CustomerUpdate changes a customer; absent members are left as they are.
type CustomerUpdate struct {
	Name    *string `json:"name,omitempty"`
	Segment *string `json:"segment,omitempty"`
}

// BillingAccount is an account a customer is invoiced on.
type BillingAccount struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customerId"`
	Name       string    `json:"name"`
	CreatedAt  time.Time `json:"createdAt,omitzero"`
	UpdatedAt  time.Time `json:"updatedAt,omitzero"`
}

// BillingAccountUpdate renames a billing account.
type BillingAccountUpdate struct {
	Name string `json:"name"`
}

// Offer is a product sold under contract, with the support levels a contract may choose (the
// first is the default).
type Offer struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	ContractType  string    `json:"contractType"`
	SupportLevels []string  `json:"supportLevels"`
	CreatedAt     time.Time `json:"createdAt,omitzero"`
	UpdatedAt     time.Time `json:"updatedAt,omitzero"`
}

// OfferUpdate changes an offer; absent members are left as they are.
type OfferUpdate struct {
	Name          *string  `json:"name,omitempty"`
	ContractType  *string  `json:"contractType,omitempty"`
	SupportLevels []string `json:"supportLevels,omitempty"`
}

// Person is someone's personal data: a contract's referent, an account holder, a user.
type Person struct {
	Civility    string `json:"civility,omitempty"`
	LastName    string `json:"lastName"`
	FirstName   string `json:"firstName"`
	Email       string `json:"email"`
	FixPhone    string `json:"fixPhone,omitempty"`
	MobilePhone string `json:"mobilePhone,omitempty"`
}

// Identity is a person known to the customer space, with their login.
type Identity struct {
	ID    string `json:"id"`
	Login string `json:"login"`
	Person
}

// Roles holds a role per section: "manager", "visitor", or "" (none).
type Roles struct {
	Contracts string `json:"contracts,omitempty"`
	Documents string `json:"documents,omitempty"`
	Users     string `json:"users,omitempty"`
}

// NewContract creates a contract. Without ID, the next "OCB" + 7 digits number is allocated;
// without SupportLevel or ContractType, the offer's defaults apply. The referent is declared
// with manager on every section; ReferentLogin is used when their identity is new.
type NewContract struct {
	ID               string    `json:"id,omitempty"`
	Name             string    `json:"name"`
	OfferID          string    `json:"offerId"`
	BillingAccountID string    `json:"billingAccountId"`
	SupportLevel     string    `json:"supportLevel,omitempty"`
	ContractType     string    `json:"contractType,omitempty"`
	PlatformID       string    `json:"platformId,omitempty"`
	Referent         Person    `json:"referent"`
	ReferentLogin    string    `json:"referentLogin,omitempty"`
	ReferenceExt     []string  `json:"referenceExt,omitempty"` // at most 3
	CreatedAt        time.Time `json:"createdAt,omitzero"`     // for contracts loaded from another system
	// Customer and BillingAccountName onboard a customer in one call: the customer is created
	// if it does not exist yet, and the billing account (BillingAccountID, named
	// BillingAccountName) for it likewise. An existing billing account must be Customer's.
	Customer           *Customer `json:"customer,omitempty"`
	BillingAccountName string    `json:"billingAccountName,omitempty"`
}

// Contract is a contract as operators see it.
type Contract struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	ContractType     string    `json:"contractType"`
	OfferID          string    `json:"offerId"`
	OfferName        string    `json:"offerName"`
	BillingAccountID string    `json:"billingAccountId"`
	CustomerID       string    `json:"customerId"`
	CustomerName     string    `json:"customerName"`
	SupportLevel     string    `json:"supportLevel"`
	PlatformID       string    `json:"platformId,omitempty"`
	Referent         Identity  `json:"referent"`
	ReferenceExt     []string  `json:"referenceExt,omitempty"`
	ClosedAt         time.Time `json:"closedAt,omitzero"`
	CreatedAt        time.Time `json:"createdAt"`
	UpdatedAt        time.Time `json:"updatedAt"`
	// Notices, in the answer to a creation, say where the data sent about the referent
	// differs from what eccs kept (a known person keeps their own data).
	Notices []string `json:"notices,omitempty"`
}

// ContractUpdate changes a contract; absent members are left as they are.
type ContractUpdate struct {
	Name         *string  `json:"name,omitempty"`
	ContractType *string  `json:"contractType,omitempty"`
	PlatformID   *string  `json:"platformId,omitempty"` // "" removes it
	SupportLevel *string  `json:"supportLevel,omitempty"`
	ReferenceExt []string `json:"referenceExt,omitempty"` // replaces all three
}

// ReferentChange makes a user already declared on the contract its referent.
type ReferentChange struct {
	Email          string `json:"email"`
	RemovePrevious bool   `json:"removePrevious,omitempty"`
}

// NewUser declares a user on a contract. Roles are keyed by section ("contracts",
// "documents", "users"), each holding "manager" or "visitor", as in the customer API.
type NewUser struct {
	Person
	Login string              `json:"login"`
	Roles map[string][]string `json:"roles"`
}

// User is an identity declared on a contract, with its roles, as the contract's customer
// records them.
type User struct {
	Identity
	Roles Roles `json:"roles"`
	// Notices, in the answer to a declaration, say where the data sent differs from what
	// eccs kept.
	Notices []string `json:"notices,omitempty"`
}

// RolesChange replaces a user's roles on a contract (same shape as NewUser.Roles).
type RolesChange struct {
	Roles map[string][]string `json:"roles"`
}

// The account types.
const (
	AccountClient        = "client"
	AccountAdministrator = "administrator"
)

// Perimeter is what an administrator account sees: the contracts whose billing account AND
// offer are both listed.
type Perimeter struct {
	BillingAccountIDs []string `json:"billingAccountIds"`
	OfferIDs          []string `json:"offerIds"`
}

// NewAccount creates a customer-space account for a person (their identity is reused when
// their e-mail is known). Perimeter is for administrator accounts only. IssueKey, when set,
// issues the account's API key in the same step (the answer's IssuedKey); Invite, when set,
// invites the holder to choose their password for the web space (the answer's Invitation).
// One call does one or the other, not both.
type NewAccount struct {
	Type      string             `json:"type"`
	Person    Person             `json:"person"`
	Login     string             `json:"login,omitempty"`
	Perimeter *Perimeter         `json:"perimeter,omitempty"`
	IssueKey  *KeyRequest        `json:"issueKey,omitempty"`
	Invite    *InvitationRequest `json:"invite,omitempty"`
}

// InvitationRequest invites an account's holder to choose their password for the web space.
// Language, when set ("fr" or "en"), becomes the language of the person's mails.
type InvitationRequest struct {
	Language string `json:"language,omitempty"`
}

// Invitation is an invitation made. The link goes to the person by mail (event
// person.invited); it is never in an answer.
type Invitation struct {
	LinkID     string    `json:"linkId"`
	AccountID  string    `json:"accountId"`
	IdentityID string    `json:"identityId"`
	Email      string    `json:"email"`
	Language   string    `json:"language"`
	ExpiresAt  time.Time `json:"expiresAt"`
}

// Account is a customer-space account.
type Account struct {
	ID        string     `json:"id"`
	Type      string     `json:"type"`
	Identity  Identity   `json:"identity"`
	Perimeter *Perimeter `json:"perimeter,omitempty"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
	// In the answer to a creation: where the data sent differs from what eccs kept, the key
	// issued with the account (NewAccount.IssueKey) and the invitation (NewAccount.Invite).
	Notices    []string    `json:"notices,omitempty"`
	IssuedKey  *IssuedKey  `json:"issuedKey,omitempty"`
	Invitation *Invitation `json:"invitation,omitempty"`
}

// PersonUpdate changes a person's own data; absent members are left as they are, and ""
// clears an optional one (civility, phones). Customers' records of the person stay theirs.
type PersonUpdate struct {
	Email       *string `json:"email,omitempty"`
	Login       *string `json:"login,omitempty"`
	Civility    *string `json:"civility,omitempty"`
	LastName    *string `json:"lastName,omitempty"`
	FirstName   *string `json:"firstName,omitempty"`
	FixPhone    *string `json:"fixPhone,omitempty"`
	MobilePhone *string `json:"mobilePhone,omitempty"`
}

// KeyRequest issues an API key. TTL is a Go duration ("17520h"; default two years). With
// ClaimLink, the answer holds a one-time claim link instead of the key, valid ClaimTTL
// (default "24h").
type KeyRequest struct {
	TTL       string `json:"ttl,omitempty"`
	ClaimLink bool   `json:"claimLink,omitempty"`
	ClaimTTL  string `json:"claimTtl,omitempty"`
}

// KeyRotation rotates an API key: the old key keeps working for Overlap (a Go duration;
// default "0s": not at all); the new key is tuned as by KeyRequest.
type KeyRotation struct {
	Overlap string `json:"overlap,omitempty"`
	KeyRequest
}

// APIKey is an API key as operators see it (never the key itself).
type APIKey struct {
	ID           string    `json:"id"`
	AccountID    string    `json:"accountId"`
	Prefix       string    `json:"prefix"`
	CreatedAt    time.Time `json:"createdAt"`
	ExpiresAt    time.Time `json:"expiresAt"`
	RevokedAt    time.Time `json:"revokedAt,omitzero"`
	LastUsedAt   time.Time `json:"lastUsedAt,omitzero"`
	LastUsedFrom string    `json:"lastUsedFrom,omitempty"`
}

// IssuedKey answers the issue or rotation of a key: the key in clear, shown once, or a claim
// link that reveals it once.
type IssuedKey struct {
	APIKey APIKey `json:"apiKey"`
	Key    string `json:"key,omitempty"`
	Claim  *Claim `json:"claim,omitempty"`
}

// Claim is a one-time link that reveals a secret.
type Claim struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// ClaimInfo is what a claim link reveals, told without revealing it (GET of the link with
// Accept: application/json): a program checks that it can use the secret before it takes it.
type ClaimInfo struct {
	Kind      string    `json:"kind"` // "api_key" or "client_secret"
	ObjectID  string    `json:"objectId"`
	ExpiresAt time.Time `json:"expiresAt"`
	BaseURL   string    `json:"baseUrl"` // the server the link belongs to
	// For an API key: the account it names, its type and its holder.
	AccountID   string `json:"accountId,omitempty"`
	AccountType string `json:"accountType,omitempty"`
	HolderName  string `json:"holderName,omitempty"`
	HolderEmail string `json:"holderEmail,omitempty"`
	// For a client secret: the application and its client id.
	ApplicationName string `json:"applicationName,omitempty"`
	ClientID        string `json:"clientId,omitempty"`
}

// ClaimedSecret is what a claim link reveals.
type ClaimedSecret struct {
	Kind     string `json:"kind"` // "api_key" or "client_secret"
	ObjectID string `json:"objectId"`
	Secret   string `json:"secret"`
	ClientID string `json:"clientId,omitempty"` // for a client secret
	// Where to use it: the server that revealed it (what eccs login --base-url and the SDK
	// take), its token URL (BaseURL + api.TokenPath) and its API base (BaseURL + api.BasePath).
	BaseURL    string `json:"baseUrl"`
	TokenURL   string `json:"tokenUrl"`
	APIBaseURL string `json:"apiBaseUrl"`
	// NextCommand is the eccs login command that saves it in a profile. It holds no secret:
	// eccs login asks for the client secret and the API key.
	NextCommand string `json:"nextCommand"`
}

// The application statuses and subscription states.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
	StatusBlocked   = "blocked"
	StatusDeleted   = "deleted"

	SubscriptionPending   = "pending"
	SubscriptionApproved  = "approved"
	SubscriptionRejected  = "rejected"
	SubscriptionSuspended = "suspended"
)

// NewApplication registers a developer application. Subscription defaults to "pending".
// With ClaimLink, the answer holds a claim link for the client secret instead of the secret.
type NewApplication struct {
	Name         string `json:"name"`
	Subscription string `json:"subscription,omitempty"`
	ClaimLink    bool   `json:"claimLink,omitempty"`
	ClaimTTL     string `json:"claimTtl,omitempty"`
}

// Application is a developer application as operators see it (never its secret).
type Application struct {
	ID                      string    `json:"id"`
	ClientID                string    `json:"clientId"`
	Name                    string    `json:"name"`
	Status                  string    `json:"status"`
	Subscription            string    `json:"subscription"`
	TermsAcceptedAt         time.Time `json:"termsAcceptedAt,omitzero"`
	TermsAcceptedBy         string    `json:"termsAcceptedBy,omitempty"`
	PreviousSecretExpiresAt time.Time `json:"previousSecretExpiresAt,omitzero"`
	CreatedAt               time.Time `json:"createdAt"`
	UpdatedAt               time.Time `json:"updatedAt"`
}

// IssuedApplication answers the creation of an application or the rotation of its secret:
// the client secret in clear, shown once, or a claim link that reveals it once.
type IssuedApplication struct {
	Application  Application `json:"application"`
	ClientSecret string      `json:"clientSecret,omitempty"`
	Claim        *Claim      `json:"claim,omitempty"`
	// Notices, in the answer to a rotation, say what else it ended: a rotation keeps one
	// previous secret, so one made during another's overlap ends the secret before.
	Notices []string `json:"notices,omitempty"`
}

// StatusChange sets an application's status: "active", "suspended" or "blocked" (deleting
// is DELETE).
type StatusChange struct {
	Status string `json:"status"`
}

// SubscriptionChange moves an application's subscription: "pending", "approved", "rejected"
// or "suspended".
type SubscriptionChange struct {
	Subscription string `json:"subscription"`
}

// TermsAcceptance records who accepted the API's terms of use for an application.
type TermsAcceptance struct {
	AcceptedBy string `json:"acceptedBy"`
}

// SecretRotation rotates an application's client secret: the previous secret keeps working
// for Overlap (a Go duration; default "0s").
type SecretRotation struct {
	Overlap   string `json:"overlap,omitempty"`
	ClaimLink bool   `json:"claimLink,omitempty"`
	ClaimTTL  string `json:"claimTtl,omitempty"`
}

// Document is a billing document as operators see it. Amount is in Currency, two decimals.
type Document struct {
	ID           string    `json:"id"`
	ContractID   string    `json:"contractId"`
	DocumentType string    `json:"documentType"`
	Filename     string    `json:"filename"`
	Period       string    `json:"period"`
	Amount       float64   `json:"amount"`
	Currency     string    `json:"currency"`
	ContentType  string    `json:"contentType"`
	Size         int64     `json:"size"`
	SHA256       string    `json:"sha256"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

// NewOperatorToken creates an operator token; TTL is a Go duration, empty for no expiry.
type NewOperatorToken struct {
	Name string `json:"name"`
	TTL  string `json:"ttl,omitempty"`
}

// OperatorToken is an operator token as operators see it (never the token itself).
type OperatorToken struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Prefix     string    `json:"prefix"`
	CreatedAt  time.Time `json:"createdAt"`
	ExpiresAt  time.Time `json:"expiresAt,omitzero"`
	RevokedAt  time.Time `json:"revokedAt,omitzero"`
	LastUsedAt time.Time `json:"lastUsedAt,omitzero"`
}

// IssuedOperatorToken answers the creation of an operator token: the token, shown once.
type IssuedOperatorToken struct {
	OperatorToken OperatorToken `json:"operatorToken"`
	Token         string        `json:"token"`
}

// AuditEvent is one recorded change: who, what, when, and the request that made it.
type AuditEvent struct {
	ID            string            `json:"id"`
	At            time.Time         `json:"at"`
	ActorType     string            `json:"actorType"` // operator, account, person or system
	ActorID       string            `json:"actorId"`
	ApplicationID string            `json:"applicationId,omitempty"`
	RequestID     string            `json:"requestId,omitempty"`
	Action        string            `json:"action"`
	ObjectType    string            `json:"objectType"`
	ObjectID      string            `json:"objectId"`
	Details       map[string]string `json:"details,omitempty"`
}
