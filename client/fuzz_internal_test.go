package client

// Fuzz targets for what the SDK reads from a server's headers: the file name of a download
// (Content-Disposition) and the digest it announces (Repr-Digest, ETag). A compromised or
// hostile server must not make the SDK write outside the directory it was given, nor make it
// trust a digest that is not one. Seed corpora are in testdata/fuzz; scripts/fuzz runs them.

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzSafeFilename feeds arbitrary Content-Disposition values and fallbacks (document ids,
// which may come from the server's list) to safeFilename. Properties: the result is a
// non-empty base name of at most 255 bytes of valid UTF-8, without separators, control
// characters or ':', not starting with '.', that stays directly under the directory it is
// joined to; a plain file name the server sends is kept as is.
func FuzzSafeFilename(f *testing.F) {
	f.Fuzz(func(t *testing.T, disposition, fallback string) {
		name := safeFilename(disposition, fallback)
		switch {
		case name == "" || len(name) > maxFilename || !utf8.ValidString(name):
			t.Fatalf("safeFilename(%q, %q) = %q", disposition, fallback, name)
		case strings.ContainsAny(name, `/\:`) || strings.HasPrefix(name, ".") || strings.ContainsFunc(name, unicode.IsControl):
			t.Fatalf("safeFilename(%q, %q) = %q: not a safe base name", disposition, fallback, name)
		}
		dir := filepath.Join("/", "downloads", "here")
		if joined := filepath.Join(dir, name); filepath.Dir(joined) != dir || filepath.Base(joined) != name {
			t.Fatalf("safeFilename(%q, %q) = %q leaves %s: %s", disposition, fallback, name, dir, joined)
		}
		// A name made of letters, digits and single inner dots, as eccs sends, is kept.
		plain := strings.Map(func(r rune) rune {
			if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_') {
				return r
			}
			return -1
		}, fallback)
		if plain != "" && len(plain) < 200 {
			want := plain + ".xlsx"
			if got := safeFilename(`attachment; filename="`+want+`"`, "x"); got != want {
				t.Fatalf("safeFilename of the plain name %q = %q", want, got)
			}
		}
	})
}

// FuzzAnnouncedDigest feeds arbitrary Repr-Digest and ETag values to announcedDigest.
// Properties: the result is "" or 64 lower-case hex characters; a well-formed sha-256
// Repr-Digest of 32 bytes is returned as their hex, whatever the ETag says; a strong ETag of
// 64 hex characters is returned lower-cased when no Repr-Digest gives one.
func FuzzAnnouncedDigest(f *testing.F) {
	f.Fuzz(func(t *testing.T, reprDigest, etag string, raw []byte) {
		h := http.Header{}
		if reprDigest != "" {
			h.Set("Repr-Digest", reprDigest)
		}
		if etag != "" {
			h.Set("ETag", etag)
		}
		got := announcedDigest(h)
		if got != "" && (len(got) != 2*sha256.Size || strings.ToLower(got) != got || !isSHA256Hex(got)) {
			t.Fatalf("announcedDigest(%q, %q) = %q", reprDigest, etag, got)
		}
		if len(raw) == sha256.Size {
			h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(raw)+":")
			if got, want := announcedDigest(h), hex.EncodeToString(raw); got != want {
				t.Fatalf("Repr-Digest of %x gives %q", raw, got)
			}
			h.Del("Repr-Digest")
			h.Set("ETag", `"`+strings.ToUpper(hex.EncodeToString(raw))+`"`)
			if got, want := announcedDigest(h), hex.EncodeToString(raw); got != want {
				t.Fatalf("ETag of %x gives %q", raw, got)
			}
			h.Set("ETag", `W/"`+hex.EncodeToString(raw)+`"`)
			if got := announcedDigest(h); got != "" {
				t.Fatalf("a weak ETag gives %q", got)
			}
		}
	})
}
