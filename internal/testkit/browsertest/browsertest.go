// Package browsertest drives a real headless Chromium (Debian's chromium package) through the
// DevTools protocol, for the journeys of the web spaces: one browser per test, waits on
// elements rather than on time, and screenshots saved where a reviewer can look at them.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/eccs/eccs/internal/testkit/testenv"
)

// Timeout bounds a whole journey: a busy machine slows it, a hung page fails it.
const Timeout = 3 * time.Minute

// Binary returns the Chromium to drive: $ECCS_TEST_CHROMIUM, else chromium or
// chromium-browser on the PATH, else "".
func Binary() string {
	if p := os.Getenv("ECCS_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Start starts a headless Chromium for t, with a fresh profile, and returns the context of
// its first tab; the browser is closed when t ends. Without Chromium, t is skipped loudly, or
// fails under ECCS_TEST_REQUIRE_ALL=1 (.ci/run installs Debian's chromium).
func Start(t testing.TB) context.Context {
	t.Helper()
	bin := Binary()
	if bin == "" {
		testenv.Unavailable(t, "no Chromium (install Debian's chromium, or set ECCS_TEST_CHROMIUM)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox, // tests run as root in CI, where Chromium's sandbox cannot start
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancelTimeout := context.WithTimeout(context.Background(), Timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelTimeout()
	})
	return tab
}

// AddPasskeyAuthenticator gives the tab a virtual authenticator (the DevTools WebAuthn
// domain) that holds resident credentials, verifies its user and answers at once: the passkey
// ceremonies then run headless as they would with a phone or a security key.
func AddPasskeyAuthenticator(t testing.TB, tab context.Context) {
	t.Helper()
	if _, err := chromedp.Call(tab, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatalf("enable WebAuthn in the browser: %v", err)
	}
	_, err := chromedp.Call(tab, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol:                    webauthn.AuthenticatorProtocolCtap2,
			Transport:                   webauthn.AuthenticatorTransportInternal,
			HasResidentKey:              true,
			HasUserVerification:         true,
			IsUserVerified:              true,
			AutomaticPresenceSimulation: true,
		},
	})
	if err != nil {
		t.Fatalf("add a virtual authenticator: %v", err)
	}
}

// ArtifactsDir returns the directory test runs save what a reviewer looks at (screenshots):
// $ECCS_TEST_ARTIFACTS, else eccs-test-artifacts in the temporary directory.
func ArtifactsDir() string {
	if d := os.Getenv("ECCS_TEST_ARTIFACTS"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "eccs-test-artifacts")
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Screenshot saves a full-page PNG of the tab as screenshots/<name>.png under ArtifactsDir
// and returns its path.
func Screenshot(t testing.TB, tab context.Context, name string) string {
	t.Helper()
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join(ArtifactsDir(), "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, unsafeName.ReplaceAllString(name, "_")+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
