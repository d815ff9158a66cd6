package eccs

import (
	"encoding/base64"
	"strings"
	"testing"
)

func testKeys() []TokenKey {
	return []TokenKey{
		{ID: "k2", Secret: []byte("0123456789abcdef0123456789abcdef-two")},
		{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef-one")},
	}
}

func TestTokenRoundTrip(t *testing.T) {
	c := newTokenCodec(testKeys())
	tok, err := c.sign(tokenClaims{AppID: "app1", ClientID: "cid", Expires: 42})
	if err != nil {
		t.Fatal(err)
	}
	claims, ok := c.verify(tok)
	if !ok || claims.AppID != "app1" || claims.Expires != 42 {
		t.Fatalf("verify = %+v, %v", claims, ok)
	}
}

func TestTokenSignedByAnOlderKeyStillVerifies(t *testing.T) {
	old := newTokenCodec(testKeys()[1:])
	tok, _ := old.sign(tokenClaims{AppID: "app1"})
	if _, ok := newTokenCodec(testKeys()).verify(tok); !ok {
		t.Fatal("a token of a key still in the ring must verify")
	}
}

func TestTokenRefused(t *testing.T) {
	c := newTokenCodec(testKeys())
	good, _ := c.sign(tokenClaims{AppID: "app1", Expires: 99})
	header, payload, sig := split3(good)
	forgedPayload := b64.EncodeToString([]byte(`{"app_id":"app2","exp":99}`))
	otherKey, _ := newTokenCodec([]TokenKey{{ID: "k2", Secret: []byte("another-secret-of-thirty-two-bytes!!")}}).sign(tokenClaims{AppID: "app1"})
	noneHeader := b64.EncodeToString([]byte(`{"alg":"none","typ":"JWT","kid":"k2"}`))
	hs512Header := b64.EncodeToString([]byte(`{"alg":"HS512","typ":"JWT","kid":"k2"}`))
	unknownKid := b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT","kid":"k9"}`))
	tests := []struct{ name, token string }{
		{"empty", ""},
		{"garbage", "not a token"},
		{"truncated signature", good[:len(good)-3]},
		{"two segments", header + "." + payload},
		{"four segments", good + ".x"},
		{"forged payload", header + "." + forgedPayload + "." + sig},
		{"signed with another secret under the same kid", otherKey},
		{"alg none", noneHeader + "." + payload + "."},
		{"alg none with signature", noneHeader + "." + payload + "." + sig},
		{"alg HS512", hs512Header + "." + payload + "." + sig},
		{"unknown kid", unknownKid + "." + payload + "." + sig},
		{"padded base64 signature", header + "." + payload + "." + sig + "="},
		{"standard base64 signature", header + "." + payload + "." + base64.StdEncoding.EncodeToString([]byte(sig))},
		{"oversized", good + strings.Repeat("A", maxTokenLength)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if claims, ok := c.verify(tt.token); ok {
				t.Fatalf("verify(%q) accepted: %+v", tt.token, claims)
			}
		})
	}
}

func split3(tok string) (string, string, string) {
	p := strings.Split(tok, ".")
	return p[0], p[1], p[2]
}

func FuzzTokenVerify(f *testing.F) {
	c := newTokenCodec(testKeys())
	good, _ := c.sign(tokenClaims{AppID: "app1", Expires: 99})
	f.Add(good)
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		claims, ok := c.verify(token)
		if ok && token != good {
			// Only tokens we signed verify; a different string verifying means a forgery.
			h, p, _ := split3(token)
			gh, gp, _ := split3(good)
			if h != gh || p != gp {
				t.Fatalf("forged token accepted: %q → %+v", token, claims)
			}
		}
	})
}

// A signature has one encoding: the unused low bits of its last base64 character must be zero.
// Four strings decoded to the same 32 bytes, so a token could be altered and stay valid.
func TestTokenSignatureHasOneEncoding(t *testing.T) {
	c := newTokenCodec(testKeys())
	good, _ := c.sign(tokenClaims{AppID: "app1", Expires: 99})
	if _, ok := c.verify(good); !ok {
		t.Fatal("the token does not verify")
	}
	header, payload, sig := split3(good)
	// 32 bytes are 43 characters whose last one carries 2 bits: the other 4 are unused.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, sig[len(sig)-1])
	for unused := 1; unused < 16; unused++ {
		variant := sig[:len(sig)-1] + string(alphabet[last|unused])
		if variant == sig {
			continue
		}
		if _, ok := c.verify(header + "." + payload + "." + variant); ok {
			t.Errorf("signature %q (another encoding of the same bytes) verifies", variant)
		}
	}
}
