package httpapi

import (
	"net/http"
	"sort"
	"strings"

	"github.com/eccs/eccs/api"
)

// routes registers every route of the API. The guide is inconsistent about singular and
// plural paths, so both forms are served where it uses both (spec/wire.md §0); a trailing
// slash is removed before routing (ServeHTTP).
func (s *server) routes() {
	const v1 = api.BasePath
	r := newRouter(s)

	r.add("POST", api.TokenPath, s.handleToken)

	r.add("GET", v1+"/contracts", s.handleContractsList)
	r.add("GET", v1+"/contract", s.handleContractShow)
	r.add("POST", v1+"/contract", s.handleContractOrder)
	r.add("POST", v1+"/contracts", s.handleContractOrder)

	for _, p := range []string{"/contract/{contractId}/user", "/contract/{contractId}/users", "/contracts/{contractId}/user", "/contracts/{contractId}/users"} {
		r.add("POST", v1+p, s.handleUserDeclare)
	}

	r.add("GET", v1+"/documents", s.handleDocumentsList)
	r.add("GET", v1+"/document", s.handleDocumentsList)
	r.add("GET", v1+"/documents/{documentId}/file", s.handleDocumentFile)
	r.add("GET", v1+"/document/{documentId}/file", s.handleDocumentFile)

	r.add("GET", v1+"/openapi.yaml", s.handleOpenAPI)
	r.add("GET", "/healthz", s.handleHealth)
	r.add("GET", "/readyz", s.handleReady)

	r.finish()
}

// router registers method-specific routes and, for each path, a fallback that answers 405
// with the Allow header in the gateway envelope (the mux's own 405 is plain text).
type router struct {
	s       *server
	methods map[string][]string // path → methods
}

func newRouter(s *server) *router { return &router{s: s, methods: map[string][]string{}} }

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
				"%s is not allowed on %s; use %s.", truncate(r.Method, 20), r.URL.Path, allow))
		}))
	}
	rt.s.mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt.s.writeError(w, r, fail(http.StatusNotFound, api.CodeResourceNotFound,
			"No resource lives at %s; check the base URL and the path (the API is under %s).", truncate(r.URL.Path, 200), api.BasePath))
	}))
}
