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
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/testkit/openapitest"
)

// TestServerAgainstSpec runs the real HTTP layer (without a domain service: every call below is
// answered before the service is needed) and checks, through the Validator, that:
//   - every operation of the description is served (its answer is neither 404 nor 405), and
//     its unauthenticated answer matches the description;
//   - on every described path, the methods the server allows (its Allow header) are exactly
//     those the description lists, plus HEAD with GET;
//   - unknown paths and trailing slashes behave as the Validator assumes.
func TestServerAgainstSpec(t *testing.T) {
	v := openapitest.New(t)
	srv := httptest.NewServer(httpapi.New(nil, slog.New(slog.DiscardHandler), httpapi.Config{}))
	defer srv.Close()
	do := sender(t, v, func(string) string { return srv.URL })
	fill := strings.NewReplacer("{contractId}", "OCB0001234", "{documentId}", "8c1f2d3e4a5b6c7d")

	for path, item := range v.Doc().Paths.Map() {
		if path == "/readyz" {
			continue // needs the service
		}
		var methods []string
		for method := range item.Operations() {
			methods = append(methods, method)
			resp := checkServed(t, do, method, path, fill.Replace(path), api.BasePath, "credentials")
			// A trailing slash is accepted.
			if resp2, _ := do(method, fill.Replace(path)+"/"); resp2.StatusCode != resp.StatusCode {
				t.Errorf("%s %s/: %d, without the slash %d", method, path, resp2.StatusCode, resp.StatusCode)
			}
		}
		checkAllow(t, do, path, fill.Replace(path), methods)
	}

	// The description itself, and HEAD.
	if resp, body := do("GET", api.BasePath+"/openapi.yaml"); resp.StatusCode != 200 || string(body) != string(api.OpenAPI) {
		t.Errorf("GET openapi.yaml: %d, %d bytes", resp.StatusCode, len(body))
	}
	do("HEAD", api.BasePath+"/openapi.yaml")
	do("HEAD", api.BasePath+"/contracts")
	// Unknown paths answer 404/60, which the Validator accepts without an operation.
	if resp, _ := do("GET", "/cloud/b2b/v1/nowhere"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET an unknown path: %d, want 404", resp.StatusCode)
	}
}

// sendFunc sends a request without a body and returns the answer and its body, read whole.
type sendFunc func(method, path string) (*http.Response, []byte)

// sender returns a sendFunc to the server whose URL base gives for a path, through v's
// Transport: every answer is checked against v's description. A request that fails, or whose
// body cannot be read, fails the test.
func sender(t *testing.T, v *openapitest.Validator, base func(path string) string) sendFunc {
	client := &http.Client{Transport: v.Transport(t, nil)}
	return func(method, path string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, base(path)+path, nil)
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
}

// checkServed sends the operation method path (filled: with its parameters filled in) and
// checks that the server serves it (neither 404 nor 405) and, under basePath but for the
// description, answers 401 without credentials (without: what the message says is missing).
// It returns the answer.
func checkServed(t *testing.T, do sendFunc, method, path, filled, basePath, without string) *http.Response {
	resp, _ := do(method, filled)
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
		t.Errorf("%s %s: %d, the server does not serve this operation", method, path, resp.StatusCode)
	}
	if strings.HasPrefix(path, basePath) && path != basePath+"/openapi.yaml" && resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("%s %s without %s: %d, want 401", method, path, without, resp.StatusCode)
	}
	return resp
}

// checkAllow checks that OPTIONS on a described path (filled: with its parameters filled in)
// answers 405 with an Allow header listing exactly methods, those the description lists there,
// plus HEAD with GET.
func checkAllow(t *testing.T, do sendFunc, path, filled string, methods []string) {
	if slices.Contains(methods, http.MethodGet) {
		methods = append(methods, http.MethodHead)
	}
	sort.Strings(methods)
	resp, _ := do("OPTIONS", filled)
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("OPTIONS %s: %d, want 405", path, resp.StatusCode)
		return
	}
	allowed := strings.Split(resp.Header.Get("Allow"), ", ")
	sort.Strings(allowed)
	if !slices.Equal(allowed, methods) {
		t.Errorf("%s: the server allows %q, the description lists %q", path, allowed, methods)
	}
}
