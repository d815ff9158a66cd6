// Package testenv decides what a test does when the machine lacks something it needs (a
// program such as curl or newman, a PostgreSQL server): skip with a loud message, or fail when
// ECCS_TEST_REQUIRE_ALL=1, which .ci/run sets so that CI never passes on skipped suites.
//
// It is one package of internal/testkit, which holds what only tests (and the benchmark)
// import: conformance suites (storetest, blobtest), real servers to test against (pgtest,
// s3test; apitest for internal/httpapi's tests, testserver for the SDK's and the CLI's), checks
// against the OpenAPI descriptions (openapitest, spectest), the secrets scan (secretscan), and
// this package.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// RequireAll reports whether every optional suite must run (ECCS_TEST_REQUIRE_ALL=1).
func RequireAll() bool { return os.Getenv("ECCS_TEST_REQUIRE_ALL") == "1" }

// Unavailable skips the test, saying loudly what is missing, or fails it when RequireAll.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if RequireAll() {
		t.Fatalf("ECCS_TEST_REQUIRE_ALL=1 and this suite cannot run: %s", msg)
	}
	t.Skipf("SKIPPED, NOT TESTED: %s (set ECCS_TEST_REQUIRE_ALL=1 to make this a failure)", msg)
}

// LookPath returns the path of program, or calls Unavailable when it is not installed.
func LookPath(t testing.TB, program string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err != nil {
		Unavailable(t, "%s is not installed", program)
	}
	return path
}
