//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/eccs/eccs/internal/devseed"
)

// TestDownloadedFilesHaveTheUsualModeOrPrivate sets the process's umask: it does not run in
// parallel with the other tests.
func TestDownloadedFilesHaveTheUsualModeOrPrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	s := world.NewServer(t)
	c := newCLI(t, s)
	c.mustLogin(s.Creds.APIKeys.Client, "--contract", devseed.SampleContractID)
	for _, tc := range []struct {
		args []string
		mode os.FileMode
	}{
		{[]string{s.Creds.SampleDocumentID}, 0o644},
		{[]string{s.Creds.SampleDocumentID, "--private"}, 0o600},
		{[]string{"--latest", "--type", "bills", "--zipped"}, 0o644},
		{[]string{"--latest", "--type", "bills", "--zipped", "--private"}, 0o600},
	} {
		dir := t.TempDir()
		path := strings.TrimSpace(c.ok(append([]string{"documents", "download", "-o", dir}, tc.args...)...))
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != tc.mode {
			t.Errorf("download %s: mode %04o under umask 022, want %04o", strings.Join(tc.args, " "), info.Mode().Perm(), tc.mode)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 || filepath.Join(dir, entries[0].Name()) != path {
			t.Errorf("download %s left %d files", strings.Join(tc.args, " "), len(entries))
		}
	}
	// Under umask 077 the usual mode is the owner's only.
	syscall.Umask(0o077)
	dir := t.TempDir()
	path := strings.TrimSpace(c.ok("documents", "download", s.Creds.SampleDocumentID, "-o", dir))
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("under umask 077: %v, %v", info.Mode(), err)
	}
	syscall.Umask(0o022)
}
