package web

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestBrandCheckRefusesWhatCannotBeShownWell(t *testing.T) {
	dir := t.TempDir()
	png := filepath.Join(dir, "logo.png")
	text := filepath.Join(dir, "logo.txt")
	if err := os.WriteFile(png, []byte("\x89PNG\r\n\x1a\nrest"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(text, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		brand Brand
		field string // "" when accepted
	}{
		{"the default is accepted", Brand{}, ""},
		{"a dark accent is accepted", Brand{Accent: "#004080"}, ""},
		{"a light accent is refused", Brand{Accent: "#ffcc00"}, "accent"},
		{"an accent of orange #ff7900 is refused", Brand{Accent: "#ff7900"}, "accent"},
		{"an accent not #rrggbb is refused", Brand{Accent: "blue"}, "accent"},
		{"a short accent is refused", Brand{Accent: "#fff"}, "accent"},
		{"a PNG logo is accepted", Brand{Logo: png}, ""},
		{"an https logo is accepted", Brand{Logo: "https://cdn.example.com/logo.svg"}, ""},
		{"a text file logo is refused", Brand{Logo: text}, "logo"},
		{"a missing logo file is refused", Brand{Logo: filepath.Join(dir, "none.png")}, "logo"},
		{"terms that are not a URL are refused", Brand{TermsURL: "terms.html"}, "terms"},
		{"a name with a control character is refused", Brand{Name: "Acme\x07"}, "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.brand.Check()
			var be *BrandError
			switch {
			case tc.field == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.field != "" && (!errors.As(err, &be) || be.Field != tc.field):
				t.Errorf("Check = %v, want a refusal of %s", err, tc.field)
			}
		})
	}
}

func TestContrastWithWhiteFollowsWCAG(t *testing.T) {
	for _, tc := range []struct {
		r, g, b uint8
		min     float64
		max     float64
	}{
		{0, 0, 0, 20.9, 21.1},
		{255, 255, 255, 0.99, 1.01},
		{0x76, 0x76, 0x76, 4.5, 4.6}, // the lightest grey that passes
	} {
		if c := contrastWithWhite(tc.r, tc.g, tc.b); c < tc.min || c > tc.max {
			t.Errorf("#%02x%02x%02x: %.3f, want %.2f to %.2f", tc.r, tc.g, tc.b, c, tc.min, tc.max)
		}
	}
}
