package web

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Brand is how the operator presents the web space: its name, its logo, an accent colour, where
// customers get support, and its terms of use.
type Brand struct {
	// Name is the operator's name, in the header and page titles.
	Name string
	// Logo is a PNG, JPEG, WebP or SVG file (a path, read once at start) or an https URL; empty
	// for none.
	Logo string
	// Accent is the colour of links and buttons, #rrggbb; white text on it must keep a 4.5:1
	// contrast (WCAG AA).
	Accent string
	// Support is how to reach support: an e-mail address, a phone number or a URL.
	Support string
	// TermsURL is the operator's terms of use.
	TermsURL string
}

// DefaultBrand is the plain, neutral brand of an operator who gives none.
var DefaultBrand = Brand{Name: "eccs", Accent: "#1f4e79"}

// MaxLogoBytes bounds a logo file.
const MaxLogoBytes = 512 << 10

func (b Brand) withDefaults() Brand {
	if b.Name == "" {
		b.Name = DefaultBrand.Name
	}
	if b.Accent == "" {
		b.Accent = DefaultBrand.Accent
	}
	return b
}

// BrandError is a refused Brand field. Field is "name", "logo", "accent", "support" or
// "terms".
type BrandError struct {
	Field string
	Err   error
}

func (e *BrandError) Error() string { return "brand " + e.Field + ": " + e.Err.Error() }
func (e *BrandError) Unwrap() error { return e.Err }

// Check returns a *BrandError saying what to change when a field of b is refused: a name
// longer than 60 characters or with control characters, an accent that is not #rrggbb or keeps
// less than 4.5:1 with white text, a logo that is neither a readable PNG, JPEG, WebP or SVG
// file of at most MaxLogoBytes nor an https URL, a terms URL that is not http(s), a support
// contact longer than 200 characters.
func (b Brand) Check() error {
	b = b.withDefaults()
	refuse := func(field, format string, args ...any) error {
		return &BrandError{Field: field, Err: fmt.Errorf(format, args...)}
	}
	if !printable(b.Name, 60) {
		return refuse("name", "%q: give 1 to 60 printable characters", b.Name)
	}
	if err := checkAccent(b.Accent); err != nil {
		return &BrandError{Field: "accent", Err: err}
	}
	if b.Support != "" && !printable(b.Support, 200) {
		return refuse("support", "%q: give an e-mail address, phone number or URL of at most 200 characters", b.Support)
	}
	if b.TermsURL != "" {
		if u, err := url.Parse(b.TermsURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return refuse("terms", "%q: give an http(s) URL such as https://example.com/terms", b.TermsURL)
		}
	}
	if b.Logo != "" && !isRemoteLogo(b.Logo) {
		if _, _, err := readLogo(b.Logo); err != nil {
			return &BrandError{Field: "logo", Err: err}
		}
	}
	return nil
}

func printable(s string, max int) bool {
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// checkAccent refuses a colour that is not #rrggbb or on which white text is hard to read.
func checkAccent(accent string) error {
	r, g, b, ok := parseHexColour(accent)
	if !ok {
		return fmt.Errorf("%q: give a colour written #rrggbb, such as #1f4e79", accent)
	}
	if c := contrastWithWhite(r, g, b); c < 4.5 {
		return fmt.Errorf("%s: white text on it has a contrast of %.2f:1, below the 4.5:1 that WCAG AA asks; choose a darker colour", accent, c)
	}
	return nil
}

func parseHexColour(s string) (r, g, b uint8, ok bool) {
	if len(s) != 7 || s[0] != '#' {
		return 0, 0, 0, false
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return 0, 0, 0, false
	}
	return uint8(v >> 16), uint8(v >> 8), uint8(v), true
}

// contrastWithWhite is the WCAG 2 contrast ratio of white against the colour.
func contrastWithWhite(r, g, b uint8) float64 {
	channel := func(c uint8) float64 {
		v := float64(c) / 255
		if v <= 0.04045 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	l := 0.2126*channel(r) + 0.7152*channel(g) + 0.0722*channel(b)
	return 1.05 / (l + 0.05)
}

func isRemoteLogo(logo string) bool { return strings.HasPrefix(logo, "https://") }

// readLogo reads a logo file and names its media type from its first bytes.
func readLogo(path string) ([]byte, string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, "", err
	}
	if info.Size() > MaxLogoBytes {
		return nil, "", fmt.Errorf("%s: %d bytes, more than the %d allowed", path, info.Size(), MaxLogoBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	typ := logoType(data)
	if typ == "" {
		return nil, "", errors.New(path + ": not a PNG, JPEG, WebP or SVG file")
	}
	return data, typ, nil
}

func logoType(data []byte) string {
	head := string(data[:min(len(data), 512)])
	switch {
	case strings.HasPrefix(head, "\x89PNG\r\n\x1a\n"):
		return "image/png"
	case strings.HasPrefix(head, "\xff\xd8\xff"):
		return "image/jpeg"
	case len(head) >= 12 && head[:4] == "RIFF" && head[8:12] == "WEBP":
		return "image/webp"
	case strings.Contains(head, "<svg"):
		return "image/svg+xml"
	}
	return ""
}
