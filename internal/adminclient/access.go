package adminclient

import (
	"context"
	"net/http"
	"net/url"

	"github.com/eccs/eccs/api/admin"
)

// CreateAccount creates a customer-space account (POST /accounts). Errors: 400, 404 for an
// unknown billing account or offer in the perimeter, 409 when the login is taken.
func (c *Client) CreateAccount(ctx context.Context, in admin.NewAccount) (admin.Account, error) {
	var out admin.Account
	return out, c.call(ctx, http.MethodPost, "/accounts", nil, in, http.StatusCreated, &out)
}

// Accounts returns a page of the accounts (GET /accounts).
func (c *Client) Accounts(ctx context.Context, p Page) (admin.List[admin.Account], error) {
	q := url.Values{}
	p.set(q)
	var out admin.List[admin.Account]
	return out, c.call(ctx, http.MethodGet, "/accounts", q, nil, http.StatusOK, &out)
}

// Account returns an account (GET /accounts/{id}). Errors: 404.
func (c *Client) Account(ctx context.Context, id string) (admin.Account, error) {
	var out admin.Account
	return out, c.call(ctx, http.MethodGet, "/accounts/"+seg(id), nil, nil, http.StatusOK, &out)
}

// SetPerimeter replaces an administrator account's perimeter (PUT /accounts/{id}/perimeter).
// Errors: 400, 404, 409 for a client account.
func (c *Client) SetPerimeter(ctx context.Context, id string, in admin.Perimeter) (admin.Account, error) {
	var out admin.Account
	return out, c.call(ctx, http.MethodPut, "/accounts/"+seg(id)+"/perimeter", nil, in, http.StatusOK, &out)
}

// IssueKey issues an API key to an account (POST /accounts/{id}/keys): the answer holds the
// key in clear, or a claim link when in.ClaimLink is set. Errors: 400, 404.
func (c *Client) IssueKey(ctx context.Context, accountID string, in admin.KeyRequest) (admin.IssuedKey, error) {
	var out admin.IssuedKey
	return out, c.call(ctx, http.MethodPost, "/accounts/"+seg(accountID)+"/keys", nil, in, http.StatusCreated, &out)
}

// InviteAccount invites the holder of an account (its id, or the holder's e-mail or login) to
// choose their password for the web space (POST /accounts/{id}/invitations); the link goes by
// mail, never in the answer.
func (c *Client) InviteAccount(ctx context.Context, account string, in admin.InvitationRequest) (admin.Invitation, error) {
	var out admin.Invitation
	return out, c.call(ctx, http.MethodPost, "/accounts/"+seg(account)+"/invitations", nil, in, http.StatusCreated, &out)
}

// KeyFilter selects API keys: those of one account (AccountID, revoked and expired ones too
// with IncludeInactive), or the active keys of every account that expire within
// ExpiringWithin ("30d", "720h").
type KeyFilter struct {
	AccountID       string
	ExpiringWithin  string
	IncludeInactive bool
	Page
}

// Keys returns a page of the API keys the filter selects (GET /keys). Errors: 400 for
// ExpiringWithin with AccountID or IncludeInactive, or a bad duration.
func (c *Client) Keys(ctx context.Context, f KeyFilter) (admin.List[admin.APIKey], error) {
	q := url.Values{}
	if f.AccountID != "" {
		q.Set("accountId", f.AccountID)
	}
	if f.ExpiringWithin != "" {
		q.Set("expiringWithin", f.ExpiringWithin)
	}
	if f.IncludeInactive {
		q.Set("includeInactive", "true")
	}
	f.Page.set(q)
	var out admin.List[admin.APIKey]
	return out, c.call(ctx, http.MethodGet, "/keys", q, nil, http.StatusOK, &out)
}

// Key returns an API key's metadata (GET /keys/{id}). Errors: 404.
func (c *Client) Key(ctx context.Context, id string) (admin.APIKey, error) {
	var out admin.APIKey
	return out, c.call(ctx, http.MethodGet, "/keys/"+seg(id), nil, nil, http.StatusOK, &out)
}

// RevokeKey revokes an API key at once (POST /keys/{id}/revoke). Errors: 404, 409 when it is
// already revoked.
func (c *Client) RevokeKey(ctx context.Context, id string) (admin.APIKey, error) {
	var out admin.APIKey
	return out, c.call(ctx, http.MethodPost, "/keys/"+seg(id)+"/revoke", nil, nil, http.StatusOK, &out)
}

// RotateKey issues a new key to the account of key id (POST /keys/{id}/rotate); the old key
// keeps working for in.Overlap. Errors: 400, 404, 409 for a revoked key.
func (c *Client) RotateKey(ctx context.Context, id string, in admin.KeyRotation) (admin.IssuedKey, error) {
	var out admin.IssuedKey
	return out, c.call(ctx, http.MethodPost, "/keys/"+seg(id)+"/rotate", nil, in, http.StatusCreated, &out)
}

// CreateApplication registers a developer application (POST /applications): the answer
// holds its client secret in clear, or a claim link when in.ClaimLink is set. Errors: 400.
func (c *Client) CreateApplication(ctx context.Context, in admin.NewApplication) (admin.IssuedApplication, error) {
	var out admin.IssuedApplication
	return out, c.call(ctx, http.MethodPost, "/applications", nil, in, http.StatusCreated, &out)
}

// Applications returns a page of the applications (GET /applications).
func (c *Client) Applications(ctx context.Context, p Page) (admin.List[admin.Application], error) {
	q := url.Values{}
	p.set(q)
	var out admin.List[admin.Application]
	return out, c.call(ctx, http.MethodGet, "/applications", q, nil, http.StatusOK, &out)
}

// Application returns an application (GET /applications/{id}). Errors: 404.
func (c *Client) Application(ctx context.Context, id string) (admin.Application, error) {
	var out admin.Application
	return out, c.call(ctx, http.MethodGet, "/applications/"+seg(id), nil, nil, http.StatusOK, &out)
}

// SetApplicationStatus sets an application's status: admin.StatusActive, StatusSuspended or
// StatusBlocked (PUT /applications/{id}/status). Errors: 400, 404, 409 for a deleted one.
func (c *Client) SetApplicationStatus(ctx context.Context, id, status string) (admin.Application, error) {
	var out admin.Application
	return out, c.call(ctx, http.MethodPut, "/applications/"+seg(id)+"/status", nil, admin.StatusChange{Status: status}, http.StatusOK, &out)
}

// DeleteApplication deletes an application for good (DELETE /applications/{id}) and returns
// it, with status deleted. Errors: 404, 409 when it is already deleted.
func (c *Client) DeleteApplication(ctx context.Context, id string) (admin.Application, error) {
	var out admin.Application
	return out, c.call(ctx, http.MethodDelete, "/applications/"+seg(id), nil, nil, http.StatusOK, &out)
}

// SetSubscription moves an application's subscription: admin.SubscriptionPending, Approved,
// Rejected or Suspended (PUT /applications/{id}/subscription). Errors: 400, 404, 409.
func (c *Client) SetSubscription(ctx context.Context, id, state string) (admin.Application, error) {
	var out admin.Application
	return out, c.call(ctx, http.MethodPut, "/applications/"+seg(id)+"/subscription", nil, admin.SubscriptionChange{Subscription: state}, http.StatusOK, &out)
}

// AcceptTerms records who accepted the API's terms of use for an application (POST
// /applications/{id}/terms). Errors: 400, 404, 409.
func (c *Client) AcceptTerms(ctx context.Context, id, acceptedBy string) (admin.Application, error) {
	var out admin.Application
	return out, c.call(ctx, http.MethodPost, "/applications/"+seg(id)+"/terms", nil, admin.TermsAcceptance{AcceptedBy: acceptedBy}, http.StatusOK, &out)
}

// RotateClientSecret gives an application a new client secret (POST
// /applications/{id}/rotate-secret); the previous one keeps working for in.Overlap. Errors:
// 400, 404, 409.
func (c *Client) RotateClientSecret(ctx context.Context, id string, in admin.SecretRotation) (admin.IssuedApplication, error) {
	var out admin.IssuedApplication
	return out, c.call(ctx, http.MethodPost, "/applications/"+seg(id)+"/rotate-secret", nil, in, http.StatusOK, &out)
}

// Person returns a person's own data, by id or e-mail address (GET /people/{ref}). Errors:
// 404.
func (c *Client) Person(ctx context.Context, ref string) (admin.Identity, error) {
	var out admin.Identity
	return out, c.call(ctx, http.MethodGet, "/people/"+seg(ref), nil, nil, http.StatusOK, &out)
}

// UpdatePerson corrects a person's own data (PATCH /people/{ref}). Errors: 400, 404, 409 when
// the e-mail or login belongs to another person.
func (c *Client) UpdatePerson(ctx context.Context, ref string, in admin.PersonUpdate) (admin.Identity, error) {
	var out admin.Identity
	return out, c.call(ctx, http.MethodPatch, "/people/"+seg(ref), nil, in, http.StatusOK, &out)
}
