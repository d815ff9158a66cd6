package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/fileblob"
	"github.com/eccs/eccs/internal/mail"
	"github.com/eccs/eccs/internal/sqlite"
	"github.com/eccs/eccs/internal/testkit/signintest"
	"github.com/eccs/eccs/internal/web"
)

// `bench -pages` times the web space's pages: the server time of each page (the handler, in
// this process, serially, as one person browsing), and its weight without downloads (the
// HTML and the stylesheets, as sent gzipped). The person is the administrator of the large
// perimeter (-large contracts); their first contract holds -documents documents.

// Targets of the page timings (doc/performance.md).
const (
	pageTargetP95    = 20 * time.Millisecond
	pageTargetWeight = 100 << 10
)

// pagesContract is the large perimeter's first contract (seedPerimeters numbers from it).
const pagesContract = "OCB1000000"

// timedPage is a page of the web space to time: the template it renders, its path, the
// status it answers with, and who asks for it.
type timedPage struct {
	Template, Path string
	Status         int
	As             pageVisitor
}

// pageVisitor is who asks for a page: the signed-in administrator, nobody signed in, or a
// sign-in waiting for its second factor.
type pageVisitor int

const (
	signedIn pageVisitor = iota
	signedOut
	secondFactorStep
)

// pagesFixture is what the pages are reached with: the administrator's session secret, a
// pending sign-in's secret, a one-time link's path and a previewable document's id.
type pagesFixture struct {
	session, pending, linkPath, previewDoc string
}

// cookie is the Cookie header of v.
func (f pagesFixture) cookie(v pageVisitor) string {
	switch v {
	case signedOut:
		return ""
	case secondFactorStep:
		return "eccs_signin=" + f.pending
	}
	return web.SessionCookie + "=" + f.session
}

func timedPages(f pagesFixture) []timedPage {
	c := "/contracts/" + pagesContract
	return []timedPage{
		{"contracts", "/contracts", http.StatusOK, signedIn},
		{"contracts", "/contracts?q=BENCH-0999", http.StatusOK, signedIn},
		{"contracts", "/contracts?q=bench", http.StatusOK, signedIn},
		{"contract", c, http.StatusOK, signedIn},
		{"documents", c + "/documents", http.StatusOK, signedIn},
		{"documents", "/documents", http.StatusOK, signedIn},
		{"documents", "/documents?period=201501", http.StatusOK, signedIn},
		{"preview", c + "/documents/" + f.previewDoc + "/preview", http.StatusOK, signedIn},
		{"user_new", c + "/users/new", http.StatusOK, signedIn},
		{"order", "/order", http.StatusOK, signedIn},
		{"keys", "/keys", http.StatusOK, signedIn},
		{"account", "/account", http.StatusOK, signedIn},
		{"signin", "/signin", http.StatusOK, signedOut},
		{"signin_code", "/signin/code", http.StatusOK, secondFactorStep},
		{"reset", "/password-reset", http.StatusOK, signedOut},
		{"link", f.linkPath, http.StatusOK, signedOut},
		{"devmail", "/dev/mail", http.StatusOK, signedOut},
		{"error", "/no-such-page", http.StatusNotFound, signedIn},
	}
}

// pageTiming is what was measured of one page.
type pageTiming struct {
	page               timedPage
	p50, p95, max      time.Duration
	html, htmlGz, wire int // bytes: the HTML, gzipped, and HTML plus stylesheets gzipped
}

// runPages prepares the data, times every page and prints the table.
func runPages(ctx context.Context, c config, documents, requests int) error {
	dir, err := os.MkdirTemp("", "eccs-bench-pages-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	t0 := time.Now()
	h, fixture, err := preparePages(ctx, dir, c.sizes, documents)
	if err != nil {
		return fmt.Errorf("prepare the pages' data: %w", err)
	}
	logf("prepared %d contracts and %d documents in %s", c.sizes.small+c.sizes.large, documents, time.Since(t0).Round(time.Second))
	list := timedPages(fixture)
	if err := checkEveryTemplateTimed(ctx, list); err != nil {
		return err
	}
	css := 0
	for _, name := range []string{"site.css", "brand.css"} {
		css += len(serve(h, "/assets/"+name, "", "gzip").Body.Bytes())
	}
	var timings []pageTiming
	for _, p := range list {
		pt, err := timePage(h, p, fixture.cookie(p.As), requests)
		if err != nil {
			return err
		}
		pt.wire += css
		timings = append(timings, pt)
	}
	printPages(os.Stdout, c, documents, requests, timings)
	return nil
}

// preparePages fills dir with the demo world, the two perimeters of seedPerimeters and
// documents on pagesContract, signs the large perimeter's administrator in, and returns the
// web space's handler (with dev mode's /dev/mail) and what its pages are reached with.
func preparePages(ctx context.Context, dir string, s sizes, documents int) (http.Handler, pagesFixture, error) {
	keys, err := writeKeys(filepath.Join(dir, "keys.json"))
	if err != nil {
		return nil, pagesFixture{}, err
	}
	store, err := sqlite.Open(ctx, filepath.Join(dir, "eccs.db"), sqlite.Options{})
	if err != nil {
		return nil, pagesFixture{}, err
	}
	if _, err := store.Migrate(ctx); err != nil {
		return nil, pagesFixture{}, err
	}
	blobs, err := fileblob.Open(filepath.Join(dir, "documents"))
	if err != nil {
		return nil, pagesFixture{}, err
	}
	if _, err := devseed.Seed(ctx, store, blobs, keys, time.Now(), devseed.URLs{Public: "http://localhost", Admin: "http://localhost"}); err != nil {
		return nil, pagesFixture{}, fmt.Errorf("seed the demo world: %w", err)
	}
	svc, err := eccs.NewService(store, blobs, eccs.Config{Keys: keys, Formats: docformat.Formats{}})
	if err != nil {
		return nil, pagesFixture{}, err
	}
	actx := eccs.WithActor(ctx, eccs.Actor{Type: eccs.ActorSystem, ID: "bench-seed"})
	if _, _, err := seedPerimeters(actx, svc, s.small, s.large); err != nil {
		return nil, pagesFixture{}, err
	}
	previewDoc, err := seedManyDocuments(actx, dir, svc, store, blobs, keys, documents)
	if err != nil {
		return nil, pagesFixture{}, err
	}
	email := "admin." + largeBA + "@bench.example"
	password := "bench pages password, not a secret"
	session, err := signintest.SignIn(ctx, svc, email, password, "127.0.0.1")
	if err != nil {
		return nil, pagesFixture{}, err
	}
	// A second invitation: its link's page, and its mail on /dev/mail.
	inv, err := svc.InviteAccount(ctx, email, "")
	if err != nil {
		return nil, pagesFixture{}, err
	}
	queue, err := mail.New(store, func(e eccs.Event) (string, error) {
		path, err := svc.EventLinkPath(e)
		return "http://localhost" + path, err
	}, mail.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, pagesFixture{}, err
	}
	if _, err := queue.QueueEvents(ctx); err != nil {
		return nil, pagesFixture{}, err
	}
	if _, err := queue.SendDue(ctx); err != nil {
		return nil, pagesFixture{}, err
	}
	// The second-factor form only needs a sign-in waiting for it; its secret is not checked
	// until the code is posted.
	f := pagesFixture{session: session, pending: "a-pending-sign-in", linkPath: svc.LinkURL(eccs.LinkInvitation, inv.Link.ID), previewDoc: previewDoc}
	h, err := web.New(svc, web.SignInSessions{Svc: svc}, slog.New(slog.DiscardHandler),
		web.Config{PublicURL: "http://localhost", DevMails: queue.Recent})
	return h, f, err
}

// seedManyDocuments adds a real consumption CSV to pagesContract through the domain, then
// n-1 more documents that share its file, written by the store a thousand per transaction
// (the domain would write n files): the pages list documents and never read these files.
// It returns the real document's id.
func seedManyDocuments(ctx context.Context, dir string, svc *eccs.Service, store *sqlite.Store, blobs *fileblob.Store, keys eccs.Keys, n int) (string, error) {
	lines, err := csvLines()
	if err != nil {
		return "", err
	}
	real, _, err := addCSV(ctx, svc, store, blobs, keys, dir, pagesContract, "pages-preview", 64<<10, lines, 0)
	if err != nil {
		return "", err
	}
	model, err := store.Document(ctx, pagesContract, real.ID)
	if err != nil {
		return "", err
	}
	types := []eccs.DocumentType{eccs.TypeBills, eccs.TypeInvoices, eccs.TypeReports, eccs.TypeConsumptionRatedReports}
	start := time.Date(2010, 1, 1, 3, 0, 0, 0, time.UTC)
	for first := 1; first < n; first += 1000 {
		err := store.InTx(ctx, func(tx eccs.Store) error {
			for i := first; i < min(first+1000, n); i++ {
				d := model
				d.ID, d.Type = fmt.Sprintf("bd%014d", i), types[i%len(types)]
				d.CreatedAt = start.Add(time.Duration(i) * time.Hour)
				d.UpdatedAt, d.Period = d.CreatedAt, d.CreatedAt.Format("200601")
				d.Filename = fmt.Sprintf("%s_%s_%s_%06d.csv", pagesContract, d.Period, d.Type, i)
				if err := tx.CreateDocument(ctx, d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("documents from %d: %w", first, err)
		}
	}
	return real.ID, nil
}

// checkEveryTemplateTimed fails when a page template of internal/web has no timed page.
func checkEveryTemplateTimed(ctx context.Context, list []timedPage) error {
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(root, "internal", "web", "templates", "*.html"))
	if err != nil {
		return err
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".html")
		if name != "layout" && !slices.ContainsFunc(list, func(p timedPage) bool { return p.Template == name }) {
			return fmt.Errorf("template %s.html has no page in timedPages (bench/pages.go): add one", name)
		}
	}
	return nil
}

// timePage requests p a few times unmeasured, then requests times, and returns the median,
// 95th percentile and slowest server times and the page's weight.
func timePage(h http.Handler, p timedPage, cookie string, requests int) (pageTiming, error) {
	for range 5 {
		serve(h, p.Path, cookie, "gzip")
	}
	durations := make([]time.Duration, requests)
	for i := range durations {
		t0 := time.Now()
		rec := serve(h, p.Path, cookie, "gzip")
		durations[i] = time.Since(t0)
		if rec.Code != p.Status {
			return pageTiming{}, fmt.Errorf("%s answered %d, want %d: %.300s", p.Path, rec.Code, p.Status, rec.Body.Bytes())
		}
	}
	slices.Sort(durations)
	at := func(q float64) time.Duration { return durations[min(len(durations)-1, int(q*float64(len(durations))))] }
	plain := serve(h, p.Path, cookie, "identity").Body.Len()
	gz := serve(h, p.Path, cookie, "gzip").Body.Len()
	return pageTiming{page: p, p50: at(0.5), p95: at(0.95), max: durations[len(durations)-1], html: plain, htmlGz: gz, wire: gz}, nil
}

// serve answers a GET of path in this process, with the Cookie header cookie (when given) and the
// Accept-Encoding encoding.
func serve(h http.Handler, path, cookie, encoding string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "http://localhost"+path, nil)
	req.Header.Set("Accept-Encoding", encoding)
	req.Header.Set("Accept-Language", "fr-FR,fr;q=0.9,en;q=0.8")
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// printPages prints the table of the page timings, with each page's verdict.
func printPages(out io.Writer, c config, documents, requests int, timings []pageTiming) {
	fmt.Fprintf(out, "\n## eccs web pages, %s\n\n", time.Now().Format("2006-01-02 15:04"))
	fmt.Fprintf(out, "SQLite; %d contracts in the perimeter (%d in all with the small one and the demo world's), %d documents on %s; "+
		"%d requests per page, serially, in process; load average %s. Targets: p95 < %s, weight < %d KB.\n\n",
		c.sizes.large, c.sizes.small+c.sizes.large+6, documents, pagesContract, requests, loadAverage(), pageTargetP95, pageTargetWeight>>10)
	fmt.Fprintln(out, "| page | template | p50 | p95 | max | HTML | HTML gzip | weight (HTML + CSS, gzip) | targets |")
	fmt.Fprintln(out, "|---|---|---:|---:|---:|---:|---:|---:|---|")
	for _, t := range timings {
		verdict := "met"
		if t.p95 >= pageTargetP95 || t.wire >= pageTargetWeight {
			verdict = "MISSED"
		}
		fmt.Fprintf(out, "| `%s` | %s | %s | %s | %s | %.1f KB | %.1f KB | %.1f KB | %s |\n", t.page.Path, t.page.Template,
			ms(t.p50), ms(t.p95), ms(t.max), kb(t.html), kb(t.htmlGz), kb(t.wire), verdict)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
func kb(n int) float64          { return float64(n) / 1024 }
