package mail

import (
	"bytes"
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// This file holds the table of mail-worthy event types and their templates. A new kind of
// mail (webhooks, budgets…) is one more entry of templates.

// Brand is the operator under whose name mails are sent.
type Brand struct {
	// Name is the operator's name as customers know it ("Acme Cloud").
	Name string
	// Support is how customers reach the operator's support (an address or a URL).
	Support string
	// PublicURL is the base URL of the customers' space.
	PublicURL string
}

// Languages are the languages mails are written in; the first is the default.
var Languages = []string{"fr", "en"}

// eventData is what the mail-worthy events' data hold (some fields only for some types).
type eventData struct {
	Email     string `json:"email"`
	Name      string `json:"name"`
	Language  string `json:"language"`
	LinkID    string `json:"linkId"`
	ExpiresAt string `json:"expiresAt"`
	InvitedBy string `json:"invitedBy"`
}

// text is one language's version of a template.
type text struct {
	subject string // text/template
	body    string // text/template
	html    string // html/template, inside the common layout
}

// template is how one event type becomes mails.
type template struct {
	// needsLink: the mail carries the one-time link the Link hook derives from the event.
	needsLink bool
	// needsExpiry: the event's data must hold expiresAt.
	needsExpiry bool
	texts       map[string]text // by language
}

// templates maps each mail-worthy event type to its template. Events of other types make no
// mail.
var templates = map[string]template{
	"person.invited": {needsLink: true, needsExpiry: true, texts: map[string]text{
		"fr": {
			subject: `Invitation à l'espace client {{.Brand.Name}}`,
			body: `Bonjour {{.Name}},

{{if .InvitedBy}}{{.InvitedBy}} vous invite{{else}}Vous êtes invité(e){{end}} à rejoindre l'espace client {{.Brand.Name}}.
Choisissez votre mot de passe en suivant ce lien :

{{.Link}}

Ce lien ne sert qu'une fois et expire le {{.Expires}}.

Une question ? {{.Brand.Support}}
{{.Brand.Name}} — {{.Brand.PublicURL}}
`,
			html: `<p>Bonjour {{.Name}},</p>
<p>{{if .InvitedBy}}{{.InvitedBy}} vous invite{{else}}Vous êtes invité(e){{end}} à rejoindre l'espace client {{.Brand.Name}}.</p>
<p><a href="{{.Link}}">Choisir mon mot de passe</a></p>
<p>Ce lien ne sert qu'une fois et expire le {{.Expires}}.</p>`,
		},
		"en": {
			subject: `You are invited to the {{.Brand.Name}} customer space`,
			body: `Hello {{.Name}},

{{if .InvitedBy}}{{.InvitedBy}} invites you{{else}}You are invited{{end}} to the {{.Brand.Name}} customer space.
Choose your password by following this link:

{{.Link}}

This link works once and expires on {{.Expires}}.

Any question? {{.Brand.Support}}
{{.Brand.Name}} — {{.Brand.PublicURL}}
`,
			html: `<p>Hello {{.Name}},</p>
<p>{{if .InvitedBy}}{{.InvitedBy}} invites you{{else}}You are invited{{end}} to the {{.Brand.Name}} customer space.</p>
<p><a href="{{.Link}}">Choose my password</a></p>
<p>This link works once and expires on {{.Expires}}.</p>`,
		},
	}},
	"person.password_reset": {needsLink: true, needsExpiry: true, texts: map[string]text{
		"fr": {
			subject: `Réinitialisation de votre mot de passe {{.Brand.Name}}`,
			body: `Bonjour {{.Name}},

Une réinitialisation du mot de passe de votre compte de l'espace client {{.Brand.Name}} a été demandée.
Choisissez un nouveau mot de passe en suivant ce lien :

{{.Link}}

Ce lien ne sert qu'une fois et expire le {{.Expires}}. Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste le même.

Une question ? {{.Brand.Support}}
{{.Brand.Name}} — {{.Brand.PublicURL}}
`,
			html: `<p>Bonjour {{.Name}},</p>
<p>Une réinitialisation du mot de passe de votre compte de l'espace client {{.Brand.Name}} a été demandée.</p>
<p><a href="{{.Link}}">Choisir un nouveau mot de passe</a></p>
<p>Ce lien ne sert qu'une fois et expire le {{.Expires}}. Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste le même.</p>`,
		},
		"en": {
			subject: `Reset your {{.Brand.Name}} password`,
			body: `Hello {{.Name}},

Someone asked to reset the password of your {{.Brand.Name}} customer space account.
Choose a new password by following this link:

{{.Link}}

This link works once and expires on {{.Expires}}. If you did not ask for it, ignore this message: your password stays the same.

Any question? {{.Brand.Support}}
{{.Brand.Name}} — {{.Brand.PublicURL}}
`,
			html: `<p>Hello {{.Name}},</p>
<p>Someone asked to reset the password of your {{.Brand.Name}} customer space account.</p>
<p><a href="{{.Link}}">Choose a new password</a></p>
<p>This link works once and expires on {{.Expires}}. If you did not ask for it, ignore this message: your password stays the same.</p>`,
		},
	}},
	"person.password_changed": {texts: map[string]text{
		"fr": {
			subject: `Votre mot de passe {{.Brand.Name}} a changé`,
			body: `Bonjour {{.Name}},

Le mot de passe de votre compte de l'espace client {{.Brand.Name}} vient de changer.
Si ce n'est pas vous, contactez le support sans attendre : {{.Brand.Support}}

{{.Brand.Name}} — {{.Brand.PublicURL}}
`,
			html: `<p>Bonjour {{.Name}},</p>
<p>Le mot de passe de votre compte de l'espace client {{.Brand.Name}} vient de changer.</p>
<p>Si ce n'est pas vous, contactez le support sans attendre : {{.Brand.Support}}</p>`,
		},
		"en": {
			subject: `Your {{.Brand.Name}} password changed`,
			body: `Hello {{.Name}},

The password of your {{.Brand.Name}} customer space account has just changed.
If it was not you, contact support at once: {{.Brand.Support}}

{{.Brand.Name}} — {{.Brand.PublicURL}}
`,
			html: `<p>Hello {{.Name}},</p>
<p>The password of your {{.Brand.Name}} customer space account has just changed.</p>
<p>If it was not you, contact support at once: {{.Brand.Support}}</p>`,
		},
	}},
}

// layout wraps every HTML body.
const layout = `<!DOCTYPE html>
<html lang="{{.Language}}"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: sans-serif; line-height: 1.5; max-width: 40em">
{{.Body}}
<hr>
<p style="color: #555; font-size: smaller">{{.Brand.Name}}{{if .Brand.PublicURL}} — <a href="{{.Brand.PublicURL}}">{{.Brand.PublicURL}}</a>{{end}}{{if .Brand.Support}}<br>{{.Brand.Support}}{{end}}</p>
</body></html>
`

var layoutTemplate = htmltemplate.Must(htmltemplate.New("layout").Parse(layout))

// parsed holds the templates parsed once, by event type and language.
var parsed = func() map[string]map[string]parsedText {
	out := map[string]map[string]parsedText{}
	for typ, tpl := range templates {
		out[typ] = map[string]parsedText{}
		for lang, t := range tpl.texts {
			name := typ + "." + lang
			out[typ][lang] = parsedText{
				subject: texttemplate.Must(texttemplate.New(name + ".subject").Option("missingkey=error").Parse(t.subject)),
				body:    texttemplate.Must(texttemplate.New(name + ".body").Option("missingkey=error").Parse(t.body)),
				html:    htmltemplate.Must(htmltemplate.New(name + ".html").Option("missingkey=error").Parse(t.html)),
			}
		}
	}
	return out
}()

type parsedText struct {
	subject *texttemplate.Template
	body    *texttemplate.Template
	html    *htmltemplate.Template
}

// language returns lang if mails are written in it, else the default.
func language(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	for _, l := range Languages {
		if lang == l || strings.HasPrefix(lang, l+"-") {
			return l
		}
	}
	return Languages[0]
}

// values is what the templates see.
type values struct {
	Brand     Brand
	Name      string
	Email     string
	InvitedBy string
	Link      string
	Expires   string
}

// Content is a rendered mail.
type Content struct {
	Subject string
	Text    string
	HTML    string
}

// parseData reads an event's data for a mail of its type, checking that what the template
// needs is there.
func parseData(e eccs.Event) (eventData, template, error) {
	tpl, ok := templates[e.Type]
	if !ok {
		return eventData{}, template{}, fmt.Errorf("event %s: type %q makes no mail", e.ID, e.Type)
	}
	var d eventData
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return eventData{}, template{}, fmt.Errorf("event %s: its data is not a JSON object of strings: %w", e.ID, err)
	}
	switch {
	case strings.TrimSpace(d.Email) == "" || !strings.Contains(d.Email, "@"):
		return eventData{}, template{}, fmt.Errorf("event %s: its data has no e-mail address", e.ID)
	case tpl.needsLink && d.LinkID == "":
		return eventData{}, template{}, fmt.Errorf("event %s: its data has no linkId", e.ID)
	case tpl.needsExpiry:
		if _, err := time.Parse(time.RFC3339, d.ExpiresAt); err != nil {
			return eventData{}, template{}, fmt.Errorf("event %s: its expiresAt is not an RFC 3339 time: %q", e.ID, d.ExpiresAt)
		}
	}
	return d, tpl, nil
}

// render renders the mail of event e in lang, with link (empty for templates without one).
func render(e eccs.Event, lang string, brand Brand, link string) (Content, error) {
	d, _, err := parseData(e)
	if err != nil {
		return Content{}, err
	}
	lang = language(lang)
	v := values{Brand: brand, Name: d.Name, Email: d.Email, InvitedBy: d.InvitedBy, Link: link}
	if v.Name == "" {
		v.Name = d.Email
	}
	if d.ExpiresAt != "" {
		expires, _ := time.Parse(time.RFC3339, d.ExpiresAt) // checked by parseData
		v.Expires = formatTime(expires, lang)
	}
	p := parsed[e.Type][lang]
	var subject, body, html bytes.Buffer
	if err := p.subject.Execute(&subject, v); err != nil {
		return Content{}, fmt.Errorf("render %s: %w", e.Type, err)
	}
	if err := p.body.Execute(&body, v); err != nil {
		return Content{}, fmt.Errorf("render %s: %w", e.Type, err)
	}
	if err := p.html.Execute(&html, v); err != nil {
		return Content{}, fmt.Errorf("render %s: %w", e.Type, err)
	}
	var page bytes.Buffer
	err = layoutTemplate.Execute(&page, struct {
		Language, Subject string
		Body              htmltemplate.HTML
		Brand             Brand
	}{lang, subject.String(), htmltemplate.HTML(html.String()), brand}) // html was escaped by its own template
	if err != nil {
		return Content{}, fmt.Errorf("render %s: %w", e.Type, err)
	}
	return Content{Subject: subject.String(), Text: body.String(), HTML: page.String()}, nil
}

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
	"septembre", "octobre", "novembre", "décembre"}

// formatTime writes t in UTC the way lang reads it.
func formatTime(t time.Time, lang string) string {
	t = t.UTC()
	if lang == "fr" {
		return fmt.Sprintf("%d %s %d à %s UTC", t.Day(), frenchMonths[t.Month()-1], t.Year(), t.Format("15:04"))
	}
	return t.Format("2 January 2006 at 15:04 UTC")
}
