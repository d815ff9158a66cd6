package adminclient

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/eccs/eccs/api/admin"
)

// CreateOperatorToken creates an operator token (POST /operator-tokens); the answer holds the
// token in clear, shown once. Errors: 400.
func (c *Client) CreateOperatorToken(ctx context.Context, in admin.NewOperatorToken) (admin.IssuedOperatorToken, error) {
	var out admin.IssuedOperatorToken
	return out, c.call(ctx, http.MethodPost, "/operator-tokens", nil, in, http.StatusCreated, &out)
}

// OperatorTokens returns every operator token (GET /operator-tokens).
func (c *Client) OperatorTokens(ctx context.Context) (admin.List[admin.OperatorToken], error) {
	var out admin.List[admin.OperatorToken]
	return out, c.call(ctx, http.MethodGet, "/operator-tokens", nil, nil, http.StatusOK, &out)
}

// RevokeOperatorToken revokes an operator token at once (POST /operator-tokens/{id}/revoke).
// Errors: 404, 409 when it is already revoked.
func (c *Client) RevokeOperatorToken(ctx context.Context, id string) (admin.OperatorToken, error) {
	var out admin.OperatorToken
	return out, c.call(ctx, http.MethodPost, "/operator-tokens/"+seg(id)+"/revoke", nil, nil, http.StatusOK, &out)
}

// AuditFilter selects audit events; zero fields select everything.
type AuditFilter struct {
	ActorType  string // operator, account, person or system
	ActorID    string
	ObjectType string // customer, contract, api_key, application, …
	ObjectID   string
	Since      time.Time // at or after
	Until      time.Time
	Page
}

// Audit returns a page of the audit trail, newest first (GET /audit). Errors: 400 for a bad
// filter.
func (c *Client) Audit(ctx context.Context, f AuditFilter) (admin.List[admin.AuditEvent], error) {
	q := url.Values{}
	for name, v := range map[string]string{"actorType": f.ActorType, "actorId": f.ActorID, "objectType": f.ObjectType, "objectId": f.ObjectID} {
		if v != "" {
			q.Set(name, v)
		}
	}
	if !f.Since.IsZero() {
		q.Set("since", f.Since.UTC().Format(time.RFC3339))
	}
	if !f.Until.IsZero() {
		q.Set("until", f.Until.UTC().Format(time.RFC3339))
	}
	f.Page.set(q)
	var out admin.List[admin.AuditEvent]
	return out, c.call(ctx, http.MethodGet, "/audit", q, nil, http.StatusOK, &out)
}
