package openapitest_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/testkit/openapitest"
)

// TestAdminServerAgainstSpec is TestServerAgainstSpec for api/admin/openapi.yaml: the admin
// handler (and, for the claim links, the customer handler) without a domain service, checked
// through NewAdmin's Validator:
//   - every operation is served (neither 404 nor 405), and every admin operation but the
//     description answers 401 without a token;
//   - on every described path, the methods the server allows are those the description lists,
//     plus HEAD with GET.
func TestAdminServerAgainstSpec(t *testing.T) {
	v := openapitest.NewAdmin(t)
	adminSrv := httptest.NewServer(httpapi.NewAdmin(nil, slog.New(slog.DiscardHandler), httpapi.AdminConfig{}))
	defer adminSrv.Close()
	customerSrv := httptest.NewServer(httpapi.New(nil, slog.New(slog.DiscardHandler), httpapi.Config{}))
	defer customerSrv.Close()
	do := sender(t, v, func(path string) string {
		if strings.HasPrefix(path, admin.ClaimPath+"/") {
			return customerSrv.URL
		}
		return adminSrv.URL
	})
	fill := strings.NewReplacer("{id}", "OCB0001234", "{documentId}", "8c1f2d3e4a5b6c7d", "{identityId}", "q7x2m4kd9c1hzt5w", "{token}", "abc")

	for path, item := range v.Doc().Paths.Map() {
		var methods []string
		for method := range item.Operations() {
			methods = append(methods, method)
			if path == admin.ClaimPath+"/{token}" {
				continue // both the page and the reveal look the link up: they need the service
			}
			checkServed(t, do, method, path, fill.Replace(path), admin.BasePath, "a token")
		}
		checkAllow(t, do, path, fill.Replace(path), methods)
	}
	if resp, body := do("GET", admin.BasePath+"/openapi.yaml"); resp.StatusCode != 200 || string(body) != string(admin.OpenAPI) {
		t.Errorf("GET openapi.yaml: %d, %d bytes", resp.StatusCode, len(body))
	}
	if resp, _ := do("GET", admin.BasePath+"/nowhere"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET an unknown path: %d, want 404", resp.StatusCode)
	}
	// The Validator of the admin description names its file.
	req := httptest.NewRequest("GET", admin.BasePath+"/customers", nil)
	err := v.Validate(req, http.StatusTeapot, http.Header{api.HeaderRequestID: {"x"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "api/admin/openapi.yaml") {
		t.Errorf("Validate: %v", err)
	}
}
