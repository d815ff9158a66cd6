package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/eccs"
)

// A claim link (/claim/{token}) reveals an issued API key or client secret once, instead of
// mailing it. GET shows a page with a button and reveals nothing: link previewers and mail
// scanners fetch links, and must not burn them. The button POSTs to the same URL, which takes
// the claim and shows the secret. The token is a secret too: it never reaches the logs nor an
// error's description (redactPath).

// handleClaimPage is GET /claim/{token}: the page whose button reveals the secret.
func (s *server) handleClaimPage(w http.ResponseWriter, r *http.Request) error {
	writeClaimHTML(w, http.StatusOK, claimPage, nil)
	return nil
}

// handleClaimReveal is POST /claim/{token}: it takes the claim and answers its secret, once.
// The answer is admin.ClaimedSecret in JSON when Accept names application/json, an HTML page
// otherwise. A used, expired or unknown link answers 404/60 (or a page saying the link is no
// longer valid, with the same status).
func (s *server) handleClaimReveal(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	wantJSON := acceptsJSON(r)
	ctx := eccs.WithActor(r.Context(), eccs.Actor{Type: eccs.ActorSystem, ID: "claim-link", RequestID: requestID(r.Context())})
	out, err := s.revealClaim(ctx, r, token)
	if err != nil {
		if wantJSON {
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
	if wantJSON {
		w.Header().Set("Referrer-Policy", "no-referrer")
		writeSecret(w, http.StatusOK, out)
		return nil
	}
	writeClaimHTML(w, http.StatusOK, claimRevealPage, out)
	return nil
}

// revealClaim takes the claim of token and returns what it reveals.
func (s *server) revealClaim(ctx context.Context, r *http.Request, token string) (admin.ClaimedSecret, error) {
	kind, objectID, secret, err := s.svc.RevealClaim(ctx, token)
	if err != nil {
		return admin.ClaimedSecret{}, err
	}
	out := admin.ClaimedSecret{Kind: string(kind), ObjectID: objectID, Secret: secret}
	if kind == eccs.ClaimClientSecret {
		// The claim is taken: a failure here must not lose the secret, only the client id.
		app, err := s.svc.Application(ctx, objectID)
		if err != nil {
			s.logFailure(r, fmt.Errorf("client id of the claimed secret of application %s: %w", objectID, err))
		}
		out.ClientID = app.ClientID
	}
	return out, nil
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

func claimTemplate(page string) *template.Template {
	return template.Must(template.Must(template.New("layout").Parse(claimLayout)).Parse(page))
}

var (
	claimPage = claimTemplate(`{{define "title"}}Reveal your secret{{end}}
{{define "body"}}<h1>Reveal your secret</h1>
<p>Your operator sent you this link to give you a secret: an API key or an application's client secret.</p>
<p>The secret is shown <strong>once</strong>: after you reveal it, this link stops working. Have a safe place ready to store it, such as a password manager or your secret store.</p>
<form method="post">
<button type="submit">Reveal the secret</button>
</form>
<p class="note">Nothing is revealed until you press the button.</p>{{end}}`)

	claimRevealPage = claimTemplate(`{{define "title"}}Your secret{{end}}
{{define "body"}}<h1>{{if eq .Kind "client_secret"}}Your client secret{{else}}Your API key{{end}}</h1>
{{if .ClientID}}<p>Client id:</p>
<p class="secret">{{.ClientID}}</p>
<p>Client secret:</p>{{end}}
<p class="secret">{{.Secret}}</p>
<p><strong>Copy it now and store it safely.</strong> This page is shown once: the link no longer works, and reloading this page will not show the secret again.</p>
{{if eq .Kind "client_secret"}}<p class="note">Use the client id and secret to get access tokens from <code>POST /oauth/v3/token</code>.</p>{{else}}<p class="note">Send the key in the <code>X-API-Key</code> header of every call.</p>{{end}}{{end}}`)

	claimGonePage = claimTemplate(`{{define "title"}}This link is no longer valid{{end}}
{{define "body"}}<h1>This link is no longer valid</h1>
<p>This link is unknown, was already used, or has expired. A link reveals its secret once, for a limited time.</p>
<p>Ask your operator for a new one.</p>{{end}}`)

	claimErrorPage = claimTemplate(`{{define "title"}}Error{{end}}
{{define "body"}}<h1>The secret could not be revealed</h1>
<p>{{.}}</p>
<p>The link was not used; try again in a moment.</p>{{end}}`)
)
