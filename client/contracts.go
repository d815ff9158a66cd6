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

// AllContracts yields the contracts the account may see, sorted by id, page by page (limit
// and offset, an eccs extension; pageSize 0 means 100), so that a very large perimeter is
// never held in memory at once. Against a server that ignores limit, it yields the whole list
// of the first answer. It stops at the first error, which it yields.
func (c *Client) AllContracts(ctx context.Context, pageSize int) iter.Seq2[api.Contract, error] {
	return pages(pageSize, func(limit, offset int) ([]api.Contract, int, error) {
		var list []api.Contract
		h, err := c.getJSON(ctx, request{method: http.MethodGet, path: "/contracts", query: pageQuery(limit, offset)}, &list)
		return list, totalCount(h), err
	}, func(ct api.Contract) string { return ct.ID })
}

// Contract returns the contract contractID. A contract that does not exist and one the
// account may not see both answer 403/50.
func (c *Client) Contract(ctx context.Context, contractID string) (api.Contract, error) {
	var ct api.Contract
	_, err := c.getJSON(ctx, request{method: http.MethodGet, path: "/contract", contract: contractID}, &ct)
	return ct, err
}

// OrderContract orders a new contract (administrator accounts only, within their perimeter)
// and returns its id. It is retried only when the API refused it for load (429), never after
// a 503: the order might have been taken.
func (c *Client) OrderContract(ctx context.Context, order api.ContractOrder) (string, error) {
	var created api.ContractCreated
	_, err := c.getJSON(ctx, request{method: http.MethodPost, path: "/contract", body: order}, &created)
	return created.ID, err
}

// DeclareUser declares a user on a contract (manager on its users section needed) and returns
// the user as stored: when the e-mail already belongs to someone, with that person's login.
func (c *Client) DeclareUser(ctx context.Context, contractID string, u api.User) (api.User, error) {
	var out api.User
	_, err := c.getJSON(ctx, request{method: http.MethodPost, path: "/contract/" + url.PathEscape(contractID) + "/user", body: u}, &out)
	return out, err
}

// Me describes the caller: the account its API key names and what it sees, the key's expiry
// and last use, the application behind the token. It is an eccs extension: the real gateway
// answers 404 (an *Error with Status 404).
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

// totalCount reads X-Total-Count; -1 when absent or not a count.
func totalCount(h http.Header) int {
	n, err := strconv.Atoi(h.Get(api.HeaderTotalCount))
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// MaxPageSize is the largest limit the API accepts.
const MaxPageSize = 1000

// pages yields the items of successive pages fetched by get, which also returns the total
// the server announces (-1: none). It stops after the last item the total announces, a short
// page, a page longer than asked (the server ignored limit: that page was everything), or a
// page that starts with the first page's first item (the server ignored offset).
func pages[T any](pageSize int, get func(limit, offset int) ([]T, int, error), id func(T) string) iter.Seq2[T, error] {
	if pageSize <= 0 {
		pageSize = 100
	}
	pageSize = min(pageSize, MaxPageSize)
	return func(yield func(T, error) bool) {
		first := ""
		for offset := 0; ; offset += pageSize {
			page, total, err := get(pageSize, offset)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			if len(page) > 0 {
				if offset == 0 {
					first = id(page[0])
				} else if id(page[0]) == first {
					return
				}
			}
			for _, item := range page {
				if !yield(item, nil) {
					return
				}
			}
			if len(page) != pageSize || (total >= 0 && offset+len(page) >= total) {
				return
			}
		}
	}
}
