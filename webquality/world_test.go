package webquality

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/fileblob"
	"github.com/eccs/eccs/internal/sqlite"
	"github.com/eccs/eccs/internal/testkit/testenv"
	"github.com/eccs/eccs/internal/testkit/testserver"
	"github.com/eccs/eccs/internal/web"
)

// The person signed in for the quality run: the dev world's administrator account holder,
// who may open every page (the order form among them).
const (
	personEmail    = "nadia.rousseau@acme.example"
	personPassword = "quality run password 2026, not a secret"
)

// site is the web space under test: its origin, the session secret of the signed-in person,
// and the dev world's credentials (for the ids pages are reached by).
type site struct {
	URL    string
	Cookie string
	Creds  devseed.Credentials
}

// startSite seeds the dev world, starts the web space on loopback at http://localhost:PORT
// (the origin dev mode uses) and signs the person in through the domain. Everything stops when
// t ends.
func startSite(t *testing.T) site {
	t.Helper()
	world, err := testserver.Seed("eccs-webquality-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { world.Remove() })
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(world.Dir, "eccs.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	blobs, err := fileblob.Open(filepath.Join(world.Dir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	clk := testenv.NewClock(testserver.SeedTime.Add(time.Hour))
	svc, err := eccs.NewService(db, blobs, eccs.Config{Keys: testserver.Keys, Now: clk.Now, Formats: docformat.Formats{}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	brand := web.Brand{Support: "support@cloud.example", TermsURL: "https://cloud.example/terms"}
	h, err := web.New(svc, domainSessions{svc}, slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		web.Config{PublicURL: origin, Brand: brand, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return site{URL: origin, Cookie: signIn(t, svc), Creds: world.Creds}
}

// signIn invites the person as an operator would, chooses their password through the link the
// invitation mail carries, signs them in, and returns the session secret (the cookie's value).
func signIn(t *testing.T, svc *eccs.Service) string {
	t.Helper()
	ctx := t.Context()
	inv, err := svc.InviteAccount(ctx, personEmail, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetPasswordWithLink(ctx, eccs.LinkInvitation, svc.LinkToken(inv.Link.ID), personPassword); err != nil {
		t.Fatal(err)
	}
	res, err := svc.SignIn(ctx, eccs.SignInRequest{Email: personEmail, Password: personPassword, Address: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	return res.Token
}

// domainSessions is the web space's Sessions over the domain's sessions, as the sign-in
// adapter of eccsd does: the cookie's value is the session secret.
type domainSessions struct{ svc *eccs.Service }

// SessionFor returns the person and account of the session whose secret is cookie; the
// domain's Unauthenticated errors pass through.
func (d domainSessions) SessionFor(ctx context.Context, cookie string) (web.Session, error) {
	se, err := d.svc.SessionFor(ctx, cookie, "", "")
	if err != nil {
		return web.Session{}, err
	}
	person, err := d.svc.Identity(ctx, se.IdentityID)
	if err != nil {
		return web.Session{}, err
	}
	accounts, err := d.svc.PersonAccounts(ctx, se.IdentityID)
	if err != nil {
		return web.Session{}, err
	}
	for _, a := range accounts {
		if a.ID == se.AccountID {
			return web.Session{ID: se.ID, Person: person, Account: a, Accounts: accounts}, nil
		}
	}
	return web.Session{}, eccs.Errorf(eccs.Unauthenticated, "This session's account is gone; sign in again.")
}
