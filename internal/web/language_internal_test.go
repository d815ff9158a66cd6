package web

import (
	"io/fs"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"
)

func TestBothCataloguesHaveTheSameKeys(t *testing.T) {
	en, fr := slices.Sorted(maps.Keys(messagesEN)), slices.Sorted(maps.Keys(messagesFR))
	for _, k := range en {
		if _, ok := messagesFR[k]; !ok {
			t.Errorf("French lacks %q", k)
		}
	}
	for _, k := range fr {
		if _, ok := messagesEN[k]; !ok {
			t.Errorf("English lacks %q", k)
		}
	}
	for _, l := range Langs {
		for k, v := range catalogues[l] {
			if v == "" || v == k {
				t.Errorf("%s: %q has no text", l, k)
			}
		}
	}
}

// templateKey finds the literal keys templates pass to T.
var templateKey = regexp.MustCompile(`T "([a-zA-Z_.]+)"`)

func TestEveryKeyTheTemplatesNameIsInTheCatalogue(t *testing.T) {
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v %v", files, err)
	}
	for _, f := range files {
		b, err := templateFiles.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range templateKey.FindAllStringSubmatch(string(b), -1) {
			if _, ok := messagesEN[m[1]]; !ok {
				t.Errorf("%s names %q, which the catalogue lacks", f, m[1])
			}
		}
	}
	// Keys made at run time: roles, sections, document types, account types, form fields,
	// and the help line of every error page.
	for _, k := range dynamicKeys() {
		if _, ok := messagesEN[k]; !ok {
			t.Errorf("the catalogue lacks %q", k)
		}
	}
}

func TestLanguageComesFromTheSwitchThenAcceptLanguage(t *testing.T) {
	for _, tc := range []struct {
		cookie, accept string
		want           Lang
	}{
		{"", "", English},
		{"", "fr-FR,fr;q=0.9,en;q=0.8", French},
		{"", "de-DE, en;q=0.5, fr;q=0.7", French},
		{"", "de, es", English},
		{"", "fr;q=0, en", English},
		{"en", "fr", English},
		{"fr", "en", French},
		{"xx", "fr", French},
	} {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Language", tc.accept)
		if tc.cookie != "" {
			r.AddCookie(&http.Cookie{Name: LangCookie, Value: tc.cookie})
		}
		if got := chooseLang(r); got != tc.want {
			t.Errorf("cookie %q, Accept-Language %q: %s, want %s", tc.cookie, tc.accept, got, tc.want)
		}
	}
}

func TestAmountsAndDatesAreWrittenAsEachLanguageWritesThem(t *testing.T) {
	day := time.Date(2026, 12, 7, 15, 4, 0, 0, time.UTC)
	for _, tc := range []struct {
		lang      Lang
		got, want string
	}{
		{French, French.Money(123456, "EUR"), "1\u202f234,56\u00a0€"},
		{English, English.Money(123456, "EUR"), "€1,234.56"},
		{French, French.Money(-5, "EUR"), "-0,05\u00a0€"},
		{English, English.Money(-123456789, "EUR"), "-€1,234,567.89"},
		{English, English.Money(100, "XAF"), "XAF\u00a01.00"},
		{French, French.Money(100000000, "USD"), "1\u202f000\u202f000,00\u00a0$"},
		{French, French.Date(day), "7 décembre 2026"},
		{English, English.Date(day), "7 December 2026"},
		{French, French.Date(day.AddDate(0, 0, -6)), "1er décembre 2026"},
		{English, English.DateTime(day), "7 December 2026, 15:04 UTC"},
		{French, French.Month("202605"), "mai 2026"},
		{English, English.Month("202605"), "May 2026"},
		{English, English.Month("2026-5"), "2026-5"},
		{French, French.Bytes(1500), "1,5\u00a0ko"},
		{English, English.Bytes(999), "999\u00a0B"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %q, want %q", tc.lang, tc.got, tc.want)
		}
	}
}
