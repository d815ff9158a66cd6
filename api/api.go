// Package api holds the wire types of the Cloud Store Customer Space API and its OpenAPI
// description. The server, the Go SDK and the CLI all use these types, so they cannot drift.
//
// Conventions of the wire (doc/wire.md §0): member names are camelCase; dates are RFC 3339 in
// UTC with a "Z" and whole seconds; amounts are JSON numbers; absent optional values are
// omitted, never null.
package api

import (
	_ "embed"
	"time"
)

// OpenAPI is the OpenAPI 3 description of the API, served at /cloud/b2b/v1/openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte

// BasePath is the path under which the customer-space resources live.
const BasePath = "/cloud/b2b/v1"

// TokenPath is the path of the OAuth 2.0 token endpoint, on the same host.
const TokenPath = "/oauth/v3/token"

// Header names of the API. Header names are case-insensitive on the wire.
const (
	HeaderAPIKey      = "X-API-Key"
	HeaderContractID  = "X-ECCS-Contract-Id"
	HeaderRequestID   = "X-OAPI-Request-Id"
	HeaderTotalCount  = "X-Total-Count"
	HeaderResultCount = "X-Result-Count"
)

// TokenType is the token_type of every access token.
const TokenType = "Bearer"

// The OAuth error codes the token endpoint answers (RFC 6749 §5.2).
const (
	OAuthInvalidRequest         = "invalid_request"
	OAuthInvalidClient          = "invalid_client"
	OAuthUnsupportedGrantType   = "unsupported_grant_type"
	OAuthServerError            = "server_error"
	OAuthTemporarilyUnavailable = "temporarily_unavailable"
)

// Token is the success answer of the token endpoint.
type Token struct {
	TokenType   string `json:"token_type"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"` // seconds
}

// OAuthError is an error answer of the token endpoint (RFC 6749 §5.2).
type OAuthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// Error is the gateway error envelope of every /cloud/b2b/v1 error: Code is one of the codes
// below, Message its fixed label, Description one sentence about this case.
type Error struct {
	Code        int    `json:"code"`
	Message     string `json:"message"`
	Description string `json:"description"`
}

// The gateway error codes (doc/wire.md §2).
const (
	CodeInternalError         = 1
	CodeServiceUnavailable    = 5
	CodeInvalidURLParameter   = 20
	CodeMissingBody           = 21
	CodeInvalidBody           = 22
	CodeMissingBodyField      = 23
	CodeInvalidBodyField      = 24
	CodeMissingHeader         = 25
	CodeInvalidHeader         = 26
	CodeMissingQueryParameter = 27
	CodeInvalidQueryParameter = 28
	CodeMissingCredentials    = 40
	CodeInvalidCredentials    = 41
	CodeExpiredCredentials    = 42
	CodeAccessDenied          = 50
	CodeForbiddenRequester    = 51
	CodeTooManyRequests       = 53
	CodeResourceNotFound      = 60
	CodeMethodNotAllowed      = 61
	CodeEntityTooLarge        = 66
	CodeUnsupportedMediaType  = 68
	CodeConflict              = 70
)

// errorMessages holds the fixed label of each gateway error code (doc/wire.md §2).
var errorMessages = map[int]string{
	CodeInternalError:         "Internal error",
	CodeServiceUnavailable:    "The service is temporarily unavailable",
	CodeInvalidURLParameter:   "Invalid URL parameter value",
	CodeMissingBody:           "Missing body",
	CodeInvalidBody:           "Invalid body",
	CodeMissingBodyField:      "Missing body field",
	CodeInvalidBodyField:      "Invalid body field",
	CodeMissingHeader:         "Missing header",
	CodeInvalidHeader:         "Invalid header value",
	CodeMissingQueryParameter: "Missing query-string parameter",
	CodeInvalidQueryParameter: "Invalid query-string parameter value",
	CodeMissingCredentials:    "Missing credentials",
	CodeInvalidCredentials:    "Invalid credentials",
	CodeExpiredCredentials:    "Expired credentials",
	CodeAccessDenied:          "Access denied",
	CodeForbiddenRequester:    "Forbidden requester",
	CodeTooManyRequests:       "Too many requests",
	CodeResourceNotFound:      "Resource not found",
	CodeMethodNotAllowed:      "Method not allowed",
	CodeEntityTooLarge:        "Request entity too large",
	CodeUnsupportedMediaType:  "Unsupported Media Type",
	CodeConflict:              "Conflict",
}

// ErrorMessage returns the fixed message of a gateway error code, or "" for an unknown code.
func ErrorMessage(code int) string { return errorMessages[code] }

// Health is the answer of /healthz and /readyz: "ok", or "unavailable" with status 503.
type Health struct {
	Status string `json:"status"`
}

// Contract is a contract as GET /contract and GET /contracts return it. OfferName, Contact's
// first and last names are never empty; PlatformID is omitted when unknown.
type Contract struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	ContractType string    `json:"contractType"`
	Offer        Offer     `json:"offer"`
	PlatformID   string    `json:"platformId,omitempty"`
	Customer     Customer  `json:"customer"`
	Contact      Contact   `json:"contact"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

// Offer names the offer of a contract.
type Offer struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Customer names the customer of a contract.
type Customer struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Segment string `json:"segment"`
}

// Contact is a contract's referent. Name is "FirstName LastName"; Title is the civility.
type Contact struct {
	LastName  string `json:"lastName"`
	FirstName string `json:"firstName"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	Title     string `json:"title,omitempty"`
}

// Document is a billing document as GET /documents lists it. Period is YYYYMM; Amount is in
// Currency (ISO 4217) with two decimals.
type Document struct {
	ID           string    `json:"id"`
	Filename     string    `json:"filename"`
	Period       string    `json:"period"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
	Amount       float64   `json:"amount"`
	Currency     string    `json:"currency"`
	DocumentType string    `json:"documentType"`
}

// The document types, spelled as on the wire ("comsumption" is the wire's own misspelling).
const (
	DocumentBills                          = "bills"
	DocumentInvoices                       = "invoices"
	DocumentReports                        = "reports"
	DocumentPartialBills                   = "partialBills"
	DocumentConsumptionRatedReports        = "comsumptionRatedReports"
	DocumentPartialConsumptionRatedReports = "partialConsumptionRatedReports"
)

// NoDocuments is the answer of GET /documents to an unknown documentType: {"documents": null}.
type NoDocuments struct {
	Documents *[]Document `json:"documents"`
}

// User is a user declared on a contract: the body of POST /contract/{id}/user and its answer.
type User struct {
	Civility    string `json:"civility,omitempty"`
	LastName    string `json:"lastName"`
	FirstName   string `json:"firstName"`
	Email       string `json:"email"`
	Login       string `json:"login"`
	FixPhone    string `json:"fixPhone,omitempty"`
	MobilePhone string `json:"mobilePhone,omitempty"`
	Roles       Roles  `json:"roles"`
}

// Roles holds a user's role per section of a contract: each list holds "manager" or
// "visitor"; an absent or empty list is no role.
type Roles struct {
	Contracts []string `json:"contracts,omitempty"`
	Documents []string `json:"documents,omitempty"`
	Users     []string `json:"users,omitempty"`
}

// The roles.
const (
	RoleManager = "manager"
	RoleVisitor = "visitor"
)

// ContractOrder is the body of POST /contract. Referent* describe the contract's referent
// (ReferentName is the last name); ReferenceExt1..3 are free references of the customer's.
type ContractOrder struct {
	BillingAccountID    string `json:"billingAccountId"`
	OfferCode           string `json:"offerCode"`
	ContractName        string `json:"contractName"`
	SupportLevel        string `json:"supportLevel"`
	ReferentCivility    string `json:"referentCivility,omitempty"`
	ReferentName        string `json:"referentName"`
	ReferentFirstName   string `json:"referentFirstName"`
	ReferentMail        string `json:"referentMail"`
	ReferentFixPhone    string `json:"referentFixPhone,omitempty"`
	ReferentMobilePhone string `json:"referentMobilePhone,omitempty"`
	ReferenceExt1       string `json:"referenceExt1,omitempty"`
	ReferenceExt2       string `json:"referenceExt2,omitempty"`
	ReferenceExt3       string `json:"referenceExt3,omitempty"`
}

// ContractCreated is the answer of POST /contract.
type ContractCreated struct {
	ID string `json:"id"`
}

// Me is the answer of GET /me, an eccs extension: who the caller is and why it sees what it
// sees. Administrator accounts have a Perimeter; client accounts have Contracts, the contracts
// they are declared on with their roles.
type Me struct {
	Account     MeAccount     `json:"account"`
	APIKey      MeKey         `json:"apiKey"`
	Application MeApplication `json:"application"`
	Perimeter   *MePerimeter  `json:"perimeter,omitempty"`
	Contracts   []MeContract  `json:"contracts,omitempty"`
}

// MeAccount is the customer-space account an API key names.
type MeAccount struct {
	ID        string `json:"id"`
	Type      string `json:"type"` // client or administrator
	Login     string `json:"login"`
	Email     string `json:"email"`
	LastName  string `json:"lastName"`
	FirstName string `json:"firstName"`
}

// MeKey describes the API key of the call (never the key itself). ExpiresSoon is true within
// 30 days of ExpiresAt: ask for a new key.
type MeKey struct {
	Prefix       string    `json:"prefix"`
	CreatedAt    time.Time `json:"createdAt"`
	ExpiresAt    time.Time `json:"expiresAt"`
	ExpiresSoon  bool      `json:"expiresSoon"`
	LastUsedAt   time.Time `json:"lastUsedAt,omitzero"`
	LastUsedFrom string    `json:"lastUsedFrom,omitempty"`
}

// MeApplication is the application behind the access token of the call.
type MeApplication struct {
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	ClientID        string    `json:"clientId"`
	Subscription    string    `json:"subscription"`
	TermsAcceptedAt time.Time `json:"termsAcceptedAt,omitzero"`
}

// MePerimeter is an administrator account's perimeter: it sees the contracts whose billing
// account AND offer are both listed, with manager on every section.
type MePerimeter struct {
	BillingAccountIDs []string `json:"billingAccountIds"`
	OfferIDs          []string `json:"offerIds"`
}

// MeContract is a contract a client account is declared on, with its roles.
type MeContract struct {
	ID    string `json:"id"`
	Roles Roles  `json:"roles"`
}

// HeaderKeyExpires is sent on every response to a call whose API key expires within 30 days,
// with the expiry date (RFC 3339), beside a Warning header saying so (an eccs extension).
const HeaderKeyExpires = "X-API-Key-Expires"
