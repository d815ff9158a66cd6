package client_test

// The SDK's tests that need no server. Those that run against the real server (internal/httpapi
// over SQLite and files) are the end-to-end tests of e2e/.

import (
	"testing"

	"github.com/eccs/eccs/client"
)

func TestNewTakesTheEnvironmentWhereOptionsSayNothing(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"ECCS_BASE_URL": "http://127.0.0.1:9/", "ECCS_CLIENT_ID": "id", "ECCS_CLIENT_SECRET": "secret", "ECCS_API_KEY": "key",
	}
	getenv := func(k string) string { return env[k] }
	c, err := client.New("", client.WithEnv(getenv))
	if err != nil || c.BaseURL() != "http://127.0.0.1:9" {
		t.Errorf("New from the environment: %v, %v", c, err)
	}
	c, err = client.New("https://api.example.com", client.WithEnv(getenv))
	if err != nil || c.BaseURL() != "https://api.example.com" {
		t.Errorf("an explicit base URL: %v", err)
	}
	c, err = client.New("", client.WithEnv(func(string) string { return "" }), client.WithCredentials("a", "b"), client.WithAPIKey("k"))
	if err != nil || c.BaseURL() != client.DefaultBaseURL {
		t.Errorf("the default base URL: %v", err)
	}
	for name, opts := range map[string][]client.Option{
		"no secret":  {client.WithCredentials("id", "")},
		"no API key": {client.WithAPIKey("")},
	} {
		env2 := map[string]string{"ECCS_CLIENT_ID": "id", "ECCS_CLIENT_SECRET": "s"}
		if name == "no secret" {
			env2 = map[string]string{"ECCS_API_KEY": "k"}
		}
		opts = append(opts, client.WithEnv(func(k string) string { return env2[k] }))
		if _, err := client.New("http://127.0.0.1:9", opts...); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	for _, u := range []string{"127.0.0.1:8080", "ftp://x", "http://", "http://h?x=1"} {
		if _, err := client.New(u, client.WithEnv(getenv)); err == nil {
			t.Errorf("base URL %q accepted", u)
		}
	}
}
