package main

import (
	"bytes"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/devseed"
)

// TestDownloadToStandardOutput changes the working directory: it does not run in parallel.
func TestDownloadToStandardOutput(t *testing.T) {
	s := world.NewServer(t)
	c := newCLI(t, s)
	c.http = &http.Client{} // the corrupted answer below would fail the description's check first
	c.mustLogin(s.Creds.APIKeys.Client, "--contract", devseed.SampleContractID)
	work := t.TempDir()
	t.Chdir(work)
	want := s.FileBytes(t, devseed.SampleContractID, s.Creds.SampleDocumentID)
	c.terminal = true // a progress bar, if any, goes to stderr
	r := c.run("", "documents", "download", s.Creds.SampleDocumentID, "-o", "-")
	if r.code != 0 || r.stdout != string(want) {
		t.Fatalf("download -o -: exit %d, %d bytes on stdout, want the document's %d\nstderr: %q", r.code, len(r.stdout), len(want), r.stderr)
	}
	if entries, _ := os.ReadDir(work); len(entries) != 0 {
		t.Errorf("download -o - left %d files in the working directory", len(entries))
	}
	if r := c.run("", "documents", "download", "--latest", "--type", "bills", "-o", "-"); r.code != 0 || r.stdout != string(want) {
		t.Errorf("download --latest -o -: exit %d, %d bytes, %q", r.code, len(r.stdout), r.stderr)
	}
	c.terminal = false
	// What cannot share stdout with the file, or cannot be checked there, is a usage error.
	for _, args := range [][]string{
		{"documents", "download", s.Creds.SampleDocumentID, "-o", "-", "--output", "json"},
		{"documents", "download", s.Creds.SampleDocumentID, "-o", "-", "--zipped"},
	} {
		if r := c.run("", args...); r.code != exitLocal || r.stdout != "" || !strings.Contains(r.stderr, "-o -") {
			t.Errorf("eccs %s: exit %d, stdout %d bytes, stderr %q", strings.Join(args, " "), r.code, len(r.stdout), r.stderr)
		}
	}
	// The digest is still checked: a corrupted transfer fails.
	s.Corrupt.Store(true)
	r = c.run("", "documents", "download", s.Creds.SampleDocumentID, "-o", "-")
	if r.code == exitOK || !strings.Contains(r.stderr, "digest") {
		t.Errorf("a corrupted download to stdout: exit %d, stderr %q", r.code, r.stderr)
	}
	if bytes.Equal([]byte(r.stdout), want) {
		t.Error("the corrupted download wrote the right bytes: the test corrupted nothing")
	}
}
