package adminclient

import (
	"context"
	"net/http"
	"net/url"

	"github.com/eccs/eccs/api/admin"
)

// CreateCustomer creates a customer (POST /customers). Errors: 400 for a bad value, 409 when
// the id is taken.
func (c *Client) CreateCustomer(ctx context.Context, in admin.Customer) (admin.Customer, error) {
	var out admin.Customer
	return out, c.call(ctx, http.MethodPost, "/customers", nil, in, http.StatusCreated, &out)
}

// Customers returns a page of the customers (GET /customers).
func (c *Client) Customers(ctx context.Context, p Page) (admin.List[admin.Customer], error) {
	q := url.Values{}
	p.set(q)
	var out admin.List[admin.Customer]
	return out, c.call(ctx, http.MethodGet, "/customers", q, nil, http.StatusOK, &out)
}

// Customer returns a customer (GET /customers/{id}). Errors: 404.
func (c *Client) Customer(ctx context.Context, id string) (admin.Customer, error) {
	var out admin.Customer
	return out, c.call(ctx, http.MethodGet, "/customers/"+seg(id), nil, nil, http.StatusOK, &out)
}

// UpdateCustomer changes a customer's name or segment (PATCH /customers/{id}). Errors: 400,
// 404.
func (c *Client) UpdateCustomer(ctx context.Context, id string, in admin.CustomerUpdate) (admin.Customer, error) {
	var out admin.Customer
	return out, c.call(ctx, http.MethodPatch, "/customers/"+seg(id), nil, in, http.StatusOK, &out)
}

// CreateBillingAccount creates a billing account of a customer (POST /billing-accounts).
// Errors: 400, 404 for an unknown customer, 409 when the id is taken.
func (c *Client) CreateBillingAccount(ctx context.Context, in admin.BillingAccount) (admin.BillingAccount, error) {
	var out admin.BillingAccount
	return out, c.call(ctx, http.MethodPost, "/billing-accounts", nil, in, http.StatusCreated, &out)
}

// BillingAccounts returns a page of the billing accounts of a customer, or of every customer
// when customerID is "" (GET /billing-accounts).
func (c *Client) BillingAccounts(ctx context.Context, customerID string, p Page) (admin.List[admin.BillingAccount], error) {
	q := url.Values{}
	if customerID != "" {
		q.Set("customerId", customerID)
	}
	p.set(q)
	var out admin.List[admin.BillingAccount]
	return out, c.call(ctx, http.MethodGet, "/billing-accounts", q, nil, http.StatusOK, &out)
}

// UpdateBillingAccount renames a billing account (PATCH /billing-accounts/{id}). Errors: 400,
// 404.
func (c *Client) UpdateBillingAccount(ctx context.Context, id string, in admin.BillingAccountUpdate) (admin.BillingAccount, error) {
	var out admin.BillingAccount
	return out, c.call(ctx, http.MethodPatch, "/billing-accounts/"+seg(id), nil, in, http.StatusOK, &out)
}

// CreateOffer creates an offer (POST /offers). Errors: 400, 409 when the code is taken.
func (c *Client) CreateOffer(ctx context.Context, in admin.Offer) (admin.Offer, error) {
	var out admin.Offer
	return out, c.call(ctx, http.MethodPost, "/offers", nil, in, http.StatusCreated, &out)
}

// Offers returns every offer (GET /offers).
func (c *Client) Offers(ctx context.Context) (admin.List[admin.Offer], error) {
	var out admin.List[admin.Offer]
	return out, c.call(ctx, http.MethodGet, "/offers", nil, nil, http.StatusOK, &out)
}

// UpdateOffer changes an offer (PATCH /offers/{id}). Errors: 400, 404.
func (c *Client) UpdateOffer(ctx context.Context, id string, in admin.OfferUpdate) (admin.Offer, error) {
	var out admin.Offer
	return out, c.call(ctx, http.MethodPatch, "/offers/"+seg(id), nil, in, http.StatusOK, &out)
}
