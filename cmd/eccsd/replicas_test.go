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

func TestTwoReplicasOnOnePostgreSQLShareTokensChangesAndContractNumbers(t *testing.T) {
	a, b, dbURL, blobURL := startReplicas(t)
	tokA := a.demoToken(t)

	t.Run("a token issued by one replica is accepted by the other", func(t *testing.T) {
		var seen []api.Contract
		b.mustJSON(t, call{path: api.BasePath + "/contracts", token: tokA, key: devseed.ClientAPIKey}, http.StatusOK, &seen)
		if len(seen) != len(a.creds.Contracts.Client) {
			t.Errorf("replica B lists %d contracts for the client account, want %d", len(seen), len(a.creds.Contracts.Client))
		}
		tokB := b.demoToken(t)
		a.mustJSON(t, call{path: api.BasePath + "/me", token: tokB, key: devseed.AdministratorKey}, http.StatusOK, nil)
	})

	t.Run("an API key revoked through one replica is refused by the other within the bound", func(t *testing.T) {
		var acct admin.Account
		a.adminJSON(t, &acct, "accounts", "create", "--type", "administrator", "--email", "replica.keys@acme.example",
			"--last-name", "Replica", "--first-name", "Rita", "--billing-accounts", devseed.BillingAccountID, "--offers", devseed.OfferCode)
		var k admin.IssuedKey
		a.adminJSON(t, &k, "keys", "issue", acct.ID)
		a.remember(k.Key)
		remember(b, k.Key)
		keyOnB := func() (int, int) {
			return statusCode(b.do(t, call{path: api.BasePath + "/contracts", token: tokA, key: k.Key}))
		}
		if status, code := keyOnB(); status != http.StatusOK {
			t.Fatalf("the new key on replica B: %d/%d, want 200", status, code) // B has it cached now
		}
		a.mustAdmin(t, "keys", "revoke", k.APIKey.ID)
		until(t, map[string]func() bool{"key revoked through A, refused by B (401/41)": func() bool {
			status, code := keyOnB()
			return status == http.StatusUnauthorized && code == api.CodeInvalidCredentials
		}})
	})

	t.Run("an application suspended through one replica is refused by the other within the bound", func(t *testing.T) {
		var app admin.IssuedApplication
		a.adminJSON(t, &app, "apps", "create", "--name", "Replica test app", "--approve", "--accept-terms-by", "Claire Martin")
		a.remember(app.ClientSecret)
		remember(b, app.ClientSecret)
		tok := b.token(t, app.Application.ClientID, app.ClientSecret) // minted by B before the suspension
		a.remember(tok)
		callOnB := func() (int, int) {
			return statusCode(b.do(t, call{path: api.BasePath + "/contracts", token: tok, key: devseed.ClientAPIKey}))
		}
		if status, code := callOnB(); status != http.StatusOK {
			t.Fatalf("the new application on replica B: %d/%d, want 200", status, code)
		}
		a.mustAdmin(t, "apps", "suspend", app.Application.ID)
		until(t, map[string]func() bool{
			"application suspended through A, token endpoint of B answers invalid_client": func() bool {
				resp, body := b.tokenRequest(t, app.Application.ClientID, app.ClientSecret)
				var oe api.OAuthError
				return resp.StatusCode == http.StatusUnauthorized && json.Unmarshal(body, &oe) == nil && oe.Error == api.OAuthInvalidClient
			},
			"application suspended through A, B refuses the token minted before (401/41)": func() bool {
				status, code := callOnB()
				return status == http.StatusUnauthorized && code == api.CodeInvalidCredentials
			},
		})
	})

	t.Run("a client secret rotated through one replica ends the older tokens on the other within the bound", func(t *testing.T) {
		var app admin.IssuedApplication
		a.adminJSON(t, &app, "apps", "create", "--name", "Replica rotation app", "--approve", "--accept-terms-by", "Claire Martin")
		a.remember(app.ClientSecret)
		remember(b, app.ClientSecret)
		tok := b.token(t, app.Application.ClientID, app.ClientSecret) // minted by B with the first secret
		a.remember(tok)
		callOnB := func(token string) (int, int) {
			return statusCode(b.do(t, call{path: api.BasePath + "/contracts", token: token, key: devseed.ClientAPIKey}))
		}
		if status, code := callOnB(tok); status != http.StatusOK {
			t.Fatalf("the new application on replica B: %d/%d, want 200", status, code)
		}
		var rotated admin.IssuedApplication
		a.adminJSON(t, &rotated, "apps", "rotate-secret", app.Application.ID) // no overlap: at once
		a.remember(rotated.ClientSecret)
		remember(b, rotated.ClientSecret)
		until(t, map[string]func() bool{"secret rotated through A, B refuses the token of the old secret (401/41)": func() bool {
			status, code := callOnB(tok)
			return status == http.StatusUnauthorized && code == api.CodeInvalidCredentials
		}})
		fresh := b.token(t, app.Application.ClientID, rotated.ClientSecret)
		a.remember(fresh)
		if status, code := callOnB(fresh); status != http.StatusOK {
			t.Errorf("a token of the new secret on replica B: %d/%d, want 200", status, code)
		}
	})

	t.Run("200 concurrent orders over both replicas get 200 distinct numbers", func(t *testing.T) {
		const n = 200
		replicas := []*server{a.server, b}
		ids := make([]string, n)
		c := client(t)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := fmt.Sprintf(`{"billingAccountId": %q, "offerCode": %q, "contractName": "Replica load %d", "supportLevel": %q,
					"referentName": "Doe", "referentFirstName": "Jane", "referentMail": "jane.replica%d@example.com"}`,
					devseed.BillingAccountID, devseed.OfferCode, i, devseed.SupportLevel, i%7)
				req, err := http.NewRequest(http.MethodPost, replicas[i%2].url+api.BasePath+"/contract", strings.NewReader(body))
				if err != nil {
					t.Error(err)
					return
				}
				req.Header.Set("Authorization", "Bearer "+tokA)
				req.Header.Set(api.HeaderAPIKey, devseed.AdministratorKey)
				req.Header.Set("Content-Type", "application/json")
				resp, err := c.Do(req)
				if err != nil {
					t.Errorf("order %d: %v", i, err)
					return
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				var created api.ContractCreated
				if resp.StatusCode != http.StatusCreated || json.Unmarshal(b, &created) != nil {
					t.Errorf("order %d on replica %c: %d %s", i, 'A'+i%2, resp.StatusCode, b)
					return
				}
				ids[i] = created.ID
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
			replicas[(i+1)%2].mustJSON(t, call{path: api.BasePath + "/contract", token: tokA, key: devseed.AdministratorKey, contract: id}, http.StatusOK, &got)
			if got.ID != id || got.Name != fmt.Sprintf("Replica load %d", i) {
				t.Errorf("contract %s read from the other replica: %+v", id, got)
			}
		}
		t.Logf("%d orders over two replicas: %d distinct numbers", n, len(seen))
	})

	t.Run("dev mode refuses the shared database, which holds data", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "c")
		_, errOut, err := runCmd(t, noEnv, "serve", "-dev", "--addr", "127.0.0.1:0", "--data-dir", dir, "--database-url", dbURL, "--blob-url", blobURL)
		if err == nil || !strings.Contains(err.Error()+errOut, "seeds only an empty database") {
			t.Errorf("serve -dev on a database that holds data: %v\n%s", err, errOut)
		}
	})
}
