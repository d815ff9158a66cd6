package eccs

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// People's passwords are hashed with argon2id, the parameters written in each hash (a PHC
// string), so that a change of parameters applies to each password at its next sign-in.

// PasswordStore keeps the password hashes of identities.
type PasswordStore interface {
	// PasswordHash returns the stored hash of identityID's password; NotFound if they have none.
	PasswordHash(ctx context.Context, identityID string) (string, error)
	// SetPasswordHash stores (or replaces) the hash of identityID's password, changed at at.
	// NotFound for an unknown identity.
	SetPasswordHash(ctx context.Context, identityID, hash string, at time.Time) error
}

// PasswordParams are the argon2id costs of new password hashes.
type PasswordParams struct {
	MemoryKiB uint32 // memory, in KiB
	Time      uint32 // passes over the memory
	Threads   uint8
}

// DefaultPasswordParams are OWASP's argon2id minimum: 19 MiB, two passes, one thread (about
// 60 ms on one core here; doc/decisions.md says why).
var DefaultPasswordParams = PasswordParams{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

// Limits of a password.
const (
	MinPasswordChars = 12
	MaxPasswordBytes = 256
)

const (
	passwordSaltBytes = 16
	passwordKeyBytes  = 32
)

// CheckPassword returns an Invalid error, on field "password", naming what is wrong with
// password as the password of the person whose e-mail is email: at least 12 characters, at
// most 256 bytes of UTF-8 without control characters, and not the e-mail address.
func CheckPassword(password, email string) error {
	switch {
	case !utf8.ValidString(password):
		return invalidField("password", "A password must be valid UTF-8 text.")
	case utf8.RuneCountInString(password) < MinPasswordChars:
		return invalidField("password", "A password must have at least %d characters.", MinPasswordChars)
	case len(password) > MaxPasswordBytes:
		return invalidField("password", "A password must have at most %d bytes.", MaxPasswordBytes)
	case strings.EqualFold(strings.TrimSpace(password), email):
		return invalidField("password", "A password must not be your e-mail address.")
	}
	for _, r := range password {
		if r < 0x20 || r == 0x7f {
			return invalidField("password", "A password must not hold control characters.")
		}
	}
	return nil
}

// hashPassword returns the PHC string of password under p with a random salt.
func hashPassword(random io.Reader, password string, p PasswordParams) (string, error) {
	salt := make([]byte, passwordSaltBytes)
	if _, err := io.ReadFull(random, salt); err != nil {
		return "", fmt.Errorf("read randomness: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, passwordKeyBytes)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// parsedHash is a PHC string read back.
type parsedHash struct {
	params    PasswordParams
	salt, key []byte
}

func parsePasswordHash(phc string) (parsedHash, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return parsedHash{}, fmt.Errorf("not an argon2id PHC string")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return parsedHash{}, fmt.Errorf("argon2 version %q is not %d", parts[2], argon2.Version)
	}
	var h parsedHash
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.params.MemoryKiB, &h.params.Time, &h.params.Threads); err != nil {
		return parsedHash{}, fmt.Errorf("argon2 parameters %q: %w", parts[3], err)
	}
	var err error
	if h.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return parsedHash{}, fmt.Errorf("argon2 salt: %w", err)
	}
	if h.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(h.key) == 0 {
		return parsedHash{}, fmt.Errorf("argon2 key: %v", err)
	}
	if h.params.Time == 0 || h.params.Threads == 0 || h.params.MemoryKiB < 8*uint32(h.params.Threads) {
		return parsedHash{}, fmt.Errorf("argon2 parameters %q are out of range", parts[3])
	}
	return h, nil
}

// passwordMatches reports, comparing in constant time, whether password hashes to phc, and
// whether phc was made with other parameters than p (so that it should be hashed again).
func passwordMatches(phc, password string, p PasswordParams) (ok, stale bool, err error) {
	h, err := parsePasswordHash(phc)
	if err != nil {
		return false, false, Errorf(Internal, "A stored password hash is unreadable: %v.", err)
	}
	key := argon2.IDKey([]byte(password), h.salt, h.params.Time, h.params.MemoryKiB, h.params.Threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(key, h.key) == 1, h.params != p || len(h.key) != passwordKeyBytes, nil
}

// dummyHash returns a hash under the current parameters of a password nobody knows, computed
// once: checking a password against it costs what a real check costs, so that an unknown
// e-mail is answered in the time a known one is.
func (s *SignInService) dummyHash() string {
	s.dummyOnce.Do(func() {
		h, err := hashPassword(s.random, "no such person, no such password", s.cfg.Password)
		if err != nil {
			h = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
		}
		s.dummy = h
	})
	return s.dummy
}

// setPassword checks and stores identity id's new password in tx, ends the person's
// sessions but keep (a session id, or ""), records the change and emits
// person.password_changed.
func (s *SignInService) setPassword(ctx context.Context, tx Store, id Identity, password, keep, how string) error {
	if err := CheckPassword(password, id.Email); err != nil {
		return err
	}
	hash, err := hashPassword(s.random, password, s.cfg.Password)
	if err != nil {
		return err
	}
	if err := tx.SetPasswordHash(ctx, id.ID, hash, s.now()); err != nil {
		return err
	}
	ended, err := tx.DeleteSessions(ctx, id.ID, keep)
	if err != nil {
		return err
	}
	if err := s.note(ctx, tx, "person.password_set", "person", id.ID, map[string]string{"how": how, "sessionsEnded": fmt.Sprint(ended)}); err != nil {
		return err
	}
	return s.emit(ctx, tx, "person.password_changed", "person", id.ID, personMail(id))
}

// personMail is the part of a person's event that every mail to them needs.
type personMailData struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Language string `json:"language"`
}

func personMail(id Identity) personMailData {
	return personMailData{Email: id.Email, Name: id.FullName(), Language: id.PreferredLanguage()}
}

// ChangePassword changes the password of identityID, who proves it with their current one,
// from the session sessionID, which stays signed in; the person's other sessions end.
// Errors: Unauthenticated when current is wrong (which counts as a failed sign-in); Invalid
// for a new password the policy refuses; NotFound for an unknown identity.
func (s *SignInService) ChangePassword(ctx context.Context, identityID, sessionID, current, newPassword, address string) error {
	id, err := s.store.Identity(ctx, identityID)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if err := CheckPassword(newPassword, id.Email); err != nil {
		return err
	}
	if _, _, err := s.checkPassword(ctx, id.Email, current, address); err != nil {
		return err
	}
	err = s.inTx(ctx, func(tx Store) error {
		return s.setPassword(WithActor(ctx, personActor(ctx, id.ID)), tx, id, newPassword, sessionID, "change")
	})
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	return nil
}
