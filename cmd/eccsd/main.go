// Command eccsd is the eccs server and its operator tool: `eccsd serve` runs the
// customer-space API, `eccsd serve -dev` runs it with realistic demo data and fixed demo
// credentials, `eccsd migrate` brings a database schema up to date.
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(exitCode(run(context.Background(), os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)))
}
