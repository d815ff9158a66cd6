// The isolation property test (doc/reliability.md). It builds a random world through the domain
// Service (customers, billing accounts, offers, contracts, client accounts declared with random
// roles, administrators with random perimeters, documents of every type), serves it over real
// HTTP on loopback, and asks, for every account × contract × endpoint and every document id,
// whether the answer is the one a small model of doc/wire.md §5 predicts: status, envelope
// code, the exact ids of every list and its totals, the bytes of every download. Wherever the
// model says an account may not see a contract (or a document), the same request naming a
// missing one must answer the same bytes, the requested id aside.
//
// The model is the world methods named want*: plain functions of the world description the
// test generated, written from doc/wire.md and doc/decisions.md. They never call the product.
//
// The files: world_test.go, the world description; build_test.go, building it through the
// Service; model_test.go, the model; requests_test.go, the suite's server and the runner that
// sends the requests; cases_test.go and writes_test.go, the read and write cases and their
// predictions; checks_test.go, the checks of the answers; this file, the test and its seed.
//
// The seed is ECCS_ISOLATION_SEED when set, otherwise the time; every failure names it.
package isolation_test

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/testkit/apitest"
)

func TestMain(m *testing.M) { apitest.Main(m) }

func TestIsolationMatchesTheModelInARandomWorld(t *testing.T) {
	seed := seedFromEnv(t)
	t.Logf("seed %d (rerun with ECCS_ISOLATION_SEED=%d)", seed, seed)
	start := time.Now()
	s := newSuite(t, seed)
	s.build(sizesFor(testing.Short()))
	w := s.w
	t.Logf("world: %d customers, %d billing accounts, %d offers, %d contracts, %d accounts, %d documents (built in %s)",
		len(w.customers), len(w.baIDs), len(w.offerIDs), len(w.contractIDs), len(w.accounts), len(w.docIDs),
		time.Since(start).Round(time.Millisecond))

	// Phase 1: reads, in parallel; nothing changes the world meanwhile.
	phase := time.Now()
	s.runParallel(s.readCases(true))
	t.Logf("reads: %d cases in %s", s.cases.Load(), time.Since(phase).Round(time.Millisecond))
	// Phase 2: writes, one at a time, each folded into the model before the next is predicted.
	phase, before := time.Now(), s.cases.Load()
	s.runWrites()
	t.Logf("writes: %d cases in %s", s.cases.Load()-before, time.Since(phase).Round(time.Millisecond))
	// Phase 3: reads again, on the world the writes changed.
	phase, before = time.Now(), s.cases.Load()
	s.runParallel(s.readCases(false))
	t.Logf("reads after the writes: %d cases in %s", s.cases.Load()-before, time.Since(phase).Round(time.Millisecond))

	t.Logf("%d cases (%d requests, %d invisible/missing comparisons) in %s",
		s.cases.Load(), s.requests.Load(), s.twins.Load(), time.Since(start).Round(time.Millisecond))
	if testing.Verbose() {
		var lines []string
		for k, n := range s.answers {
			lines = append(lines, fmt.Sprintf("%s: %d", k, n))
		}
		slices.Sort(lines)
		t.Logf("cases by endpoint and predicted status:\n  %s", strings.Join(lines, "\n  "))
	}
	if n := s.failures.Load(); n > 0 {
		t.Errorf("%d cases departed from the model (rerun with ECCS_ISOLATION_SEED=%d)", n, seed)
	}
}

func seedFromEnv(t *testing.T) uint64 {
	if v := os.Getenv("ECCS_ISOLATION_SEED"); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("ECCS_ISOLATION_SEED=%q is not an unsigned integer: %v", v, err)
		}
		return seed
	}
	return uint64(time.Now().UnixNano())
}

// sizes is how large the random world is.
type sizes struct {
	customers, billingAccounts, offers, contracts, clients, admins, maxDocs int
}

func sizesFor(short bool) sizes {
	if short {
		return sizes{customers: 2, billingAccounts: 4, offers: 3, contracts: 10, clients: 4, admins: 2, maxDocs: 5}
	}
	return sizes{customers: 4, billingAccounts: 8, offers: 4, contracts: 20, clients: 6, admins: 3, maxDocs: 6}
}
