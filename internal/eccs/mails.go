package eccs

import (
	"context"
	"time"
)

// MailState says where a queued mail is.
type MailState string

// The states of a mail.
const (
	// MailQueued: waiting to be sent, at NextAttempt or later.
	MailQueued MailState = "queued"
	// MailSent: an SMTP server accepted it.
	MailSent MailState = "sent"
	// MailLogged: no SMTP server is configured; it was logged instead of sent.
	MailLogged MailState = "logged"
	// MailFailed: every attempt failed; it will not be tried again.
	MailFailed MailState = "failed"
)

// Mail is a mail made from an event, in the queue of mails to send. It holds no secret and no
// rendered body: it is rendered when it is sent, from its event's data (package mail).
type Mail struct {
	ID        string
	EventID   string
	Recipient string // an e-mail address
	Language  string // "fr", "en"
	Template  string // the template it is rendered with (an event type)
	State     MailState
	// Attempts counts the sending attempts that failed or succeeded.
	Attempts    int
	NextAttempt time.Time
	CreatedAt   time.Time
	SentAt      time.Time // zero until sent or logged
	LastError   string    // the error of the last failed attempt, "" if none
	// LeaseOwner holds the mail until LeaseUntil while it sends it; another sender takes it
	// only once the lease expired.
	LeaseOwner string
	LeaseUntil time.Time
}

// MailOutcome is what an attempt to send a mail changed.
type MailOutcome struct {
	State       MailState
	Attempts    int
	NextAttempt time.Time
	SentAt      time.Time
	LastError   string
}

// MailStore keeps the queue of mails.
type MailStore interface {
	// AddMail queues m as it is (lease fields included). Conflict if its id is taken;
	// NotFound if its event does not exist.
	AddMail(ctx context.Context, m Mail) error
	// ClaimMails leases to owner until leaseUntil up to limit queued mails that are due
	// (NextAttempt at or before now) and that no one else holds (no lease, or one that
	// expired before now), and returns them, the longest due first. Replicas claiming at once
	// get disjoint sets.
	ClaimMails(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]Mail, error)
	// FinishMailAttempt records the outcome of owner's attempt to send mail id and releases
	// its lease. Conflict if owner no longer holds it (its lease expired and another sender
	// took it); NotFound if there is no such mail.
	FinishMailAttempt(ctx context.Context, id, owner string, o MailOutcome) error
	// RecentMails returns up to limit mails, the newest first (by creation, then id).
	RecentMails(ctx context.Context, limit int) ([]Mail, error)
	// MailEvent returns the event a mail was made from; NotFound if there is none.
	MailEvent(ctx context.Context, eventID string) (Event, error)
}
