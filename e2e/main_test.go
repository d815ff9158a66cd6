// Package e2e_test holds the end-to-end tests of the SDK (client/): they run against the real
// server (internal/httpapi over SQLite and files, seeded with the dev world) on loopback, behind
// the wrapper of internal/testkit/testserver, which counts token requests, refuses calls with
// 429 or 503 on demand, and cuts downloads midway.
package e2e_test

import (
	"fmt"
	"net/http"
	"os"
	"testing"

	"github.com/eccs/eccs/client"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/testkit/testserver"
)

// world is the seeded dev world, which each test's server copies.
var world *testserver.World

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	w, err := testserver.Seed("eccs-e2e-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer w.Remove()
	world = w
	// The examples (example_test.go) read their configuration from the environment, as a
	// program would: point it at a server of their own.
	exdir, err := os.MkdirTemp("", "eccs-e2e-examples-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(exdir)
	srv, err := world.Start(exdir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer srv.Close()
	for k, v := range map[string]string{
		client.EnvBaseURL: srv.URL, client.EnvClientID: devseed.ClientID,
		client.EnvClientSecret: devseed.ClientSecret, client.EnvAPIKey: devseed.ClientAPIKey,
	} {
		os.Setenv(k, v)
	}
	return m.Run()
}

// plain is an HTTP client that checks nothing: for tests whose made-up answers the
// description does not allow (Retry-After: 0), and for cut downloads (the validating transport
// reads bodies whole, so the client would never see the broken connection).
var plain = client.WithHTTPClient(&http.Client{})
