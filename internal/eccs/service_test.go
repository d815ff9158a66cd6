package eccs_test

// Tests of the Service's rules against a real SQLite database and real blob files. This file
// holds the shared fixtures (a fake clock, an environment, a small world) and the tests of the
// token checks: IssueToken and ApplicationForToken.

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
	"sync"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/fileblob"
	"github.com/eccs/eccs/internal/sqlite"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

// t0 is when every test world starts.
var t0 = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

// lockedReader makes a deterministic random source safe for the Service's concurrent use.
type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

func deterministicRandom(seed byte) io.Reader {
	var s [32]byte
	for i := range s {
		s[i] = seed + byte(i)
	}
	return &lockedReader{r: rand.NewChaCha8(s)}
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

func TestIssueToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.newApp("app-suspended", eccs.SubscriptionApproved, true, eccs.ApplicationSuspended)
	w.newApp("app-deleted", eccs.SubscriptionApproved, true, eccs.ApplicationDeleted)
	w.newApp("app-blocked", eccs.SubscriptionApproved, true, eccs.ApplicationBlocked)
	w.newApp("app-pending", eccs.SubscriptionPending, false, eccs.ApplicationActive)
	w.newApp("app-none", eccs.SubscriptionNone, false, eccs.ApplicationActive)
	w.newApp("app-no-terms", eccs.SubscriptionApproved, false, eccs.ApplicationActive)

	granted := []struct{ name, clientID, secret string }{
		{"right secret", appClientID, appSecret},
		{"blocked application gets a token", "app-blocked", secretOf("app-blocked")},
		{"pending subscription gets a token", "app-pending", secretOf("app-pending")},
		{"no subscription gets a token", "app-none", secretOf("app-none")},
		{"terms not accepted gets a token", "app-no-terms", secretOf("app-no-terms")},
	}
	for _, tc := range granted {
		t.Run(tc.name, func(t *testing.T) {
			tok, app, err := w.svc.IssueToken(w.ctx, tc.clientID, tc.secret)
			if err != nil {
				t.Fatalf("IssueToken: %v", err)
			}
			if app.ClientID != tc.clientID || tok.Value == "" {
				t.Fatalf("got app %q, token %q", app.ClientID, tok.Value)
			}
			if tok.ExpiresIn != testTTL || w.svc.TokenTTL() != testTTL {
				t.Errorf("ExpiresIn = %v, TokenTTL() = %v, want the configured %v", tok.ExpiresIn, w.svc.TokenTTL(), testTTL)
			}
		})
	}

	refused := []struct{ name, clientID, secret string }{
		{"wrong secret", appClientID, appSecret + "x"},
		{"secret of another application", appClientID, secretOf("app-blocked")},
		{"empty secret", appClientID, ""},
		{"oversized secret", appClientID, strings.Repeat("s", 4096)},
		{"unknown client", "no-such-client", appSecret},
		{"client id in another case", strings.ToUpper(appClientID), appSecret},
		{"empty client id", "", appSecret},
		{"client id with a colon", appClientID + ":x", appSecret},
		{"suspended application with a wrong secret", "app-suspended", secretOf("app-deleted")},
		{"deleted application", "app-deleted", secretOf("app-deleted")},
	}
	var messages []string
	for _, tc := range refused {
		t.Run(tc.name+" is unauthenticated", func(t *testing.T) {
			tok, _, err := w.svc.IssueToken(w.ctx, tc.clientID, tc.secret)
			e := wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
			if tok.Value != "" {
				t.Errorf("a refused request got a token")
			}
			messages = append(messages, e.Message)
		})
	}
	t.Run("a suspended application with its secret is told why", func(t *testing.T) {
		_, _, err := w.svc.IssueToken(w.ctx, "app-suspended", secretOf("app-suspended"))
		e := wantErr(t, err, eccs.Unauthenticated, eccs.ReasonSuspended, "")
		if !strings.Contains(e.Message, "suspended") || !strings.HasPrefix(e.Message, "The requested service needs credentials, but the ones provided were invalid") {
			t.Errorf("message %q: want the gateway's sentence, then that the application is suspended", e.Message)
		}
	})

	t.Run("every refusal answers alike", func(t *testing.T) {
		for _, m := range messages {
			if m != messages[0] {
				t.Errorf("messages differ, which tells unknown clients from wrong secrets: %q vs %q", m, messages[0])
			}
		}
	})

	t.Run("two tokens differ", func(t *testing.T) {
		a, _, err := w.svc.IssueToken(w.ctx, appClientID, appSecret)
		if err != nil {
			t.Fatal(err)
		}
		b, _, err := w.svc.IssueToken(w.ctx, appClientID, appSecret)
		if err != nil {
			t.Fatal(err)
		}
		if a.Value == b.Value {
			t.Fatal("two tokens issued at the same instant are equal")
		}
		ca, cb := claimsOf(t, a.Value), claimsOf(t, b.Value)
		if ca["jti"] == cb["jti"] || ca["jti"] == "" {
			t.Errorf("jti %v and %v: want distinct non-empty ids", ca["jti"], cb["jti"])
		}
	})

	t.Run("claims follow the gateway", func(t *testing.T) {
		tok, app, err := w.svc.IssueToken(w.ctx, appClientID, appSecret)
		if err != nil {
			t.Fatal(err)
		}
		header := segment(t, tok.Value, 0)
		if header["alg"] != "HS256" || header["kid"] != "k1" || header["typ"] != "JWT" {
			t.Errorf("header = %v", header)
		}
		c := claimsOf(t, tok.Value)
		if c["app_id"] != app.ID || c["client_id"] != appClientID || c["sub"] != appClientID || c["iss"] != "eccs" || c["app_name"] != app.Name {
			t.Errorf("claims = %v", c)
		}
		iat, exp := c["iat"].(float64), c["exp"].(float64)
		if int64(iat) != t0.Unix() || time.Duration(exp-iat)*time.Second != testTTL {
			t.Errorf("iat %v exp %v: want iat %d and a lifetime of %v", iat, exp, t0.Unix(), testTTL)
		}
	})

	t.Run("a preset secret shorter than 32 is refused at creation", func(t *testing.T) {
		_, _, err := w.svc.CreateApplication(w.ctx, eccs.NewApplication{Name: "Short", ClientID: "short-secret",
			Secret: strings.Repeat("s", 31), Subscription: eccs.SubscriptionApproved})
		wantErr(t, err, eccs.Invalid, eccs.ReasonNone, "secret")
		if _, _, err := w.svc.IssueToken(w.ctx, "short-secret", strings.Repeat("s", 31)); eccs.ErrorCode(err) != eccs.Unauthenticated {
			t.Errorf("the refused application exists: IssueToken = %v", err)
		}
		_, secret, err := w.svc.CreateApplication(w.ctx, eccs.NewApplication{Name: "Long enough", ClientID: "secret-32",
			Secret: strings.Repeat("s", 32)})
		if err != nil || secret != strings.Repeat("s", 32) {
			t.Fatalf("a 32-character secret: %q, %v", secret, err)
		}
		if _, _, err := w.svc.IssueToken(w.ctx, "secret-32", secret); err != nil {
			t.Errorf("IssueToken with the 32-character secret: %v", err)
		}
	})

	t.Run("random credentials work", func(t *testing.T) {
		app, secret, err := w.svc.CreateApplication(w.ctx, eccs.NewApplication{Name: "Random"})
		if err != nil {
			t.Fatal(err)
		}
		if len(secret) < 32 || app.ClientID == "" || app.SecretHash == secret || strings.Contains(app.SecretHash, secret) {
			t.Fatalf("client id %q, secret %q, stored hash %q", app.ClientID, secret, app.SecretHash)
		}
		if app.Subscription != eccs.SubscriptionPending || app.Status != eccs.ApplicationActive || !app.TermsAcceptedAt.IsZero() {
			t.Errorf("defaults: %+v", app)
		}
		if _, _, err := w.svc.IssueToken(w.ctx, app.ClientID, secret); err != nil {
			t.Errorf("IssueToken: %v", err)
		}
	})

	t.Run("previous secret works until it expires", func(t *testing.T) {
		// Make the approved application's previous secret that of app-pending, for one hour.
		other := must(w.store.ApplicationByClientID(w.ctx, "app-pending"))(t)
		app := must(w.store.ApplicationByClientID(w.ctx, appClientID))(t)
		app.PreviousSecretHash, app.PreviousSecretExpiresAt = other.SecretHash, w.clock.Now().Add(time.Hour)
		if err := w.store.UpdateApplication(w.ctx, app); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.svc.IssueToken(w.ctx, appClientID, secretOf("app-pending")); err != nil {
			t.Fatalf("previous secret during the rotation: %v", err)
		}
		if _, _, err := w.svc.IssueToken(w.ctx, appClientID, appSecret); err != nil {
			t.Fatalf("current secret during the rotation: %v", err)
		}
		w.clock.Advance(time.Hour)
		defer w.clock.Advance(-time.Hour)
		_, _, err := w.svc.IssueToken(w.ctx, appClientID, secretOf("app-pending"))
		wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
		if _, _, err := w.svc.IssueToken(w.ctx, appClientID, appSecret); err != nil {
			t.Fatalf("current secret after the rotation: %v", err)
		}
	})
}

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

func TestApplicationForToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	good := w.token(w.svc, appClientID, appSecret)

	t.Run("valid token gives its application", func(t *testing.T) {
		app, err := w.svc.ApplicationForToken(w.ctx, good)
		if err != nil {
			t.Fatal(err)
		}
		if app.ID != w.app.ID || app.ClientID != appClientID {
			t.Errorf("got application %+v, want %s", app, w.app.ID)
		}
	})

	t.Run("forged or garbage tokens are unauthenticated without reason", func(t *testing.T) {
		other := w.newApp("other-app", eccs.SubscriptionApproved, true, eccs.ApplicationActive)
		parts := strings.Split(good, ".")
		claims := claimsOf(t, good)
		claims["app_id"] = other.ID
		raw, _ := json.Marshal(claims)
		swapped := parts[0] + "." + base64.RawURLEncoding.EncodeToString(raw) + "." + parts[2]
		claims = claimsOf(t, good)
		claims["exp"] = float64(t0.Add(100 * 365 * 24 * time.Hour).Unix())
		raw, _ = json.Marshal(claims)
		extended := parts[0] + "." + base64.RawURLEncoding.EncodeToString(raw) + "." + parts[2]
		flipped := []byte(good)
		if flipped[len(flipped)-2] == 'A' {
			flipped[len(flipped)-2] = 'B'
		} else {
			flipped[len(flipped)-2] = 'A'
		}
		foreign := must(eccs.NewService(w.store, w.blobs, eccs.Config{Keys: eccs.Keys{HashKey: hashKey,
			TokenKeys: []eccs.TokenKey{{ID: "k1", Secret: []byte("another-secret-with-the-same-kid-0123456789")}}},
			Now: w.clock.Now, Formats: testenv.AnyFormats{}}))(t)
		foreignToken := w.token(foreign, appClientID, appSecret)
		for _, tc := range []struct{ name, token string }{
			{"empty", ""},
			{"garbage", "garbage"},
			{"three dots", "..."},
			{"payload swapped to another application", swapped},
			{"expiry pushed back", extended},
			{"signature altered", string(flipped)},
			{"signed by another server with the same kid", foreignToken},
			{"oversized", good + strings.Repeat("A", 5000)},
			{"trailing space", good + " "},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.svc.ApplicationForToken(w.ctx, tc.token)
				wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
			})
		}
	})

	t.Run("expired token is unauthenticated with reason expired", func(t *testing.T) {
		w.clock.Advance(testTTL - time.Second)
		if _, err := w.svc.ApplicationForToken(w.ctx, good); err != nil {
			t.Fatalf("one second before expiry: %v", err)
		}
		w.clock.Advance(time.Second)
		defer w.clock.Advance(-testTTL)
		_, err := w.svc.ApplicationForToken(w.ctx, good)
		e := wantErr(t, err, eccs.Unauthenticated, eccs.ReasonExpired, "")
		if want := t0.Add(testTTL).Format(time.RFC3339); !strings.Contains(e.Message, want) {
			t.Errorf("message %q does not give the expiry %s", e.Message, want)
		}
	})

	t.Run("expiry is checked before the application", func(t *testing.T) {
		app := w.newApp("app-blocked-later", eccs.SubscriptionApproved, true, eccs.ApplicationActive)
		tok := w.token(w.svc, app.ClientID, secretOf(app.ClientID))
		must(w.svc.SetApplicationStatus(w.ctx, app.ID, eccs.ApplicationBlocked))(t)
		w.clock.Advance(testTTL)
		defer w.clock.Advance(-testTTL)
		_, err := w.svc.ApplicationForToken(w.ctx, tok)
		wantErr(t, err, eccs.Unauthenticated, eccs.ReasonExpired, "")
	})

	t.Run("application status and subscription", func(t *testing.T) {
		tests := []struct {
			name     string
			sub      eccs.SubscriptionState
			terms    bool
			status   eccs.ApplicationStatus // set after the token is minted
			code     eccs.Code
			reason   eccs.Reason
			accepted bool
		}{
			{name: "active approved with terms is accepted", sub: eccs.SubscriptionApproved, terms: true, status: eccs.ApplicationActive, accepted: true},
			{name: "suspended after minting is unauthenticated", sub: eccs.SubscriptionApproved, terms: true, status: eccs.ApplicationSuspended, code: eccs.Unauthenticated},
			{name: "deleted after minting is unauthenticated", sub: eccs.SubscriptionApproved, terms: true, status: eccs.ApplicationDeleted, code: eccs.Unauthenticated},
			{name: "blocked is forbidden with reason blocked", sub: eccs.SubscriptionApproved, terms: true, status: eccs.ApplicationBlocked, code: eccs.Forbidden, reason: eccs.ReasonBlocked},
			{name: "blocked wins over a pending subscription", sub: eccs.SubscriptionPending, status: eccs.ApplicationBlocked, code: eccs.Forbidden, reason: eccs.ReasonBlocked},
			{name: "suspended wins over a pending subscription", sub: eccs.SubscriptionPending, status: eccs.ApplicationSuspended, code: eccs.Unauthenticated},
			{name: "subscription pending is forbidden", sub: eccs.SubscriptionPending, terms: true, status: eccs.ApplicationActive, code: eccs.Forbidden},
			{name: "subscription rejected is forbidden", sub: eccs.SubscriptionRejected, terms: true, status: eccs.ApplicationActive, code: eccs.Forbidden},
			{name: "subscription suspended is forbidden", sub: eccs.SubscriptionSuspended, terms: true, status: eccs.ApplicationActive, code: eccs.Forbidden},
			{name: "no subscription is forbidden", sub: eccs.SubscriptionNone, terms: true, status: eccs.ApplicationActive, code: eccs.Forbidden},
			{name: "approved without terms is forbidden", sub: eccs.SubscriptionApproved, terms: false, status: eccs.ApplicationActive, code: eccs.Forbidden},
		}
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				clientID := "status-app-" + string(rune('a'+i))
				app := w.newApp(clientID, tc.sub, tc.terms, eccs.ApplicationActive)
				tok := w.token(w.svc, clientID, secretOf(clientID))
				must(w.svc.SetApplicationStatus(w.ctx, app.ID, tc.status))(t)
				got, err := w.svc.ApplicationForToken(w.ctx, tok)
				if tc.accepted {
					if err != nil || got.ID != app.ID {
						t.Fatalf("got %+v, %v", got, err)
					}
					return
				}
				wantErr(t, err, tc.code, tc.reason, "")
			})
		}
	})

	t.Run("reactivated application's tokens work again", func(t *testing.T) {
		app := w.newApp("app-reactivated", eccs.SubscriptionApproved, true, eccs.ApplicationActive)
		tok := w.token(w.svc, app.ClientID, secretOf(app.ClientID))
		must(w.svc.SetApplicationStatus(w.ctx, app.ID, eccs.ApplicationSuspended))(t)
		_, err := w.svc.ApplicationForToken(w.ctx, tok)
		wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
		must(w.svc.SetApplicationStatus(w.ctx, app.ID, eccs.ApplicationActive))(t)
		if _, err := w.svc.ApplicationForToken(w.ctx, tok); err != nil {
			t.Fatalf("after reactivation: %v", err)
		}
	})

	t.Run("signing key ring", func(t *testing.T) {
		underK1 := good // w.svc signs with k1
		rotated := w.service(func(c *eccs.Config) { c.Keys.TokenKeys = []eccs.TokenKey{tokenK2, tokenK1} })
		underK2 := w.token(rotated, appClientID, appSecret)
		if h := segment(t, underK2, 0); h["kid"] != "k2" {
			t.Fatalf("the first key of the ring signs: kid = %v", h["kid"])
		}
		retired := w.service(func(c *eccs.Config) { c.Keys.TokenKeys = []eccs.TokenKey{tokenK2} })

		for _, tc := range []struct {
			name   string
			svc    *eccs.Service
			token  string
			accept bool
		}{
			{"older key still in the ring is accepted", rotated, underK1, true},
			{"newest key is accepted", rotated, underK2, true},
			{"key removed from the ring is unauthenticated", retired, underK1, false},
			{"key not yet in the ring is unauthenticated", w.svc, underK2, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := tc.svc.ApplicationForToken(w.ctx, tc.token)
				if tc.accept {
					if err != nil {
						t.Fatal(err)
					}
					return
				}
				wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
			})
		}
	})

	t.Run("set status validation", func(t *testing.T) {
		_, err := w.svc.SetApplicationStatus(w.ctx, w.app.ID, "paused")
		wantErr(t, err, eccs.Invalid, eccs.ReasonNone, "status")
		_, err = w.svc.SetApplicationStatus(w.ctx, "nosuchapplication", eccs.ApplicationBlocked)
		wantErr(t, err, eccs.NotFound, eccs.ReasonNone, "")
	})
}
