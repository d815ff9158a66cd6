package main

// `eccsd admin migrate-data` from a seeded SQLite + files deployment to PostgreSQL + S3 (a real
// MinIO): the customer API answers the same bytes before and after.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/testkit/pgtest"
	"github.com/eccs/eccs/internal/testkit/s3test"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

// runMigrateData runs `eccsd admin migrate-data <args…>`: copying the world's files to S3 under
// the race detector takes longer than runCmd allows.
func runMigrateData(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	var out, errb testenv.Buffer
	start := time.Now()
	err := run(ctx, append([]string{"admin", "migrate-data"}, args...), noEnv, strings.NewReader(""), &out, &errb)
	if err != nil {
		t.Fatalf("eccsd admin migrate-data: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errb.String())
	}
	t.Logf("migrate-data took %s:\n%s", time.Since(start).Round(time.Millisecond), out.String())
	return out.String()
}

var (
	tableLine = regexp.MustCompile(`(?m)^([a-z_]+)\s+(\d+)\s+(\d+)\s+(\d+)$`)
	filesLine = regexp.MustCompile(`(?m)^document files: (\d+) copied, (\d+) already there, every one verified`)
)

// checkSummary checks migrate-data's summary: every table has as many rows on both sides, the
// copy inserted copied(source) of them, the tables verified, and files copied and kept.
func checkSummary(t *testing.T, out string, copied func(source int) int, filesCopied, filesKept int) {
	t.Helper()
	rows := tableLine.FindAllStringSubmatch(out, -1)
	if len(rows) < 10 {
		t.Fatalf("the summary lists %d tables:\n%s", len(rows), out)
	}
	for _, r := range rows {
		source, _ := strconv.Atoi(r[2])
		inserted, _ := strconv.Atoi(r[3])
		dest, _ := strconv.Atoi(r[4])
		want := copied(source)
		if r[1] == "counters" {
			want = 0 // merged, never counted as inserted
		}
		if dest != source || inserted != want {
			t.Errorf("table %s: source %d, copied %d, destination %d; want the same rows on both sides, %d copied", r[1], source, inserted, dest, want)
		}
		if r[1] == "documents" && source != filesCopied+filesKept {
			t.Errorf("the summary lists %d documents and %d files", source, filesCopied+filesKept)
		}
	}
	if !strings.Contains(out, "every table verified: same rows, same checksums") {
		t.Errorf("the summary does not say the tables were verified:\n%s", out)
	}
	m := filesLine.FindStringSubmatch(out)
	if m == nil || m[1] != strconv.Itoa(filesCopied) || m[2] != strconv.Itoa(filesKept) {
		t.Errorf("document files: want %d copied, %d already there:\n%s", filesCopied, filesKept, out)
	}
}

// TestMigrateDataToPostgreSQLAndS3KeepsEveryAnswer migrates a seeded world from SQLite and
// files to PostgreSQL and S3 (a second run copies nothing and still verifies), then serves it
// from both: every request of the client and the administrator accounts answers the same
// bytes before and after.
func TestMigrateDataToPostgreSQLAndS3KeepsEveryAnswer(t *testing.T) {
	dir := seededCopy(t) // a world seeded by `serve -dev` on SQLite and files, then stopped
	dbURL := pgtest.URL(t)
	blobURL := s3test.URL(t)
	args := []string{
		"--from", sqliteURL(filepath.Join(dir, "eccs.db")), "--to", dbURL,
		"--blob-from", fileURL(filepath.Join(dir, "documents")), "--blob-to", blobURL,
	}
	const files = 6 * (13*4 + 2) // six contracts, thirteen months of four documents, two partial ones
	checkSummary(t, runMigrateData(t, args...), func(source int) int { return source }, files, 0)
	t.Run("a second run copies nothing and still verifies", func(t *testing.T) {
		checkSummary(t, runMigrateData(t, args...), func(int) int { return 0 }, 0, files)
	})

	// The same world served from both, with the same keys file; no rate limit, so that no answer
	// depends on how fast the requests come.
	before := startServer(t, []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dir, "--rate-limit", "0"}, noEnv, "")
	after := startServer(t, []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--rate-limit", "0",
		"--database-url", dbURL, "--blob-url", blobURL, "--keys-file", filepath.Join(dir, "keys.json")}, noEnv, "")
	token := before.demoToken(t) // one token for both: the keys are the same
	remember(after, token)
	cmp := &comparison{t: t, before: before, after: after}

	for _, acct := range []struct{ name, key string }{{"client", devseed.ClientAPIKey}, {"administrator", devseed.AdministratorKey}} {
		cmp.sameForAccount(acct.name, migrationHeaders(token, acct.key))
	}
	cmp.same("GET", "/contracts", map[string]string{api.HeaderAPIKey: devseed.ClientAPIKey})
	cmp.same("GET", "/contracts", map[string]string{"Authorization": "Bearer " + token})
	cmp.same("GET", "/contracts", map[string]string{"Authorization": "Bearer " + token, api.HeaderAPIKey: "eccs_not_a_key_000000000000000000000000000001"})
	cmp.same("GET", "/contracts", map[string]string{"Authorization": "Bearer not.a.token", api.HeaderAPIKey: devseed.ClientAPIKey})
	cmp.same("GET", "/nothing", nil)
	t.Logf("%d requests answered the same bytes before and after the migration", cmp.n)
}

// headersFor returns the headers of a request on contract ("" for none), with more
// name-value pairs.
type headersFor func(contract string, more ...string) map[string]string

// migrationHeaders makes the headers of an account's requests: token, key, Accept.
func migrationHeaders(token, key string) headersFor {
	return func(contract string, more ...string) map[string]string {
		m := map[string]string{"Authorization": "Bearer " + token, api.HeaderAPIKey: key, "Accept": "application/json"}
		if contract != "" {
			m[api.HeaderContractID] = contract
		}
		for i := 0; i+1 < len(more); i += 2 {
			m[more[i]] = more[i+1]
		}
		return m
	}
}

// sameForAccount compares what an account sees: /me, its contracts, each contract's
// documents and downloads, and contracts that are not its own.
func (c *comparison) sameForAccount(name string, h headersFor) {
	c.t.Helper()
	// /me first: it shows the key's last use as this server last loaded it, and each server
	// records its own uses (the first call of a key shows what the data held).
	c.same("GET", "/me", h(""))
	var contracts []api.Contract
	c.decode(c.same("GET", "/contracts", h("")), &contracts)
	if len(contracts) == 0 {
		c.t.Fatalf("the %s account sees no contract", name)
	}
	for _, ct := range contracts {
		c.same("GET", "/contract", h(ct.ID))
		for _, q := range []string{"", "?documentType=bills", "?documentType=invoices", "?documentType=comsumptionRatedReports",
			"?documentType=reports", "?documentType=partialBills", "?documentType=partialConsumptionRatedReports",
			"?documentType=", "?documentType=statements", "?limit=5", "?limit=5&offset=5", "?limit=7&offset=49",
			"?offset=300", "?documentType=bills&limit=2&offset=1", "?limit=", "?limit=0", "?limit=x", "?limit=1&limit=2"} {
			c.same("GET", "/documents"+q, h(ct.ID))
		}
		c.sameDownloads(ct.ID, h)
		c.same("GET", "/documents/zzzzzzzzzzzzzzzz/file", h(ct.ID))
		c.same("GET", "/documents/not-an-id/file", h(ct.ID))
	}
	for _, other := range []string{"OCB0000005", "OCB9999999", "bad id!"} {
		c.same("GET", "/contract", h(other))
		c.same("GET", "/documents", h(other))
	}
	c.same("GET", "/contract", h(""))
}

// sameDownloads compares a few downloads of the contract, the newest document of each type:
// whole, HEAD, a range, a conditional GET, zipped.
func (c *comparison) sameDownloads(contract string, h headersFor) {
	c.t.Helper()
	var list []api.Document
	c.decode(c.same("GET", "/documents?limit=100", h(contract)), &list)
	seen := map[string]bool{}
	for _, d := range list {
		if seen[d.DocumentType] {
			continue
		}
		seen[d.DocumentType] = true
		path := "/documents/" + d.ID + "/file"
		r := c.same("GET", path, h(contract))
		for _, name := range []string{"ETag", "Content-Length", "Content-Type"} {
			if r.header.Get(name) == "" {
				c.t.Errorf("GET %s: no %s", path, name)
			}
		}
		c.same("HEAD", path, h(contract))
		c.same("GET", path, h(contract, "Range", "bytes=10-99"))
		c.same("GET", path, h(contract, "If-None-Match", r.header.Get("ETag")))
		c.same("GET", path+"?zipped=1", h(contract))
	}
}

// comparison sends requests to the server before the migration and to the one after it, and
// fails the test when their answers differ in anything but the headers that must differ.
type comparison struct {
	t             *testing.T
	before, after *server
	n             int
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

// ignoredHeaders differ from one answer to the next, or depend on the rate limiter's state.
func ignoredHeader(name string) bool {
	return name == http.CanonicalHeaderKey(api.HeaderRequestID) || name == "Date" || strings.HasPrefix(name, "Ratelimit")
}

func (c *comparison) same(method, path string, header map[string]string) answer {
	c.t.Helper()
	c.n++
	a := c.send(c.before, method, path, header)
	b := c.send(c.after, method, path, header)
	what := method + " " + path
	if v := header[api.HeaderContractID]; v != "" {
		what += " (contract " + v + ")"
	}
	if a.status != b.status {
		c.t.Errorf("%s: status %d before, %d after", what, a.status, b.status)
	}
	if !bytes.Equal(a.body, b.body) {
		c.t.Errorf("%s: the bodies differ:\nbefore: %.400s\nafter:  %.400s", what, a.body, b.body)
	}
	names := map[string]bool{}
	for name := range a.header {
		names[name] = true
	}
	for name := range b.header {
		names[name] = true
	}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for n := range names {
			if !yield(n) {
				return
			}
		}
	}) {
		if ignoredHeader(name) {
			continue
		}
		if !slices.Equal(a.header[name], b.header[name]) {
			c.t.Errorf("%s: header %s is %q before, %q after", what, name, a.header[name], b.header[name])
		}
	}
	return a
}

func (c *comparison) send(s *server, method, path string, header map[string]string) answer {
	c.t.Helper()
	req, err := http.NewRequest(method, s.url+api.BasePath+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := client(c.t).Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: body}
}

func (c *comparison) decode(a answer, v any) {
	c.t.Helper()
	if a.status != http.StatusOK {
		c.t.Fatalf("status %d: %s", a.status, a.body)
	}
	if err := json.Unmarshal(a.body, v); err != nil {
		c.t.Fatalf("%v in %s", err, a.body)
	}
}
