package httpapi

import (
	"net/http"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/eccs"
)

// handleOperatorTokenCreate is POST /admin/v1/operator-tokens: a new operator token, shown
// once.
func (s *server) handleOperatorTokenCreate(w http.ResponseWriter, r *http.Request) error {
	var in admin.NewOperatorToken
	if err := decodeJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	ttl, err := bodyDuration("ttl", in.TTL)
	if err != nil {
		return err
	}
	t, token, err := s.svc.CreateOperatorToken(r.Context(), in.Name, ttl)
	if err != nil {
		return err
	}
	writeSecret(w, http.StatusCreated, admin.IssuedOperatorToken{OperatorToken: operatorTokenJSON(t), Token: token})
	return nil
}

// handleOperatorTokensList is GET /admin/v1/operator-tokens: every operator token, oldest
// first.
func (s *server) handleOperatorTokensList(w http.ResponseWriter, r *http.Request) error {
	list, err := s.svc.OperatorTokens(r.Context())
	if err != nil {
		return err
	}
	writeList(w, listOf(list, operatorTokenJSON), len(list))
	return nil
}

// handleOperatorTokenRevoke is POST /admin/v1/operator-tokens/{id}/revoke: the token is
// refused from its next request on.
func (s *server) handleOperatorTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	return serveRecord(w, r, recordID, s.svc.RevokeOperatorToken, operatorTokenJSON)
}

// handleAuditList is GET /admin/v1/audit: the audit trail, newest first, filtered by actor,
// object and time.
func (s *server) handleAuditList(w http.ResponseWriter, r *http.Request) error {
	q, page, err := adminPage(r)
	if err != nil {
		return err
	}
	f := eccs.AuditFilter{Page: page}
	actorType, err := queryString(q, "actorType", 20)
	if err != nil {
		return err
	}
	switch t := eccs.ActorType(actorType); t {
	case "", eccs.ActorOperator, eccs.ActorAccount, eccs.ActorPerson, eccs.ActorSystem:
		f.ActorType = t
	default:
		return fail(http.StatusBadRequest, api.CodeInvalidQueryParameter,
			"One or more query-string parameters contain invalid values: actorType must be operator, account, person or system, not %q.", truncate(actorType, 20))
	}
	for _, p := range []struct {
		name string
		dst  *string
	}{{"actorId", &f.ActorID}, {"objectType", &f.ObjectType}, {"objectId", &f.ObjectID}} {
		if *p.dst, err = queryString(q, p.name, 128); err != nil {
			return err
		}
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		v, err := queryString(q, p.name, 40)
		if err != nil {
			return err
		}
		if v == "" {
			continue
		}
		if *p.dst, err = time.Parse(time.RFC3339, v); err != nil {
			return fail(http.StatusBadRequest, api.CodeInvalidQueryParameter,
				"One or more query-string parameters contain invalid values: %s must be an RFC 3339 time such as 2026-06-01T00:00:00Z, not %q.", p.name, truncate(v, 40))
		}
	}
	list, total, err := s.svc.AuditEvents(r.Context(), f)
	if err != nil {
		return err
	}
	writeList(w, listOf(list, auditEventJSON), total)
	return nil
}
