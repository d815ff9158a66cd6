package eccs

import (
	"testing"
	"time"
)

func TestTOTPCodesMatchRFC6238sSHA1Vectors(t *testing.T) {
	seed := []byte("12345678901234567890")
	// RFC 6238 appendix B gives 8 digits; a 6-digit code is their last six.
	for _, tc := range []struct {
		unix int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"}} {
		if got := totpCode(seed, totpStep(time.Unix(tc.unix, 0))); got != tc.want {
			t.Errorf("code at %d = %s, want %s", tc.unix, got, tc.want)
		}
	}
}

func TestAPasswordHashVerifiesOnlyItsPasswordAndReadsItsParameters(t *testing.T) {
	p := PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}
	h, err := hashPassword(zeroes{}, "correct horse battery", p)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		password   string
		params     PasswordParams
		ok, rehash bool
	}{
		{"correct horse battery", p, true, false},
		{"correct horse batterY", p, false, false},
		{"correct horse battery", DefaultPasswordParams, true, true},
	} {
		ok, stale, err := passwordMatches(h, tc.password, tc.params)
		if err != nil || ok != tc.ok || stale != tc.rehash {
			t.Errorf("passwordMatches(%q, %+v) = %v, %v, %v; want %v, %v", tc.password, tc.params, ok, stale, err, tc.ok, tc.rehash)
		}
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=18$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=64,t=1,p=1$!!$a2V5"} {
		if _, _, err := passwordMatches(bad, "x", p); ErrorCode(err) != Internal {
			t.Errorf("passwordMatches(%q) error = %v, want Internal", bad, err)
		}
	}
}

// TestDefaultPasswordCostIsWhatTheDecisionSays measures the default parameters: one hash must
// stay within what a sign-in may spend (doc/decisions.md says about 60 ms; under the race
// detector and a shared machine, a generous bound).
func TestDefaultPasswordCostIsWhatTheDecisionSays(t *testing.T) {
	if testing.Short() {
		t.Skip("measures argon2id's cost")
	}
	start := time.Now()
	if _, err := hashPassword(zeroes{}, "correct horse battery", DefaultPasswordParams); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("one default hash took %v", d)
	}
}

type zeroes struct{}

func (zeroes) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
