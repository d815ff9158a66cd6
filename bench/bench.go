package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/eccs/eccs/api"
)

// config is the command line of a benchmark run.
type config struct {
	short     bool
	runs      int
	duration  time.Duration
	warmup    time.Duration
	conns     int
	backend   string
	dataDir   string
	keep      bool
	serverLog string
	only      *regexp.Regexp
	startups  int
	sizes     sizes
}

// parseConfig reads the flags of a run; extra adds the flags of a subcommand.
func parseConfig(name string, args []string, extra func(*flag.FlagSet)) (config, error) {
	var c config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	if extra != nil {
		extra(fs)
	}
	fs.BoolVar(&c.short, "short", false, "CI mode: 1 run of 2 s per scenario, 1,000 and 10,000 contracts, 64 MiB instead of 256 MiB and 1 GiB")
	fs.IntVar(&c.runs, "runs", 3, "runs per scenario; the table shows medians")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "measured time per run")
	fs.DurationVar(&c.warmup, "warmup", time.Second, "warm-up before each run, not measured")
	fs.IntVar(&c.conns, "c", 16, "concurrent keep-alive connections")
	fs.StringVar(&c.backend, "backend", "sqlite", "sqlite, postgres or both (PostgreSQL: ECCS_BENCH_POSTGRES_URL, else a throwaway cluster)")
	fs.StringVar(&c.dataDir, "data", "", "data directory to prepare, or to reuse if prepared before (default: a temporary one, removed)")
	fs.BoolVar(&c.keep, "keep", false, "keep the temporary data directory")
	fs.StringVar(&c.serverLog, "server-log", "", "file for the servers' logs (default: discarded)")
	run := fs.String("run", "", "only the scenarios whose name matches this regular expression")
	fs.IntVar(&c.startups, "startups", 5, "starts measured for start-to-ready")
	fs.IntVar(&c.sizes.small, "small", 1000, "contracts in the small perimeter")
	fs.IntVar(&c.sizes.large, "large", 100000, "contracts in the large perimeter")
	largeMiB := fs.Int64("large-file", 256, "size of the large download, MiB")
	hugeMiB := fs.Int64("huge-file", 1024, "size of the download during which RSS growth is measured, MiB")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if c.short {
		defaults := map[string]func(){
			"runs":       func() { c.runs = 1 },
			"duration":   func() { c.duration = 2 * time.Second },
			"warmup":     func() { c.warmup = 500 * time.Millisecond },
			"large":      func() { c.sizes.large = 10000 },
			"large-file": func() { *largeMiB = 64 },
			"huge-file":  func() { *hugeMiB = 64 },
			"startups":   func() { c.startups = 3 },
		}
		for name, apply := range defaults {
			if !set[name] {
				apply()
			}
		}
	}
	c.sizes.largeFile = *largeMiB << 20
	c.sizes.hugeFile = *hugeMiB << 20
	if c.sizes.hugeFile == c.sizes.largeFile {
		c.sizes.hugeFile = 0 // the same file serves both
	}
	if *run != "" {
		re, err := regexp.Compile(*run)
		if err != nil {
			return c, err
		}
		c.only = re
	}
	switch {
	case c.runs < 1, c.conns < 1, c.startups < 1:
		return c, fmt.Errorf("-runs, -c and -startups must be positive")
	case c.sizes.small < 1 || c.sizes.large < c.sizes.small:
		return c, fmt.Errorf("-small must be positive and -large at least -small")
	case c.sizes.largeFile < 1<<20:
		return c, fmt.Errorf("-large-file must be at least 1 MiB")
	case c.backend != "sqlite" && c.backend != "postgres" && c.backend != "both":
		return c, fmt.Errorf("-backend: sqlite, postgres or both")
	}
	return c, nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}

// runBench is the benchmark: prepare, measure every backend, print the tables.
func runBench(ctx context.Context, args []string) error {
	c, err := parseConfig("bench", args, nil)
	if err != nil {
		return err
	}
	// The load generator shares the machine with the server: collect its garbage rarely.
	debug.SetGCPercent(400)
	started := time.Now()
	loadStart := loadAverage()

	w, eccsd, cleanup, err := prepare(ctx, c)
	if err != nil {
		return err
	}
	defer cleanup()

	var backends []backend
	if c.backend != "postgres" {
		backends = append(backends, backend{name: "sqlite"})
	}
	var notes []string
	if c.backend != "sqlite" {
		pg, err := preparePostgres(ctx, w, eccsd)
		if err != nil {
			if c.backend == "postgres" || os.Getenv("ECCS_TEST_REQUIRE_ALL") == "1" {
				return err
			}
			notes = append(notes, fmt.Sprintf("PostgreSQL SKIPPED, NOT MEASURED: %v", err))
			logf("PostgreSQL SKIPPED, NOT MEASURED: %v", err)
		} else {
			defer pg.close()
			backends = append(backends, backend{name: "postgres", databaseURL: pg.url, dbPid: pg.postmasterPID()})
		}
	}

	var reports []backendReport
	for _, b := range backends {
		r, err := runBackend(ctx, c, w, eccsd, b)
		if err != nil {
			return fmt.Errorf("%s: %w", b.name, err)
		}
		reports = append(reports, r)
	}
	out := os.Stdout
	fmt.Fprintf(out, "\n## eccs benchmark, %s\n\n", started.Format("2006-01-02 15:04"))
	fmt.Fprintf(out, "Command: `go run ./bench %s`; %d run(s) of %s (after %s of warm-up) per scenario and server, %d connections; "+
		"load average %s at the start, %s at the end; %s in all.\n",
		strings.Join(args, " "), c.runs, c.duration, c.warmup, c.conns, loadStart, loadAverage(), time.Since(started).Round(time.Second))
	for _, n := range append(w.Notes, notes...) {
		fmt.Fprintf(out, "\nNote: %s\n", n)
	}
	invalid := false
	for _, r := range reports {
		r.print(out, c)
		invalid = invalid || r.invalid()
	}
	if invalid {
		return fmt.Errorf("some requests failed: the figures above are not valid")
	}
	return nil
}

// moduleRoot is the directory of go.mod, where ./cmd/eccsd is.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("run the benchmark inside the eccs module")
	}
	return filepath.Dir(gomod), nil
}

func buildEccsd(ctx context.Context, out string) error {
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	t0 := time.Now()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/eccsd")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/eccsd: %v: %s", err, b)
	}
	logf("built eccsd in %s", time.Since(t0).Round(time.Millisecond))
	return nil
}

// openWorld prepares the data directory, or reuses the one -data names.
// prepare builds eccsd into a new temporary directory and opens the world there (or in
// -data); cleanup removes the directory.
func prepare(ctx context.Context, c config) (w world, eccsd string, cleanup func(), err error) {
	tmp, err := os.MkdirTemp("", "eccs-bench-")
	if err != nil {
		return world{}, "", nil, err
	}
	cleanup = func() { os.RemoveAll(tmp) }
	eccsd = filepath.Join(tmp, "eccsd")
	if err := buildEccsd(ctx, eccsd); err != nil {
		cleanup()
		return world{}, "", nil, err
	}
	if w, err = openWorld(ctx, c, tmp, eccsd); err != nil {
		cleanup()
		return world{}, "", nil, err
	}
	return w, eccsd, cleanup, nil
}

func openWorld(ctx context.Context, c config, tmp, eccsd string) (world, error) {
	dir := c.dataDir
	if dir == "" {
		dir = filepath.Join(tmp, "data")
		if c.keep {
			d, err := os.MkdirTemp("", "eccs-bench-data-")
			if err != nil {
				return world{}, err
			}
			dir = d
			logf("data directory %s is kept (-keep)", dir)
		}
	} else {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return world{}, err
		}
		dir = abs
		w, ok, err := loadWorld(dir)
		if err != nil {
			return world{}, err
		}
		if ok {
			if w.SmallN != c.sizes.small || w.LargeN != c.sizes.large || w.doc(docLarge).Size != c.sizes.largeFile {
				return world{}, fmt.Errorf("%s was prepared with %d/%d contracts and a %d-byte large file; these flags ask for others: use another -data",
					dir, w.SmallN, w.LargeN, w.doc(docLarge).Size)
			}
			logf("reusing the data prepared in %s", dir)
			return w, nil
		}
	}
	t0 := time.Now()
	w, err := prepareWorld(ctx, dir, eccsd, c.sizes, logf)
	if err != nil {
		return world{}, fmt.Errorf("prepare data: %w", err)
	}
	logf("prepared %s in %s", dir, time.Since(t0).Round(time.Millisecond))
	return w, nil
}

// preparePostgres makes a fresh PostgreSQL database holding a copy of the prepared SQLite
// database, made by `eccsd admin migrate-data` (the documents stay in the same files).
func preparePostgres(ctx context.Context, w world, eccsd string) (*postgresDB, error) {
	t0 := time.Now()
	pg, err := openPostgres()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, eccsd, "admin", "migrate-data",
		"--from", "sqlite://"+filepath.Join(w.Dir, "eccs.db"), "--to", pg.url)
	cmd.Env = serverEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		pg.close()
		return nil, fmt.Errorf("eccsd admin migrate-data: %v: %s", err, out)
	}
	logf("copied the data to PostgreSQL in %s", time.Since(t0).Round(time.Millisecond))
	return pg, nil
}

// backend is a database eccsd runs on.
type backend struct {
	name        string
	databaseURL string // empty: SQLite in the data directory
	dbPid       int    // the PostgreSQL postmaster, when local: its processes' CPU is measured
}

func (b backend) serveArgs(w world, addr string) []string {
	args := []string{"serve", "--data-dir", w.Dir, "--keys-file", w.keysFile(), "--addr", addr,
		"--rate-limit", "0", "--token-rate-limit", "0"}
	if b.databaseURL != "" {
		args = append(args, "--database-url", b.databaseURL, "--blob-url", "file://"+filepath.Join(w.Dir, "documents"))
	}
	return args
}

// scenario is one line of the table: a request sent again and again to eccsd and to the
// baseline.
type scenario struct {
	name     string
	method   string
	target   string // path and query
	header   http.Header
	body     []byte
	download int64   // size of the file, for downloads
	min      float64 // target: eccsd/baseline at least this (0: no target)
	minPG    float64 // the same on PostgreSQL, when it differs
}

func (s scenario) request(base string) request {
	r := newRequest(s.method, base+s.target, s.header, s.body)
	r.wantBytes = s.download
	return r
}

func (s scenario) goal(backend string) float64 {
	if backend == "postgres" && s.minPG > 0 {
		return s.minPG
	}
	return s.min
}

// scenarios lists what is measured, for a token of the benchmark application.
func scenarios(w world, token string) []scenario {
	basic := http.Header{
		"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(w.ClientID+":"+w.ClientSecret))},
		"Content-Type":  {"application/x-www-form-urlencoded"},
		"Accept":        {"application/json"},
	}
	resource := func(key string) http.Header {
		return http.Header{
			"Authorization":      {"Bearer " + token},
			"X-Api-Key":          {key},
			"X-Eccs-Contract-Id": {w.ContractID},
			"Accept":             {"application/json"},
		}
	}
	client := resource(w.ClientKey)
	v1 := api.BasePath
	file := func(name string) string { return v1 + "/documents/" + w.doc(name).ID + "/file" }
	large := w.doc(docLarge)
	return []scenario{
		{name: "token", method: "POST", target: api.TokenPath, header: basic, body: []byte("grant_type=client_credentials"), min: 0.5},
		{name: "contract", method: "GET", target: v1 + "/contract", header: client, min: 0.4, minPG: 0.25},
		{name: "contracts", method: "GET", target: v1 + "/contracts", header: client},
		{name: "documents", method: "GET", target: v1 + "/documents?limit=10", header: client, min: 0.4, minPG: 0.25},
		{name: docSmall, method: "GET", target: file(docSmall), header: client, download: w.doc(docSmall).Size, min: 0.8},
		{name: fmt.Sprintf("download-%dMiB", large.Size>>20), method: "GET", target: file(docLarge), header: client, download: large.Size, min: 0.8},
		{name: pageName(w.SmallN), method: "GET", target: v1 + "/contracts?limit=100", header: resource(w.SmallKey)},
		{name: pageName(w.LargeN), method: "GET", target: v1 + "/contracts?limit=100", header: resource(w.LargeKey)},
	}
}

func pageName(n int) string { return fmt.Sprintf("contracts-page@%s", count(n)) }

// count writes 1000 as 1k and 100000 as 100k.
func count(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// runBackend measures every scenario on one backend, then start-to-ready, idle RSS and RSS
// growth during the huge download, each on fresh processes.
func runBackend(ctx context.Context, c config, w world, eccsd string, b backend) (backendReport, error) {
	rep := backendReport{backend: b.name, loadStart: loadAverage(), world: w, measuredDB: b.dbPid > 0}
	if b.databaseURL != "" && b.dbPid == 0 {
		logf("the PostgreSQL server is not local: its CPU is not measured")
	}
	logf("== %s", b.name)

	// Start to ready, idle RSS.
	for i := range c.startups {
		addr, err := freeAddr()
		if err != nil {
			return rep, err
		}
		t0 := time.Now()
		p, err := startProc("eccsd", eccsd, b.serveArgs(w, addr), addr, c.serverLog)
		if err != nil {
			return rep, err
		}
		d, err := p.waitReady(p.baseURL()+"/readyz", t0, 30*time.Second)
		if err != nil {
			p.stop()
			return rep, err
		}
		rep.startups = append(rep.startups, d)
		if i == 0 {
			time.Sleep(2 * time.Second)
			rep.idleRSS, _, _ = memStatus(p.pid())
		}
		p.stop()
	}
	logf("start to ready: %v; idle RSS %d KiB", rep.startups, rep.idleRSS>>10)

	// The server under test and the baseline, for every scenario.
	addr, err := freeAddr()
	if err != nil {
		return rep, err
	}
	srv, err := startProc("eccsd", eccsd, b.serveArgs(w, addr), addr, c.serverLog)
	if err != nil {
		return rep, err
	}
	defer srv.stop()
	if _, err := srv.waitReady(srv.baseURL()+"/readyz", time.Now(), 30*time.Second); err != nil {
		return rep, err
	}
	token, err := fetchToken(srv.baseURL(), w)
	if err != nil {
		return rep, err
	}
	all := scenarios(w, token)
	cfg := baselineConfig{ClientID: w.ClientID, ClientSecret: w.ClientSecret}
	for _, s := range all {
		switch {
		case s.method != "GET":
		case s.download > 0:
			cfg.Files = append(cfg.Files, servedFileRef{Target: s.target, Path: docPath(w, s), ContentType: "text/csv"})
		default:
			a, err := capture(srv.baseURL(), s)
			if err != nil {
				return rep, err
			}
			cfg.Answers = append(cfg.Answers, a)
		}
	}
	base, err := startBaseline(cfg, c.serverLog)
	if err != nil {
		return rep, err
	}
	defer base.stop()

	for _, s := range all {
		if c.only != nil && !c.only.MatchString(s.name) {
			continue
		}
		sr := scenarioReport{sc: s}
		for i := range c.runs {
			// Alternate the order, so that a slow drift of the machine's load does not
			// favour one side.
			order := []*proc{srv, base}
			if i%2 == 1 {
				order = []*proc{base, srv}
			}
			for _, p := range order {
				dbPid := 0
				if p == srv {
					dbPid = b.dbPid
				}
				r := measure(ctx, p, s, c, dbPid)
				if p == srv {
					sr.eccsd = append(sr.eccsd, r)
				} else {
					sr.base = append(sr.base, r)
				}
				logf("%-22s %-8s run %d: %s", s.name, p.name, i+1, r.summary(s.download > 0))
				if ctx.Err() != nil {
					return rep, ctx.Err()
				}
			}
		}
		rep.scenarios = append(rep.scenarios, sr)
	}
	srv.stop()
	base.stop()

	// RSS growth during one download of the huge file, on fresh processes.
	huge := w.doc(docHuge)
	hugeScenario := scenario{name: "huge", method: "GET", target: api.BasePath + "/documents/" + huge.ID + "/file",
		header: byName(all, "contract").header, download: huge.Size}
	if c.only == nil || c.only.MatchString("huge") {
		rep.huge, err = hugeDownload(ctx, eccsd, b, w, hugeScenario, byName(all, docSmall), c.serverLog)
		if err != nil {
			return rep, err
		}
		logf("huge download: eccsd RSS %+d KiB, baseline %+d KiB", rep.huge.eccsdGrowth>>10, rep.huge.baseGrowth>>10)
	}
	rep.loadEnd = loadAverage()
	return rep, nil
}

func byName(all []scenario, name string) scenario {
	for _, s := range all {
		if s.name == name {
			return s
		}
	}
	panic("no scenario " + name)
}

func docPath(w world, s scenario) string {
	for _, d := range w.Docs {
		if strings.Contains(s.target, "/"+d.ID+"/") {
			return d.Path
		}
	}
	panic("no document for " + s.target)
}

// measure runs the load generator once against p; dbPid, when positive, is the database
// server whose CPU time is measured too.
func measure(ctx context.Context, p *proc, s scenario, c config, dbPid int) result {
	wt := watch(p.pid(), dbPid)
	r := drive(ctx, s.request(p.baseURL()), c.conns, c.warmup, c.duration, wt.hooks())
	r.peakRSS, r.serverCPU, r.dbCPU = wt.finish()
	return r
}

func startBaseline(cfg baselineConfig, logPath string) (*proc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp("", "eccs-bench-baseline-*.json")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := json.NewEncoder(f).Encode(cfg); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	p, err := startProc("baseline", self, []string{"baseline", "--addr", addr, "--config", f.Name()}, addr, logPath)
	if err != nil {
		return nil, err
	}
	if _, err := p.waitReady(p.baseURL()+"/healthz", time.Now(), 30*time.Second); err != nil {
		p.stop()
		return nil, err
	}
	os.Remove(f.Name()) // read at start
	return p, nil
}

// fetchToken gets an access token for the benchmark application.
func fetchToken(base string, w world) (string, error) {
	req, _ := http.NewRequest("POST", base+api.TokenPath, strings.NewReader("grant_type=client_credentials"))
	req.SetBasicAuth(w.ClientID, w.ClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var t api.Token
	if err := json.NewDecoder(resp.Body).Decode(&t); err != nil || resp.StatusCode != 200 {
		return "", fmt.Errorf("token: status %d, %v", resp.StatusCode, err)
	}
	return t.AccessToken, nil
}

// capture sends a scenario's request to eccsd once and returns its answer, for the baseline
// to send the same bytes with the same headers.
func capture(base string, s scenario) (fixedAnswer, error) {
	req, _ := http.NewRequest(s.method, base+s.target, nil)
	req.Header = s.header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fixedAnswer{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fixedAnswer{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return fixedAnswer{}, fmt.Errorf("%s %s: status %d: %s", s.method, s.target, resp.StatusCode, body)
	}
	a := fixedAnswer{Target: s.target, Status: resp.StatusCode, Body: body}
	keys := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k == "Date" {
			continue // net/http writes it
		}
		for _, v := range resp.Header[k] {
			a.Header = append(a.Header, [2]string{k, v})
		}
	}
	return a, nil
}

// hugeResult is the RSS growth of the servers during one download of the huge file.
type hugeResult struct {
	size                    int64
	eccsdBefore, eccsdPeak  int64
	eccsdGrowth, baseGrowth int64
	eccsdRate, baseRate     float64 // bytes per second
}

// hugeDownload downloads the huge file once from a fresh eccsd, then from a fresh baseline,
// and returns how much each one's RSS grew meanwhile above its RSS before, once warmed up by
// a download of the small file (the first request's one-time costs are not the download's).
// The rate is that of a single download: informative, noisy.
func hugeDownload(ctx context.Context, eccsd string, b backend, w world, s scenario, warm scenario, logPath string) (hugeResult, error) {
	h := hugeResult{size: s.download}
	addr, err := freeAddr()
	if err != nil {
		return h, err
	}
	srv, err := startProc("eccsd", eccsd, b.serveArgs(w, addr), addr, logPath)
	if err != nil {
		return h, err
	}
	defer srv.stop()
	if _, err := srv.waitReady(srv.baseURL()+"/readyz", time.Now(), 30*time.Second); err != nil {
		return h, err
	}
	token, err := fetchToken(srv.baseURL(), w)
	if err != nil {
		return h, err
	}
	s.header = s.header.Clone()
	s.header.Set("Authorization", "Bearer "+token)
	warm.header = s.header
	// Both servers read the file from the page cache: whoever went first would otherwise
	// read it from disk.
	if err := readAll(docPath(w, s)); err != nil {
		return h, err
	}
	if err := warmUp(ctx, srv, warm); err != nil {
		return h, err
	}
	before, peak, rate, err := downloadOnce(ctx, srv, s)
	if err != nil {
		return h, err
	}
	h.eccsdBefore, h.eccsdPeak, h.eccsdGrowth, h.eccsdRate = before, peak, peak-before, rate
	srv.stop()

	base, err := startBaseline(baselineConfig{Files: []servedFileRef{
		{Target: s.target, Path: docPath(w, s), ContentType: "text/csv"},
		{Target: warm.target, Path: docPath(w, warm), ContentType: "text/csv"},
	}}, logPath)
	if err != nil {
		return h, err
	}
	defer base.stop()
	if err := warmUp(ctx, base, warm); err != nil {
		return h, err
	}
	before, peak, rate, err = downloadOnce(ctx, base, s)
	if err != nil {
		return h, err
	}
	h.baseGrowth, h.baseRate = peak-before, rate
	return h, nil
}

// warmUp sends a request once, and the server's first-request costs with it, then lets the
// server's garbage go.
func warmUp(ctx context.Context, p *proc, s scenario) error {
	tr := &http.Transport{Proxy: nil, DisableCompression: true}
	defer tr.CloseIdleConnections()
	var n atomic.Int64
	if err := do(ctx, tr, s.request(p.baseURL()), make([]byte, 64<<10), &n); err != nil {
		return fmt.Errorf("warm up %s: %w", p.name, err)
	}
	time.Sleep(time.Second)
	return nil
}

// readAll reads a file whole, to bring it into the page cache.
func readAll(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.CopyBuffer(io.Discard, f, make([]byte, 1<<20))
	return err
}

func downloadOnce(ctx context.Context, p *proc, s scenario) (before, peak int64, rate float64, err error) {
	wt := watch(p.pid(), 0)
	before = wt.rssBefore
	t0 := time.Now()
	tr := &http.Transport{Proxy: nil, DisableCompression: true}
	defer tr.CloseIdleConnections()
	buf := make([]byte, 64<<10)
	var n atomic.Int64
	err = do(ctx, tr, s.request(p.baseURL()), buf, &n)
	took := time.Since(t0)
	peak, _, _ = wt.finish()
	if err != nil {
		return 0, 0, 0, fmt.Errorf("download %s from %s: %w", s.target, p.name, err)
	}
	return before, peak, float64(s.download) / took.Seconds(), nil
}
