package httpapi

import (
	"context"
	"net/http"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/eccs"
)

// handleAccountCreate is POST /admin/v1/accounts: a customer-space account for a person.
func (s *server) handleAccountCreate(w http.ResponseWriter, r *http.Request) error {
	var in admin.NewAccount
	if err := decodeJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	na := eccs.NewAccount{Type: eccs.AccountType(in.Type), Person: personOf(in.Person), Login: in.Login}
	if in.Perimeter != nil {
		na.Perimeter = eccs.Perimeter{BillingAccountIDs: in.Perimeter.BillingAccountIDs, OfferIDs: in.Perimeter.OfferIDs}
	}
	var issued *admin.IssuedKey
	var invited *admin.Invitation
	var a eccs.Account
	switch {
	case in.IssueKey != nil && in.Invite != nil:
		return &eccs.Error{Code: eccs.Invalid, Field: "invite", Message: "Issue a key or invite the holder, not both in one call; invite afterwards with POST /admin/v1/accounts/{id}/invitations."}
	case in.Invite != nil:
		var inv eccs.Invitation
		var err error
		if a, inv, err = s.svc.CreateAccountAndInvite(r.Context(), na, in.Invite.Language); err != nil {
			return err
		}
		out := invitationJSON(inv)
		invited = &out
	case in.IssueKey != nil:
		opts, err := keyOptions(*in.IssueKey)
		if err != nil {
			return err
		}
		var k eccs.APIKey
		var secret string
		var tok eccs.ClaimToken
		if a, k, secret, tok, err = s.svc.CreateAccountWithKey(r.Context(), na, opts); err != nil {
			return err
		}
		key := s.issuedKey(r, k, secret, tok, opts)
		issued = &key
	default:
		var err error
		if a, err = s.svc.CreateAccount(r.Context(), na); err != nil {
			return err
		}
	}
	out, err := s.accountJSON(r.Context(), a)
	if err != nil {
		return err
	}
	out.IssuedKey, out.Invitation = issued, invited
	if out.Notices, err = s.svc.PersonNotices(r.Context(), na.Person, na.Login, ""); err != nil {
		return err
	}
	writeSecret(w, http.StatusCreated, out) // it may hold the key
	return nil
}

// handleAccountsList is GET /admin/v1/accounts.
func (s *server) handleAccountsList(w http.ResponseWriter, r *http.Request) error {
	_, page, err := adminPage(r)
	if err != nil {
		return err
	}
	list, total, err := s.svc.Accounts(r.Context(), page)
	if err != nil {
		return err
	}
	out := make([]admin.Account, len(list))
	for i, a := range list {
		if out[i], err = s.accountJSON(r.Context(), a); err != nil {
			return err
		}
	}
	writeList(w, out, total)
	return nil
}

// handleAccountShow is GET /admin/v1/accounts/{id}.
func (s *server) handleAccountShow(w http.ResponseWriter, r *http.Request) error {
	a, err := s.accountOfPath(r)
	if err != nil {
		return err
	}
	out, err := s.accountJSON(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// handlePerimeterSet is PUT /admin/v1/accounts/{id}/perimeter: it takes effect on the
// account's next call.
func (s *server) handlePerimeterSet(w http.ResponseWriter, r *http.Request) error {
	a, err := s.accountOfPath(r)
	if err != nil {
		return err
	}
	var in admin.Perimeter
	if err := decodeJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	a, err = s.svc.SetPerimeter(r.Context(), a.ID, eccs.Perimeter{BillingAccountIDs: in.BillingAccountIDs, OfferIDs: in.OfferIDs})
	if err != nil {
		return err
	}
	out, err := s.accountJSON(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// accountOfPath returns the account the path's {id} names: an account id, or the e-mail or
// login of the person who holds it (eccs.Service.FindAccount).
func (s *server) accountOfPath(r *http.Request) (eccs.Account, error) {
	ref, err := pathID(r, "id")
	if err != nil {
		return eccs.Account{}, err
	}
	return s.svc.FindAccount(r.Context(), ref)
}

// accountJSON is an account on the admin wire, with its holder's identity.
func (s *server) accountJSON(ctx context.Context, a eccs.Account) (admin.Account, error) {
	id, err := s.svc.Identity(ctx, a.IdentityID)
	if err != nil {
		return admin.Account{}, err
	}
	return accountJSON(a, id), nil
}

// handleKeyIssue is POST /admin/v1/accounts/{id}/keys: a new API key, shown once, or a claim
// link that reveals it once.
func (s *server) handleKeyIssue(w http.ResponseWriter, r *http.Request) error {
	a, err := s.accountOfPath(r)
	if err != nil {
		return err
	}
	var in admin.KeyRequest
	if err := decodeOptionalJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	opts, err := keyOptions(in)
	if err != nil {
		return err
	}
	k, secret, tok, err := s.svc.IssueAPIKeyClaim(r.Context(), a.ID, opts)
	if err != nil {
		return err
	}
	writeSecret(w, http.StatusCreated, s.issuedKey(r, k, secret, tok, opts))
	return nil
}

// handleKeyRotate is POST /admin/v1/keys/{id}/rotate: a new key for the same account; the
// old one keeps working for the overlap, then stops.
func (s *server) handleKeyRotate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in admin.KeyRotation
	if err := decodeOptionalJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	overlap, err := bodyDuration("overlap", in.Overlap)
	if err != nil {
		return err
	}
	opts, err := keyOptions(in.KeyRequest)
	if err != nil {
		return err
	}
	k, secret, tok, err := s.svc.RotateAPIKey(r.Context(), id, overlap, opts)
	if err != nil {
		return err
	}
	writeSecret(w, http.StatusCreated, s.issuedKey(r, k, secret, tok, opts))
	return nil
}

func keyOptions(in admin.KeyRequest) (eccs.KeyOptions, error) {
	ttl, err := bodyDuration("ttl", in.TTL)
	if err != nil {
		return eccs.KeyOptions{}, err
	}
	claim, err := claimTTL(in.ClaimLink, in.ClaimTTL)
	if err != nil {
		return eccs.KeyOptions{}, err
	}
	return eccs.KeyOptions{TTL: ttl, ClaimTTL: claim}, nil
}

func (s *server) issuedKey(r *http.Request, k eccs.APIKey, secret string, tok eccs.ClaimToken, opts eccs.KeyOptions) admin.IssuedKey {
	out := admin.IssuedKey{APIKey: apiKeyJSON(k), Key: secret}
	if opts.ClaimTTL > 0 {
		out.Claim = s.claim(r, tok)
	}
	return out
}

// handleKeysList is GET /admin/v1/keys[?accountId&includeInactive | ?expiringWithin].
func (s *server) handleKeysList(w http.ResponseWriter, r *http.Request) error {
	q, page, err := adminPage(r)
	if err != nil {
		return err
	}
	accountID, err := queryString(q, "accountId", 128)
	if err != nil {
		return err
	}
	if accountID != "" { // an id, or its holder's e-mail or login; unknown, it selects nothing
		a, err := s.svc.FindAccount(r.Context(), accountID)
		if err != nil && !eccs.IsNotFound(err) {
			return err
		}
		if err == nil {
			accountID = a.ID
		}
	}
	includeInactive, err := queryBool(q, "includeInactive")
	if err != nil {
		return err
	}
	within, err := queryString(q, "expiringWithin", 40)
	if err != nil {
		return err
	}
	kq := eccs.KeyQuery{AccountID: accountID, IncludeInactive: includeInactive, Page: page}
	if within != "" {
		d, ok := parseDuration(within)
		if !ok || d <= 0 {
			return fail(http.StatusBadRequest, api.CodeInvalidQueryParameter,
				"One or more query-string parameters contain invalid values: expiringWithin must be a duration such as 30d or 720h, not %q.", truncate(within, 40))
		}
		kq.ExpiringWithin = d
	}
	list, total, err := s.svc.APIKeys(r.Context(), kq)
	if err != nil {
		return err
	}
	writeList(w, listOf(list, apiKeyJSON), total)
	return nil
}

// handleKeyShow is GET /admin/v1/keys/{id}.
func (s *server) handleKeyShow(w http.ResponseWriter, r *http.Request) error {
	return serveRecord(w, r, recordID, s.svc.APIKeyOf, apiKeyJSON)
}

// handleKeyRevoke is POST /admin/v1/keys/{id}/revoke: the next call carrying the key answers
// 401/41.
func (s *server) handleKeyRevoke(w http.ResponseWriter, r *http.Request) error {
	return serveRecord(w, r, recordID, s.svc.RevokeAPIKey, apiKeyJSON)
}

// decodeOptionalJSON is decodeJSON for a body whose members are all optional: a request
// without a body (Content-Length: 0) takes the defaults.
func decodeOptionalJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return decodeJSON(w, r, limit, v)
}

// handleInvitationCreate is POST /admin/v1/accounts/{id}/invitations: the account's holder is
// invited, by mail, to choose their password for the web space.
func (s *server) handleInvitationCreate(w http.ResponseWriter, r *http.Request) error {
	a, err := s.accountOfPath(r)
	if err != nil {
		return err
	}
	var in admin.InvitationRequest
	if err := decodeOptionalJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	inv, err := s.svc.InviteAccount(r.Context(), a.ID, in.Language)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, invitationJSON(inv))
	return nil
}

func invitationJSON(inv eccs.Invitation) admin.Invitation {
	return admin.Invitation{LinkID: inv.Link.ID, AccountID: inv.AccountID, IdentityID: inv.Person.ID,
		Email: inv.Person.Email, Language: inv.Person.PreferredLanguage(), ExpiresAt: inv.Link.ExpiresAt}
}
