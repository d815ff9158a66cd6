package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsNothingInternal keeps the CLI what integrators can build themselves: a program on
// the public SDK (client/) and wire types (api/), nothing of the server's internals. Test files
// may use internal packages to start a real server; the program may not.
func TestImportsNothingInternal(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the dependencies: %v", err)
	}
	out, err := exec.Command(goBin, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed %d packages: %s", len(deps), out)
	}
	const internal = "github.com/eccs/eccs/internal"
	sawClient := false
	for _, d := range deps {
		if d == internal || strings.HasPrefix(d, internal+"/") {
			t.Errorf("cmd/eccs depends on %s: the CLI must be built on client/ and api/ only", d)
		}
		sawClient = sawClient || d == "github.com/eccs/eccs/client"
	}
	if !sawClient {
		t.Error("cmd/eccs does not depend on github.com/eccs/eccs/client: is go list listing the right package?")
	}
}
