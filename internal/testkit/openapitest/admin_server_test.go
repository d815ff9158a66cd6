package openapitest_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
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
	client := &http.Client{Transport: v.Transport(t, nil)}

	do := func(method, path string) (*http.Response, []byte) {
		t.Helper()
		base := adminSrv.URL
		if strings.HasPrefix(path, admin.ClaimPath+"/") {
			base = customerSrv.URL
		}
		req, err := http.NewRequest(method, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	fill := strings.NewReplacer("{id}", "OCB0001234", "{documentId}", "8c1f2d3e4a5b6c7d", "{identityId}", "q7x2m4kd9c1hzt5w", "{token}", "abc")

	for path, item := range v.Doc().Paths.Map() {
		var methods []string
		for method := range item.Operations() {
			methods = append(methods, method)
			if path == admin.ClaimPath+"/{token}" {
				continue // both the page and the reveal look the link up: they need the service
			}
			resp, _ := do(method, fill.Replace(path))
			if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
				t.Errorf("%s %s: %d, the server does not serve this operation", method, path, resp.StatusCode)
			}
			if strings.HasPrefix(path, admin.BasePath) && path != admin.BasePath+"/openapi.yaml" && resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s %s without a token: %d, want 401", method, path, resp.StatusCode)
			}
		}
		if slices.Contains(methods, http.MethodGet) {
			methods = append(methods, http.MethodHead)
		}
		sort.Strings(methods)
		resp, _ := do("OPTIONS", fill.Replace(path))
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("OPTIONS %s: %d, want 405", path, resp.StatusCode)
			continue
		}
		allowed := strings.Split(resp.Header.Get("Allow"), ", ")
		sort.Strings(allowed)
		if !slices.Equal(allowed, methods) {
			t.Errorf("%s: the server allows %q, the description lists %q", path, allowed, methods)
		}
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
