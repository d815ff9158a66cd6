package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/eccs"
)

// This file holds what every admin handler shares: operator authentication, list answers,
// the parsing of durations, and the domain-to-wire conversions.

// defaultAdminLimit is the page size of admin lists without limit.
const defaultAdminLimit = 100

// operator wraps an admin handler: it answers 401/40 without "Authorization: Bearer <operator
// token>" and 401/41 for an unknown, revoked or expired token; otherwise it runs h with the
// token as the actor of the request's changes, so that the domain records them in the audit
// trail under the token's id and the request id.
func (s *server) operator(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		token, err := bearerToken(r.Header.Values("Authorization"))
		if err != nil {
			if we, ok := errors.AsType[*wireError](err); ok && we.code == api.CodeMissingCredentials {
				return fail(http.StatusUnauthorized, api.CodeMissingCredentials,
					"The admin API needs an operator token: send Authorization: Bearer <operator token> (`eccsd admin operator-token create` makes the first one).")
			}
			return err
		}
		t, err := s.svc.AuthenticateOperator(r.Context(), token)
		if err != nil {
			return invalidToken(err)
		}
		if err := s.svc.RecordOperatorUse(r.Context(), t); err != nil {
			s.logFailure(r, fmt.Errorf("record the use of operator token %s: %w", t.ID, err)) // the call goes on
		}
		ctx := eccs.WithActor(r.Context(), eccs.Actor{Type: eccs.ActorOperator, ID: t.ID, RequestID: requestID(r.Context())})
		return h(w, r.WithContext(ctx))
	}
}

// handleAdminOpenAPI serves the OpenAPI description of the admin API. It needs no credentials.
func (s *server) handleAdminOpenAPI(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "application/yaml")
	h.Set("Content-Length", strconv.Itoa(len(admin.OpenAPI)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(admin.OpenAPI)
	}
	return nil
}

// writeSecret writes an answer that holds a secret (an issued key or client secret, an
// operator token, a claim link or what it reveals): no cache or proxy may keep it.
func writeSecret(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, v)
}

// writeList writes a page of items with the total the filter selects; an empty page is [].
func writeList[T any](w http.ResponseWriter, items []T, total int) {
	if items == nil {
		items = []T{}
	}
	writeJSON(w, http.StatusOK, admin.List[T]{Items: items, Total: total})
}

// adminPage returns the query string of an admin list and the page it asks for (limit,
// offset; defaultAdminLimit when no limit is given).
func adminPage(r *http.Request) (url.Values, eccs.Page, error) {
	q, err := queryParams(r)
	if err != nil {
		return nil, eccs.Page{}, err
	}
	page, err := pageParam(q, defaultAdminLimit)
	return q, page, err
}

// serveRecord answers 200 and the JSON of the record that get returns for the id that idOf
// reads from the path (recordID, or contractPathID): the admin calls that show a record, or
// change it with no body.
func serveRecord[T, J any](w http.ResponseWriter, r *http.Request, idOf func(*http.Request) (string, error),
	get func(context.Context, string) (T, error), toJSON func(T) J) error {
	id, err := idOf(r)
	if err != nil {
		return err
	}
	v, err := get(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toJSON(v))
	return nil
}

// recordID returns the {id} path parameter (pathID).
func recordID(r *http.Request) (string, error) { return pathID(r, "id") }

// listOf converts a page of domain values.
func listOf[D, T any](list []D, conv func(D) T) []T {
	out := make([]T, len(list))
	for i, v := range list {
		out[i] = conv(v)
	}
	return out
}

// pathID returns the path parameter name, which the router guarantees is not empty; 400/20
// when it is too long to be an id of ours, or holds invalid UTF-8 or a control character
// (which no id has, and which PostgreSQL refuses to compare).
func pathID(r *http.Request, name string) (string, error) {
	v := r.PathValue(name)
	if len(v) > 128 {
		return "", fail(http.StatusBadRequest, api.CodeInvalidURLParameter,
			"The %s in the URL is %d characters long; ids are at most 128.", name, len(v))
	}
	if !printable(v) {
		return "", fail(http.StatusBadRequest, api.CodeInvalidURLParameter,
			"The %s in the URL holds invalid UTF-8 or a control character, which no id has.", name)
	}
	return v, nil
}

// contractPathID returns the contract number of the URL; 400/20 when it is not one.
func contractPathID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !eccs.ValidContractID(id) {
		return "", fail(http.StatusBadRequest, api.CodeInvalidURLParameter,
			"The contract number %q in the URL is not a contract number such as OCB0001234.", truncate(id, 40))
	}
	return id, nil
}

// parseDuration reads a lifetime or delay: a Go duration ("17520h", "90m") or a number of
// days ("730d").
func parseDuration(s string) (time.Duration, bool) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 100*365 {
			return 0, false
		}
		return time.Duration(n) * 24 * time.Hour, true
	}
	d, err := time.ParseDuration(s)
	return d, err == nil
}

// bodyDuration reads the duration of body field name; "" is zero (the default). 400/24 when
// it is not a duration of 0 or more.
func bodyDuration(name, value string) (time.Duration, error) {
	if value == "" {
		return 0, nil
	}
	d, ok := parseDuration(value)
	if !ok || d < 0 {
		return 0, fail(http.StatusBadRequest, api.CodeInvalidBodyField,
			"The body field %s must be a duration of 0 or more, such as 24h, 90m or 30d, not %q.", name, truncate(value, 40))
	}
	return d, nil
}

// claimTTL reads the claimLink and claimTtl members of a request: 0 without a claim link,
// otherwise the link's lifetime (default eccs.DefaultClaimTTL).
func claimTTL(claimLink bool, ttl string) (time.Duration, error) {
	d, err := bodyDuration("claimTtl", ttl)
	if err != nil {
		return 0, err
	}
	if !claimLink {
		if ttl != "" {
			return 0, fail(http.StatusBadRequest, api.CodeInvalidBodyField,
				"The body field claimTtl applies to claim links only; send \"claimLink\": true with it, or leave it out.")
		}
		return 0, nil
	}
	if d == 0 {
		d = eccs.DefaultClaimTTL
	}
	return d, nil
}

// claim is a claim link on the wire: the public URL that reveals the secret once.
func (s *server) claim(r *http.Request, tok eccs.ClaimToken) *admin.Claim {
	base := s.admin.PublicURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return &admin.Claim{URL: base + admin.ClaimPath + "/" + url.PathEscape(tok.Value), ExpiresAt: wireTime(tok.ExpiresAt)}
}

// queryString returns an optional query parameter: 400/27 when sent empty, 400/28 when sent
// twice or longer than max.
func queryString(q url.Values, name string, max int) (string, error) {
	v, present, err := queryValue(q, name)
	if err != nil || !present {
		return "", err
	}
	if v == "" {
		return "", fail(http.StatusBadRequest, api.CodeMissingQueryParameter,
			"The query-string parameter %s has no value; give one, or leave it out.", name)
	}
	if len(v) > max {
		return "", fail(http.StatusBadRequest, api.CodeInvalidQueryParameter,
			"One or more query-string parameters contain invalid values: %s is longer than %d characters.", name, max)
	}
	return v, nil
}

// queryBool reads an optional true/false parameter (also 1/0).
func queryBool(q url.Values, name string) (bool, error) {
	v, err := queryString(q, name, 10)
	if err != nil || v == "" {
		return false, err
	}
	switch strings.ToLower(v) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, fail(http.StatusBadRequest, api.CodeInvalidQueryParameter,
		"One or more query-string parameters contain invalid values: %s must be true or false, not %q.", name, truncate(v, 20))
}

// queryFields turns the domain's Invalid errors about the given fields into 400/28: in this
// request they are query-string parameters, not body fields. Other errors pass unchanged.
func queryFields(err error, fields ...string) error {
	if de, ok := errors.AsType[*eccs.Error](err); ok && de.Code == eccs.Invalid && slices.Contains(fields, de.Field) {
		code := api.CodeInvalidQueryParameter
		if de.Reason == eccs.ReasonMissing {
			code = api.CodeMissingQueryParameter
		}
		return fail(http.StatusBadRequest, code, "%s", de.Message)
	}
	return err
}

// --- Domain values on the admin wire. ---

func customerJSON(c eccs.Customer) admin.Customer {
	return admin.Customer{ID: c.ID, Name: c.Name, Segment: c.Segment, CreatedAt: wireTime(c.CreatedAt), UpdatedAt: wireTime(c.UpdatedAt)}
}

func billingAccountJSON(b eccs.BillingAccount) admin.BillingAccount {
	return admin.BillingAccount{ID: b.ID, CustomerID: b.CustomerID, Name: b.Name, CreatedAt: wireTime(b.CreatedAt), UpdatedAt: wireTime(b.UpdatedAt)}
}

func offerJSON(o eccs.Offer) admin.Offer {
	return admin.Offer{ID: o.ID, Name: o.Name, ContractType: o.ContractType, SupportLevels: nonNil(o.SupportLevels),
		CreatedAt: wireTime(o.CreatedAt), UpdatedAt: wireTime(o.UpdatedAt)}
}

func personOf(p admin.Person) eccs.Person {
	return eccs.Person{Civility: p.Civility, LastName: p.LastName, FirstName: p.FirstName, Email: p.Email, FixPhone: p.FixPhone, MobilePhone: p.MobilePhone}
}

func identityJSON(i eccs.Identity) admin.Identity {
	return admin.Identity{ID: i.ID, Login: i.Login, Person: admin.Person{
		Civility: i.Civility, LastName: i.LastName, FirstName: i.FirstName, Email: i.Email, FixPhone: i.FixPhone, MobilePhone: i.MobilePhone,
	}}
}

// referencesJSON is a contract's three external references as a list, without the empty
// ones at its end (an empty one between two others keeps its place).
func referencesJSON(refs [3]string) []string {
	n := len(refs)
	for n > 0 && refs[n-1] == "" {
		n--
	}
	if n == 0 {
		return nil
	}
	return slices.Clone(refs[:n])
}

// referencesOf reads a list of at most three external references.
func referencesOf(list []string) ([3]string, error) {
	var refs [3]string
	if len(list) > len(refs) {
		return refs, fail(http.StatusBadRequest, api.CodeInvalidBodyField,
			"The body field referenceExt holds %d references; a contract has at most 3.", len(list))
	}
	copy(refs[:], list)
	return refs, nil
}

func adminContractJSON(c eccs.Contract) admin.Contract {
	return admin.Contract{
		ID: c.ID, Name: c.Name, ContractType: c.Type, OfferID: c.OfferID, OfferName: c.OfferName,
		BillingAccountID: c.BillingAccountID, CustomerID: c.CustomerID, CustomerName: c.CustomerName,
		SupportLevel: c.SupportLevel, PlatformID: c.PlatformID, Referent: identityJSON(c.Referent),
		ReferenceExt: referencesJSON(c.ReferenceExt), ClosedAt: wireTime(c.ClosedAt),
		CreatedAt: wireTime(c.CreatedAt), UpdatedAt: wireTime(c.UpdatedAt),
	}
}

func adminUserJSON(u eccs.User) admin.User {
	return admin.User{Identity: identityJSON(u.Identity), Roles: admin.Roles{
		Contracts: u.Roles.Contracts.String(), Documents: u.Roles.Documents.String(), Users: u.Roles.Users.String(),
	}}
}

func adminDocumentJSON(d eccs.Document) admin.Document {
	return admin.Document{
		ID: d.ID, ContractID: d.ContractID, DocumentType: string(d.Type), Filename: d.Filename, Period: d.Period,
		Amount: float64(d.Amount) / 100, Currency: d.Currency, ContentType: d.ContentType, Size: d.Size, SHA256: d.SHA256,
		CreatedAt: wireTime(d.CreatedAt), UpdatedAt: wireTime(d.UpdatedAt),
	}
}

func accountJSON(a eccs.Account, id eccs.Identity) admin.Account {
	out := admin.Account{ID: a.ID, Type: string(a.Type), Identity: identityJSON(id), CreatedAt: wireTime(a.CreatedAt), UpdatedAt: wireTime(a.UpdatedAt)}
	if a.Type == eccs.AccountAdministrator {
		out.Perimeter = &admin.Perimeter{BillingAccountIDs: nonNil(a.Perimeter.BillingAccountIDs), OfferIDs: nonNil(a.Perimeter.OfferIDs)}
	}
	return out
}

func apiKeyJSON(k eccs.APIKey) admin.APIKey {
	return admin.APIKey{
		ID: k.ID, AccountID: k.AccountID, Prefix: k.Prefix, CreatedAt: wireTime(k.CreatedAt), ExpiresAt: wireTime(k.ExpiresAt),
		RevokedAt: wireTime(k.RevokedAt), LastUsedAt: wireTime(k.LastUsedAt), LastUsedFrom: k.LastUsedFrom,
	}
}

func applicationJSON(a eccs.Application) admin.Application {
	return admin.Application{
		ID: a.ID, ClientID: a.ClientID, Name: a.Name, Status: string(a.Status), Subscription: string(a.Subscription),
		TermsAcceptedAt: wireTime(a.TermsAcceptedAt), TermsAcceptedBy: a.TermsAcceptedBy,
		PreviousSecretExpiresAt: wireTime(a.PreviousSecretExpiresAt),
		CreatedAt:               wireTime(a.CreatedAt), UpdatedAt: wireTime(a.UpdatedAt),
	}
}

func operatorTokenJSON(t eccs.OperatorToken) admin.OperatorToken {
	return admin.OperatorToken{
		ID: t.ID, Name: t.Name, Prefix: t.Prefix, CreatedAt: wireTime(t.CreatedAt), ExpiresAt: wireTime(t.ExpiresAt),
		RevokedAt: wireTime(t.RevokedAt), LastUsedAt: wireTime(t.LastUsedAt),
	}
}

func auditEventJSON(e eccs.AuditEvent) admin.AuditEvent {
	return admin.AuditEvent{
		ID: e.ID, At: e.At.UTC(), ActorType: string(e.ActorType), ActorID: e.ActorID, ApplicationID: e.ApplicationID,
		RequestID: e.RequestID, Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Details: e.Details,
	}
}
