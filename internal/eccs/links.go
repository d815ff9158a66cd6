package eccs

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// A one-time link lets a person choose a password: an invitation, or a password reset. The
// link is a random id and a token derived from it (an HMAC under the server's hash key), so
// the token is never stored: the database holds the id, the kind, the person, the expiry and
// when it was used. The mail layer derives the token when it sends the mail (LinkToken).

// LinkKind is what a one-time link is for.
type LinkKind string

// The link kinds.
const (
	LinkInvitation    LinkKind = "invitation"
	LinkPasswordReset LinkKind = "password_reset"
)

// Path is where the web space serves links of the kind, followed by the token.
func (k LinkKind) Path() string {
	if k == LinkInvitation {
		return "/invitation/"
	}
	return "/password-reset/"
}

// Link is a one-time link.
type Link struct {
	ID         string
	Kind       LinkKind
	IdentityID string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	UsedAt     time.Time // zero while unused
}

// LinkStore keeps one-time links.
type LinkStore interface {
	// CreateLink stores l; Conflict if its id is taken.
	CreateLink(ctx context.Context, l Link) error
	// Link returns link id; NotFound if none.
	Link(ctx context.Context, id string) (Link, error)
	// UseLink marks link id used at at, if it was unused: Conflict when it was already used
	// (so that of two concurrent uses one fails), NotFound when there is no such link.
	UseLink(ctx context.Context, id string, at time.Time) error
}

// linkMACLength is the length of the part of a token derived from the id.
const linkMACLength = 43

// LinkToken returns the token of link linkID, which the link's URL ends with: its id followed
// by the HMAC of the id under the hash key. It is never stored; the mail layer calls it when it
// sends an invitation or a reset.
func (s *base) LinkToken(linkID string) string { return s.keys.LinkToken(linkID) }

// LinkToken returns the token of link linkID under these keys (base.LinkToken's), for the
// programs that hold the keys but no Service.
func (k Keys) LinkToken(linkID string) string {
	m := hmac.New(sha256.New, k.HashKey)
	io.WriteString(m, "eccs one-time link v1\x00"+linkID)
	return linkID + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// LinkURL returns the path of a link (to append to the web space's base URL): /invitation/ or
// /password-reset/ and its token.
func (s *base) LinkURL(kind LinkKind, linkID string) string { return kind.Path() + s.LinkToken(linkID) }

// linkEvents are the events whose mail carries a one-time link, and the link's kind.
var linkEvents = map[string]LinkKind{
	"person.invited":        LinkInvitation,
	"person.password_reset": LinkPasswordReset,
}

// EventLinkPath returns the path of the one-time link an event's mail carries (LinkURL of the
// event's "linkId"). It fails for an event of another type or without a link id.
func (s *base) EventLinkPath(e Event) (string, error) {
	kind, ok := linkEvents[e.Type]
	if !ok {
		return "", fmt.Errorf("event %s (%s) carries no one-time link", e.ID, e.Type)
	}
	var data struct {
		LinkID string `json:"linkId"`
	}
	if err := json.Unmarshal(e.Data, &data); err != nil || data.LinkID == "" {
		return "", fmt.Errorf("event %s (%s) names no link id", e.ID, e.Type)
	}
	return s.LinkURL(kind, data.LinkID), nil
}

// linkFromToken returns the link a token names, checking its derivation in constant time.
// Errors: NotFound for a token that names no link.
func (s *SignInService) linkFromToken(ctx context.Context, tx Store, kind LinkKind, token string) (Link, error) {
	unknown := Errorf(NotFound, "This link is unknown; check that you copied it whole, or ask for a new one.")
	if len(token) != idLength+linkMACLength || !isToken(token, 128) {
		return Link{}, unknown
	}
	if !hmac.Equal([]byte(s.LinkToken(token[:idLength])), []byte(token)) {
		return Link{}, unknown
	}
	l, err := tx.Link(ctx, token[:idLength])
	if IsNotFound(err) || (err == nil && l.Kind != kind) {
		return Link{}, unknown
	}
	if err != nil {
		return Link{}, err
	}
	switch {
	case !l.UsedAt.IsZero():
		return Link{}, Errorf(Conflict, "This link was already used; sign in, or ask for a new one.")
	case !s.now().Before(l.ExpiresAt):
		return Link{}, &Error{Code: Unauthenticated, Reason: ReasonExpired, Message: "This link has expired; ask for a new one."}
	}
	return l, nil
}

// LinkInfo tells what a link is for, without using it: what the page that opens it shows.
type LinkInfo struct {
	Kind      LinkKind
	Email     string
	Name      string
	Language  string
	ExpiresAt time.Time
}

// PeekLink tells what the link of kind with token is for, without using it (mail scanners open
// links). Errors: those of SetPasswordWithLink but the password's.
func (s *SignInService) PeekLink(ctx context.Context, kind LinkKind, token string) (LinkInfo, error) {
	l, err := s.linkFromToken(ctx, s.store, kind, token)
	if err != nil {
		return LinkInfo{}, err
	}
	id, err := s.store.Identity(ctx, l.IdentityID)
	if err != nil {
		return LinkInfo{}, fmt.Errorf("peek link: %w", err)
	}
	return LinkInfo{Kind: l.Kind, Email: id.Email, Name: id.FullName(), Language: id.PreferredLanguage(), ExpiresAt: l.ExpiresAt}, nil
}

// SetPasswordWithLink sets the password of the person a link of kind names, and uses the
// link up; every session of the person ends. It returns the person, who then signs in.
// Errors: NotFound for an unknown link (or one of another kind); Conflict for a used one;
// Unauthenticated with ReasonExpired for an expired one; Invalid for a password the policy
// refuses (the link stays usable).
func (s *SignInService) SetPasswordWithLink(ctx context.Context, kind LinkKind, token, password string) (Identity, error) {
	var id Identity
	err := s.inTx(ctx, func(tx Store) error {
		l, err := s.linkFromToken(ctx, tx, kind, token)
		if err != nil {
			return err
		}
		if id, err = tx.Identity(ctx, l.IdentityID); err != nil {
			return err
		}
		if err := CheckPassword(password, id.Email); err != nil {
			return err
		}
		if err := tx.UseLink(ctx, l.ID, s.now()); err != nil {
			if ErrorCode(err) == Conflict {
				return Errorf(Conflict, "This link was already used; sign in, or ask for a new one.")
			}
			return err
		}
		return s.setPassword(WithActor(ctx, personActor(ctx, id.ID)), tx, id, password, "", string(kind))
	})
	if err != nil {
		return Identity{}, fmt.Errorf("set password: %w", err)
	}
	return id, nil
}

// createLink stores a new link of kind for identity id in tx.
func (s *SignInService) createLink(ctx context.Context, tx Store, kind LinkKind, identityID string) (Link, error) {
	id, err := s.newID()
	if err != nil {
		return Link{}, err
	}
	ttl := s.cfg.InvitationTTL
	if kind == LinkPasswordReset {
		ttl = s.cfg.PasswordResetTTL
	}
	now := s.now()
	l := Link{ID: id, Kind: kind, IdentityID: identityID, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	return l, tx.CreateLink(ctx, l)
}

// RequestPasswordReset sends a password reset link to email when it is a known person's
// (event person.password_reset), and does nothing otherwise: the answer is the same, so it
// tells nobody whether the e-mail is known. address is the client's, counted like a failed
// sign-in against the address (known e-mail or not) so that nobody floods mailboxes. Errors: Invalid for a value that is not an
// e-mail address; Unauthenticated with ReasonLocked while the e-mail or address is locked.
func (s *SignInService) RequestPasswordReset(ctx context.Context, email, address string) error {
	email = strings.TrimSpace(email)
	if !ValidEmail(email) {
		return invalidField("email", "%q is not an e-mail address such as claire.martin@acme.example.", email)
	}
	if err := s.checkNotLocked(ctx, email, address); err != nil {
		return err
	}
	// Every request counts against the address alike, known e-mail or not, so that neither the
	// answer nor a lock tells which e-mails are known.
	if address != "" {
		err := s.inTx(ctx, func(tx Store) error { return s.addFailure(ctx, tx, "address:"+address, s.cfg.AddressThrottle) })
		if err != nil {
			return fmt.Errorf("request a password reset: %w", err)
		}
	}
	id, err := s.store.IdentityByEmail(ctx, email)
	if IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("request a password reset: %w", err)
	}
	err = s.inTx(ctx, func(tx Store) error {
		l, err := s.createLink(ctx, tx, LinkPasswordReset, id.ID)
		if err != nil {
			return err
		}
		if err := s.note(WithActor(ctx, personActor(ctx, id.ID)), tx, "person.password_reset_request", "person", id.ID,
			map[string]string{"link": l.ID, "from": address, "expiresAt": l.ExpiresAt.Format(time.RFC3339)}); err != nil {
			return err
		}
		return s.emit(ctx, tx, "person.password_reset", "person", id.ID, resetData{personMail(id), l.ID, l.ExpiresAt.Format(time.RFC3339)})
	})
	if err != nil {
		return fmt.Errorf("request a password reset: %w", err)
	}
	return nil
}

type resetData struct {
	personMailData
	LinkID    string `json:"linkId"`
	ExpiresAt string `json:"expiresAt"`
}

type invitedData struct {
	personMailData
	LinkID    string `json:"linkId"`
	ExpiresAt string `json:"expiresAt"`
	InvitedBy string `json:"invitedBy"`
}
