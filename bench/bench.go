package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"time"
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
	// pages asks for the page timings of the web space (pages.go) instead of the load
	// benchmark, with documents on the timed contract and requests per page.
	pages     bool
	documents int
	requests  int
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
	fs.BoolVar(&c.pages, "pages", false, "time the web space's pages (server time p50/p95, weight) instead of the load benchmark")
	fs.IntVar(&c.documents, "documents", 100000, "with -pages: documents on the timed contract")
	fs.IntVar(&c.requests, "requests", 200, "with -pages: requests per page")
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
			"documents":  func() { c.documents = 10000 },
			"requests":   func() { c.requests = 50 },
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
	case c.runs < 1, c.conns < 1, c.startups < 1, c.documents < 1, c.requests < 1:
		return c, fmt.Errorf("-runs, -c, -startups, -documents and -requests must be positive")
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
	if c.pages {
		return runPages(ctx, c, c.documents, c.requests)
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
