// Package mail turns domain events into mails and sends them.
//
// It consumes the outbox (eccs.EventStore) as the consumer "mail": each event of a mail-worthy
// type (see templates.go) becomes queued mails (eccs.MailStore) in the same transaction as the
// event's receipt, so that a crash neither loses nor doubles the step. The queue holds no
// secret and no rendered body: a mail is rendered when it is sent, from its event's data and
// the one-time link the Link hook derives then. Senders claim due mails with a lease, so many
// replicas send each mail once; a failed attempt is retried with exponential backoff up to a
// maximum of attempts, after which the mail is "failed". Without a Transport (no SMTP server
// configured), mails are logged without their link and kept as "logged".
package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// Consumer is the name of the mail queue among the outbox's consumers.
const Consumer = "mail"

// LinkFunc derives the one-time link of an event that needs one (its data's "linkId" names
// it). It is the only place the link's secret exists: it is never stored nor logged.
type LinkFunc func(eccs.Event) (string, error)

// Message is a rendered mail as a Transport sends it.
type Message struct {
	// ID is the Message-ID without its angle brackets; the same on every attempt of a mail.
	ID      string
	From    string
	To      string
	Subject string
	Text    string
	HTML    string
}

// Transport delivers a message (SMTP in production).
type Transport interface {
	// Send delivers m, or returns why not.
	Send(ctx context.Context, m Message) error
}

// Options tunes a Queue. Zero values take the defaults.
type Options struct {
	Brand Brand
	// From is the sender address; required with a Transport.
	From string
	// Transport sends mails; nil logs them instead (state "logged").
	Transport Transport
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives a line per mail sent, logged or failed (default: discarded).
	Logger *slog.Logger
	// Owner names this process in the leases on mails (default: host, process id, random).
	Owner string
	// MaxAttempts is how many attempts a mail gets before it is "failed" (default 8).
	MaxAttempts int
	// Backoff is the wait after a first failed attempt, doubled after each next one up to
	// MaxBackoff (defaults 1 minute and 6 hours).
	Backoff, MaxBackoff time.Duration
	// Lease is how long a sender holds the mails it claimed (default 2 minutes): a sender
	// that dies leaves them to others once it expires. Attempts end with the lease, and none
	// starts with less than a quarter of it left; keep it well above the SMTP timeout (30 s).
	Lease time.Duration
	// Batch is how many events or mails a pass takes at most (default 50).
	Batch int
}

// Queue turns events into queued mails and sends them.
type Queue struct {
	store eccs.Store
	link  LinkFunc
	opts  Options
	log   *slog.Logger
}

// New returns a Queue over store, deriving links with link. It returns an error when link is
// nil, or when a Transport is given without a From address.
func New(store eccs.Store, link LinkFunc, opts Options) (*Queue, error) {
	if link == nil {
		return nil, errors.New("mail: no link function")
	}
	if opts.Transport != nil && opts.From == "" {
		return nil, errors.New("mail: a sender address (--mail-from, or from= in the SMTP URL) is required to send mails")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Owner == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		_, _ = rand.Read(b) // crypto/rand.Read does not fail
		opts.Owner = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 8
	}
	if opts.Backoff <= 0 {
		opts.Backoff = time.Minute
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 6 * time.Hour
	}
	if opts.Lease <= 0 {
		opts.Lease = 2 * time.Minute
	}
	if opts.Batch <= 0 {
		opts.Batch = 50
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Queue{store: store, link: link, opts: opts, log: log}, nil
}

// QueueEvents handles up to a batch of the events the mail consumer has not handled: each
// mail-worthy one becomes its mails, queued in one transaction with the event's receipt. An
// event whose receipt another replica wrote first is skipped (its transaction rolled back).
// An event of a mail-worthy type whose data cannot make a mail is logged and acknowledged
// without mail, so that it does not block the ones after it. It returns how many mails it
// queued.
func (q *Queue) QueueEvents(ctx context.Context) (int, error) {
	events, err := q.store.PendingEvents(ctx, Consumer, q.opts.Batch)
	if err != nil {
		return 0, fmt.Errorf("mail: read pending events: %w", err)
	}
	queued := 0
	for _, e := range events {
		mails := q.mailsOf(e)
		err := q.store.InTx(ctx, func(tx eccs.Store) error {
			for _, m := range mails {
				if err := tx.AddMail(ctx, m); err != nil {
					return err
				}
			}
			return tx.AckEvent(ctx, Consumer, e.ID, q.opts.Now())
		})
		if err != nil && eccs.ErrorCode(err) == eccs.Conflict {
			continue
		}
		if err != nil {
			return queued, fmt.Errorf("mail: queue the mails of event %s: %w", e.ID, err)
		}
		queued += len(mails)
	}
	return queued, nil
}

// mailsOf returns the mails event e makes: none for a type that makes no mail.
func (q *Queue) mailsOf(e eccs.Event) []eccs.Mail {
	if _, ok := templates[e.Type]; !ok {
		return nil
	}
	d, _, err := parseData(e)
	if err != nil {
		q.log.Error("mail: event makes no mail", "event", e.ID, "type", e.Type, "error", err.Error())
		return nil
	}
	now := q.opts.Now()
	// The id follows from the event: a second queueing of one event (which the receipt
	// prevents) would collide rather than send twice.
	return []eccs.Mail{{ID: e.ID + "-1", EventID: e.ID, Recipient: d.Email, Language: language(d.Language),
		Template: e.Type, State: eccs.MailQueued, NextAttempt: now, CreatedAt: now}}
}

// SendDue claims up to a batch of due mails and sends (or logs) each, recording its outcome:
// sent, logged, queued again after a backoff, or failed after the last attempt. It returns
// how many it sent or logged.
func (q *Queue) SendDue(ctx context.Context) (int, error) {
	now := q.opts.Now()
	mails, err := q.store.ClaimMails(ctx, q.opts.Owner, now, now.Add(q.opts.Lease), q.opts.Batch)
	if err != nil {
		return 0, fmt.Errorf("mail: claim due mails: %w", err)
	}
	// The lease is counted on the real clock from here. A mail whose attempt could outlast it
	// is not attempted (another sender may take it once the lease expires): left as it is, it
	// counts no attempt and is claimed again after the lease.
	leaseEnd := time.Now().Add(q.opts.Lease)
	done := 0
	var errs []error
	for _, m := range mails {
		if ctx.Err() != nil || time.Until(leaseEnd) < q.opts.Lease/4 {
			break
		}
		attemptCtx, cancel := context.WithDeadline(ctx, leaseEnd)
		outcome := q.attempt(attemptCtx, m)
		cancel()
		if outcome.State == eccs.MailSent || outcome.State == eccs.MailLogged {
			done++
		}
		// Recorded even when ctx ended during the attempt (a shutdown): a mail the server
		// accepted must not wait for its lease to expire and be sent again.
		finishCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err := q.store.FinishMailAttempt(finishCtx, m.ID, q.opts.Owner, outcome)
		cancel()
		if err != nil {
			errs = append(errs, fmt.Errorf("mail: record the attempt on mail %s: %w", m.ID, err))
		}
	}
	return done, errors.Join(errs...)
}

// attempt renders and sends m once and returns what the attempt changed.
func (q *Queue) attempt(ctx context.Context, m eccs.Mail) eccs.MailOutcome {
	o := eccs.MailOutcome{Attempts: m.Attempts + 1, NextAttempt: m.NextAttempt}
	msg, err := q.message(ctx, m)
	if err == nil && q.opts.Transport == nil {
		q.log.Info("mail logged, not sent: no SMTP server is configured", "mail", m.ID, "event", m.EventID,
			"to", m.Recipient, "template", m.Template, "language", m.Language)
		o.State, o.SentAt = eccs.MailLogged, q.opts.Now()
		return o
	}
	if err == nil {
		err = q.opts.Transport.Send(ctx, msg)
	}
	if err == nil {
		q.log.Info("mail sent", "mail", m.ID, "event", m.EventID, "to", m.Recipient, "template", m.Template,
			"attempt", o.Attempts)
		o.State, o.SentAt = eccs.MailSent, q.opts.Now()
		return o
	}
	o.LastError = err.Error()
	if o.Attempts >= q.opts.MaxAttempts {
		q.log.Error("mail failed: no attempt left", "mail", m.ID, "event", m.EventID, "to", m.Recipient,
			"template", m.Template, "attempts", o.Attempts, "error", o.LastError)
		o.State = eccs.MailFailed
		return o
	}
	o.State, o.NextAttempt = eccs.MailQueued, q.opts.Now().Add(q.backoff(o.Attempts))
	q.log.Warn("mail attempt failed; retrying later", "mail", m.ID, "event", m.EventID, "to", m.Recipient,
		"attempt", o.Attempts, "next_attempt", o.NextAttempt.UTC().Format(time.RFC3339), "error", o.LastError)
	return o
}

// backoff returns the wait after the failed attempt number n (from 1).
func (q *Queue) backoff(n int) time.Duration {
	d := q.opts.Backoff
	for i := 1; i < n && d < q.opts.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, q.opts.MaxBackoff)
}

// message renders m from its event.
func (q *Queue) message(ctx context.Context, m eccs.Mail) (Message, error) {
	e, err := q.store.MailEvent(ctx, m.EventID)
	if err != nil {
		return Message{}, err
	}
	c, err := q.content(e, m.Language)
	if err != nil {
		return Message{}, err
	}
	return Message{ID: messageID(m.ID, q.opts.From), From: q.opts.From, To: m.Recipient,
		Subject: c.Subject, Text: c.Text, HTML: c.HTML}, nil
}

// content renders event e in lang, with its link if its template has one.
func (q *Queue) content(e eccs.Event, lang string) (Content, error) {
	link := ""
	if templates[e.Type].needsLink {
		var err error
		if link, err = q.link(e); err != nil {
			return Content{}, fmt.Errorf("link of event %s: %w", e.ID, err)
		}
	}
	return render(e, lang, q.opts.Brand, link)
}

// messageID returns the Message-ID of mail id: the same on every attempt, so that a mail sent
// twice (a crash between the server's acceptance and the record of it) reads as one.
func messageID(id, from string) string {
	domain := "eccs.invalid"
	if at := strings.LastIndexByte(from, '@'); at >= 0 {
		if d := strings.TrimRight(from[at+1:], "> "); d != "" {
			domain = d
		}
	}
	return "mail-" + id + "@" + domain
}

// Run queues events and sends due mails every poll until ctx ends, logging errors, and
// returns then. poll must be positive.
func (q *Queue) Run(ctx context.Context, poll time.Duration) {
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		if _, err := q.QueueEvents(ctx); err != nil && ctx.Err() == nil {
			q.log.Error("mail queue", "error", err.Error())
		}
		if _, err := q.SendDue(ctx); err != nil && ctx.Err() == nil {
			q.log.Error("mail sender", "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Rendered is a queued mail with its content, for the dev-mode page of recent mails.
type Rendered struct {
	eccs.Mail
	From    string
	Content Content
	// RenderError says why the mail could not be rendered (then Content is empty).
	RenderError string
}

// Recent returns up to limit mails, the newest first, rendered as they are (or would be) sent:
// with their links. It is for dev mode only: its result holds the one-time links.
func (q *Queue) Recent(ctx context.Context, limit int) ([]Rendered, error) {
	mails, err := q.store.RecentMails(ctx, limit)
	if err != nil {
		return nil, fmt.Errorf("mail: list recent mails: %w", err)
	}
	out := make([]Rendered, 0, len(mails))
	for _, m := range mails {
		r := Rendered{Mail: m, From: q.opts.From}
		if msg, err := q.message(ctx, m); err != nil {
			r.RenderError = err.Error()
		} else {
			r.Content = Content{Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML}
		}
		out = append(out, r)
	}
	return out, nil
}
