package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/schema"
	"github.com/eccs/eccs/internal/spool"
	"github.com/eccs/eccs/internal/sqlstore"
	"github.com/eccs/eccs/internal/web"
)

// serveConfig is the configuration of `eccsd serve`; every field is a flag and an
// environment variable (see bindEnv).
type serveConfig struct {
	dev            bool
	addr           string
	dataDir        string
	databaseURL    string
	blobURL        string
	keysFile       string
	migrate        bool
	publicURL      string
	tokenTTL       time.Duration
	apiKeyTTL      time.Duration
	tokenRateLimit int
	rateLimit      int
	rateLimitCode  int
	maxBodyBytes   int64
	maxUploadBytes int64
	adminAddr      string
	shutdownGrace  time.Duration
	sweepAfter     time.Duration // --sweep-orphans-after
	logLevel       string
	limits         serverLimits
	web            webConfig
	mail           mailConfig

	devElsewhere bool // set by configure: dev mode on a database or keys outside its data directory
}

// serverLimits are what one client may hold of a listener: how long it may take to send a
// request's headers and the whole request, and keep an idle connection. They cut slow clients
// (slowloris) loose without slowing anyone else.
type serverLimits struct {
	readHeaderTimeout time.Duration
	readTimeout       time.Duration
	idleTimeout       time.Duration
}

func newServeCmd(e env) *cobra.Command {
	var cfg serveConfig
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the API server",
		Long: `Run the Cloud Store Customer Space API: the token endpoint (/oauth/v3/token) and the
resources under /cloud/b2b/v1, with /healthz, /readyz and the OpenAPI file.

With -dev, the server runs on 127.0.0.1:8080 with a fresh temporary data directory seeded with
realistic customers, contracts and documents, and prints fixed demo credentials and curl
commands for the getting-started guide's examples.`,
		Example: `  eccsd serve -dev
  eccsd serve --data-dir /var/lib/eccs --addr :8080
  ECCS_DATABASE_URL=sqlite:///var/lib/eccs/eccs.db eccsd serve --migrate`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := bindEnv(cmd.Flags(), e.getenv); err != nil {
				return err
			}
			source := func(flag string) string {
				if cmd.Flags().Changed(flag) {
					return "--" + flag
				}
				return envName(flag)
			}
			if err := cfg.validate(source); err != nil {
				return err
			}
			if err := cfg.web.validate(cfg.publicURL, source); err != nil {
				return err
			}
			return serve(cmd.Context(), e, cfg, cmd.Flags().Changed("addr") || e.getenv(envName("addr")) != "")
		},
	}
	f := cmd.Flags()
	f.BoolVar(&cfg.dev, "dev", false, "development mode: seeded demo data and fixed demo credentials, loopback only")
	f.StringVar(&cfg.addr, "addr", ":8080", "address to listen on (dev mode: 127.0.0.1:8080)")
	f.StringVar(&cfg.dataDir, "data-dir", "", "directory of the database, documents and keys (default ./eccs-data; dev mode: a fresh temporary directory)")
	f.StringVar(&cfg.databaseURL, "database-url", "", "database URL (default sqlite://<data-dir>/eccs.db)")
	f.StringVar(&cfg.blobURL, "blob-url", "", "document storage URL (default file://<data-dir>/documents)")
	f.StringVar(&cfg.keysFile, "keys-file", "", "file of the secret keys, created if missing (default <data-dir>/keys.json)")
	f.BoolVar(&cfg.migrate, "migrate", false, "apply pending database migrations at start (dev mode always does)")
	f.StringVar(&cfg.publicURL, "public-url", "", "base URL clients use: printed examples and claim links; its origin is the web space's, for cookies, links and cross-origin checks (default http://<listen address>; dev mode's web space: http://localhost:PORT)")
	f.DurationVar(&cfg.tokenTTL, "token-ttl", eccs.DefaultTokenTTL, "lifetime of access tokens")
	f.DurationVar(&cfg.apiKeyTTL, "api-key-ttl", eccs.DefaultAPIKeyTTL, "default lifetime of new API keys (an operator may choose another per key)")
	f.IntVar(&cfg.tokenRateLimit, "token-rate-limit", 50, "token requests per minute per client (0: no limit)")
	f.IntVar(&cfg.rateLimit, "rate-limit", 100, "resource calls per second per application, bursts of twice that (0: no limit)")
	f.IntVar(&cfg.rateLimitCode, "rate-limit-status", http.StatusTooManyRequests, "HTTP status of rate-limited resource calls: 429, or 403 for clients of older gateways")
	f.Int64Var(&cfg.maxBodyBytes, "max-body-bytes", httpapi.DefaultMaxBodyBytes, "largest request body accepted")
	f.Int64Var(&cfg.maxUploadBytes, "max-upload-bytes", httpapi.DefaultMaxUploadBytes, "largest document file operators may upload")
	f.StringVar(&cfg.adminAddr, "admin-addr", "", "address of the admin API (/admin/v1); default: on --addr with the customer API")
	f.DurationVar(&cfg.shutdownGrace, "shutdown-grace", 30*time.Second, "how long requests in flight may take to finish on SIGTERM")
	f.DurationVar(&cfg.sweepAfter, "sweep-orphans-after", time.Hour, "remove document files no document refers to (left by a crash) once this old, at start and hourly; longer than the longest upload (0: never)")
	f.StringVar(&cfg.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.DurationVar(&cfg.limits.readHeaderTimeout, "read-header-timeout", 10*time.Second, "how long a client may take to send a request's headers")
	f.DurationVar(&cfg.limits.readTimeout, "read-timeout", 60*time.Second, "how long a client may take to send a whole request, body included (uploads too)")
	f.DurationVar(&cfg.limits.idleTimeout, "idle-timeout", 120*time.Second, "how long an idle keep-alive connection stays open")
	addWebFlags(f, &cfg.web)
	f.StringVar(&cfg.mail.smtpURL, "smtp-url", "", "SMTP server mails are sent through: smtp://user:password@host:587?from=… (STARTTLS required; ?starttls=opportunistic or none for local relays) or smtps://… (TLS); default: mails are logged, not sent")
	f.StringVar(&cfg.mail.from, "mail-from", "", "sender address of mails, such as \"Acme Cloud <noreply@acme.example>\" (default: from= of --smtp-url)")
	documentEnv(f)
	return cmd
}

// validate checks the values that flags and variables cannot check themselves; an error names
// the flag or environment variable (source gives which) that set the bad value.
func (cfg serveConfig) validate(source func(flag string) string) error {
	bad := func(flag string, value any, rule string) error {
		return usageError{fmt.Errorf("%s=%v: %s", source(flag), value, rule)}
	}
	var level slog.Level
	switch {
	case level.UnmarshalText([]byte(cfg.logLevel)) != nil:
		return bad("log-level", cfg.logLevel, "use debug, info, warn or error")
	case cfg.rateLimitCode != http.StatusTooManyRequests && cfg.rateLimitCode != http.StatusForbidden:
		return bad("rate-limit-status", cfg.rateLimitCode, "use 429, or 403 for clients of older gateways")
	case cfg.tokenRateLimit < 0:
		return bad("token-rate-limit", cfg.tokenRateLimit, "give a number of requests per minute, or 0 for no limit")
	case cfg.rateLimit < 0:
		return bad("rate-limit", cfg.rateLimit, "give a number of calls per second, or 0 for no limit")
	case cfg.tokenTTL < time.Second:
		return bad("token-ttl", cfg.tokenTTL, "give a lifetime of at least 1s, such as 1h")
	case cfg.apiKeyTTL < time.Hour:
		return bad("api-key-ttl", cfg.apiKeyTTL, "give a lifetime of at least 1h, such as 17520h (two years)")
	case cfg.maxBodyBytes < 1024:
		return bad("max-body-bytes", cfg.maxBodyBytes, "give at least 1024 bytes")
	case cfg.maxUploadBytes < 1024:
		return bad("max-upload-bytes", cfg.maxUploadBytes, "give at least 1024 bytes")
	case cfg.shutdownGrace < 0:
		return bad("shutdown-grace", cfg.shutdownGrace, "give a duration such as 30s, or 0 to stop at once")
	case cfg.sweepAfter < 0:
		return bad("sweep-orphans-after", cfg.sweepAfter, "give a duration longer than the longest upload, such as 1h, or 0 never to remove them")
	case cfg.limits.readHeaderTimeout < 100*time.Millisecond:
		return bad("read-header-timeout", cfg.limits.readHeaderTimeout, "give a duration of at least 100ms, such as 10s (without it, slow clients hold connections forever)")
	case cfg.limits.readTimeout < cfg.limits.readHeaderTimeout:
		return bad("read-timeout", cfg.limits.readTimeout, "give a duration at least as long as --read-header-timeout, such as 60s")
	case cfg.limits.idleTimeout < 100*time.Millisecond:
		return bad("idle-timeout", cfg.limits.idleTimeout, "give a duration of at least 100ms, such as 120s")
	}
	_, err := cfg.mail.check(source)
	return err
}

// serve runs the server in four steps: it settles the configuration, opens the stores, builds
// the server (listeners, dev seed, handlers), then runs it until ctx ends.
func serve(ctx context.Context, e env, cfg serveConfig, addrGiven bool) error {
	started := time.Now()
	var level slog.Level
	level.UnmarshalText([]byte(cfg.logLevel)) // checked by validate
	logger := slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: level}))

	cfg, cleanup, err := configure(cfg, addrGiven)
	if err != nil {
		return err
	}
	defer cleanup()
	st, err := openStores(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer st.db.Close()
	srv, err := buildServer(ctx, e, cfg, st, started, logger)
	if err != nil {
		return err
	}
	defer srv.close()
	return srv.run(ctx, cfg, st, logger)
}

// configure settles what the flags leave open: dev mode's loopback address and temporary data
// directory, and the paths under the data directory. cleanup removes what it made (dev mode's
// temporary directory).
func configure(cfg serveConfig, addrGiven bool) (_ serveConfig, cleanup func(), err error) {
	cleanup = func() {}
	if cfg.dev {
		if !addrGiven {
			cfg.addr = "127.0.0.1:8080"
		}
		if !isLoopback(cfg.addr) {
			return cfg, cleanup, usageError{fmt.Errorf("dev mode listens on loopback only; %q is not a loopback address (use 127.0.0.1:PORT)", cfg.addr)}
		}
		if cfg.adminAddr != "" && !isLoopback(cfg.adminAddr) {
			return cfg, cleanup, usageError{fmt.Errorf("dev mode listens on loopback only; --admin-addr %q is not a loopback address", cfg.adminAddr)}
		}
		if cfg.dataDir == "" {
			dir, err := os.MkdirTemp("", "eccs-dev-")
			if err != nil {
				return cfg, cleanup, err
			}
			cfg.dataDir, cleanup = dir, func() { os.RemoveAll(dir) }
		}
		cfg.migrate = true
	}
	// Dev mode on a database or keys of its own (not its data directory's) must not plant the
	// public demo credentials in a real deployment's database: it takes only an empty one.
	cfg.devElsewhere = cfg.dev && (cfg.databaseURL != "" || cfg.keysFile != "")
	if cfg.dataDir == "" {
		cfg.dataDir = "eccs-data"
	}
	if cfg.databaseURL == "" {
		cfg.databaseURL = sqliteURL(filepath.Join(cfg.dataDir, "eccs.db"))
	}
	if cfg.blobURL == "" {
		cfg.blobURL = fileURL(filepath.Join(cfg.dataDir, "documents"))
	}
	if cfg.keysFile == "" {
		cfg.keysFile = filepath.Join(cfg.dataDir, "keys.json")
	}
	return cfg, cleanup, nil
}

// stores are what a server works on: the database, the document store, the secret keys, and
// the service over them.
type stores struct {
	db    database
	blobs eccs.BlobStore
	keys  eccs.Keys
	svc   *eccs.Service
}

// openStores opens the database (creating it and its data directory only when it may migrate:
// a mistyped --data-dir must not leave a fresh directory with keys behind), brings or checks
// its schema, reads or creates the keys, and opens the document store. The caller closes the
// database.
func openStores(ctx context.Context, cfg serveConfig, logger *slog.Logger) (_ stores, err error) {
	if cfg.migrate {
		if err := os.MkdirAll(cfg.dataDir, 0o700); err != nil {
			return stores{}, fmt.Errorf("data directory: %w", err)
		}
	}
	var st stores
	if st.db, err = openDatabase(ctx, cfg.databaseURL, cfg.migrate); err != nil {
		return stores{}, err
	}
	defer func() {
		if err != nil {
			st.db.Close()
		}
	}()
	if cfg.devElsewhere { // before any migration: dev mode changes nothing in a database it refuses
		if err := requireEmptyForDev(ctx, st.db); err != nil {
			return stores{}, err
		}
	}
	if err := prepareSchema(ctx, st.db, cfg.migrate, logger); err != nil {
		return stores{}, err
	}
	keys, created, err := loadOrCreateKeys(cfg.keysFile, rand.Reader)
	if err != nil {
		return stores{}, err
	}
	if created {
		logger.Info("created secret keys", "file", cfg.keysFile)
	}
	st.keys = keys
	if st.blobs, err = openBlobs(ctx, cfg.blobURL); err != nil {
		return stores{}, err
	}
	if st.svc, err = eccs.NewService(st.db, st.blobs, eccs.Config{Keys: keys, TokenTTL: cfg.tokenTTL, APIKeyTTL: cfg.apiKeyTTL, Formats: docformat.Formats{},
		PublicURL: strings.TrimRight(cfg.publicURL, "/")}); err != nil {
		return stores{}, err
	}
	return st, nil
}

// builtServer is a server ready to run: each listener with its handler.
type builtServer struct {
	handlers   map[net.Listener]http.Handler
	listeners  []net.Listener
	background *background
}

func (b *builtServer) close() {
	for _, l := range b.listeners {
		l.Close()
	}
}

// buildServer opens the listeners, seeds dev mode's demo world and prints its welcome, cleans
// the upload spool of what a previous process left, and makes the handlers: the customer API
// (with the admin API, unless --admin-addr gives it a listener of its own).
func buildServer(ctx context.Context, e env, cfg serveConfig, st stores, started time.Time, logger *slog.Logger) (_ *builtServer, err error) {
	b := &builtServer{handlers: map[net.Listener]http.Handler{}}
	defer func() {
		if err != nil {
			b.close()
		}
	}()
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	b.listeners = append(b.listeners, ln)
	publicURL := strings.TrimRight(cfg.publicURL, "/")
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String()
	}
	adminURL := publicURL
	var adminLn net.Listener
	if cfg.adminAddr != "" {
		if adminLn, err = net.Listen("tcp", cfg.adminAddr); err != nil {
			return nil, fmt.Errorf("listen (admin): %w", err)
		}
		b.listeners = append(b.listeners, adminLn)
		adminURL = "http://" + adminLn.Addr().String()
	}
	if cfg.dev {
		if err := seedDev(ctx, e, cfg, st, devseed.URLs{Public: publicURL, Admin: adminURL, Web: webOrigin(cfg, ln)}, logger); err != nil {
			return nil, err
		}
	}
	spoolDir := filepath.Join(cfg.dataDir, "uploads") // beside the data, not in a RAM-backed /tmp
	if err := os.MkdirAll(spoolDir, 0o700); err != nil {
		return nil, fmt.Errorf("upload directory: %w", err)
	}
	if n, err := spool.Clean(spoolDir, started); err != nil {
		logger.Warn("remove the uploads a previous process left", "removed", n, "error", err.Error())
	} else if n > 0 {
		logger.Info("removed the uploads a previous process left", "removed", n)
	}
	adminCfg := &httpapi.AdminConfig{PublicURL: publicURL, MaxBodyBytes: cfg.maxBodyBytes, MaxUploadBytes: cfg.maxUploadBytes, TempDir: spoolDir}
	apiCfg := httpapi.Config{
		TokenRateLimit:     cfg.tokenRateLimit,
		RateLimit:          cfg.rateLimit,
		RateLimitForbidden: cfg.rateLimitCode == http.StatusForbidden,
		MaxBodyBytes:       cfg.maxBodyBytes,
		// Given, --public-url is what claim pages name; otherwise they name the request's host.
		PublicURL:  strings.TrimRight(cfg.publicURL, "/"),
		ClientAddr: cfg.web.clientAddr,
	}
	if adminLn != nil {
		b.handlers[adminLn] = httpapi.NewAdmin(st.svc, logger, *adminCfg)
		apiCfg.AdminURL = adminURL
	} else {
		apiCfg.Admin = adminCfg // one listener serves both
	}
	origin := webOrigin(cfg, ln)
	if b.background, err = newBackground(cfg, st, origin, logger); err != nil {
		return nil, err
	}
	var devMails web.RecentMails
	if cfg.dev {
		devMails = b.background.queue.Recent
	}
	webHandler, err := newWebHandler(cfg, st, origin, devMails, logger)
	if err != nil {
		return nil, err
	}
	b.handlers[ln] = frontDoor(httpapi.New(st.svc, logger, apiCfg), webHandler)

	logger.Info("listening", "addr", ln.Addr().String(), "admin", adminURL, "database", redactURL(cfg.databaseURL), "blobs", cfg.blobURL, "dev", cfg.dev)
	fmt.Fprintf(e.stdout, "eccsd listening on %s\n", publicURL)
	if cfg.dev {
		fmt.Fprintf(e.stdout, "eccsd web space on %s/\n", origin)
	}
	if adminLn != nil {
		fmt.Fprintf(e.stdout, "eccsd admin API on %s\n", adminURL)
	}
	return b, nil
}

// seedDev seeds dev mode's demo world (or finds the one seeded before), writes its credentials
// to the data directory and prints the welcome.
func seedDev(ctx context.Context, e env, cfg serveConfig, st stores, urls devseed.URLs, logger *slog.Logger) error {
	creds, err := devseed.Seed(ctx, st.db, st.blobs, st.keys, time.Now(), urls)
	if errors.Is(err, devseed.ErrHoldsData) {
		return usageError{fmt.Errorf("dev mode on %s: %w; use another --data-dir, or leave it out for a fresh temporary one", redactURL(cfg.databaseURL), err)}
	}
	if err != nil {
		return fmt.Errorf("seed dev data: %w", err)
	}
	if err := creds.WriteFile(filepath.Join(cfg.dataDir, "dev-credentials.json")); err != nil {
		return err
	}
	creds.PrintWelcome(e.stdout, cfg.dataDir, eccsdCommand(e.getenv))
	// A data directory seeded before may have had its keys file replaced since, or its demo
	// application suspended: then the printed credentials fail. Say so rather than print them
	// as if they worked.
	if _, _, err := st.svc.IssueToken(ctx, creds.ClientID, creds.ClientSecret); eccs.ErrorCode(err) == eccs.Unauthenticated {
		const warning = "the demo client credentials are refused: the demo application was suspended or deleted, or the data directory's keys file changed since it was seeded (start with a new --data-dir, or none for a fresh temporary one)"
		logger.Warn(warning, "keys_file", cfg.keysFile)
		fmt.Fprintf(e.stdout, "\nWARNING: %s.\n\n", warning)
	}
	return nil
}

// run serves until ctx ends, with the document sweep, the mail queue and the periodic jobs
// beside (stopped before the database closes).
func (b *builtServer) run(ctx context.Context, cfg serveConfig, st stores, logger *slog.Logger) error {
	sweepCtx, stopSweep := context.WithCancel(ctx)
	swept := make(chan struct{})
	go func() {
		defer close(swept)
		sweepDocuments(sweepCtx, st.svc, cfg.sweepAfter, logger)
	}()
	waitBackground := b.background.start(sweepCtx)
	defer func() {
		stopSweep()
		<-swept
		waitBackground()
	}()
	return runServers(ctx, b.handlers, cfg.limits, cfg.shutdownGrace, st.svc, logger)
}

// requireEmptyForDev refuses, as a usage error, a database that dev mode must not seed: one
// that any migration was applied to and that holds data (devseed.Empty), or whose schema is
// not up to date (dev mode would have to migrate it to find out).
func requireEmptyForDev(ctx context.Context, db database) error {
	refuse := usageError{errors.New("dev mode with --database-url or --keys-file seeds only an empty database, and this one holds data: the demo credentials, an operator token among them, are public. Use a new database, or leave both out for a fresh temporary data directory")}
	pending, err := db.PendingMigrations(ctx)
	if err != nil {
		return fmt.Errorf("check the database: %w", err)
	}
	all, err := schema.Load(sqlstore.Migrations())
	if err != nil {
		return err
	}
	switch {
	case len(pending) == len(all): // nothing was ever applied: a new database
		return nil
	case len(pending) > 0:
		return refuse
	}
	empty, err := devseed.Empty(ctx, db)
	if err != nil {
		return fmt.Errorf("check the database: %w", err)
	}
	if !empty {
		return refuse
	}
	return nil
}

// cachePoll is how often a server checks whether another process changed the database, to
// empty its cache: it bounds how long a key revoked through one replica keeps working on
// another (doc/deployment.md).
const cachePoll = time.Second

// runServers serves each listener with its handler, within limits, until ctx ends, then shuts
// them all down gracefully: new connections are refused, requests in flight get grace to finish.
func runServers(ctx context.Context, servers map[net.Listener]http.Handler, limits serverLimits, grace time.Duration, svc *eccs.Service, logger *slog.Logger) error {
	serveErr := make(chan error, len(servers))
	var running []*http.Server
	for ln, h := range servers {
		srv := &http.Server{
			Handler:           h,
			ReadHeaderTimeout: limits.readHeaderTimeout,
			ReadTimeout:       limits.readTimeout,
			IdleTimeout:       limits.idleTimeout,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		}
		running = append(running, srv)
		go func() { serveErr <- srv.Serve(ln) }()
	}
	go svc.Watch(ctx, cachePoll)
	select {
	case err := <-serveErr:
		for _, srv := range running {
			srv.Close()
		}
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", grace.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	var errs []error
	for _, srv := range running {
		if err := srv.Shutdown(shutdownCtx); err != nil {
			srv.Close()
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("shutdown: requests still running after %s: %w", grace, errors.Join(errs...))
	}
	logger.Info("stopped")
	return nil
}

// prepareSchema applies pending migrations when allowed, and otherwise refuses to serve on a
// schema older than the binary.
func prepareSchema(ctx context.Context, db database, migrate bool, logger *slog.Logger) error {
	if migrate {
		applied, err := db.Migrate(ctx)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if len(applied) > 0 {
			logger.Info("applied migrations", "migrations", applied)
		}
		return nil
	}
	pending, err := db.PendingMigrations(ctx)
	if err != nil {
		return fmt.Errorf("check schema: %w", err)
	}
	if len(pending) > 0 {
		return fmt.Errorf("the database schema is out of date (pending: %s): run `eccsd migrate`, or start with --migrate", strings.Join(pending, ", "))
	}
	return nil
}

// isLoopback reports whether a listen address is on a loopback interface.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
