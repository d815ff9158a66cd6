package httpapi

import (
	"net/http"
	"sort"
	"strings"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
)

// routes registers every route of the API. The guide is inconsistent about singular and
// plural paths, so both forms are served where it uses both (doc/wire.md §0); a trailing
// slash is removed before routing (ServeHTTP).
func (s *server) routes() {
	const v1 = api.BasePath
	r := newRouter(s)

	// Each operation names the query-string parameters it reads (reads): others are ignored,
	// with a Warning that says so.
	r.add("POST", api.TokenPath, reads(s.handleToken))

	r.add("GET", v1+"/contracts", reads(s.handleContractsList, "limit", "offset"))
	r.add("GET", v1+"/contract", reads(s.handleContractShow))
	r.add("POST", v1+"/contract", reads(s.handleContractOrder))
	r.add("POST", v1+"/contracts", reads(s.handleContractOrder))

	for _, p := range []string{"/contract/{contractId}/user", "/contract/{contractId}/users", "/contracts/{contractId}/user", "/contracts/{contractId}/users"} {
		r.add("POST", v1+p, reads(s.handleUserDeclare))
	}

	r.add("GET", v1+"/documents", reads(s.handleDocumentsList, "documentType", "limit", "offset"))
	r.add("GET", v1+"/document", reads(s.handleDocumentsList, "documentType", "limit", "offset"))
	r.add("GET", v1+"/documents/{documentId}/file", reads(s.handleDocumentFile, "zipped"))
	r.add("GET", v1+"/document/{documentId}/file", reads(s.handleDocumentFile, "zipped"))

	r.add("GET", v1+"/me", reads(s.handleMe)) // eccs extension

	r.add("GET", v1+"/openapi.yaml", s.handleOpenAPI)
	r.add("GET", "/healthz", s.handleHealth)
	r.add("GET", "/readyz", s.handleReady)

	s.claimRoutes(r)
	if s.admin != nil { // the admin API shares this listener
		s.adminRoutes(r)
	}
	r.finish()
}

// claimRoutes registers the public claim links (api/admin/openapi.yaml describes them): they
// live on the customer-facing listener, need no credentials, and reveal a secret once. GET
// only shows a form, so that link previewers and mail scanners do not burn the link.
func (s *server) claimRoutes(r *router) {
	r.add("GET", admin.ClaimPath+"/{token}", s.handleClaimPage)
	r.add("POST", admin.ClaimPath+"/{token}", s.handleClaimReveal)
}

// adminRoutes registers every route of the admin API (api/admin/openapi.yaml). All but the
// OpenAPI file need an operator token (s.operator), and every change they make is recorded in
// the audit trail under it.
func (s *server) adminRoutes(r *router) {
	const v1 = admin.BasePath
	op := s.operator

	r.add("GET", v1+"/openapi.yaml", s.handleAdminOpenAPI)

	r.add("POST", v1+"/customers", op(s.handleCustomerCreate))
	r.add("GET", v1+"/customers", op(s.handleCustomersList))
	r.add("GET", v1+"/customers/{id}", op(s.handleCustomerShow))
	r.add("PATCH", v1+"/customers/{id}", op(s.handleCustomerUpdate))

	r.add("POST", v1+"/billing-accounts", op(s.handleBillingAccountCreate))
	r.add("GET", v1+"/billing-accounts", op(s.handleBillingAccountsList))
	r.add("PATCH", v1+"/billing-accounts/{id}", op(s.handleBillingAccountUpdate))

	r.add("POST", v1+"/offers", op(s.handleOfferCreate))
	r.add("GET", v1+"/offers", op(s.handleOffersList))
	r.add("PATCH", v1+"/offers/{id}", op(s.handleOfferUpdate))

	r.add("POST", v1+"/contracts", op(s.handleAdminContractCreate))
	r.add("GET", v1+"/contracts", op(s.handleAdminContractsList))
	r.add("GET", v1+"/contracts/{id}", op(s.handleAdminContractShow))
	r.add("PATCH", v1+"/contracts/{id}", op(s.handleAdminContractUpdate))
	r.add("POST", v1+"/contracts/{id}/close", op(s.handleAdminContractClose))
	r.add("PUT", v1+"/contracts/{id}/referent", op(s.handleAdminReferentChange))

	r.add("GET", v1+"/contracts/{id}/users", op(s.handleAdminUsersList))
	r.add("POST", v1+"/contracts/{id}/users", op(s.handleAdminUserAdd))
	r.add("PUT", v1+"/contracts/{id}/users/{identityId}/roles", op(s.handleAdminUserRoles))
	r.add("DELETE", v1+"/contracts/{id}/users/{identityId}", op(s.handleAdminUserRemove))

	r.add("GET", v1+"/contracts/{id}/documents", op(s.handleAdminDocumentsList))
	r.add("POST", v1+"/contracts/{id}/documents", op(s.handleAdminDocumentUpload))
	r.add("PUT", v1+"/contracts/{id}/documents/{documentId}/file", op(s.handleAdminDocumentReplace))
	r.add("GET", v1+"/contracts/{id}/documents/{documentId}/file", op(s.handleAdminDocumentFile))
	r.add("DELETE", v1+"/contracts/{id}/documents/{documentId}", op(s.handleAdminDocumentDelete))

	r.add("GET", v1+"/people/{ref}", op(s.handlePersonShow))
	r.add("PATCH", v1+"/people/{ref}", op(s.handlePersonUpdate))

	r.add("POST", v1+"/accounts", op(s.handleAccountCreate))
	r.add("GET", v1+"/accounts", op(s.handleAccountsList))
	r.add("GET", v1+"/accounts/{id}", op(s.handleAccountShow))
	r.add("PUT", v1+"/accounts/{id}/perimeter", op(s.handlePerimeterSet))

	r.add("POST", v1+"/accounts/{id}/keys", op(s.handleKeyIssue))
	r.add("POST", v1+"/accounts/{id}/invitations", op(s.handleInvitationCreate))
	r.add("GET", v1+"/keys", op(s.handleKeysList))
	r.add("GET", v1+"/keys/{id}", op(s.handleKeyShow))
	r.add("POST", v1+"/keys/{id}/revoke", op(s.handleKeyRevoke))
	r.add("POST", v1+"/keys/{id}/rotate", op(s.handleKeyRotate))

	r.add("POST", v1+"/applications", op(s.handleApplicationCreate))
	r.add("GET", v1+"/applications", op(s.handleApplicationsList))
	r.add("GET", v1+"/applications/{id}", op(s.handleApplicationShow))
	r.add("DELETE", v1+"/applications/{id}", op(s.handleApplicationDelete))
	r.add("PUT", v1+"/applications/{id}/status", op(s.handleApplicationStatus))
	r.add("PUT", v1+"/applications/{id}/subscription", op(s.handleApplicationSubscription))
	r.add("POST", v1+"/applications/{id}/terms", op(s.handleApplicationTerms))
	r.add("POST", v1+"/applications/{id}/rotate-secret", op(s.handleApplicationRotateSecret))

	r.add("POST", v1+"/operator-tokens", op(s.handleOperatorTokenCreate))
	r.add("GET", v1+"/operator-tokens", op(s.handleOperatorTokensList))
	r.add("POST", v1+"/operator-tokens/{id}/revoke", op(s.handleOperatorTokenRevoke))

	r.add("GET", v1+"/audit", op(s.handleAuditList))
}

// router registers method-specific routes and, for each path, a fallback that answers 405
// with the Allow header in the gateway envelope (the mux's own 405 is plain text).
type router struct {
	s       *server
	methods map[string][]string // path → methods
}

func newRouter(s *server) *router {
	return &router{s: s, methods: map[string][]string{}}
}

func (rt *router) add(method, path string, h handlerFunc) {
	rt.s.mux.Handle(method+" "+path, rt.s.handle(h))
	rt.methods[path] = append(rt.methods[path], method)
}

func (rt *router) finish() {
	for path, methods := range rt.methods {
		allowed := append([]string{}, methods...)
		for _, m := range methods {
			if m == "GET" {
				allowed = append(allowed, "HEAD")
			}
		}
		sort.Strings(allowed)
		allow := strings.Join(allowed, ", ")
		isToken := path == api.TokenPath
		rt.s.mux.Handle(path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			if isToken {
				writeOAuthError(w, http.StatusMethodNotAllowed, api.OAuthInvalidRequest, "The token endpoint accepts POST only.")
				return
			}
			rt.s.writeError(w, r, fail(http.StatusMethodNotAllowed, api.CodeMethodNotAllowed,
				"%s is not allowed on %s; use %s.", truncate(r.Method, 20), redactPath(r.URL.Path), allow))
		}))
	}
	rt.s.mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := rt.s.base
		underAdmin := r.URL.Path == admin.BasePath || strings.HasPrefix(r.URL.Path, admin.BasePath+"/")
		switch {
		case underAdmin && rt.s.admin != nil:
			base = admin.BasePath
		case underAdmin && rt.s.cfg.AdminURL != "":
			rt.s.writeError(w, r, fail(http.StatusNotFound, api.CodeResourceNotFound,
				"The admin API is not served on this address: it listens on %s%s (eccsd serve --admin-addr).", rt.s.cfg.AdminURL, admin.BasePath))
			return
		}
		rt.s.writeError(w, r, fail(http.StatusNotFound, api.CodeResourceNotFound,
			"No resource lives at %s; check the base URL and the path (the API is under %s).", truncate(redactPath(r.URL.Path), 200), base))
	}))
}
