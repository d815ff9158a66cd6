package main

// The CLI's tests run against the real server (internal/httpapi over SQLite and files, seeded
// with the dev world) on loopback, behind the wrapper of internal/testkit/testserver, which
// counts token requests, refuses calls with 429 or 503 on demand, and cuts downloads midway.

import (
	"fmt"
	"os"
	"testing"

	"github.com/eccs/eccs/internal/testkit/testserver"
)

// world is the seeded dev world, which each test's server copies.
var world *testserver.World

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	w, err := testserver.Seed("eccs-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer w.Remove()
	world = w
	return m.Run()
}
