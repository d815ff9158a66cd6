package mail

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLS modes of an SMTP connection.
const (
	// TLSStartRequired: plain connection upgraded with STARTTLS, which the server must offer
	// (the default of smtp:// URLs).
	TLSStartRequired = "required"
	// TLSStartOpportunistic: STARTTLS when the server offers it, plain text otherwise.
	TLSStartOpportunistic = "opportunistic"
	// TLSNone: plain text, for local relays (Mailpit, a relay on the same host).
	TLSNone = "none"
	// TLSImplicit: TLS from the first byte (smtps:// URLs).
	TLSImplicit = "implicit"
)

// SMTPConfig is where and how mails are sent, as an SMTP URL gives it.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string // empty: no authentication
	Password string
	From     string // the sender address the URL's from= gives; may be empty
	TLS      string // TLSStartRequired, TLSStartOpportunistic, TLSNone or TLSImplicit
}

// String returns the configuration as a URL with the password replaced by "xxxxx", for logs
// and errors.
func (c SMTPConfig) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(c.Host, strconv.Itoa(c.Port))}
	if c.TLS == TLSImplicit {
		u.Scheme = "smtps"
	}
	if c.Username != "" {
		u.User = url.UserPassword(c.Username, "xxxxx")
	}
	q := url.Values{}
	if c.From != "" {
		q.Set("from", c.From)
	}
	if c.TLS == TLSStartOpportunistic || c.TLS == TLSNone {
		q.Set("starttls", c.TLS)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// ParseSMTPURL reads an SMTP URL: smtp://[user[:password]@]host[:port][?from=…&starttls=…]
// (port 587 by default, STARTTLS required unless starttls=opportunistic or starttls=none) or
// smtps://[user[:password]@]host[:port][?from=…] (implicit TLS, port 465 by default). User and
// password are percent-encoded. Its errors never hold the password.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url's errors quote the URL, password included.
		return SMTPConfig{}, errors.New("SMTP URL: not a URL (want smtp://user:password@host:587?from=…)")
	}
	var c SMTPConfig
	switch u.Scheme {
	case "smtp":
		c.TLS, c.Port = TLSStartRequired, 587
	case "smtps":
		c.TLS, c.Port = TLSImplicit, 465
	default:
		return SMTPConfig{}, fmt.Errorf("SMTP URL: scheme %q is not smtp or smtps", u.Scheme)
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return SMTPConfig{}, errors.New("SMTP URL: no host")
	}
	if p := u.Port(); p != "" {
		if c.Port, err = strconv.Atoi(p); err != nil || c.Port < 1 || c.Port > 65535 {
			return SMTPConfig{}, fmt.Errorf("SMTP URL: port %q is not a number from 1 to 65535", p)
		}
	}
	if u.Path != "" && u.Path != "/" {
		return SMTPConfig{}, fmt.Errorf("SMTP URL: unexpected path %q", u.Path)
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
		if c.Username == "" {
			return SMTPConfig{}, errors.New("SMTP URL: a password without a user name")
		}
	}
	q := u.Query()
	for k := range q {
		if k != "from" && k != "starttls" {
			return SMTPConfig{}, fmt.Errorf("SMTP URL: unknown parameter %q (known: from, starttls)", k)
		}
	}
	if from := q.Get("from"); from != "" {
		if _, err := mail.ParseAddress(from); err != nil {
			return SMTPConfig{}, fmt.Errorf("SMTP URL: from=%q is not an e-mail address", from)
		}
		c.From = from
	}
	switch st := q.Get("starttls"); {
	case st == "":
	case u.Scheme == "smtps":
		return SMTPConfig{}, errors.New("SMTP URL: starttls= does not apply to smtps://, which is TLS from the start")
	case st == TLSStartRequired || st == TLSStartOpportunistic || st == TLSNone:
		c.TLS = st
	default:
		return SMTPConfig{}, fmt.Errorf("SMTP URL: starttls=%q is not required, opportunistic or none", st)
	}
	return c, nil
}

// SMTP is a Transport that sends each message through an SMTP server, on a connection of its
// own.
type SMTP struct {
	cfg SMTPConfig
}

// NewSMTP returns a Transport over the server cfg names. It checks the configuration only:
// it does not connect.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.Host == "" || cfg.Port == 0 {
		return nil, errors.New("SMTP: no host or port")
	}
	if _, err := gomail.NewClient(cfg.Host, clientOptions(cfg)...); err != nil {
		return nil, fmt.Errorf("SMTP %s: %w", cfg, err)
	}
	return &SMTP{cfg: cfg}, nil
}

func clientOptions(cfg SMTPConfig) []gomail.Option {
	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTimeout(30 * time.Second)}
	switch cfg.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSStartOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	return opts
}

// Send delivers m. Its errors name the server without the password.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(m.From); err != nil {
		return fmt.Errorf("SMTP: sender %q: %w", m.From, err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("SMTP: recipient %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.ID)
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	client, err := gomail.NewClient(s.cfg.Host, clientOptions(s.cfg)...)
	if err != nil {
		return fmt.Errorf("SMTP %s: %w", s.cfg, err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		text := err.Error()
		if s.cfg.Password != "" {
			// Servers may echo what they were sent.
			text = strings.ReplaceAll(text, s.cfg.Password, "xxxxx")
		}
		return fmt.Errorf("SMTP %s: %s", s.cfg, text)
	}
	return nil
}
