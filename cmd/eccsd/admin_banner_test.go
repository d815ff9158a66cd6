package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// The dev banner's `… admin` line names the command the user has: "go run ./cmd/eccsd" when
// go run built the program (as the README starts the dev server), "eccsd" otherwise.
func TestAdminCommandOfTheWelcomeBannerIsGoRunWhenGoRunBuiltTheProgram(t *testing.T) {
	tmp := filepath.Join(string(filepath.Separator), "tmp")
	cache := filepath.Join(string(filepath.Separator), "home", "ann", ".cache", "go-build")
	hash := strings.Repeat("6d", 32) + "-d"
	for _, tc := range []struct {
		exe  string
		want string
	}{
		{filepath.Join(tmp, "go-build1131544646", "b001", "exe", "eccsd"), "go run ./cmd/eccsd"}, // built for this run
		{filepath.Join(cache, "6d", hash, "eccsd"), "go run ./cmd/eccsd"},                        // run again: from the build cache
		{filepath.Join(string(filepath.Separator), "usr", "local", "bin", "eccsd"), "eccsd"},
		{filepath.Join(string(filepath.Separator), "home", "ann", "go", "bin", "eccsd"), "eccsd"},
		{filepath.Join(tmp, "go-build1131544646", "b001", "eccsd.test"), "eccsd"},                        // go test's binary
		{filepath.Join(string(filepath.Separator), "srv", "go-build1", "b001", "exe", "eccsd"), "eccsd"}, // not in a directory of go's
		{filepath.Join(string(filepath.Separator), "opt", "6d", hash, "eccsd"), "eccsd"},
	} {
		if got := commandFor(tc.exe, "", tmp, cache); got != tc.want {
			t.Errorf("commandFor(%s) = %q, want %q", tc.exe, got, tc.want)
		}
	}
	if got := commandFor(filepath.Join(tmp, "gotmp", "go-build1", "b001", "exe", "eccsd"), filepath.Join(tmp, "gotmp")+string(filepath.Separator)); got != "go run ./cmd/eccsd" {
		t.Errorf("an executable go run built in GOTMPDIR: %q", got)
	}
	// This test's binary was built by go test, not go run.
	if got := eccsdCommand(noEnv); got != "eccsd" {
		t.Errorf("eccsdCommand in a test binary = %q, want eccsd", got)
	}
}
