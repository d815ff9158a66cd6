package eccs

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// The second factor is TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, one step of
// drift either way), with 10 single-use recovery codes. The seed is stored sealed with
// AES-256-GCM under a key derived from the server's hash key, bound to the person; a code is
// accepted once (the last accepted step is stored). Recovery codes are stored as keyed hashes.

// SecondFactor is a person's TOTP enrolment.
type SecondFactor struct {
	IdentityID  string
	Sealed      []byte // nonce and AES-GCM ciphertext of the seed
	CreatedAt   time.Time
	ConfirmedAt time.Time // zero until a first code confirmed the enrolment
	LastStep    int64     // the last time step a code was accepted for
}

// Confirmed reports whether a first code confirmed the enrolment: only then is it asked for.
func (f SecondFactor) Confirmed() bool { return !f.ConfirmedAt.IsZero() }

// SecondFactorStore keeps second factors and recovery codes.
type SecondFactorStore interface {
	// PutSecondFactor stores (or replaces) f, and removes the person's recovery codes.
	PutSecondFactor(ctx context.Context, f SecondFactor) error
	// SecondFactor returns identityID's; NotFound if none.
	SecondFactor(ctx context.Context, identityID string) (SecondFactor, error)
	// ConfirmSecondFactor sets the confirmation time and last step of identityID's second
	// factor; NotFound if none.
	ConfirmSecondFactor(ctx context.Context, identityID string, at time.Time, step int64) error
	// UseTOTPStep records step as the last accepted one if it is later than the stored one:
	// Conflict when it is not (a replayed code), NotFound when there is no second factor.
	UseTOTPStep(ctx context.Context, identityID string, step int64) error
	// DeleteSecondFactor removes identityID's second factor and recovery codes; removing none
	// is not an error.
	DeleteSecondFactor(ctx context.Context, identityID string) error
	// AddRecoveryCodes stores the hashes of new recovery codes of identityID.
	AddRecoveryCodes(ctx context.Context, identityID string, hashes []string, at time.Time) error
	// UseRecoveryCode marks the unused code hash of identityID used: NotFound if there is no
	// such unused code.
	UseRecoveryCode(ctx context.Context, identityID, hash string, at time.Time) error
	// RecoveryCodesLeft returns how many unused recovery codes identityID has.
	RecoveryCodesLeft(ctx context.Context, identityID string) (int, error)
}

// TOTP parameters (RFC 6238's defaults, which every authenticator app reads).
const (
	totpDigits     = 6
	totpPeriod     = 30 // seconds
	totpSeedBytes  = 20
	recoveryCodes  = 10
	recoveryLength = 10 // characters of lowerBase32, 50 bits
)

// TOTPEnrolment is what a person adds to their authenticator app: the secret in base32 and
// the otpauth:// URI a QR code shows. Both are shown once.
type TOTPEnrolment struct {
	Secret string
	URI    string
}

// totpCode is the code of seed at time step step.
func totpCode(seed []byte, step int64) string {
	m := hmac.New(sha1.New, seed)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1_000_000)
}

// totpStep is the time step of t.
func totpStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// seedAEAD is AES-256-GCM under a key derived from the hash key, for TOTP seeds only.
func (s *base) seedAEAD() (cipher.AEAD, error) {
	m := hmac.New(sha256.New, s.keys.HashKey)
	io.WriteString(m, "eccs totp seed v1")
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func (s *base) sealSeed(identityID string, seed []byte) ([]byte, error) {
	aead, err := s.seedAEAD()
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := io.ReadFull(s.random, nonce); err != nil {
		return nil, fmt.Errorf("read randomness: %w", err)
	}
	return aead.Seal(nonce, nonce, seed, []byte(identityID)), nil
}

func (s *base) openSeed(f SecondFactor) ([]byte, error) {
	aead, err := s.seedAEAD()
	if err != nil {
		return nil, err
	}
	if len(f.Sealed) < aead.NonceSize() {
		return nil, Errorf(Internal, "The second factor of person %s is corrupt.", f.IdentityID)
	}
	seed, err := aead.Open(nil, f.Sealed[:aead.NonceSize()], f.Sealed[aead.NonceSize():], []byte(f.IdentityID))
	if err != nil {
		return nil, Errorf(Internal, "The second factor of person %s does not open under the current hash key.", f.IdentityID)
	}
	return seed, nil
}

// BeginTOTPEnrolment starts enrolling a TOTP second factor for a person: it returns the new
// secret, shown once, which ConfirmTOTP confirms with a first code. An enrolment not yet
// confirmed is replaced. Errors: Conflict when the person already has a confirmed one (remove
// it first); NotFound for an unknown person.
func (s *SignInService) BeginTOTPEnrolment(ctx context.Context, identityID string) (TOTPEnrolment, error) {
	var enr TOTPEnrolment
	err := s.inTx(ctx, func(tx Store) error {
		id, err := tx.Identity(ctx, identityID)
		if err != nil {
			return err
		}
		if f, err := tx.SecondFactor(ctx, identityID); err == nil && f.Confirmed() {
			return Errorf(Conflict, "You already have a second factor; remove it before enrolling another.")
		} else if err != nil && !IsNotFound(err) {
			return err
		}
		seed := make([]byte, totpSeedBytes)
		if _, err := io.ReadFull(s.random, seed); err != nil {
			return fmt.Errorf("read randomness: %w", err)
		}
		sealed, err := s.sealSeed(identityID, seed)
		if err != nil {
			return err
		}
		if err := tx.PutSecondFactor(ctx, SecondFactor{IdentityID: identityID, Sealed: sealed, CreatedAt: s.now()}); err != nil {
			return err
		}
		enr.Secret = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(seed)
		label := url.PathEscape(s.cfg.Issuer + ":" + id.Email)
		enr.URI = fmt.Sprintf("otpauth://totp/%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&period=%d",
			label, enr.Secret, url.QueryEscape(s.cfg.Issuer), totpDigits, totpPeriod)
		return s.note(WithActor(ctx, personActor(ctx, identityID)), tx, "person.second_factor_begin", "person", identityID, nil)
	})
	if err != nil {
		return TOTPEnrolment{}, fmt.Errorf("enrol a second factor: %w", err)
	}
	return enr, nil
}

// matchingStep returns the step, among now's and one either side, whose code is code; false
// when none.
func matchingStep(seed []byte, code string, now time.Time) (int64, bool) {
	code = strings.ReplaceAll(code, " ", "")
	cur := totpStep(now)
	for _, step := range []int64{cur - 1, cur, cur + 1} {
		if hmac.Equal([]byte(totpCode(seed, step)), []byte(code)) {
			return step, true
		}
	}
	return 0, false
}

// wrongCode is the answer of a code that is wrong, replayed or used up.
func wrongCode() error { return Errorf(Unauthenticated, "This code is wrong or was already used.") }

// ConfirmTOTP confirms a person's enrolment with a first code from their app, and returns 10
// recovery codes, shown once, each good for one sign-in without the app. Errors:
// Unauthenticated for a wrong code; NotFound when no enrolment is under way; Conflict when
// it is already confirmed.
func (s *SignInService) ConfirmTOTP(ctx context.Context, identityID, code string) ([]string, error) {
	var codes []string
	err := s.inTx(ctx, func(tx Store) error {
		f, err := tx.SecondFactor(ctx, identityID)
		if IsNotFound(err) {
			return Errorf(NotFound, "No second factor enrolment is under way; start one.")
		}
		if err != nil {
			return err
		}
		if f.Confirmed() {
			return Errorf(Conflict, "Your second factor is already confirmed.")
		}
		seed, err := s.openSeed(f)
		if err != nil {
			return err
		}
		step, ok := matchingStep(seed, code, s.now())
		if !ok {
			return wrongCode()
		}
		if err := tx.ConfirmSecondFactor(ctx, identityID, s.now(), step); err != nil {
			return err
		}
		if codes, err = s.newRecoveryCodes(ctx, tx, identityID); err != nil {
			return err
		}
		return s.note(WithActor(ctx, personActor(ctx, identityID)), tx, "person.second_factor_confirm", "person", identityID, nil)
	})
	if err != nil {
		return nil, fmt.Errorf("confirm the second factor: %w", err)
	}
	return codes, nil
}

// newRecoveryCodes stores 10 new recovery codes (hashed) and returns them.
func (s *SignInService) newRecoveryCodes(ctx context.Context, tx Store, identityID string) ([]string, error) {
	codes := make([]string, recoveryCodes)
	hashes := make([]string, recoveryCodes)
	for i := range codes {
		c, err := randomString(s.random, recoveryLength, lowerBase32)
		if err != nil {
			return nil, err
		}
		codes[i] = c[:5] + "-" + c[5:]
		hashes[i] = s.recoveryHash(identityID, codes[i])
	}
	return codes, tx.AddRecoveryCodes(ctx, identityID, hashes, s.now())
}

// recoveryHash is the stored form of a recovery code: bound to its person, and blind to case,
// spaces and dashes, which people type as they like.
func (s *base) recoveryHash(identityID, code string) string {
	norm := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(code))
	return hashSecret(s.keys.HashKey, "eccs recovery code v1\x00"+identityID+"\x00"+norm)
}

// useSecondFactor checks code, a TOTP code or a recovery code, for identityID in tx and uses
// it up; it says which it was ("totp", "recovery"). Errors: Unauthenticated for a wrong,
// replayed or used code.
func (s *SignInService) useSecondFactor(ctx context.Context, tx Store, identityID, code string) (string, error) {
	f, err := tx.SecondFactor(ctx, identityID)
	if IsNotFound(err) || (err == nil && !f.Confirmed()) {
		return "", wrongCode()
	}
	if err != nil {
		return "", err
	}
	if trimmed := strings.ReplaceAll(code, " ", ""); len(trimmed) == totpDigits {
		seed, err := s.openSeed(f)
		if err != nil {
			return "", err
		}
		step, ok := matchingStep(seed, trimmed, s.now())
		if !ok {
			return "", wrongCode()
		}
		if err := tx.UseTOTPStep(ctx, identityID, step); err != nil {
			if ErrorCode(err) == Conflict {
				return "", wrongCode()
			}
			return "", err
		}
		return "totp", nil
	}
	if err := tx.UseRecoveryCode(ctx, identityID, s.recoveryHash(identityID, code), s.now()); err != nil {
		if IsNotFound(err) {
			return "", wrongCode()
		}
		return "", err
	}
	return "recovery", nil
}

// HasSecondFactor reports whether a person holds a confirmed second factor (one that sign-in
// asks for).
func (s *SignInService) HasSecondFactor(ctx context.Context, identityID string) (bool, error) {
	f, err := s.store.SecondFactor(ctx, identityID)
	if IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read second factor: %w", err)
	}
	return f.Confirmed(), nil
}

// RecoveryCodesLeft returns how many unused recovery codes a person has.
func (s *SignInService) RecoveryCodesLeft(ctx context.Context, identityID string) (int, error) {
	return s.store.RecoveryCodesLeft(ctx, identityID)
}

// RemoveOwnSecondFactor removes the second factor of identityID, who proves who they are
// again with their password from address: a session alone (left open, or stolen) must not
// strip a person's second factor. Errors: Unauthenticated when the password is wrong (counted
// as a failed sign-in, locks included); NotFound for an unknown identity.
func (s *SignInService) RemoveOwnSecondFactor(ctx context.Context, identityID, password, address string) error {
	id, err := s.store.Identity(ctx, identityID)
	if err != nil {
		return fmt.Errorf("remove the second factor: %w", err)
	}
	if _, _, err := s.checkPassword(ctx, id.Email, password, address); err != nil {
		return err
	}
	return s.RemoveSecondFactor(ctx, identityID)
}

// RemoveSecondFactor removes a person's second factor and recovery codes: the person (after
// proving who they are again: RemoveOwnSecondFactor) or an operator (for a person who lost
// their app and codes) does it. Removing none is not an error.
func (s *SignInService) RemoveSecondFactor(ctx context.Context, identityID string) error {
	err := s.inTx(ctx, func(tx Store) error {
		if _, err := tx.Identity(ctx, identityID); err != nil {
			return err
		}
		if err := tx.DeleteSecondFactor(ctx, identityID); err != nil {
			return err
		}
		return s.note(ctx, tx, "person.second_factor_remove", "person", identityID, nil)
	})
	if err != nil {
		return fmt.Errorf("remove the second factor: %w", err)
	}
	return nil
}
