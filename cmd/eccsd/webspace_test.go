package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestFrontDoorKeepsTheAPIsPathsAndGivesTheRestToTheWebSpace(t *testing.T) {
	named := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Header().Set("X-Handler", name) })
	}
	h := frontDoor(named("api"), named("web"))
	for path, want := range map[string]string{
		"/cloud/b2b/v1/contracts": "api", "/cloud/b2b/v1/nothing": "api", "/cloud": "api", "/oauth/v3/token": "api",
		"/admin/v1/customers": "api", "/claim/abc": "api", "/healthz": "api", "/readyz": "api", "/readyz/": "api",
		"/": "web", "/contracts": "web", "/keys": "web", "/assets/site.css": "web", "/nothing": "web", "/cloudy": "web",
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if got := rec.Header().Get("X-Handler"); got != want {
			t.Errorf("%s goes to %q, want %q", path, got, want)
		}
	}
}

func TestWebOriginIsThePublicURLsOriginOrLocalhostInDevMode(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	for _, tc := range []struct {
		cfg  serveConfig
		want string
	}{
		{serveConfig{dev: true}, "http://localhost:" + port},
		{serveConfig{}, "http://127.0.0.1:" + port},
		{serveConfig{publicURL: "https://espace.example.com/api/"}, "https://espace.example.com"},
	} {
		if got := webOrigin(tc.cfg, ln); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.cfg, got, tc.want)
		}
	}
}
