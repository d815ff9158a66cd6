// Command eccs is the command line of the Cloud Store Customer Space API, for integrators: it
// logs in once (a named profile), then lists contracts and documents, downloads bills and
// reports, declares users and orders contracts, against the real gateway or `eccsd serve -dev`
// alike. It is built on the Go SDK (package client) only.
//
// Exit codes: 0 done; 1 usage or local error; 2 refused by the server (or a conformance check
// failed); 3 rate limited (still refused after the SDK's retries).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
