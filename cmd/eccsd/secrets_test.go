package main

// Secrets at rest and in logs (doc/reliability.md). A whole `eccsd serve -dev` run issues and
// uses every kind of secret: the demo credentials it seeds, access tokens, client secrets
// (created, rotated, revealed by claim links), API keys (issued, rotated, revealed by claim
// links), claim link tokens, operator tokens, and the server's own keys. After the server has
// stopped, everything it left is scanned for every one of them, in clear, hex and base64
// (internal/testkit/secretscan): the database (the SQLite files with their WAL, or a pg_dump of
// the PostgreSQL database), the documents (files or every object of the S3 bucket), the upload
// spool, and every line it logged. Nothing may be found. Two files of the data directory are
// left out, because they hold secrets by design: keys.json (the server's keys) and, in dev mode
// only, dev-credentials.json (the fixed, public demo credentials). Canaries, values stored in
// clear on purpose, prove that each scan reads what was written. doc/reliability.md records the
// numbers.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/adminclient"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/testkit/openapitest"
	"github.com/eccs/eccs/internal/testkit/pgtest"
	"github.com/eccs/eccs/internal/testkit/s3test"
	"github.com/eccs/eccs/internal/testkit/secretscan"
)

// issuedSecrets is every secret of a run, by name, in the order they were issued.
type issuedSecrets struct {
	names, values []string
	public        map[string]bool // the demo credentials, printed on stdout by design
	linkIDs       []string        // one-time links, whose tokens the server's hash key derives
}

func (s *issuedSecrets) add(name, value string) {
	if value == "" {
		panic("empty secret " + name)
	}
	s.names = append(s.names, name)
	s.values = append(s.values, value)
}

// issueSecretsAndStop runs `serve -dev` with extraArgs on a new data directory, drives every
// flow that issues or carries a secret, stops the server gracefully, and returns it, its data
// directory, every secret (the server's keys included) and the canaries.
func issueSecretsAndStop(t *testing.T, extraArgs ...string) (*server, string, *issuedSecrets, canaries) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	args := append([]string{"serve", "-dev", "--addr", "127.0.0.1:0", "--data-dir", dir, "--rate-limit", "0"}, extraArgs...)
	s, err := launch(t, t.Context(), args, noEnv, dir)
	if err != nil {
		t.Fatal(err)
	}
	secrets, canaries := driveSecretFlows(t, withAdmin(t, s))
	if err := s.stop(); err != nil {
		t.Fatalf("the server did not stop gracefully: %v", err)
	}
	secrets.addServerKeys(t, filepath.Join(dir, "keys.json"))
	return s, dir, secrets, canaries
}

func TestNoSecretIsStoredOrLoggedOnSQLiteAndFiles(t *testing.T) {
	t.Parallel()
	s, dir, secrets, canaries := issueSecretsAndStop(t)

	artifacts := dataDirArtifacts(t, dir)
	if _, ok := artifacts["data/eccs.db"]; !ok {
		t.Fatalf("no SQLite database among %v", keysOf(artifacts))
	}
	addLogs(artifacts, s)
	controls(t, dir, secrets)
	scanArtifacts(t, artifacts, secrets, map[string]string{
		"data/eccs.db":    canaries.stored,   // the application's name, stored in clear
		"data/documents/": canaries.document, // the uploaded document's bytes
		"stderr":          canaries.logged,   // a path the server logged
	})
}

func TestNoSecretIsStoredOrLoggedOnPostgreSQLAndS3(t *testing.T) {
	// Not parallel: s3test sets the AWS_* variables of the process, which the server reads.
	dbURL, blobURL := pgtest.URL(t), s3test.URL(t)
	s, dir, secrets, canaries := issueSecretsAndStop(t, "--database-url", dbURL, "--blob-url", blobURL)

	artifacts := dataDirArtifacts(t, dir)
	artifacts["pg_dump"] = pgtest.Dump(t, dbURL)
	objects := s3test.Objects(t, blobURL)
	if len(objects) == 0 {
		t.Fatal("the bucket is empty: the dev world's documents are not there")
	}
	for key, data := range objects {
		artifacts["s3/"+key] = data
	}
	addLogs(artifacts, s)
	controls(t, dir, secrets)
	scanArtifacts(t, artifacts, secrets, map[string]string{
		"pg_dump": canaries.stored,
		"s3/":     canaries.document,
		"stderr":  canaries.logged,
	})
}

// canaries are values each scan must find, which proves it reads what was written.
type canaries struct {
	stored   string // in the database
	document string // in the document store
	logged   string // in the logs
}

// driveSecretFlows runs every flow that issues or carries a secret, through the admin API
// (with the demo operator token, then with a new one), the token endpoint, claim links and
// the customer API, and returns every secret issued.
func driveSecretFlows(t *testing.T, w *adminWorld) (*issuedSecrets, canaries) {
	t.Helper()
	f := newSecretFlows(t, w)
	demoToken := f.useDemoCredentials()
	f.useANewOperatorToken()
	appName, clientID, rotatedSecret := f.rotateAnApplicationsSecret()
	appToken := f.claimAnApplicationsSecret()
	k2 := f.issueRotateClaimAndRevokeKeys(appToken)
	pdf := f.uploadAndDownloadADocument(demoToken)
	f.inviteAnAccountsHolder()
	// Failed attempts carry secrets too: a wrong client secret, a token used with a wrong key.
	if resp, _ := w.tokenRequest(t, clientID, rotatedSecret+"x"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a wrong secret answers %d", resp.StatusCode)
	}
	if resp, _ := w.do(t, call{path: "/cloud/b2b/v1/me", token: appToken, key: k2 + "x"}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a wrong key answers %d", resp.StatusCode)
	}
	return f.sec, canaries{stored: appName, document: string(pdf[:64]), logged: "/cloud/b2b/v1/contracts"}
}

// secretFlows drives the flows of driveSecretFlows and records every secret they issue.
type secretFlows struct {
	t         *testing.T
	w         *adminWorld
	ctx       context.Context
	creds     devseed.Credentials
	sec       *issuedSecrets
	adminHTTP *http.Client
	ops       *adminclient.Client // with the demo operator token
}

// newSecretFlows records the demo credentials, in the order of their names, as public
// secrets (dev mode prints them by design), and makes an admin client with the demo operator
// token.
func newSecretFlows(t *testing.T, w *adminWorld) *secretFlows {
	t.Helper()
	creds := w.creds
	f := &secretFlows{t: t, w: w, ctx: context.Background(), creds: creds, sec: &issuedSecrets{public: map[string]bool{}}}
	demo := map[string]string{
		"demo client secret": creds.ClientSecret, "demo client API key": creds.APIKeys.Client,
		"demo administrator API key": creds.APIKeys.Administrator, "demo operator token": creds.AdminToken,
	}
	for state, app := range creds.OtherApplications {
		demo["demo "+state+" application secret"] = app.ClientSecret
	}
	names := make([]string, 0, len(demo))
	for name := range demo {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		f.sec.add(name, demo[name])
		f.sec.public[demo[name]] = true
	}
	f.adminHTTP = &http.Client{Transport: openapitest.NewAdmin(t).Transport(t, nil), Timeout: 30 * time.Second}
	ops, err := adminclient.New(w.adminURL, w.opToken, adminclient.WithHTTPClient(f.adminHTTP))
	if err != nil {
		t.Fatal(err)
	}
	f.ops = ops
	return f
}

func (f *secretFlows) must(what string, err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("%s: %v", what, err)
	}
}

// customer makes the calls a customer's script makes with a token and a key.
func (f *secretFlows) customer(token, key string) {
	f.t.Helper()
	for _, path := range []string{"/cloud/b2b/v1/me", "/cloud/b2b/v1/contracts"} {
		if resp, body := f.w.do(f.t, call{path: path, token: token, key: key}); resp.StatusCode != http.StatusOK {
			f.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
	}
}

// token gets an access token and records it.
func (f *secretFlows) token(clientID, secret string) string {
	f.t.Helper()
	tok := f.w.token(f.t, clientID, secret)
	f.sec.add("access token of "+clientID, tok)
	return tok
}

// claimed opens a claim link, recording its token, and returns the secret it reveals.
func (f *secretFlows) claimed(c *admin.Claim) admin.ClaimedSecret {
	f.t.Helper()
	if c == nil {
		f.t.Fatal("no claim link in the answer")
	}
	f.sec.add("claim link token", c.URL[strings.LastIndex(c.URL, "/")+1:])
	status, got := claim(f.t, c.URL)
	if status != http.StatusOK || got.Secret == "" {
		f.t.Fatalf("POST %s: %d %+v", c.URL, status, got)
	}
	return got
}

// useDemoCredentials puts the demo credentials at work: tokens, customer calls, a document
// download, a user declared, a contract ordered. It returns the demo application's token.
func (f *secretFlows) useDemoCredentials() string {
	t, w, creds := f.t, f.w, f.creds
	demoToken := f.token(creds.ClientID, creds.ClientSecret)
	f.customer(demoToken, creds.APIKeys.Client)
	f.customer(demoToken, creds.APIKeys.Administrator)
	if resp, body := w.do(t, call{path: "/cloud/b2b/v1/documents/" + creds.SampleDocumentID + "/file", token: demoToken, key: creds.APIKeys.Client, contract: creds.SampleContractID}); resp.StatusCode != http.StatusOK {
		t.Fatalf("download: %d %s", resp.StatusCode, body)
	}
	w.mustJSON(t, call{method: http.MethodPost, path: "/cloud/b2b/v1/contract/" + creds.SampleContractID + "/user", token: demoToken, key: creds.APIKeys.Client,
		body: `{"lastName":"Scan","firstName":"Sam","email":"sam.scan@secrets.example","login":"sam.scan.secrets","roles":{"contracts":["visitor"]}}`}, http.StatusCreated, nil)
	w.mustJSON(t, call{method: http.MethodPost, path: "/cloud/b2b/v1/contract", token: demoToken, key: creds.APIKeys.Administrator,
		body: fmt.Sprintf(`{"billingAccountId":%q,"offerCode":%q,"contractName":"scanned","supportLevel":%q,"referentName":"Doe","referentFirstName":"Jo","referentMail":"jo.doe@secrets.example"}`,
			creds.BillingAccountID, creds.OfferCode, creds.SupportLevel)}, http.StatusCreated, nil)
	return demoToken
}

// useANewOperatorToken creates an operator token and lists the applications with it.
func (f *secretFlows) useANewOperatorToken() {
	op, err := f.ops.CreateOperatorToken(f.ctx, admin.NewOperatorToken{Name: "secrets scan"})
	f.must("create an operator token", err)
	f.sec.add("new operator token", op.Token)
	ops2, err := adminclient.New(f.w.adminURL, op.Token, adminclient.WithHTTPClient(f.adminHTTP))
	f.must("admin client", err)
	_, err = ops2.Applications(f.ctx, adminclient.Page{})
	f.must("list applications with the new operator token", err)
}

// rotateAnApplicationsSecret creates an application, its secret shown once, rotates the
// secret with an overlap (both work), and again through a claim link. It returns the
// application's name (stored in clear: the database's canary), its client id and the secret
// of the first rotation.
func (f *secretFlows) rotateAnApplicationsSecret() (appName, clientID, rotatedSecret string) {
	ctx, ops, key := f.ctx, f.ops, f.creds.APIKeys.Client
	appName = "Secrets Scan Application 7f3c"
	app, err := ops.CreateApplication(ctx, admin.NewApplication{Name: appName, Subscription: admin.SubscriptionApproved})
	f.must("create an application", err)
	f.sec.add("client secret (created)", app.ClientSecret)
	_, err = ops.AcceptTerms(ctx, app.Application.ID, "scan@secrets.example")
	f.must("accept the terms", err)
	clientID = app.Application.ClientID
	f.customer(f.token(clientID, app.ClientSecret), key)
	rotated, err := ops.RotateClientSecret(ctx, app.Application.ID, admin.SecretRotation{Overlap: "1h"})
	f.must("rotate the client secret", err)
	f.sec.add("client secret (rotated)", rotated.ClientSecret)
	f.customer(f.token(clientID, app.ClientSecret), key) // the overlap
	f.customer(f.token(clientID, rotated.ClientSecret), key)
	viaClaim, err := ops.RotateClientSecret(ctx, app.Application.ID, admin.SecretRotation{ClaimLink: true})
	f.must("rotate the client secret with a claim link", err)
	revealed := f.claimed(viaClaim.Claim)
	f.sec.add("client secret (claimed after rotation)", revealed.Secret)
	f.customer(f.token(clientID, revealed.Secret), key)
	return appName, clientID, rotated.ClientSecret
}

// claimAnApplicationsSecret creates an application with a claim link and returns a token of
// the secret it reveals.
func (f *secretFlows) claimAnApplicationsSecret() string {
	claimedApp, err := f.ops.CreateApplication(f.ctx, admin.NewApplication{Name: "Secrets Scan Claimed App", Subscription: admin.SubscriptionApproved, ClaimLink: true})
	f.must("create an application with a claim link", err)
	_, err = f.ops.AcceptTerms(f.ctx, claimedApp.Application.ID, "scan@secrets.example")
	f.must("accept the terms", err)
	revealed := f.claimed(claimedApp.Claim)
	f.sec.add("client secret (claimed)", revealed.Secret)
	return f.token(claimedApp.Application.ClientID, revealed.Secret)
}

// issueRotateClaimAndRevokeKeys gives an account API keys: issued, rotated with an overlap,
// issued through a claim link, revoked; and a claim link that is never used. It returns the
// key of the rotation, which still works.
func (f *secretFlows) issueRotateClaimAndRevokeKeys(appToken string) string {
	t, ctx, ops := f.t, f.ctx, f.ops
	acct, err := ops.CreateAccount(ctx, admin.NewAccount{Type: "client", Person: admin.Person{LastName: "Scan", FirstName: "Kim", Email: "kim.scan@secrets.example"}})
	f.must("create an account", err)
	k1, err := ops.IssueKey(ctx, acct.ID, admin.KeyRequest{})
	f.must("issue a key", err)
	f.sec.add("API key (issued)", k1.Key)
	f.customer(appToken, k1.Key)
	k2, err := ops.RotateKey(ctx, k1.APIKey.ID, admin.KeyRotation{Overlap: "1h"})
	f.must("rotate the key", err)
	f.sec.add("API key (rotated)", k2.Key)
	f.customer(appToken, k1.Key)
	f.customer(appToken, k2.Key)
	k3, err := ops.IssueKey(ctx, acct.ID, admin.KeyRequest{ClaimLink: true})
	f.must("issue a key with a claim link", err)
	revealed := f.claimed(k3.Claim)
	f.sec.add("API key (claimed)", revealed.Secret)
	f.customer(appToken, revealed.Secret)
	_, err = ops.RevokeKey(ctx, k1.APIKey.ID)
	f.must("revoke the key", err)
	if resp, _ := f.w.do(t, call{path: "/cloud/b2b/v1/me", token: appToken, key: k1.Key}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a revoked key answers %d", resp.StatusCode)
	}
	// A claim link that is never used: its token is in no answer but this one.
	unused, err := ops.IssueKey(ctx, acct.ID, admin.KeyRequest{ClaimLink: true})
	f.must("issue a key with a claim link", err)
	f.sec.add("claim link token (never used)", unused.Claim.URL[strings.LastIndex(unused.Claim.URL, "/")+1:])
	return k2.Key
}

// uploadAndDownloadADocument uploads an invoice through the admin API (the upload spool) and
// downloads it through the customer API; it returns the invoice's bytes.
func (f *secretFlows) uploadAndDownloadADocument(demoToken string) []byte {
	t, creds := f.t, f.creds
	p, _ := docformat.ParsePeriod("202403")
	st := docformat.Generate(docformat.Params{Seed: "secrets", ContractID: creds.SampleContractID, CustomerName: "Scan SA", Period: p})
	var pdf bytes.Buffer
	f.must("write an invoice", docformat.InvoicePDF.Write(&pdf, st, docformat.DefaultInvoice(st)))
	doc, err := f.ops.UploadDocument(f.ctx, creds.SampleContractID, adminclient.DocumentMeta{Type: "invoices", Period: "202403", Amount: "1234.56", Currency: "EUR", Filename: "scan-202403.pdf"}, bytes.NewReader(pdf.Bytes()))
	f.must("upload a document", err)
	if resp, body := f.w.do(t, call{path: "/cloud/b2b/v1/documents/" + doc.ID + "/file", token: demoToken, key: creds.APIKeys.Client, contract: creds.SampleContractID}); resp.StatusCode != http.StatusOK || !bytes.Equal(body, pdf.Bytes()) {
		t.Fatalf("download the uploaded document: %d", resp.StatusCode)
	}
	return pdf.Bytes()
}

// addServerKeys adds the server's own keys (keys.json: the HMAC key of stored secrets and the
// token signing keys), which must appear nowhere but in that file.
func (s *issuedSecrets) addServerKeys(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var kf keysFile
	if err := json.Unmarshal(data, &kf); err != nil {
		t.Fatal(err)
	}
	add := func(name, b64 string) {
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) < 32 {
			t.Fatalf("keys.json %s: %v", name, err)
		}
		s.add("server "+name, string(raw))
	}
	add("hash key", kf.HashKey)
	hashKey, _ := base64.StdEncoding.DecodeString(kf.HashKey)
	for _, id := range s.linkIDs {
		s.add("link token "+id, eccs.Keys{HashKey: hashKey}.LinkToken(id))
	}
	for _, k := range kf.TokenKeys {
		add("token key "+k.ID, k.Secret)
	}
}

// controls scans the two files left out, which hold secrets by design: the scan must find
// the demo credentials in dev-credentials.json and the server keys (base64) in keys.json,
// which proves that the list of secrets and the scanner work end to end.
func controls(t *testing.T, dir string, sec *issuedSecrets) {
	t.Helper()
	for file, want := range map[string]string{"dev-credentials.json": "demo client secret", "keys.json": "server hash key"} {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range secretscan.Scan(data, sec.values) {
			found = found || sec.names[f.Secret] == want
		}
		if !found {
			t.Errorf("control: the scan does not find the %s in %s, which holds it", want, file)
		}
	}
}

// dataDirArtifacts reads every file of the data directory but the two that hold secrets by
// design (keys.json; dev-credentials.json, the public demo credentials).
func dataDirArtifacts(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel == "keys.json" || rel == "dev-credentials.json" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out["data/"+filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// addLogs adds every line the server wrote to stderr (its JSON log) and its stdout.
func addLogs(artifacts map[string][]byte, s *server) {
	for i, line := range strings.Split(s.stderr.String(), "\n") {
		if line != "" {
			artifacts[fmt.Sprintf("stderr line %d", i+1)] = []byte(line)
		}
	}
	artifacts["stdout"] = []byte(s.stdout.String())
}

// scanArtifacts scans every artifact for every secret and fails the test on any finding; each
// canary (by artifact name prefix) must be found in some artifact of that prefix.
func scanArtifacts(t *testing.T, artifacts map[string][]byte, sec *issuedSecrets, canaryOf map[string]string) {
	t.Helper()
	for prefix, canary := range canaryOf {
		found := false
		for name, data := range artifacts {
			if strings.HasPrefix(name, prefix) && bytes.Contains(data, []byte(canary)) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("the canary %.20q is in no artifact %s*: that scan does not see what was written", canary, prefix)
		}
	}
	// The demo credentials are printed on stdout by dev mode's welcome, by design.
	private := make([]string, len(sec.values))
	for i, v := range sec.values {
		if !sec.public[v] {
			private[i] = v
		}
	}
	var bytesScanned, findings int
	lines := 0
	for name, data := range artifacts {
		bytesScanned += len(data)
		if strings.HasPrefix(name, "stderr line ") {
			lines++
		}
		list := sec.values
		if name == "stdout" {
			list = private
		}
		for _, f := range secretscan.Scan(data, list) {
			findings++
			if findings <= 20 {
				t.Errorf("%s holds %s (%s) as %s at byte %d", name, sec.names[f.Secret], abbreviate(sec.values[f.Secret]), f.Encoding, f.Offset)
			}
		}
	}
	forms := 0
	for _, v := range sec.values {
		forms += len(secretscan.Forms(v))
	}
	t.Logf("scanned %d artifacts (%d files or objects, %d log lines, %d bytes) for %d secrets in %d encoded forms: %d secrets × artifacts, %d findings",
		len(artifacts), len(artifacts)-lines-1, lines, bytesScanned, len(sec.values), forms, len(artifacts)*len(sec.values), findings)
}

func abbreviate(s string) string {
	if len(s) > 8 {
		return fmt.Sprintf("%q…", s[:6])
	}
	return "…"
}

func keysOf(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// inviteAnAccountsHolder invites the holder of an account, and creates an account with its
// invitation: each makes a one-time link whose token the server derives and never stores.
func (f *secretFlows) inviteAnAccountsHolder() {
	f.t.Helper()
	inv, err := f.ops.InviteAccount(f.ctx, "claire.martin@acme.example", admin.InvitationRequest{Language: "en"})
	f.must("invite an account's holder", err)
	acct, err := f.ops.CreateAccount(f.ctx, admin.NewAccount{Type: admin.AccountClient,
		Person: admin.Person{LastName: "Invited", FirstName: "Ines", Email: "ines.invited@acme.example"}, Invite: &admin.InvitationRequest{}})
	f.must("create an account with its invitation", err)
	if acct.Invitation == nil {
		f.t.Fatal("the account was created without its invitation")
	}
	f.sec.linkIDs = append(f.sec.linkIDs, inv.LinkID, acct.Invitation.LinkID)
}
