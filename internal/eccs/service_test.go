package eccs_test

// Tests of the Service's rules against a real SQLite database and real blob files. This file
// holds the shared fixtures (a fake clock, an environment, a small world) and the helpers of the
// tests of the token checks, IssueToken and ApplicationForToken, which are in apptoken_test.go.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/fileblob"
	"github.com/eccs/eccs/internal/sqlite"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

// t0 is when every test world starts.
var t0 = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

func deterministicRandom(seed byte) io.Reader {
	var s [32]byte
	for i := range s {
		s[i] = seed + byte(i)
	}
	return testenv.LockedReader(rand.NewChaCha8(s))
}

// zeroReader yields zero bytes: every id a Service draws from it is the same.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

var (
	hashKey  = []byte("hash-key-of-the-tests-0123456789abcdef")
	tokenK1  = eccs.TokenKey{ID: "k1", Secret: []byte("token-key-one-0123456789abcdef-0123456789")}
	tokenK2  = eccs.TokenKey{ID: "k2", Secret: []byte("token-key-two-0123456789abcdef-0123456789")}
	testTTL  = 15 * time.Minute // not the default, so that tests see the configured value is used
	ctxTests = context.Background()
)

// env is a Service over a fresh SQLite file and blob directory, with a fake clock.
type env struct {
	t       *testing.T
	ctx     context.Context
	svc     *eccs.Service
	store   *sqlite.Store
	blobs   *fileblob.Store
	clock   *testenv.Clock
	cfg     eccs.Config
	dir     string
	dbPath  string
	blobDir string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{t: t, ctx: ctxTests, clock: testenv.NewClock(t0), dir: dir,
		dbPath: filepath.Join(dir, "eccs.db"), blobDir: filepath.Join(dir, "blobs")}
	st, err := sqlite.Open(e.ctx, e.dbPath, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.store = st
	if e.blobs, err = fileblob.Open(e.blobDir); err != nil {
		t.Fatal(err)
	}
	e.cfg = eccs.Config{
		Keys:     eccs.Keys{HashKey: hashKey, TokenKeys: []eccs.TokenKey{tokenK1}},
		TokenTTL: testTTL,
		Now:      e.clock.Now,
		Random:   deterministicRandom(1),
		Formats:  testenv.AnyFormats{},
	}
	e.svc = e.service(func(*eccs.Config) {})
	return e
}

// service returns another Service on the same store, blobs and clock, with cfg changed by edit.
func (e *env) service(edit func(*eccs.Config)) *eccs.Service {
	e.t.Helper()
	cfg := e.cfg
	edit(&cfg)
	svc, err := eccs.NewService(e.store, e.blobs, cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return svc
}

// world is a small customer space:
//
//	customers acme (BA1, BA2) and globex (BA3); offers FE (PRM, BSC, ADV) and CAV (BSC);
//	contracts BA1-FE, BA1-CAV, BA2-FE, BA2-CAV, BA3-FE, BA3-CAV, all with referent Rita;
//	admin: administrator, perimeter {BA1, BA2} x {FE}: sees BA1-FE and BA2-FE;
//	carol: client declared on BA1-FE (contracts visitor, documents manager, users manager),
//	       BA3-FE (contracts manager, documents visitor) and BA3-CAV (contracts visitor);
//	rita:  client, referent of every contract (manager everywhere);
//	dave:  client declared nowhere;
//	app:   an active application, approved, terms accepted.
type world struct {
	*env
	acme, globex                         eccs.Customer
	ba1, ba2, ba3                        eccs.BillingAccount
	fe, cav                              eccs.Offer
	contracts                            map[string]eccs.Contract
	contractIDs                          []string // sorted
	admin, carol, rita, dave             eccs.Account
	adminKey, carolKey, ritaKey, daveKey string
	carolID, ritaID                      eccs.Identity
	app                                  eccs.Application
	appSecret                            string
}

const (
	appClientID = "test-client-approved"
	appSecret   = "secret-of-the-approved-application-0001"
)

var ritaPerson = eccs.Person{Civility: "Mrs", LastName: "Referent", FirstName: "Rita", Email: "rita@acme.example", MobilePhone: "+33 6 12 34 56 78"}
var carolUser = eccs.NewUser{Civility: "Ms", LastName: "Dupont", FirstName: "Carol", Email: "carol.dupont@acme.example",
	Login: "carol.dupont", FixPhone: "+33 1 23 45 67 89"}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{env: newEnv(t), contracts: map[string]eccs.Contract{}}
	ctx, s := w.ctx, w.svc
	w.acme = must(s.CreateCustomer(ctx, eccs.Customer{ID: "acme", Name: "Acme Industries", Segment: "large"}))(t)
	w.globex = must(s.CreateCustomer(ctx, eccs.Customer{ID: "globex", Name: "Globex", Segment: "int"}))(t)
	w.ba1 = must(s.CreateBillingAccount(ctx, eccs.BillingAccount{ID: "BA1", CustomerID: "acme", Name: "Acme IT"}))(t)
	w.ba2 = must(s.CreateBillingAccount(ctx, eccs.BillingAccount{ID: "BA2", CustomerID: "acme", Name: "Acme R&D"}))(t)
	w.ba3 = must(s.CreateBillingAccount(ctx, eccs.BillingAccount{ID: "BA3", CustomerID: "globex", Name: "Globex HQ"}))(t)
	w.fe = must(s.CreateOffer(ctx, eccs.Offer{ID: "FE", Name: "Flexible Engine", ContractType: "IAAS", SupportLevels: []string{"PRM", "BSC", "ADV"}}))(t)
	w.cav = must(s.CreateOffer(ctx, eccs.Offer{ID: "CAV", Name: "Cloud Avenue", ContractType: "PAAS", SupportLevels: []string{"BSC"}}))(t)

	for _, ba := range []string{"BA1", "BA2", "BA3"} {
		for _, of := range []string{"FE", "CAV"} {
			id := ba + "-" + of
			c := must(s.CreateContract(ctx, eccs.NewContract{ID: id, Name: "Contract " + id, OfferID: of,
				BillingAccountID: ba, Referent: ritaPerson, ReferentLogin: "rita.referent"}))(t)
			w.contracts[id] = c
			w.contractIDs = append(w.contractIDs, id)
		}
	}
	slices.Sort(w.contractIDs)

	declare := func(contractID string, roles map[string][]string) {
		u := carolUser
		u.Roles = roles
		must(s.AddUser(ctx, contractID, u))(t)
	}
	declare("BA1-FE", map[string][]string{"contracts": {"visitor"}, "documents": {"manager"}, "users": {"manager"}})
	declare("BA3-FE", map[string][]string{"contracts": {"manager"}, "documents": {"visitor"}})
	declare("BA3-CAV", map[string][]string{"contracts": {"visitor"}})

	w.admin = must(s.CreateAccount(ctx, eccs.NewAccount{Type: eccs.AccountAdministrator,
		Person: eccs.Person{LastName: "Admin", FirstName: "Adam", Email: "adam@acme.example"}, Login: "adam.admin",
		Perimeter: eccs.Perimeter{BillingAccountIDs: []string{"BA1", "BA2"}, OfferIDs: []string{"FE"}}}))(t)
	w.carol = must(s.CreateAccount(ctx, eccs.NewAccount{Type: eccs.AccountClient,
		Person: eccs.Person{LastName: "Dupont", FirstName: "Carol", Email: "carol.dupont@acme.example"}}))(t)
	w.rita = must(s.CreateAccount(ctx, eccs.NewAccount{Type: eccs.AccountClient, Person: ritaPerson}))(t)
	w.dave = must(s.CreateAccount(ctx, eccs.NewAccount{Type: eccs.AccountClient,
		Person: eccs.Person{LastName: "Nobody", FirstName: "Dave", Email: "dave@globex.example"}, Login: "dave.nobody"}))(t)
	w.adminKey = w.issueKey(w.admin)
	w.carolKey = w.issueKey(w.carol)
	w.ritaKey = w.issueKey(w.rita)
	w.daveKey = w.issueKey(w.dave)
	w.carolID = must(w.store.IdentityByEmail(ctx, carolUser.Email))(t)
	w.ritaID = must(w.store.IdentityByEmail(ctx, ritaPerson.Email))(t)

	var err error
	w.app, w.appSecret, err = s.CreateApplication(ctx, eccs.NewApplication{Name: "Billing dashboard",
		ClientID: appClientID, Secret: appSecret, Subscription: eccs.SubscriptionApproved, TermsAccepted: true})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) issueKey(a eccs.Account) string {
	w.t.Helper()
	_, key, err := w.svc.IssueAPIKey(w.ctx, a.ID, eccs.KeyOptions{})
	if err != nil {
		w.t.Fatal(err)
	}
	return key
}

// must(f())(t) returns f's value, failing the test if f returned an error.
func must[T any](v T, err error) func(t testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

// wantErr checks that err carries an *eccs.Error with the given code, reason and field, whose
// message is one sentence without internals, and returns it.
func wantErr(t testing.TB, err error, code eccs.Code, reason eccs.Reason, field string) *eccs.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s (reason %q, field %q)", code, reason, field)
	}
	var e *eccs.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %q (%T) holds no *eccs.Error, want %s", err, err, code)
	}
	if got := eccs.ErrorCode(err); got != code {
		t.Fatalf("ErrorCode = %s, want %s (error: %v)", got, code, err)
	}
	if e.Code != code || e.Reason != reason || e.Field != field {
		t.Fatalf("error = {Code:%s Reason:%q Field:%q}, want {%s %q %q} (message: %s)", e.Code, e.Reason, e.Field, code, reason, field, e.Message)
	}
	checkSentence(t, e.Message)
	return e
}

// checkSentence checks that a message meant for callers is one sentence that leaks nothing.
func checkSentence(t testing.TB, msg string) {
	t.Helper()
	if strings.TrimSpace(msg) == "" || !strings.HasSuffix(msg, ".") || strings.ContainsAny(msg, "\n\r") {
		t.Errorf("message %q is not one sentence ending with a period", msg)
	}
	for _, leak := range []string{"sqlite", "SQL", "constraint", "INSERT", "SELECT", "/tmp/", "panic", "%!"} {
		if strings.Contains(msg, leak) {
			t.Errorf("message %q leaks %q", msg, leak)
		}
	}
}

// --- IssueToken -------------------------------------------------------------------------------

// newApp registers an application with a preset client id and secret, then gives it status.
func (e *env) newApp(clientID string, sub eccs.SubscriptionState, terms bool, status eccs.ApplicationStatus) eccs.Application {
	e.t.Helper()
	app, _, err := e.svc.CreateApplication(e.ctx, eccs.NewApplication{Name: "App " + clientID, ClientID: clientID,
		Secret: "secret-of-" + clientID + "-0123456789abcdef", Subscription: sub, TermsAccepted: terms})
	if err != nil {
		e.t.Fatal(err)
	}
	if status != eccs.ApplicationActive {
		app = must(e.svc.SetApplicationStatus(e.ctx, app.ID, status))(e.t)
	}
	return app
}

func secretOf(clientID string) string { return "secret-of-" + clientID + "-0123456789abcdef" }

func segment(t testing.TB, token string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q has %d segments", token, len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func claimsOf(t testing.TB, token string) map[string]any { return segment(t, token, 1) }

// --- ApplicationForToken ----------------------------------------------------------------------

func (e *env) token(svc *eccs.Service, clientID, secret string) string {
	e.t.Helper()
	tok, _, err := svc.IssueToken(e.ctx, clientID, secret)
	if err != nil {
		e.t.Fatalf("IssueToken(%s): %v", clientID, err)
	}
	return tok.Value
}
