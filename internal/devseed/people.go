package devseed

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/mail"
)

// The demo people who sign in to the web space: Claire holds the client account, Nadia the
// administrator account and a TOTP second factor. Their passwords are fixed, like the demo
// API keys; Nadia's TOTP secret too, so that an authenticator app set up once keeps working.
const (
	ClientPersonEmail    = "claire.martin@acme.example"
	ClientPersonPassword = "demo-password-not-for-production-claire"
	AdminPersonEmail     = "nadia.rousseau@acme.example"
	AdminPersonPassword  = "demo-password-not-for-production-nadia"
	// AdminPersonTOTPSecret is what the seed's deterministic randomness gives Nadia's
	// enrolment; seedPeople checks it.
	AdminPersonTOTPSecret = "77VLPOAGTTAO3YL4RCEVHKMG4ZZMQGR7"
)

// Person is a demo person's sign-in to the web space.
type Person struct {
	Email      string `json:"email"`
	Password   string `json:"password"`
	Account    string `json:"account"`              // "client" or "administrator"
	TOTPSecret string `json:"totpSecret,omitempty"` // base32, for an authenticator app
}

// demoPeople are the demo people, as dev-credentials.json lists them.
var demoPeople = []Person{
	{Email: ClientPersonEmail, Password: ClientPersonPassword, Account: "client"},
	{Email: AdminPersonEmail, Password: AdminPersonPassword, Account: "administrator", TOTPSecret: AdminPersonTOTPSecret},
}

// seedPeople gives the demo people their passwords (through an invitation used at once) and
// Nadia her second factor.
func seedPeople(ctx context.Context, svc *eccs.Service, now time.Time) error {
	for _, p := range demoPeople {
		inv, err := svc.InviteAccount(ctx, p.Email, "")
		if err != nil {
			return fmt.Errorf("demo person %s: %w", p.Email, err)
		}
		if _, err := svc.SetPasswordWithLink(ctx, eccs.LinkInvitation, svc.LinkToken(inv.Link.ID), p.Password); err != nil {
			return fmt.Errorf("demo person %s: %w", p.Email, err)
		}
		if p.TOTPSecret == "" {
			continue
		}
		en, err := svc.BeginTOTPEnrolment(ctx, inv.Person.ID)
		if err != nil {
			return fmt.Errorf("demo person %s: %w", p.Email, err)
		}
		if en.Secret != p.TOTPSecret {
			return fmt.Errorf("demo person %s: the seed gave the TOTP secret %s, not the documented one", p.Email, en.Secret)
		}
		if _, err := svc.ConfirmTOTP(ctx, inv.Person.ID, totpCode(en.Secret, now)); err != nil {
			return fmt.Errorf("demo person %s: %w", p.Email, err)
		}
	}
	return nil
}

// ackSeedMails marks the events of the seed as handled by the mail queue: the demo people's
// invitations and notices are not mailed (their addresses are nobody's mailbox), so /dev/mail
// and a configured SMTP server see only what happens after the seed.
func ackSeedMails(ctx context.Context, store eccs.Store, now time.Time) error {
	for {
		events, err := store.PendingEvents(ctx, mail.Consumer, 100)
		if err != nil {
			return fmt.Errorf("seed events: %w", err)
		}
		if len(events) == 0 {
			return nil
		}
		for _, e := range events {
			if err := store.AckEvent(ctx, mail.Consumer, e.ID, now); err != nil {
				return fmt.Errorf("seed events: %w", err)
			}
		}
	}
}

// totpCode is the code an authenticator app shows for secret at t (RFC 6238's defaults).
func totpCode(secret string, t time.Time) string {
	seed, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return ""
	}
	m := hmac.New(sha1.New, seed)
	binary.Write(m, binary.BigEndian, t.Unix()/30)
	sum := m.Sum(nil)
	off := sum[19] & 15
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:])&0x7fffffff)%1000000)
}
