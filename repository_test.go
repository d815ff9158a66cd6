// Package repository_test checks the repository as a whole: it stands alone, and says under
// which licence anyone may use it.
package repository_test

import (
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// trackedFiles lists the files git tracks (the test runs in a checkout).
func trackedFiles(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("git", "ls-files").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	return strings.Fields(string(out))
}

// The repository cites only what a reader of it can open: no working notes kept beside it.
func TestRepositoryCitesOnlyWhatItHolds(t *testing.T) {
	outside := regexp.MustCompile(`\.\./shared/|spec/wire\.md|research/[a-z-]+\.md`)
	for _, name := range trackedFiles(t) {
		if strings.HasSuffix(name, ".sum") || strings.HasPrefix(name, "postman/node_modules/") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			continue // a file deleted in the work tree
		}
		for i, line := range strings.Split(string(b), "\n") {
			if outside.MatchString(line) {
				t.Errorf("%s:%d cites a file outside the repository: %s", name, i+1, strings.TrimSpace(line))
			}
		}
	}
}

// The repository is licensed under the Apache License 2.0, in its standard text.
func TestLicenseIsApache2(t *testing.T) {
	b, err := os.ReadFile("LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, want := range []string{"Apache License", "Version 2.0, January 2004", "http://www.apache.org/licenses/", "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION"} {
		if !strings.Contains(text, want) {
			t.Errorf("LICENSE does not hold %q", want)
		}
	}
}

// The programs and the SDK are built without the test kit: internal/testkit is for tests only.
func TestProductDoesNotImportTheTestKit(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./cmd/eccsd", "./cmd/eccs", "./client", "./api/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.Contains(pkg, "/internal/testkit/") {
			t.Errorf("the product imports %s", pkg)
		}
	}
}

// The README's layout names every package, so that a newcomer finds each one there: by its
// path, or by its name under its parent's path (the test kit's packages, for instance).
func TestReadmeLayoutNamesEveryPackage(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(readme), "## Layout\n")
	layout, _, _ := strings.Cut(rest, "\n## ")
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range strings.Fields(string(out)) {
		rel, err := filepath.Rel(root, dir)
		if err != nil || rel == "." {
			continue // the repository's own tests
		}
		rel = filepath.ToSlash(rel)
		parent, base := path.Split(rel)
		named := regexp.MustCompile(`\b` + regexp.QuoteMeta(base) + `\b`).MatchString(layout)
		if !strings.Contains(layout, rel+"/") && !(parent != "" && strings.Contains(layout, parent) && named) {
			t.Errorf("the README's layout does not name package %s", rel)
		}
	}
}
