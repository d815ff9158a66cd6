package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/fileblob"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/postgres"
	"github.com/eccs/eccs/internal/sqlite"
)

// runProfile is `bench profile`: the scenarios of the benchmark against eccsd's handler
// (httpapi.New on the prepared store, configured as `eccsd serve --rate-limit 0
// --token-rate-limit 0` configures it) served in this process, under runtime/pprof. For each
// scenario it writes <out>/<backend>-<scenario>.cpu.pprof and the allocations made during
// it, <…>.allocs.pprof with <…>.allocs-before.pprof as the base. The server's goroutines carry
// the label side=server, so that
//
//	go tool pprof -top -tagfocus=side=server <file>
//
// leaves the load generator, which runs in the same process, out.
func runProfile(ctx context.Context, args []string) error {
	var out string
	c, err := parseConfig("profile", args, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", filepath.Join(os.TempDir(), "eccs-bench-profiles"), "directory of the profiles")
	})
	if err != nil {
		return err
	}
	if c.backend == "both" {
		return errors.New("profile: -backend sqlite or postgres")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	w, eccsd, cleanup, err := prepare(ctx, c)
	if err != nil {
		return err
	}
	defer cleanup()

	var store eccs.Store
	switch c.backend {
	case "sqlite":
		s, err := sqlite.Open(ctx, filepath.Join(w.Dir, "eccs.db"), sqlite.Options{})
		if err != nil {
			return err
		}
		defer s.Close()
		store = s
	case "postgres":
		pg, err := preparePostgres(ctx, w, eccsd)
		if err != nil {
			return err
		}
		defer pg.close()
		s, err := postgres.Open(ctx, pg.url, postgres.Options{})
		if err != nil {
			return err
		}
		defer s.Close()
		store = s
	}
	blobs, err := fileblob.Open(filepath.Join(w.Dir, "documents"))
	if err != nil {
		return err
	}
	keys, err := readKeys(w.keysFile())
	if err != nil {
		return err
	}
	svc, err := eccs.NewService(store, blobs, eccs.Config{Keys: keys, Formats: docformat.Formats{}})
	if err != nil {
		return err
	}
	srvCtx, stop := context.WithCancel(ctx)
	defer stop()
	go svc.Watch(srvCtx, time.Second)
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer devNull.Close()
	logger := slog.New(slog.NewJSONHandler(devNull, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv := &http.Server{
		Handler:           httpapi.New(svc, logger, httpapi.Config{}), // rate limits off
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go func() {
		// Goroutines inherit labels: every connection's goroutine is marked as the server's.
		pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("side", "server")))
		srv.Serve(ln)
	}()
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	token, err := fetchToken(base, w)
	if err != nil {
		return err
	}

	for _, s := range scenarios(w, token) {
		if c.only != nil && !c.only.MatchString(s.name) {
			continue
		}
		req := s.request(base)
		drive(ctx, req, c.conns, 0, c.warmup, hooks{}) // warm-up, not profiled
		prefix := filepath.Join(out, c.backend+"-"+s.name)
		if err := writeProfile("allocs", prefix+".allocs-before.pprof"); err != nil {
			return err
		}
		f, err := os.Create(prefix + ".cpu.pprof")
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		r := drive(ctx, req, c.conns, 0, c.duration, hooks{})
		pprof.StopCPUProfile()
		f.Close()
		if err := writeProfile("allocs", prefix+".allocs.pprof"); err != nil {
			return err
		}
		logf("%-22s %s", s.name, r.clientSummary(s.download > 0))
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	logf("profiles in %s; read them with: go tool pprof -top -tagfocus=side=server %s/%s-<scenario>.cpu.pprof", out, out, c.backend)
	return nil
}

func writeProfile(name, path string) error {
	runtime.GC() // an up-to-date allocation profile
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		return fmt.Errorf("write %s profile: %w", name, err)
	}
	return nil
}
