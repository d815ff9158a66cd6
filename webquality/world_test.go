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
	"github.com/eccs/eccs/internal/sqlite"
	"github.com/eccs/eccs/internal/testkit/signintest"
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
	h, err := web.New(svc, signintest.Sessions{Svc: svc}, slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		web.Config{PublicURL: origin, Brand: brand, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	cookie, err := signintest.SignIn(t.Context(), svc, personEmail, personPassword, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return site{URL: origin, Cookie: cookie, Creds: world.Creds}
}
