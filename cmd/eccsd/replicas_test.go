package main

// Two `eccsd serve` replicas on one PostgreSQL database and one S3 bucket (a real MinIO),
// sharing one keys file, as doc/deployment.md describes: what one replica issues or changes,
// the other honours, within the bound of the cache's database poll (cachePoll).

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/testkit/pgtest"
	"github.com/eccs/eccs/internal/testkit/s3test"
)

// replicaBound is the longest a change made through one replica may take to reach the other:
// the poll interval of the cache (1 s), with room for a loaded test machine.
const replicaBound = 5 * time.Second

// startReplicas migrates a fresh PostgreSQL database, then starts replica A (`serve -dev`,
// which seeds the demo world into PostgreSQL and the bucket) and replica B (a plain `serve`
// on the same database, bucket and keys file). Both run without rate limits: the tests order
// contracts faster than the default allows. Not parallel: s3test sets the AWS_* variables of
// the process, which the servers read.
func startReplicas(t *testing.T) (a *adminWorld, b *server, dbURL, blobURL string) {
	t.Helper()
	dbURL = pgtest.URL(t)
	blobURL = s3test.URL(t)
	keys := filepath.Join(t.TempDir(), "keys.json")
	if out, errOut, err := runCmd(t, noEnv, "migrate", "--database-url", dbURL); err != nil || !strings.Contains(out, "applied") {
		t.Fatalf("eccsd migrate --database-url: %v\nstdout: %s\nstderr: %s", err, out, errOut)
	}
	shared := []string{"--addr", "127.0.0.1:0", "--database-url", dbURL, "--blob-url", blobURL, "--keys-file", keys, "--rate-limit", "0"}
	dirA := filepath.Join(t.TempDir(), "a")
	sa := startServer(t, append([]string{"serve", "-dev", "--data-dir", dirA}, shared...), noEnv, dirA)
	if sa.creds.ClientID != devseed.ClientID {
		t.Fatalf("replica A (serve -dev on PostgreSQL) wrote no usable dev-credentials.json: %+v", sa.creds)
	}
	dirB := t.TempDir()
	b = startServer(t, append([]string{"serve", "--data-dir", dirB}, shared...), noEnv, dirB)
	return withAdmin(t, sa), b, dbURL, blobURL
}

// remember adds secrets to those s's logs must never hold.
func remember(s *server, secrets ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = append(s.tokens, secrets...)
}

// statusCode is the status and gateway code of an answer (code 0 for a success or a body that
// is not the envelope).
func statusCode(resp *http.Response, body []byte) (int, int) {
	var e api.Error
	if resp.StatusCode >= 400 && json.Unmarshal(body, &e) == nil {
		return resp.StatusCode, e.Code
	}
	return resp.StatusCode, 0
}

// until calls each check every 20 ms until it has returned true once, and logs how long each
// took from the call of until (the change was committed just before); it fails the test when
// one is still false after replicaBound.
func until(t *testing.T, checks map[string]func() bool) {
	t.Helper()
	start := time.Now()
	pending := maps.Clone(checks)
	for len(pending) > 0 {
		for what, check := range pending {
			if check() {
				t.Logf("%s: seen after %s", what, time.Since(start).Round(time.Millisecond))
				delete(pending, what)
			}
		}
		if len(pending) > 0 && time.Since(start) > replicaBound {
			t.Fatalf("not seen within %s: %v", replicaBound, slices.Collect(maps.Keys(pending)))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTwoReplicasOnOnePostgreSQLShareTokensChangesAndContractNumbers runs two replicas on one
// database, bucket and keys file: tokens, revoked keys, suspended applications and rotated
// secrets cross from one to the other within replicaBound, concurrent orders over both get
// distinct numbers, and dev mode refuses the database once it holds data. The steps run in
// turn on the same replicas.
func TestTwoReplicasOnOnePostgreSQLShareTokensChangesAndContractNumbers(t *testing.T) {
	r := &replicaPair{}
	r.a, r.b, r.dbURL, r.blobURL = startReplicas(t)
	r.tokA = r.a.demoToken(t)

	t.Run("a token issued by one replica is accepted by the other", r.checkTokensCross)
	t.Run("an API key revoked through one replica is refused by the other within the bound", r.checkKeyRevocationCrosses)
	t.Run("an application suspended through one replica is refused by the other within the bound", r.checkSuspensionCrosses)
	t.Run("a client secret rotated through one replica ends the older tokens on the other within the bound", r.checkSecretRotationCrosses)
	t.Run("200 concurrent orders over both replicas get 200 distinct numbers", r.checkConcurrentOrdersGetDistinctNumbers)
	t.Run("dev mode refuses the shared database, which holds data", r.checkDevModeRefusesTheSharedDatabase)
}

// replicaPair is the two replicas of startReplicas, with a token of the demo application
// minted by A.
type replicaPair struct {
	a              *adminWorld
	b              *server
	dbURL, blobURL string
	tokA           string
}

func (r *replicaPair) checkTokensCross(t *testing.T) {
	a, b := r.a, r.b
	var seen []api.Contract
	b.mustJSON(t, call{path: api.BasePath + "/contracts", token: r.tokA, key: devseed.ClientAPIKey}, http.StatusOK, &seen)
	if len(seen) != len(a.creds.Contracts.Client) {
		t.Errorf("replica B lists %d contracts for the client account, want %d", len(seen), len(a.creds.Contracts.Client))
	}
	tokB := b.demoToken(t)
	a.mustJSON(t, call{path: api.BasePath + "/me", token: tokB, key: devseed.AdministratorKey}, http.StatusOK, nil)
}

func (r *replicaPair) checkKeyRevocationCrosses(t *testing.T) {
	a, b := r.a, r.b
	var acct admin.Account
	a.adminJSON(t, &acct, "accounts", "create", "--type", "administrator", "--email", "replica.keys@acme.example",
		"--last-name", "Replica", "--first-name", "Rita", "--billing-accounts", devseed.BillingAccountID, "--offers", devseed.OfferCode)
	var k admin.IssuedKey
	a.adminJSON(t, &k, "keys", "issue", acct.ID)
	a.remember(k.Key)
	remember(b, k.Key)
	keyOnB := func() (int, int) {
		return statusCode(b.do(t, call{path: api.BasePath + "/contracts", token: r.tokA, key: k.Key}))
	}
	if status, code := keyOnB(); status != http.StatusOK {
		t.Fatalf("the new key on replica B: %d/%d, want 200", status, code) // B has it cached now
	}
	a.mustAdmin(t, "keys", "revoke", k.APIKey.ID)
	until(t, map[string]func() bool{"key revoked through A, refused by B (401/41)": func() bool {
		status, code := keyOnB()
		return status == http.StatusUnauthorized && code == api.CodeInvalidCredentials
	}})
}

// newReplicaApp creates an approved application through A and returns it with a token B
// minted for it, which works on B.
func (r *replicaPair) newReplicaApp(t *testing.T, name string) (admin.IssuedApplication, string) {
	t.Helper()
	a, b := r.a, r.b
	var app admin.IssuedApplication
	a.adminJSON(t, &app, "apps", "create", "--name", name, "--approve", "--accept-terms-by", "Claire Martin")
	a.remember(app.ClientSecret)
	remember(b, app.ClientSecret)
	tok := b.token(t, app.Application.ClientID, app.ClientSecret)
	a.remember(tok)
	if status, code := r.contractsOnB(t, tok); status != http.StatusOK {
		t.Fatalf("the new application on replica B: %d/%d, want 200", status, code)
	}
	return app, tok
}

// contractsOnB lists the client account's contracts on B with token, and returns the status
// and gateway code.
func (r *replicaPair) contractsOnB(t *testing.T, token string) (int, int) {
	return statusCode(r.b.do(t, call{path: api.BasePath + "/contracts", token: token, key: devseed.ClientAPIKey}))
}

func (r *replicaPair) checkSuspensionCrosses(t *testing.T) {
	a, b := r.a, r.b
	app, tok := r.newReplicaApp(t, "Replica test app") // tok: minted by B before the suspension
	a.mustAdmin(t, "apps", "suspend", app.Application.ID)
	until(t, map[string]func() bool{
		"application suspended through A, token endpoint of B answers invalid_client": func() bool {
			resp, body := b.tokenRequest(t, app.Application.ClientID, app.ClientSecret)
			var oe api.OAuthError
			return resp.StatusCode == http.StatusUnauthorized && json.Unmarshal(body, &oe) == nil && oe.Error == api.OAuthInvalidClient
		},
		"application suspended through A, B refuses the token minted before (401/41)": func() bool {
			status, code := r.contractsOnB(t, tok)
			return status == http.StatusUnauthorized && code == api.CodeInvalidCredentials
		},
	})
}

func (r *replicaPair) checkSecretRotationCrosses(t *testing.T) {
	a, b := r.a, r.b
	app, tok := r.newReplicaApp(t, "Replica rotation app") // tok: minted by B with the first secret
	var rotated admin.IssuedApplication
	a.adminJSON(t, &rotated, "apps", "rotate-secret", app.Application.ID) // no overlap: at once
	a.remember(rotated.ClientSecret)
	remember(b, rotated.ClientSecret)
	until(t, map[string]func() bool{"secret rotated through A, B refuses the token of the old secret (401/41)": func() bool {
		status, code := r.contractsOnB(t, tok)
		return status == http.StatusUnauthorized && code == api.CodeInvalidCredentials
	}})
	fresh := b.token(t, app.Application.ClientID, rotated.ClientSecret)
	a.remember(fresh)
	if status, code := r.contractsOnB(t, fresh); status != http.StatusOK {
		t.Errorf("a token of the new secret on replica B: %d/%d, want 200", status, code)
	}
}

func (r *replicaPair) checkConcurrentOrdersGetDistinctNumbers(t *testing.T) {
	const n = 200
	replicas := []*server{r.a.server, r.b}
	ids := make([]string, n)
	c := client(t)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i] = r.order(t, c, replicas[i%2], i)
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	seen := map[string]int{}
	for i, id := range ids {
		if j, dup := seen[id]; dup {
			t.Fatalf("orders %d and %d both got %s", j, i, id)
		}
		seen[id] = i
		// Each is readable from the replica that did not order it.
		var got api.Contract
		replicas[(i+1)%2].mustJSON(t, call{path: api.BasePath + "/contract", token: r.tokA, key: devseed.AdministratorKey, contract: id}, http.StatusOK, &got)
		if got.ID != id || got.Name != fmt.Sprintf("Replica load %d", i) {
			t.Errorf("contract %s read from the other replica: %+v", id, got)
		}
	}
	t.Logf("%d orders over two replicas: %d distinct numbers", n, len(seen))
}

// order orders contract "Replica load i" on replica s with c and returns its number, or ""
// after failing the test (from any goroutine: it calls t.Errorf only).
func (r *replicaPair) order(t *testing.T, c *http.Client, s *server, i int) string {
	body := fmt.Sprintf(`{"billingAccountId": %q, "offerCode": %q, "contractName": "Replica load %d", "supportLevel": %q,
					"referentName": "Doe", "referentFirstName": "Jane", "referentMail": "jane.replica%d@example.com"}`,
		devseed.BillingAccountID, devseed.OfferCode, i, devseed.SupportLevel, i%7)
	req, err := http.NewRequest(http.MethodPost, s.url+api.BasePath+"/contract", strings.NewReader(body))
	if err != nil {
		t.Error(err)
		return ""
	}
	req.Header.Set("Authorization", "Bearer "+r.tokA)
	req.Header.Set(api.HeaderAPIKey, devseed.AdministratorKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Errorf("order %d: %v", i, err)
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var created api.ContractCreated
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(b, &created) != nil {
		t.Errorf("order %d on replica %c: %d %s", i, 'A'+i%2, resp.StatusCode, b)
		return ""
	}
	return created.ID
}

func (r *replicaPair) checkDevModeRefusesTheSharedDatabase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "c")
	_, errOut, err := runCmd(t, noEnv, "serve", "-dev", "--addr", "127.0.0.1:0", "--data-dir", dir, "--database-url", r.dbURL, "--blob-url", r.blobURL)
	if err == nil || !strings.Contains(err.Error()+errOut, "seeds only an empty database") {
		t.Errorf("serve -dev on a database that holds data: %v\n%s", err, errOut)
	}
}
