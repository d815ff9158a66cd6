package eccs_test

// Fuzz targets for the domain's parsers of untrusted input: the API key lookup, the field
// validators, and the roles object. Their seed corpora are in testdata/fuzz; scripts/fuzz
// runs each for a bounded time, and doc/reliability.md says what they prove.

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/fileblob"
	"github.com/eccs/eccs/internal/sqlite"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

// The preset API keys of FuzzAccountForKey (preset so that the seed corpus can hold them and
// their near misses).
const (
	fuzzActiveKey  = "eccs_fuzzActiveKey0123456789abcdefghijklmno"
	fuzzRevokedKey = "eccs_fuzzRevokedKey0123456789abcdefghijklmn"
)

// FuzzAccountForKey looks arbitrary X-API-Key values up on a real SQLite store holding one
// active key and one revoked key. Properties: only the active key, byte for byte, names its
// account; every other value (the revoked key, near misses, empty, huge, invalid UTF-8)
// answers Unauthenticated, never another error, never a panic.
func FuzzAccountForKey(f *testing.F) {
	ctx := context.Background()
	dir := f.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "eccs.db"), sqlite.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		f.Fatal(err)
	}
	blobs, err := fileblob.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		f.Fatal(err)
	}
	svc, err := eccs.NewService(st, blobs, eccs.Config{
		Keys:    eccs.Keys{HashKey: hashKey, TokenKeys: []eccs.TokenKey{tokenK1}},
		Now:     testenv.NewClock(t0).Now,
		Random:  deterministicRandom(7),
		Formats: testenv.AnyFormats{},
	})
	if err != nil {
		f.Fatal(err)
	}
	acct, err := svc.CreateAccount(ctx, eccs.NewAccount{Type: eccs.AccountClient,
		Person: eccs.Person{LastName: "Fuzz", FirstName: "Fiona", Email: "fiona@fuzz.example"}})
	if err != nil {
		f.Fatal(err)
	}
	if _, _, err := svc.IssueAPIKey(ctx, acct.ID, eccs.KeyOptions{Secret: fuzzActiveKey}); err != nil {
		f.Fatal(err)
	}
	revoked, _, err := svc.IssueAPIKey(ctx, acct.ID, eccs.KeyOptions{Secret: fuzzRevokedKey})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := svc.RevokeAPIKey(ctx, revoked.ID); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, key string) {
		got, k, err := svc.AccountForKey(ctx, key)
		if key == fuzzActiveKey {
			if err != nil || got.ID != acct.ID || k.Prefix != fuzzActiveKey[:12] {
				t.Fatalf("the active key: %+v, %v", got, err)
			}
			return
		}
		if err == nil {
			t.Fatalf("AccountForKey(%q) accepted: account %s, key %s", key, got.ID, k.ID)
		}
		if code := eccs.ErrorCode(err); code != eccs.Unauthenticated {
			t.Fatalf("AccountForKey(%q): %v (code %q), want Unauthenticated", key, err, code)
		}
	})
}

var (
	contractIDSyntax = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{2,31}$`)
	documentIDSyntax = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`) // and neither "." nor ".."
	loginSyntax      = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)
	phoneCharacters  = regexp.MustCompile(`^\+?[0-9 .()-]*$`)
)

// FuzzValidators checks the validators of ids and personal data against their documented
// syntax. Properties: ValidContractID, ValidDocumentID and ValidLogin accept exactly their
// syntax; ValidPhone accepts only an optional '+' then digits and separators, 6 to 20 digits,
// at most 40 bytes; ValidEmail and ValidText accept only valid UTF-8 without control
// characters (so a value cannot break a line of a CSV file, an XLSX cell or a log), ValidEmail
// a parsable bare address of at most 254 bytes with a dotted domain.
func FuzzValidators(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := eccs.ValidContractID(s), contractIDSyntax.MatchString(s); got != want {
			t.Errorf("ValidContractID(%q) = %v, the syntax says %v", s, got, want)
		}
		if got, want := eccs.ValidDocumentID(s), documentIDSyntax.MatchString(s) && s != "." && s != ".."; got != want {
			t.Errorf("ValidDocumentID(%q) = %v, the syntax says %v", s, got, want)
		}
		if got, want := eccs.ValidLogin(s), loginSyntax.MatchString(s); got != want {
			t.Errorf("ValidLogin(%q) = %v, the syntax says %v", s, got, want)
		}
		if eccs.ValidPhone(s) {
			digits := 0
			for _, c := range []byte(s) {
				if c >= '0' && c <= '9' {
					digits++
				}
			}
			if len(s) > 40 || !phoneCharacters.MatchString(s) || digits < 6 || digits > 20 {
				t.Errorf("ValidPhone(%q) accepted %d digits", s, digits)
			}
		}
		if eccs.ValidEmail(s) {
			at := strings.LastIndexByte(s, '@')
			if len(s) > 254 || at <= 0 || !strings.Contains(s[at+1:], ".") || !printable(s) {
				t.Errorf("ValidEmail(%q) accepted it", s)
			}
		}
		if eccs.ValidText(s, 100) && (!printable(s) || strings.TrimSpace(s) != s || utf8.RuneCountInString(s) > 100) {
			t.Errorf("ValidText(%q, 100) accepted it", s)
		}
	})
}

// printable reports whether s is valid UTF-8 without control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	return !strings.ContainsFunc(s, unicode.IsControl)
}

// FuzzParseRoles feeds arbitrary JSON "roles" objects to ParseRoles. Properties: it accepts
// exactly the objects whose keys are sections and whose values list only "manager" and
// "visitor"; the role of each section is the highest listed (contracts at least visitor);
// a refusal is Invalid naming roles.<the first bad section in byte order>, the same on every
// call whatever Go's map order.
func FuzzParseRoles(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var raw map[string][]string
		if json.Unmarshal(data, &raw) != nil {
			return
		}
		roles, err := eccs.ParseRoles(raw)
		keys := make([]string, 0, len(raw))
		for k := range raw {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var firstBad string
		bad := false // firstBad may be "": a key that is not a section
		want := eccs.Roles{}
		for _, k := range keys {
			sec, ok := eccs.ParseSection(k)
			best := eccs.RoleNone
			for _, name := range raw[k] {
				r, isRole := eccs.ParseRole(name)
				ok = ok && isRole
				best = max(best, r)
			}
			if !ok {
				firstBad, bad = k, true
				break
			}
			want = want.With(sec, best)
		}
		want.Contracts = max(want.Contracts, eccs.RoleVisitor)
		if !bad {
			if err != nil || roles != want {
				t.Fatalf("ParseRoles(%s) = %+v, %v; want %+v", data, roles, err, want)
			}
			return
		}
		var e *eccs.Error
		if !errors.As(err, &e) || e.Code != eccs.Invalid || e.Field != "roles."+firstBad {
			t.Fatalf("ParseRoles(%s) = %+v, %v; want Invalid naming roles.%s", data, roles, err, firstBad)
		}
		for range 3 {
			if _, again := eccs.ParseRoles(raw); again == nil || again.Error() != err.Error() {
				t.Fatalf("ParseRoles(%s) answers %v, then %v", data, err, again)
			}
		}
	})
}
