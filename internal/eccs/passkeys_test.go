package eccs_test

// Tests of passkeys, against a software authenticator (ES256, attestation "none") that
// answers as a browser does.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/eccs/eccs/internal/eccs"
)

const webSpace = "https://espace.example.com"

// authenticator is a software passkey for webSpace.
type authenticator struct {
	key     *ecdsa.PrivateKey
	id      []byte
	userID  []byte
	counter uint32
}

var b64 = base64.RawURLEncoding

func newAuthenticator(t testing.TB) *authenticator {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	rand.Read(id)
	return &authenticator{key: key, id: id}
}

// challenge reads the challenge (and, for a creation, the user handle) from a ceremony's options.
func challenge(t testing.TB, options json.RawMessage) (string, string) {
	var o struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
			User      struct {
				ID string `json:"id"`
			} `json:"user"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &o); err != nil {
		t.Fatal(err)
	}
	return o.PublicKey.Challenge, o.PublicKey.User.ID
}

func (a *authenticator) authData(attested bool) []byte {
	rp := sha256.Sum256([]byte("espace.example.com"))
	flags := byte(0x05) // user present, user verified
	if attested {
		flags |= 0x40
	}
	a.counter++
	out := append(rp[:], flags)
	out = binary.BigEndian.AppendUint32(out, a.counter)
	if attested {
		out = append(out, make([]byte, 16)...) // AAGUID
		out = binary.BigEndian.AppendUint16(out, uint16(len(a.id)))
		out = append(out, a.id...)
		x, y := a.key.X.FillBytes(make([]byte, 32)), a.key.Y.FillBytes(make([]byte, 32))
		cose, _ := cbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
		out = append(out, cose...)
	}
	return out
}

func clientData(typ, challenge, origin string) []byte {
	b, _ := json.Marshal(map[string]string{"type": typ, "challenge": challenge, "origin": origin})
	return b
}

// create answers a registration's options as navigator.credentials.create does.
func (a *authenticator) create(t testing.TB, options json.RawMessage, origin string) []byte {
	ch, user := challenge(t, options)
	a.userID, _ = b64.DecodeString(user)
	att, err := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": a.authData(true)})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{"id": b64.EncodeToString(a.id), "rawId": b64.EncodeToString(a.id), "type": "public-key",
		"response": map[string]string{"clientDataJSON": b64.EncodeToString(clientData("webauthn.create", ch, origin)), "attestationObject": b64.EncodeToString(att)}})
	return out
}

// get answers a sign-in's options as navigator.credentials.get does.
func (a *authenticator) get(t testing.TB, options json.RawMessage, origin string) []byte {
	ch, _ := challenge(t, options)
	cd := clientData("webauthn.get", ch, origin)
	ad := a.authData(false)
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{"id": b64.EncodeToString(a.id), "rawId": b64.EncodeToString(a.id), "type": "public-key",
		"response": map[string]string{"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(ad),
			"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString(a.userID)}})
	return out
}

func passkeyWorld(t *testing.T) *world {
	w := signInWorld(t)
	w.cfg.PublicURL = webSpace
	w.svc = w.service(func(*eccs.Config) {})
	return w
}

func TestAPasskeyRegisteredByAPersonSignsThemIn(t *testing.T) {
	w := passkeyWorld(t)
	auth := newAuthenticator(t)
	reg := must(w.svc.BeginPasskeyRegistration(w.ctx, w.carolID.ID))(t)
	pk := must(w.svc.FinishPasskeyRegistration(w.ctx, w.carolID.ID, reg.ID, "Work laptop", auth.create(t, reg.Options, webSpace)))(t)
	if pk.ID != b64.EncodeToString(auth.id) || pk.Name != "Work laptop" {
		t.Fatalf("passkey %+v", pk)
	}
	_, err := w.svc.FinishPasskeyRegistration(w.ctx, w.carolID.ID, reg.ID, "Again", auth.create(t, reg.Options, webSpace))
	wantErr(t, err, eccs.Unauthenticated, "", "") // the ceremony is taken once

	in := must(w.svc.BeginPasskeySignIn(w.ctx))(t)
	res := must(w.svc.FinishPasskeySignIn(w.ctx, in.ID, auth.get(t, in.Options, webSpace), "192.0.2.1", "Firefox"))(t)
	if res.Session.IdentityID != w.carolID.ID || res.Session.AccountID != w.carol.ID {
		t.Fatalf("passkey sign-in = %+v", res.Session)
	}
	must(w.svc.SessionFor(w.ctx, res.Token, "192.0.2.1", "Firefox"))(t)
	if got := must(w.svc.Passkeys(w.ctx, w.carolID.ID))(t); len(got) != 1 || got[0].LastUsedAt.IsZero() {
		t.Errorf("passkeys after use: %+v", got)
	}
	must(0, w.svc.RemovePasskey(w.ctx, w.carolID.ID, pk.ID))(t)
	in = must(w.svc.BeginPasskeySignIn(w.ctx))(t)
	_, err = w.svc.FinishPasskeySignIn(w.ctx, in.ID, auth.get(t, in.Options, webSpace), "", "")
	wantErr(t, err, eccs.Unauthenticated, "", "")
}

func TestAPasskeyIsRefusedFromAnotherOriginOrAfterItsCeremony(t *testing.T) {
	w := passkeyWorld(t)
	auth := newAuthenticator(t)
	reg := must(w.svc.BeginPasskeyRegistration(w.ctx, w.carolID.ID))(t)
	_, err := w.svc.FinishPasskeyRegistration(w.ctx, w.carolID.ID, reg.ID, "Phishing", auth.create(t, reg.Options, "https://espace.example.com.evil.test"))
	wantErr(t, err, eccs.Unauthenticated, "", "")
	_, err = w.svc.FinishPasskeyRegistration(w.ctx, w.carolID.ID, reg.ID, "Retry", auth.create(t, reg.Options, webSpace))
	wantErr(t, err, eccs.Unauthenticated, "", "") // a failed answer uses the ceremony up
	reg = must(w.svc.BeginPasskeyRegistration(w.ctx, w.carolID.ID))(t)
	must(w.svc.FinishPasskeyRegistration(w.ctx, w.carolID.ID, reg.ID, "Phone", auth.create(t, reg.Options, webSpace)))(t)

	in := must(w.svc.BeginPasskeySignIn(w.ctx))(t)
	_, err = w.svc.FinishPasskeySignIn(w.ctx, in.ID, auth.get(t, in.Options, "https://evil.test"), "", "")
	wantErr(t, err, eccs.Unauthenticated, "", "")
	in = must(w.svc.BeginPasskeySignIn(w.ctx))(t)
	w.clock.Advance(eccs.DefaultPendingSignInTTL)
	_, err = w.svc.FinishPasskeySignIn(w.ctx, in.ID, auth.get(t, in.Options, webSpace), "", "")
	wantErr(t, err, eccs.Unauthenticated, "", "")

	must(w.svc.BeginPasskeySignIn(w.ctx))(t)
	w.clock.Advance(eccs.DefaultPendingSignInTTL)
	if n := must(w.svc.DeleteExpiredCeremonies(w.ctx))(t); n != 1 {
		t.Errorf("DeleteExpiredCeremonies = %d, want the one left unfinished", n)
	}

	noURL := signInWorld(t)
	_, err = noURL.svc.BeginPasskeySignIn(noURL.ctx)
	wantErr(t, err, eccs.Unavailable, "", "")
}
