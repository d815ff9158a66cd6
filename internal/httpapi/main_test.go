package httpapi_test

import (
	"testing"

	"github.com/eccs/eccs/internal/testkit/apitest"
)

// TestMain chooses the backend (ECCS_TEST_BACKEND) and cleans up after the tests: see package
// apitest.
func TestMain(m *testing.M) { apitest.Main(m) }
