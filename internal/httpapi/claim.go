package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/eccs"
)

// A claim link (/claim/{token}) reveals an issued API key or client secret once, instead of
// mailing it. GET shows a page that says what the link reveals, for whom, on which server and
// until when, with a button; it reveals nothing and changes nothing: link previewers and mail
// scanners fetch links, and must not burn them. The button POSTs to the same URL, which takes
// the claim and shows the secret, where to use it and the next command. The token is a secret
// too: it never reaches the logs nor an error's description (redactPath); only the link's own
// page shows it, in the eccs login --claim command.

// handleClaimPage is GET /claim/{token}: the page that says what the link reveals (an API key
// for an account, or an application's client secret), on which server and until when, with the
// button that reveals it; admin.ClaimInfo in JSON when Accept names application/json. It
// reveals nothing and changes nothing. A used, expired or unknown link answers 404, as POST
// does.
func (s *server) handleClaimPage(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	info, err := s.svc.PeekClaim(r.Context(), token)
	if err != nil {
		return s.claimFailure(w, r, err)
	}
	base := s.publicBase(r)
	if acceptsJSON(r) { // for programs, such as eccs login --claim, that check before they take it
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Referrer-Policy", "no-referrer")
		writeJSON(w, http.StatusOK, admin.ClaimInfo{Kind: string(info.Kind), ObjectID: info.ObjectID,
			ExpiresAt: wireTime(info.ExpiresAt), BaseURL: base, AccountID: info.AccountID, AccountType: string(info.AccountType),
			HolderName: info.HolderName, HolderEmail: info.HolderEmail, ApplicationName: info.ApplicationName, ClientID: info.ClientID})
		return nil
	}
	writeClaimHTML(w, http.StatusOK, claimPage, claimPageData{
		Info:       info,
		Server:     base,
		Link:       base + admin.ClaimPath + "/" + url.PathEscape(token),
		Expires:    info.ExpiresAt.UTC().Format("Mon 2 Jan 2006 15:04 MST"),
		ExpiresISO: info.ExpiresAt.UTC().Format(time.RFC3339),
	})
	return nil
}

// claimPageData is what the page of an unopened link shows. Link is the page's own address,
// for eccs login --claim: it is no more secret on the page than in the address bar.
type claimPageData struct {
	Info                eccs.ClaimInfo
	Server, Link        string
	Expires, ExpiresISO string
}

// handleClaimReveal is POST /claim/{token}: it takes the claim and answers its secret, once,
// with what it is for and where to use it. The answer is admin.ClaimedSecret in JSON when
// Accept names application/json, an HTML page otherwise. A used, expired or unknown link
// answers 404/60 (or a page saying the link is no longer valid, with the same status).
func (s *server) handleClaimReveal(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	ctx := eccs.WithActor(r.Context(), eccs.Actor{Type: eccs.ActorSystem, ID: "claim-link", RequestID: requestID(r.Context())})
	out, info, err := s.revealClaim(ctx, r, token)
	if err != nil {
		return s.claimFailure(w, r, err)
	}
	if acceptsJSON(r) {
		w.Header().Set("Referrer-Policy", "no-referrer")
		writeSecret(w, http.StatusOK, out)
		return nil
	}
	writeClaimHTML(w, http.StatusOK, claimRevealPage, claimRevealData{ClaimedSecret: out, Info: info})
	return nil
}

// claimRevealData is what the page of a revealed secret shows. Info is zero when what the
// secret is for could not be read (the secret is shown all the same).
type claimRevealData struct {
	admin.ClaimedSecret
	Info eccs.ClaimInfo
}

// claimFailure answers the error of a claim link: the JSON error when Accept names
// application/json, otherwise the page saying the link is no longer valid (404) or that the
// server failed (the link was not used), with the error's status.
func (s *server) claimFailure(w http.ResponseWriter, r *http.Request, err error) error {
	if acceptsJSON(r) {
		return err
	}
	we := toWire(err)
	if we.status >= 500 {
		s.logFailure(r, err)
	}
	if we.status == http.StatusNotFound {
		writeClaimHTML(w, we.status, claimGonePage, nil)
	} else {
		writeClaimHTML(w, we.status, claimErrorPage, we.description)
	}
	return nil
}

// revealClaim takes the claim of token and returns what it reveals, and what for.
func (s *server) revealClaim(ctx context.Context, r *http.Request, token string) (admin.ClaimedSecret, eccs.ClaimInfo, error) {
	kind, objectID, secret, err := s.svc.RevealClaim(ctx, token)
	if err != nil {
		return admin.ClaimedSecret{}, eccs.ClaimInfo{}, err
	}
	base := s.publicBase(r)
	out := admin.ClaimedSecret{Kind: string(kind), ObjectID: objectID, Secret: secret,
		BaseURL: base, TokenURL: base + api.TokenPath, APIBaseURL: base + api.BasePath}
	// The claim is taken: a failure here must not lose the secret, only what it is for (and,
	// for a client secret, the client id).
	info, err := s.svc.DescribeClaim(ctx, kind, objectID)
	if err != nil {
		s.logFailure(r, fmt.Errorf("what the claimed secret of %s %s is for: %w", kind, objectID, err))
		info = eccs.ClaimInfo{}
	}
	out.ClientID = info.ClientID
	out.NextCommand = loginCommand(base, kind, info.ClientID)
	return out, info, nil
}

// loginCommand is the eccs login command that saves a revealed secret in a profile. It holds
// no secret: eccs login never takes one on its command line, and asks for the client secret
// and the API key (a hidden prompt, or stdin). clientID is the application's, "" when unknown.
func loginCommand(base string, kind eccs.ClaimKind, clientID string) string {
	id := "<your client id>"
	if kind == eccs.ClaimClientSecret {
		id = "<the client id>"
	}
	if clientID != "" {
		id = shellQuote(clientID)
	}
	return "eccs login --base-url " + shellQuote(base) + " --client-id " + id
}

// shellQuote returns v as one word of a POSIX shell: as is when it holds only characters no
// shell reads specially, single-quoted otherwise.
func shellQuote(v string) string {
	safe := v != ""
	for _, c := range v {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("@%_+=:,./-", c)) {
			safe = false
			break
		}
	}
	if safe {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

// publicBase is the customer-facing base URL, which claim pages name: Config.PublicURL, else
// the admin API's when this handler serves it, else the request's scheme and host.
func (s *server) publicBase(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	if s.admin != nil && s.admin.PublicURL != "" {
		return s.admin.PublicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// acceptsJSON reports whether the request's Accept header names application/json.
func acceptsJSON(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		if strings.Contains(strings.ToLower(v), "application/json") {
			return true
		}
	}
	return false
}

// writeClaimHTML writes a claim page. Nothing may keep it (it may hold a secret), send the
// link onwards, frame it or run scripts in it.
func writeClaimHTML(w http.ResponseWriter, status int, page *template.Template, data any) {
	var buf bytes.Buffer
	if err := page.Execute(&buf, data); err != nil {
		// Only a programming error (a template that does not fit its data) gets here.
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString("<!doctype html><title>Error</title><p>The server failed to answer this request.</p>")
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// claimLayout is the frame of every claim page; each page defines "title" and "body".
const claimLayout = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{{template "title" .}}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; color: #222; }
code, .secret { font-family: ui-monospace, monospace; }
.secret { display: block; padding: .75rem; background: #f4f4f4; border: 1px solid #ccc; word-break: break-all; user-select: all; }
button { font-size: 1rem; padding: .5rem 1.25rem; }
.note { color: #555; font-size: .9rem; }
</style>
</head>
<body>
{{template "body" .}}
</body>
</html>
`

// claimWords are the phrases every claim page uses: "noun" names the secret of a claim kind
// (its dot has a Kind), "what" says what a link reveals and for whom (its dot is an
// eccs.ClaimInfo).
const claimWords = `{{define "noun"}}{{if eq .Kind "client_secret"}}client secret{{else if eq .Kind "api_key"}}API key{{else}}secret{{end}}{{end}}
{{- define "what"}}{{if eq .Kind "client_secret"}}the client secret of the application <strong>{{.ApplicationName}}</strong> (client id <code>{{.ClientID}}</code>){{else}}an API key for the customer-space account of <strong>{{.HolderName}}</strong>{{with .HolderEmail}} ({{.}}){{end}}, {{if eq .AccountType "administrator"}}an{{else}}a{{end}} {{.AccountType}} account{{end}}{{end}}`

func claimTemplate(page string) *template.Template {
	return template.Must(template.Must(template.Must(template.New("layout").Parse(claimLayout)).Parse(claimWords)).Parse(page))
}

var (
	claimPage = claimTemplate(`{{define "title"}}Reveal your {{template "noun" .Info}}{{end}}
{{define "body"}}<h1>Reveal your {{template "noun" .Info}}</h1>
<p>Your operator sent you this link to give you {{template "what" .Info}}, on the server <code>{{.Server}}</code>.</p>
<p>The link works once, until <time datetime="{{.ExpiresISO}}">{{.Expires}}</time>. The secret is shown <strong>once</strong>: after you reveal it, this link stops working. Have a safe place ready to store it, such as a password manager or your secret store.</p>
<form method="post">
<button type="submit">Reveal the {{template "noun" .Info}}</button>
</form>
<p class="note">Nothing is revealed until you press the button. From a terminal, <code>eccs login --claim {{.Link}}{{if eq .Info.Kind "api_key"}} --client-id &lt;your client id&gt;{{end}}</code> reveals it and saves it in a profile instead.</p>{{end}}`)

	claimRevealPage = claimTemplate(`{{define "title"}}Your {{template "noun" .}}{{end}}
{{define "body"}}<h1>Your {{template "noun" .}}</h1>
{{if .Info.Kind}}<p>This is {{template "what" .Info}}, on the server <code>{{.BaseURL}}</code>.</p>
{{end}}{{if .ClientID}}<p>Client id:</p>
<p class="secret">{{.ClientID}}</p>
<p>Client secret:</p>{{end}}
<p class="secret">{{.Secret}}</p>
<p><strong>Copy it now and store it safely.</strong> This page is shown once: the link no longer works, and reloading this page will not show the secret again.</p>
<h2>Using it</h2>
<p>Token URL: <code>{{.TokenURL}}</code><br>
API base: <code>{{.APIBaseURL}}</code></p>
{{if eq .Kind "client_secret"}}<p class="note">Get access tokens from the token URL with the client id and this secret (HTTP Basic, <code>grant_type=client_credentials</code>). Every call under the API base needs an access token and, in the <code>X-API-Key</code> header, your account's API key.</p>{{else}}<p class="note">Send the key in the <code>X-API-Key</code> header of every call under the API base, with an access token that your application gets from the token URL with its client id and secret.</p>{{end}}
<p>Next, with the <code>eccs</code> command-line tool:</p>
<p class="secret">{{.NextCommand}}</p>
<p class="note">{{if eq .Kind "client_secret"}}It asks for the client secret (paste the one above), then for your API key{{else}}It asks for your application's client secret, then for the API key (paste the one above){{end}}, and saves them in a profile. It never takes a secret on its command line, where others could see it.</p>{{end}}`)

	claimGonePage = claimTemplate(`{{define "title"}}This link is no longer valid{{end}}
{{define "body"}}<h1>This link is no longer valid</h1>
<p>This link is unknown, was already used, or has expired. A link reveals its secret once, for a limited time.</p>
<p>Ask your operator for a new one.</p>{{end}}`)

	claimErrorPage = claimTemplate(`{{define "title"}}Error{{end}}
{{define "body"}}<h1>The secret could not be revealed</h1>
<p>{{.}}</p>
<p>The link was not used; try again in a moment.</p>{{end}}`)
)
