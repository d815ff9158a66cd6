package eccs

import (
	"bytes"
	"strings"
	"testing"
)

func TestSecretMatches(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	stored := hashSecret(key, "s3cret-value")
	tests := []struct {
		name   string
		key    []byte
		secret string
		stored string
		want   bool
	}{
		{"same secret", key, "s3cret-value", stored, true},
		{"other secret", key, "s3cret-valuf", stored, false},
		{"other key", []byte("another key of thirty-two bytes!"), "s3cret-value", stored, false},
		{"nothing stored", key, "", "", false},
		{"the hash itself is not the secret", key, stored, stored, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := secretMatches(tt.key, tt.secret, tt.stored); got != tt.want {
				t.Fatalf("secretMatches = %v, want %v", got, tt.want)
			}
		})
	}
	if strings.Contains(stored, "s3cret") {
		t.Fatal("the stored form contains the secret")
	}
}

func TestRandomStringUsesOnlyTheAlphabet(t *testing.T) {
	r := bytes.NewReader(bytes.Repeat([]byte{0, 61, 62, 255, 123, 7}, 100))
	s, err := randomString(r, 40, alphanumeric)
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 40 || strings.Trim(s, alphanumeric) != "" {
		t.Fatalf("randomString = %q", s)
	}
}

func TestKeysValidate(t *testing.T) {
	k32 := bytes.Repeat([]byte("k"), 32)
	tests := []struct {
		name string
		keys Keys
		ok   bool
	}{
		{"good", Keys{HashKey: k32, TokenKeys: []TokenKey{{ID: "k1", Secret: k32}}}, true},
		{"short hash key", Keys{HashKey: k32[:31], TokenKeys: []TokenKey{{ID: "k1", Secret: k32}}}, false},
		{"no token key", Keys{HashKey: k32}, false},
		{"short token key", Keys{HashKey: k32, TokenKeys: []TokenKey{{ID: "k1", Secret: k32[:8]}}}, false},
		{"duplicate ids", Keys{HashKey: k32, TokenKeys: []TokenKey{{ID: "k1", Secret: k32}, {ID: "k1", Secret: k32}}}, false},
		{"bad id", Keys{HashKey: k32, TokenKeys: []TokenKey{{ID: `k"1`, Secret: k32}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.keys.Validate(); (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
