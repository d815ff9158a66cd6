package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/eccs/eccs/api"
)

// Contracts returns every contract the API key's account may see, sorted by id, in one call
// (as the real API answers).
func (c *Client) Contracts(ctx context.Context) ([]api.Contract, error) {
	var list []api.Contract
	_, err := c.getJSON(ctx, request{method: http.MethodGet, path: "/contracts"}, &list)
	return list, err
}

// AllContracts yields the contracts the account may see page by page (limit and offset, an
// eccs extension), so that a very large perimeter is never held in memory at once. Against a
// server that ignores limit it yields the whole list from the first page. It stops at the
// first error, which it yields.
func (c *Client) AllContracts(ctx context.Context, pageSize int) iter.Seq2[api.Contract, error] {
	return pages(pageSize, func(limit, offset int) ([]api.Contract, error) {
		var list []api.Contract
		_, err := c.getJSON(ctx, request{method: http.MethodGet, path: "/contracts", query: pageQuery(limit, offset)}, &list)
		return list, err
	}, func(ct api.Contract) string { return ct.ID })
}

// Contract returns the contract contractID.
func (c *Client) Contract(ctx context.Context, contractID string) (api.Contract, error) {
	var ct api.Contract
	_, err := c.getJSON(ctx, request{method: http.MethodGet, path: "/contract", contract: contractID}, &ct)
	return ct, err
}

// OrderContract orders a new contract (administrator accounts only) and returns its id.
func (c *Client) OrderContract(ctx context.Context, order api.ContractOrder) (string, error) {
	var created api.ContractCreated
	_, err := c.getJSON(ctx, request{method: http.MethodPost, path: "/contract", body: order}, &created)
	return created.ID, err
}

// DeclareUser declares a user on a contract and returns the user as stored: when the e-mail
// already belongs to someone, with that person's login.
func (c *Client) DeclareUser(ctx context.Context, contractID string, u api.User) (api.User, error) {
	var out api.User
	_, err := c.getJSON(ctx, request{method: http.MethodPost, path: "/contract/" + url.PathEscape(contractID) + "/user", body: u}, &out)
	return out, err
}

// Me describes the caller: the account its API key names and what it sees, the key's expiry
// and last use, the application (an eccs extension: the real gateway answers 404).
func (c *Client) Me(ctx context.Context) (api.Me, error) {
	var me api.Me
	_, err := c.getJSON(ctx, request{method: http.MethodGet, path: "/me"}, &me)
	return me, err
}

func pageQuery(limit, offset int) url.Values {
	q := url.Values{}
	q.Set("limit", strconv.Itoa(limit))
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	return q
}

// pages yields the items of successive pages fetched by get. It stops after a short page, a
// page longer than asked (the server ignored limit: that page was everything), or a page that
// starts with an item already seen (the server ignored offset).
func pages[T any](pageSize int, get func(limit, offset int) ([]T, error), id func(T) string) iter.Seq2[T, error] {
	if pageSize <= 0 || pageSize > 1000 {
		pageSize = 100
	}
	return func(yield func(T, error) bool) {
		seen := map[string]bool{}
		for offset := 0; ; offset += pageSize {
			page, err := get(pageSize, offset)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			if len(page) > 0 && seen[id(page[0])] {
				return
			}
			for _, item := range page {
				seen[id(item)] = true
				if !yield(item, nil) {
					return
				}
			}
			if len(page) != pageSize {
				return
			}
		}
	}
}
