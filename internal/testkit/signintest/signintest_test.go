package signintest_test

import (
	"testing"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/testkit/apitest"
	"github.com/eccs/eccs/internal/testkit/signintest"
	"github.com/eccs/eccs/internal/web"
)

func TestMain(m *testing.M) { apitest.Main(m) }

func TestASignedInPersonsCookieNamesTheirSessionUntilTheySignOut(t *testing.T) {
	e := apitest.NewEnv(t)
	ctx := t.Context()
	cookie, err := signintest.SignIn(ctx, e.Svc, "claire.martin@acme.example", "a long enough password for Claire", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	acct, _, err := e.Svc.AccountForKey(ctx, e.Creds.APIKeys.Client)
	if err != nil {
		t.Fatal(err)
	}
	sessions := web.SignInSessions{Svc: e.Svc}
	se, err := sessions.SessionFor(ctx, cookie, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	if se.Person.Email != "claire.martin@acme.example" || se.Account.ID != acct.ID || len(se.Accounts) != 1 || se.ID == "" {
		t.Errorf("session %+v, want Claire on her client account %s", se, acct.ID)
	}
	if _, err := sessions.SessionFor(ctx, cookie+"x", "127.0.0.1", "test"); eccs.ErrorCode(err) != eccs.Unauthenticated {
		t.Errorf("another cookie: %v, want Unauthenticated", err)
	}
	if err := e.Svc.SignOut(ctx, se.Person.ID, se.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := sessions.SessionFor(ctx, cookie, "127.0.0.1", "test"); eccs.ErrorCode(err) != eccs.Unauthenticated {
		t.Errorf("after signing out: %v, want Unauthenticated", err)
	}
}

func TestSigningInAnUnknownPersonFails(t *testing.T) {
	e := apitest.NewEnv(t)
	if _, err := signintest.SignIn(t.Context(), e.Svc, "nobody@nowhere.example", "a long enough password", "127.0.0.1"); eccs.ErrorCode(err) != eccs.NotFound {
		t.Errorf("SignIn of an unknown e-mail: %v, want NotFound", err)
	}
}
