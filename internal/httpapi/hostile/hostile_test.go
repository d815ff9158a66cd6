// The hostile-input suite (doc/reliability.md). For every operation of api/openapi.yaml (the
// customer API and the token endpoint) and api/admin/openapi.yaml (the admin API and the claim
// links), it starts from a valid request with valid credentials (TestHostileBaseRequestsSucceed
// proves each one succeeds) and spoils it one way at a time: credentials and headers missing,
// sent twice, oversized, with NUL bytes or invalid UTF-8; bodies empty, truncated, huge, deeply
// nested, of the wrong type, with unknown members, and every member of the request schema given
// a wrong type or a hostile string; path parameters with traversal, NUL bytes, invalid UTF-8 and
// 16 KiB; every query parameter empty, twice, negative, overflowing, malformed; malformed Range
// and conditional headers; methods the path does not serve; very long URLs; and a few requests
// that break HTTP itself. Each request goes over real TCP on loopback, written byte for byte,
// so that nothing is cleaned up by a client library on the way.
//
// Every answer must be a 4xx in the contract's envelope (the OAuth shape on the token endpoint),
// allowed by the OpenAPI description, within deadline; a case whose input is legitimately
// accepted says so, and why. The database (every table's checksum), the document store (every
// file's SHA-256) and the upload spool are compared before and after the whole table.
//
// The files: world_test.go, the seeded world and the fresh objects the valid requests act on;
// endpoints_test.go, every operation and its valid request; requests_test.go, requests written
// byte for byte; cases_test.go and bodies_test.go, the hostile table; checks_test.go, what an
// answer must be; snapshot_test.go, what must not change; this file, the tests and the runner.
package hostile_test

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/testkit/apitest"
)

func TestMain(m *testing.M) { apitest.Main(m) }

// workers is how many hostile requests are in flight at once.
const workers = 8

// uploadLimit is the upload bound of the suite's admin listener: small, so that an
// oversized upload costs little.
const uploadLimit = 256 << 10

// TestHostileInputIsRefusedAndChangesNothing sends the whole hostile table and checks every
// answer, then that the database, the document store and the upload spool are unchanged.
func TestHostileInputIsRefusedAndChangesNothing(t *testing.T) {
	a, w := newWorld(t)
	endpoints := w.endpoints(t)
	checkCoverage(t, endpoints)
	cases := allCases(w, endpoints)

	before := takeSnapshot(t, a)
	start := time.Now()
	results := runCases(cases)
	elapsed := time.Since(start)
	after := takeSnapshot(t, a)

	statuses := map[int]int{}
	byNetHTTP := map[string]int{} // what net/http refused itself, before any handler
	failed := 0
	for i, c := range cases {
		r := results[i]
		statuses[r.answer.status]++
		if r.answer.status != 0 && r.answer.header.Get(api.HeaderRequestID) == "" {
			byNetHTTP[fmt.Sprintf("%s (%d)", strings.TrimPrefix(c.what, c.ep.path), r.answer.status)]++
		}
		if len(r.problems) > 0 {
			failed++
			t.Errorf("%s\n\tsent: %s\n\tgot:  %s\n\t%s", c.name(), c.req.summary(), r.answer.summary(), strings.Join(r.problems, "\n\t"))
		}
	}
	var dist []string
	for _, s := range slices.Sorted(maps.Keys(statuses)) {
		dist = append(dist, fmt.Sprintf("%d×%d", statuses[s], s))
	}
	t.Logf("%d hostile requests on %d operations in %s (%d failed); statuses: %s",
		len(cases), len(endpoints), elapsed.Round(time.Millisecond), failed, strings.Join(dist, " "))
	var refused []string
	for _, what := range slices.Sorted(maps.Keys(byNetHTTP)) {
		refused = append(refused, fmt.Sprintf("%d× %s", byNetHTTP[what], what))
	}
	t.Logf("refused by net/http itself: %s", strings.Join(refused, "; "))
	slowest := make([]int, len(cases))
	for i := range slowest {
		slowest[i] = i
	}
	sort.Slice(slowest, func(i, j int) bool { return results[slowest[i]].answer.elapsed > results[slowest[j]].answer.elapsed })
	for _, i := range slowest[:min(5, len(slowest))] {
		t.Logf("slow: %s in %s", cases[i].name(), results[i].answer.elapsed.Round(time.Millisecond))
	}

	after.mustEqual(t, before)
}

// TestHostileBaseRequestsSucceed sends the valid request of every operation, unspoilt, to a
// world of its own: each must succeed, so that every hostile case of the table differs from a
// request the server accepts by its hostile part alone.
func TestHostileBaseRequestsSucceed(t *testing.T) {
	_, w := newWorld(t)
	for _, ep := range w.endpoints(t) {
		ans, err := send(ep.addr, ep.validRequest())
		if err != nil {
			t.Errorf("%s %s: %v", ep.method, ep.path, err)
			continue
		}
		if ans.status < 200 || ans.status > 299 {
			t.Errorf("%s %s: the valid request answers %s", ep.method, ep.path, ans.summary())
		}
		if err := ep.validator.Validate(ep.validRequest().httpRequest(ep.addr), ans.status, ans.header, ans.body); err != nil {
			t.Errorf("%v", err)
		}
	}
}

type result struct {
	answer   response
	problems []string
}

// runCases sends every case, workers at a time, and checks each answer.
func runCases(cases []testCase) []result {
	results := make([]result, len(cases))
	kinds := &answerKinds{seen: map[string]bool{}}
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				a, err := send(cases[i].ep.addr, cases[i].req)
				if err != nil {
					results[i] = result{answer: a, problems: []string{err.Error()}}
					continue
				}
				results[i] = result{answer: a, problems: cases[i].check(a, kinds)}
			}
		})
	}
	for i := range cases {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}
