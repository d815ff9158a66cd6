package webquality

import (
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
	"github.com/eccs/eccs/internal/mail"
	"github.com/eccs/eccs/internal/sqlite"
	"github.com/eccs/eccs/internal/testkit/testenv"
	"github.com/eccs/eccs/internal/testkit/testserver"
	"github.com/eccs/eccs/internal/testkit/totptest"
	"github.com/eccs/eccs/internal/web"
)

// The person signed in for the quality run: the dev world's administrator account holder,
// who may open every page (the order form among them), with her password and second factor.
const personEmail = devseed.AdminPersonEmail

// site is the web space under test: its origin, the session secret of the signed-in person
// and of a sign-in waiting for its second factor, a one-time link's path, and the dev world's
// credentials (for the ids pages are reached by).
type site struct {
	URL      string
	Cookie   string
	Pending  string
	LinkPath string
	Creds    devseed.Credentials
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
	db, err := sqlite.Open(t.Context(), filepath.Join(world.Dir, "eccs.db"), sqlite.Options{})
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
	queue, err := mail.New(db, func(e eccs.Event) (string, error) {
		path, err := svc.EventLinkPath(e)
		return origin + path, err
	}, mail.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	h, err := web.New(svc, web.SignInSessions{Svc: svc}, slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		web.Config{PublicURL: origin, Brand: brand, Now: clk.Now, DevMails: queue.Recent})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	s := site{URL: origin, Creds: world.Creds}
	s.Cookie, s.Pending = signIn(t, svc, clk.Now())
	// An invitation of the client person: its link's page, and a mail on /dev/mail.
	inv, err := svc.InviteAccount(t.Context(), devseed.ClientPersonEmail, "en")
	if err != nil {
		t.Fatal(err)
	}
	s.LinkPath = svc.LinkURL(eccs.LinkInvitation, inv.Link.ID)
	if _, err := queue.QueueEvents(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := queue.SendDue(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

// signIn signs the person in with her password and TOTP code, and returns the session secret,
// and the secret of a second sign-in left waiting for its second factor.
func signIn(t *testing.T, svc *eccs.Service, now time.Time) (session, pending string) {
	t.Helper()
	req := eccs.SignInRequest{Email: personEmail, Password: devseed.AdminPersonPassword, Address: "127.0.0.1"}
	first, err := svc.SignIn(t.Context(), req)
	if err != nil || !first.SecondFactorRequired {
		t.Fatalf("sign %s in: %+v, %v; want a second factor required", personEmail, first, err)
	}
	done, err := svc.CompleteSignIn(t.Context(), first.Token, totptest.Code(t, devseed.AdminPersonTOTPSecret, now), "127.0.0.1", "")
	if err != nil {
		t.Fatal(err)
	}
	second, err := svc.SignIn(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	return done.Token, second.Token
}
