package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/jobs"
	mailqueue "github.com/eccs/eccs/internal/mail"
)

// mailPoll is how often a server turns new events into mails and sends the due ones.
const mailPoll = 2 * time.Second

// mailConfig is the mail part of serve's configuration.
type mailConfig struct {
	smtpURL string // --smtp-url; empty: mails are logged, not sent
	from    string // --mail-from
}

// check validates the SMTP URL and the sender address; source names the flag or variable of
// a bad value. It returns the parsed SMTP configuration (zero without --smtp-url).
func (c mailConfig) check(source func(flag string) string) (mailqueue.SMTPConfig, error) {
	if c.from != "" {
		if _, err := mail.ParseAddress(c.from); err != nil {
			return mailqueue.SMTPConfig{}, usageError{fmt.Errorf("%s=%q: not an e-mail address (such as \"Acme Cloud <noreply@acme.example>\")", source("mail-from"), c.from)}
		}
	}
	if c.smtpURL == "" {
		return mailqueue.SMTPConfig{}, nil
	}
	cfg, err := mailqueue.ParseSMTPURL(c.smtpURL)
	if err != nil {
		return mailqueue.SMTPConfig{}, usageError{fmt.Errorf("%s: %w", source("smtp-url"), err)}
	}
	if cfg.From == "" && c.from == "" {
		return mailqueue.SMTPConfig{}, usageError{fmt.Errorf("%s is set but no sender address: give --mail-from, or from= in the URL", source("smtp-url"))}
	}
	return cfg, nil
}

// mailLink is the Link hook of the mail queue: the absolute URL of the one-time link an
// event's mail carries, on the web space's origin, derived when the mail is sent.
func mailLink(svc *eccs.Service, origin string) mailqueue.LinkFunc {
	return func(e eccs.Event) (string, error) {
		path, err := svc.EventLinkPath(e)
		if err != nil {
			return "", err
		}
		return strings.TrimRight(origin, "/") + path, nil
	}
}

// background is the work a server does beside serving requests: the mail queue and the
// periodic jobs.
type background struct {
	queue  *mailqueue.Queue
	runner *jobs.Runner
}

// newBackground builds the mail queue (sending through SMTP when configured, logging
// otherwise) and the runner of periodic jobs, whose one job prunes old job runs daily.
func newBackground(cfg serveConfig, st stores, publicURL string, logger *slog.Logger) (*background, error) {
	smtpCfg, err := cfg.mail.check(func(flag string) string { return "--" + flag })
	if err != nil {
		return nil, err
	}
	opts := mailqueue.Options{
		Brand:  mailqueue.Brand{Name: cfg.web.brand.Name, Support: cfg.web.brand.Support, PublicURL: publicURL},
		From:   smtpCfg.From,
		Logger: logger,
	}
	if cfg.mail.from != "" {
		opts.From = cfg.mail.from
	}
	if cfg.mail.smtpURL != "" {
		if opts.Transport, err = mailqueue.NewSMTP(smtpCfg); err != nil {
			return nil, err
		}
		logger.Info("mails are sent through SMTP", "smtp", smtpCfg.String(), "from", opts.From)
	} else {
		logger.Info("no --smtp-url: mails are logged and kept, not sent")
	}
	queue, err := mailqueue.New(st.db, mailLink(st.svc, publicURL), opts)
	if err != nil {
		return nil, err
	}
	runner, err := jobs.New(st.db, periodicJobs(st.svc, st.db, logger), jobs.Options{Logger: logger})
	if err != nil {
		return nil, err
	}
	return &background{queue: queue, runner: runner}, nil
}

// start runs the mail queue and the job runner until ctx ends; the returned function waits
// for both to stop.
func (b *background) start(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	wg.Go(func() { b.queue.Run(ctx, mailPoll) })
	wg.Go(func() { b.runner.Run(ctx, jobPoll) })
	return wg.Wait
}
