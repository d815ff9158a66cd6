package pgtest

import (
	"bytes"
	"os/exec"
	"testing"
)

// Dump returns a plain SQL dump of the database dbURL names, schema and data, as pg_dump
// writes it (for tests that look at what the database holds, such as the secrets scan). It
// fails the test when pg_dump is missing or fails.
func Dump(t testing.TB, dbURL string) []byte {
	t.Helper()
	Require(t)
	bin, err := findBin("pg_dump")
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	var out, errOut bytes.Buffer
	cmd := exec.Command(bin, "--no-owner", "--no-privileges", "--dbname", dbURL)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v: %s", bin, err, errOut.String())
	}
	return out.Bytes()
}
