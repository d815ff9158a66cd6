package eccs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// A passkey (a WebAuthn credential) signs a person in without a password: the browser proves
// possession of a private key the person unlocks (user verification required), so a passkey
// stands for both factors. Credentials are public keys, stored per person. A ceremony (the
// registration of a passkey, or a sign-in) keeps its challenge server-side, short-lived and
// taken once, so that any replica completes it. The relying party is the web space's public
// URL (Config.PublicURL): its host is the RP id, its origin the only one accepted.

// Passkey is a person's registered WebAuthn credential.
type Passkey struct {
	ID         string // base64url of the credential id
	IdentityID string
	Name       string // the person's name for it ("work laptop")
	Credential []byte // JSON of the library's credential: public key, counter, flags
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// Ceremony is the server's half of a WebAuthn ceremony under way.
type Ceremony struct {
	ID         string
	IdentityID string // "" for a sign-in
	Kind       string // "registration", "sign_in"
	Data       []byte // JSON of the library's session data (the challenge)
	ExpiresAt  time.Time
}

// PasskeyStore keeps passkeys and ceremonies.
type PasskeyStore interface {
	// CreatePasskey stores p; Conflict if its id is taken.
	CreatePasskey(ctx context.Context, p Passkey) error
	// Passkey returns passkey id; NotFound if none.
	Passkey(ctx context.Context, id string) (Passkey, error)
	// Passkeys returns identityID's passkeys, oldest first.
	Passkeys(ctx context.Context, identityID string) ([]Passkey, error)
	// UsePasskey replaces the credential and last use of passkey id; NotFound if none.
	UsePasskey(ctx context.Context, id string, credential []byte, at time.Time) error
	// DeletePasskey removes passkey id of identityID; NotFound if identityID has none of that id.
	DeletePasskey(ctx context.Context, identityID, id string) error
	// CreateCeremony stores c; Conflict if its id is taken.
	CreateCeremony(ctx context.Context, c Ceremony) error
	// TakeCeremony deletes ceremony id and returns it, atomically (expired ones too: the caller
	// checks ExpiresAt); NotFound if none.
	TakeCeremony(ctx context.Context, id string) (Ceremony, error)
	// DeleteCeremonies removes the ceremonies that expire at or before t and returns how many.
	DeleteCeremonies(ctx context.Context, t time.Time) (int, error)
}

// PasskeyCeremony is what the browser needs to run a ceremony: its id, to send back with the
// browser's answer, and the options to pass to navigator.credentials (JSON).
type PasskeyCeremony struct {
	ID      string
	Options json.RawMessage
}

// relyingParty returns the WebAuthn relying party of Config.PublicURL. Errors: Unavailable
// when no public URL is configured.
func (s *SignInService) relyingParty() (*webauthn.WebAuthn, error) {
	u, err := url.Parse(s.cfg.PublicURL)
	if s.cfg.PublicURL == "" || err != nil || u.Hostname() == "" {
		return nil, Errorf(Unavailable, "Passkeys are not available: the web space's public URL is not configured.")
	}
	return webauthn.New(&webauthn.Config{
		RPID: u.Hostname(), RPDisplayName: s.cfg.Issuer, RPOrigins: []string{u.Scheme + "://" + u.Host},
	})
}

// passkeyUser is a person as the WebAuthn library sees them: the user handle is their
// identity's id.
type passkeyUser struct {
	id    Identity
	creds []webauthn.Credential
}

func (u passkeyUser) WebAuthnID() []byte                         { return []byte(u.id.ID) }
func (u passkeyUser) WebAuthnName() string                       { return u.id.Email }
func (u passkeyUser) WebAuthnDisplayName() string                { return u.id.FullName() }
func (u passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// passkeyUserOf loads identityID and their credentials.
func (s *SignInService) passkeyUserOf(ctx context.Context, tx Store, identityID string) (passkeyUser, error) {
	id, err := tx.Identity(ctx, identityID)
	if err != nil {
		return passkeyUser{}, err
	}
	keys, err := tx.Passkeys(ctx, identityID)
	if err != nil {
		return passkeyUser{}, err
	}
	u := passkeyUser{id: id}
	for _, k := range keys {
		var c webauthn.Credential
		if err := json.Unmarshal(k.Credential, &c); err != nil {
			return passkeyUser{}, fmt.Errorf("passkey %s: %w", k.ID, err)
		}
		u.creds = append(u.creds, c)
	}
	return u, nil
}

// startCeremony stores the session data of a ceremony and returns it with its options.
func (s *SignInService) startCeremony(ctx context.Context, identityID, kind string, options any, data *webauthn.SessionData) (PasskeyCeremony, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	opts, err := json.Marshal(options)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	id, err := s.newID()
	if err != nil {
		return PasskeyCeremony{}, err
	}
	c := Ceremony{ID: id, IdentityID: identityID, Kind: kind, Data: raw, ExpiresAt: s.now().Add(s.cfg.PendingSignInTTL)}
	if err := s.store.CreateCeremony(ctx, c); err != nil {
		return PasskeyCeremony{}, fmt.Errorf("start a passkey ceremony: %w", err)
	}
	return PasskeyCeremony{ID: id, Options: opts}, nil
}

// takeCeremony takes ceremony id of kind (and identityID, for a registration) through tx, and
// returns its session data. Errors: Unauthenticated for an unknown, used, expired or foreign
// one.
func (s *SignInService) takeCeremony(ctx context.Context, tx Store, id, kind, identityID string) (webauthn.SessionData, error) {
	gone := Errorf(Unauthenticated, "This passkey step is unknown or has expired; start again.")
	c, err := tx.TakeCeremony(ctx, id)
	if IsNotFound(err) || (err == nil && (c.Kind != kind || c.IdentityID != identityID || !s.now().Before(c.ExpiresAt))) {
		return webauthn.SessionData{}, gone
	}
	if err != nil {
		return webauthn.SessionData{}, err
	}
	var data webauthn.SessionData
	if err := json.Unmarshal(c.Data, &data); err != nil {
		return webauthn.SessionData{}, fmt.Errorf("ceremony %s: %w", id, err)
	}
	return data, nil
}

// BeginPasskeyRegistration starts registering a passkey for a signed-in person: pass the
// options to navigator.credentials.create, then its answer to FinishPasskeyRegistration.
// Errors: Unavailable without a public URL; NotFound for an unknown person.
func (s *SignInService) BeginPasskeyRegistration(ctx context.Context, identityID string) (PasskeyCeremony, error) {
	rp, err := s.relyingParty()
	if err != nil {
		return PasskeyCeremony{}, err
	}
	u, err := s.passkeyUserOf(ctx, s.store, identityID)
	if err != nil {
		return PasskeyCeremony{}, fmt.Errorf("register a passkey: %w", err)
	}
	var exclude []protocol.CredentialDescriptor
	for _, c := range u.creds {
		exclude = append(exclude, c.Descriptor())
	}
	options, data, err := rp.BeginRegistration(u, webauthn.WithExclusions(exclude),
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementRequired, UserVerification: protocol.VerificationRequired}))
	if err != nil {
		return PasskeyCeremony{}, fmt.Errorf("register a passkey: %w", err)
	}
	return s.startCeremony(ctx, identityID, "registration", options, data)
}

// FinishPasskeyRegistration checks the browser's answer (the JSON of the created credential)
// to ceremony ceremonyID and stores the passkey under name. Errors: Unauthenticated for an
// unknown or expired ceremony or an answer that does not verify; Invalid for a bad name;
// Conflict for a passkey already registered.
func (s *SignInService) FinishPasskeyRegistration(ctx context.Context, identityID, ceremonyID, name string, answer []byte) (Passkey, error) {
	if !ValidText(name, 100) {
		return Passkey{}, invalidField("name", "A passkey's name is 1 to 100 characters, without control characters or surrounding spaces.")
	}
	rp, err := s.relyingParty()
	if err != nil {
		return Passkey{}, err
	}
	// Taken on its own, committed: a ceremony whose answer fails is used up all the same.
	data, err := s.takeCeremony(ctx, s.store, ceremonyID, "registration", identityID)
	if err != nil {
		return Passkey{}, fmt.Errorf("register a passkey: %w", err)
	}
	var p Passkey
	err = s.inTx(ctx, func(tx Store) error {
		u, err := s.passkeyUserOf(ctx, tx, identityID)
		if err != nil {
			return err
		}
		parsed, err := protocol.ParseCredentialCreationResponseBytes(answer)
		if err != nil {
			return Errorf(Unauthenticated, "The browser's answer is not a passkey registration; start again.")
		}
		cred, err := rp.CreateCredential(u, data, parsed)
		if err != nil {
			return Errorf(Unauthenticated, "The passkey registration does not verify; start again.")
		}
		raw, err := json.Marshal(cred)
		if err != nil {
			return err
		}
		now := s.now()
		p = Passkey{ID: base64.RawURLEncoding.EncodeToString(cred.ID), IdentityID: identityID, Name: name, Credential: raw, CreatedAt: now}
		if err := tx.CreatePasskey(ctx, p); err != nil {
			return err
		}
		return s.note(WithActor(ctx, personActor(ctx, identityID)), tx, "person.passkey_add", "person", identityID, map[string]string{"passkey": p.ID, "name": name})
	})
	if err != nil {
		return Passkey{}, fmt.Errorf("register a passkey: %w", err)
	}
	return p, nil
}

// BeginPasskeySignIn starts a sign-in with a passkey, for whoever holds one (the passkey names
// the person): pass the options to navigator.credentials.get, then its answer to
// FinishPasskeySignIn. Errors: Unavailable without a public URL.
func (s *SignInService) BeginPasskeySignIn(ctx context.Context) (PasskeyCeremony, error) {
	rp, err := s.relyingParty()
	if err != nil {
		return PasskeyCeremony{}, err
	}
	options, data, err := rp.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return PasskeyCeremony{}, fmt.Errorf("sign in with a passkey: %w", err)
	}
	return s.startCeremony(ctx, "", "sign_in", options, data)
}

// FinishPasskeySignIn checks the browser's answer (the JSON of the assertion) to ceremony
// ceremonyID and returns a new session of the passkey's person, as SignIn does. Errors:
// Unauthenticated for an unknown or expired ceremony, an unknown passkey, an answer that does
// not verify, or a passkey whose counter went back (a cloned authenticator).
func (s *SignInService) FinishPasskeySignIn(ctx context.Context, ceremonyID string, answer []byte, address, userAgent string) (SignInResult, error) {
	rp, err := s.relyingParty()
	if err != nil {
		return SignInResult{}, err
	}
	refused := Errorf(Unauthenticated, "This passkey was not accepted; sign in again.")
	// Taken on its own, committed: a ceremony whose answer fails is used up all the same.
	data, err := s.takeCeremony(ctx, s.store, ceremonyID, "sign_in", "")
	if err != nil {
		return SignInResult{}, fmt.Errorf("sign in with a passkey: %w", err)
	}
	var res SignInResult
	err = s.inTx(ctx, func(tx Store) error {
		parsed, err := protocol.ParseCredentialRequestResponseBytes(answer)
		if err != nil {
			return refused
		}
		var who passkeyUser
		handler := func(rawID, userHandle []byte) (webauthn.User, error) {
			k, err := tx.Passkey(ctx, base64.RawURLEncoding.EncodeToString(rawID))
			if err != nil || k.IdentityID != string(userHandle) {
				return nil, refused
			}
			who, err = s.passkeyUserOf(ctx, tx, k.IdentityID)
			return who, err
		}
		cred, err := rp.ValidateDiscoverableLogin(handler, data, parsed)
		if err != nil || cred.Authenticator.CloneWarning {
			return refused
		}
		raw, err := json.Marshal(cred)
		if err != nil {
			return err
		}
		keyID := base64.RawURLEncoding.EncodeToString(cred.ID)
		if err := tx.UsePasskey(ctx, keyID, raw, s.now()); err != nil {
			return err
		}
		if res.Session, res.Token, err = s.openSession(ctx, tx, who.id.ID, address, userAgent); err != nil {
			return err
		}
		return s.note(WithActor(ctx, personActor(ctx, who.id.ID)), tx, "person.sign_in", "person", who.id.ID,
			map[string]string{"session": res.Session.ID, "from": address, "passkey": keyID})
	})
	if err != nil {
		return SignInResult{}, fmt.Errorf("sign in with a passkey: %w", err)
	}
	return res, nil
}

// Passkeys returns a person's passkeys, oldest first.
func (s *SignInService) Passkeys(ctx context.Context, identityID string) ([]Passkey, error) {
	return s.store.Passkeys(ctx, identityID)
}

// RemovePasskey removes a person's passkey. Errors: NotFound when they have none of that id.
func (s *SignInService) RemovePasskey(ctx context.Context, identityID, passkeyID string) error {
	err := s.inTx(ctx, func(tx Store) error {
		if err := tx.DeletePasskey(ctx, identityID, passkeyID); err != nil {
			return err
		}
		return s.note(WithActor(ctx, personActor(ctx, identityID)), tx, "person.passkey_remove", "person", identityID, map[string]string{"passkey": passkeyID})
	})
	if err != nil {
		return fmt.Errorf("remove a passkey: %w", err)
	}
	return nil
}

// DeleteExpiredCeremonies removes the passkey ceremonies that expired unfinished, and returns
// how many.
func (s *SignInService) DeleteExpiredCeremonies(ctx context.Context) (int, error) {
	return s.store.DeleteCeremonies(ctx, s.now())
}
