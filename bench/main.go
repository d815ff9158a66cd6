// Command bench measures eccsd against a bare net/http baseline on loopback (doc/performance.md).
//
//	go run ./bench                 # SQLite, 3 runs of 10 s per scenario, medians
//	go run ./bench -backend both   # SQLite, then PostgreSQL
//	go run ./bench -short          # CI: 1 run of 2 s per scenario, small data
//	go run ./bench -pages          # the web space's pages: server time and weight
//
// It builds eccsd, prepares a data directory (the demo world of dev mode, administrators whose
// perimeters hold many contracts, large consumption CSVs), starts eccsd and a bare baseline
// server (`bench baseline`, this binary) as separate processes, drives each with a closed-loop
// Go load generator at fixed concurrency, and prints one table per backend: requests per
// second, p50/p99 latency, errors, the baseline's figure in the same run, the ratio, the
// server's peak RSS and CPU per request; then the growth of a page's cost with the perimeter,
// RSS growth during a large download, idle RSS and start-to-ready time. doc/performance.md
// explains the method and keeps the figures.
//
// `bench profile` runs the same scenarios against eccsd's handler in-process and writes CPU
// and allocation profiles, for finding out why a figure is what it is.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var err error
	switch {
	case len(os.Args) > 1 && os.Args[1] == "baseline":
		err = runBaseline(os.Args[2:])
	case len(os.Args) > 1 && os.Args[1] == "profile":
		err = runProfile(ctx, os.Args[2:])
	default:
		err = runBench(ctx, os.Args[1:])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
