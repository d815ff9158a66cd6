package adminclient

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/eccs/eccs/api/admin"
)

// CreateContract creates a contract with its referent declared as manager everywhere (POST
// /contracts). Errors: 400, 404 for an unknown offer or billing account, 409 when the number
// is taken.
func (c *Client) CreateContract(ctx context.Context, in admin.NewContract) (admin.Contract, error) {
	var out admin.Contract
	return out, c.call(ctx, http.MethodPost, "/contracts", nil, in, http.StatusCreated, &out)
}

// ContractFilter selects contracts; empty fields select everything.
type ContractFilter struct {
	CustomerID       string
	BillingAccountID string
	OfferID          string
	Page
}

// Contracts returns a page of the contracts the filter selects (GET /contracts).
func (c *Client) Contracts(ctx context.Context, f ContractFilter) (admin.List[admin.Contract], error) {
	q := url.Values{}
	for name, v := range map[string]string{"customerId": f.CustomerID, "billingAccountId": f.BillingAccountID, "offerId": f.OfferID} {
		if v != "" {
			q.Set(name, v)
		}
	}
	f.Page.set(q)
	var out admin.List[admin.Contract]
	return out, c.call(ctx, http.MethodGet, "/contracts", q, nil, http.StatusOK, &out)
}

// Contract returns a contract (GET /contracts/{id}). Errors: 400 for a malformed number, 404.
func (c *Client) Contract(ctx context.Context, id string) (admin.Contract, error) {
	var out admin.Contract
	return out, c.call(ctx, http.MethodGet, "/contracts/"+seg(id), nil, nil, http.StatusOK, &out)
}

// UpdateContract changes a contract (PATCH /contracts/{id}). A non-nil empty ReferenceExt
// clears the external references. Errors: 400, 404, 409 for a closed contract.
func (c *Client) UpdateContract(ctx context.Context, id string, in admin.ContractUpdate) (admin.Contract, error) {
	var body any = in
	if in.ReferenceExt != nil && len(in.ReferenceExt) == 0 {
		// admin.ContractUpdate omits an empty list, which would leave the references alone.
		body = struct {
			admin.ContractUpdate
			ReferenceExt json.RawMessage `json:"referenceExt"`
		}{in, json.RawMessage("[]")}
	}
	var out admin.Contract
	return out, c.call(ctx, http.MethodPatch, "/contracts/"+seg(id), nil, body, http.StatusOK, &out)
}

// CloseContract closes a contract (POST /contracts/{id}/close). Errors: 404, 409 when it is
// already closed.
func (c *Client) CloseContract(ctx context.Context, id string) (admin.Contract, error) {
	var out admin.Contract
	return out, c.call(ctx, http.MethodPost, "/contracts/"+seg(id)+"/close", nil, nil, http.StatusOK, &out)
}

// ChangeReferent makes a user declared on the contract its referent (PUT
// /contracts/{id}/referent). Errors: 400, 404, 409.
func (c *Client) ChangeReferent(ctx context.Context, id string, in admin.ReferentChange) (admin.Contract, error) {
	var out admin.Contract
	return out, c.call(ctx, http.MethodPut, "/contracts/"+seg(id)+"/referent", nil, in, http.StatusOK, &out)
}

// Users returns every user declared on a contract (GET /contracts/{id}/users). Errors: 404.
func (c *Client) Users(ctx context.Context, contractID string) (admin.List[admin.User], error) {
	var out admin.List[admin.User]
	return out, c.call(ctx, http.MethodGet, "/contracts/"+seg(contractID)+"/users", nil, nil, http.StatusOK, &out)
}

// AddUser declares a user on a contract (POST /contracts/{id}/users). Errors: 400, 404, 409
// when the person is already declared or the login belongs to another e-mail.
func (c *Client) AddUser(ctx context.Context, contractID string, in admin.NewUser) (admin.User, error) {
	var out admin.User
	return out, c.call(ctx, http.MethodPost, "/contracts/"+seg(contractID)+"/users", nil, in, http.StatusCreated, &out)
}

// SetUserRoles replaces a user's roles on a contract (PUT
// /contracts/{id}/users/{identityId}/roles). Errors: 400, 404, 409 for the referent.
func (c *Client) SetUserRoles(ctx context.Context, contractID, identityID string, in admin.RolesChange) (admin.User, error) {
	var out admin.User
	return out, c.call(ctx, http.MethodPut, "/contracts/"+seg(contractID)+"/users/"+seg(identityID)+"/roles", nil, in, http.StatusOK, &out)
}

// RemoveUser removes a user from a contract (DELETE /contracts/{id}/users/{identityId}).
// Errors: 404, 409 for the referent.
func (c *Client) RemoveUser(ctx context.Context, contractID, identityID string) error {
	return c.call(ctx, http.MethodDelete, "/contracts/"+seg(contractID)+"/users/"+seg(identityID), nil, nil, http.StatusNoContent, nil)
}
