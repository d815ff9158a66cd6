package httpapi_test

import (
	"fmt"
	"html"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
)

// claimGet opens a claim link as a browser (or a link previewer) would.
func (a *adminEnv) claimGet(link string) response {
	a.t.Helper()
	return a.send("GET", link, nil, map[string]string{"Accept": "text/html"})
}

// claimPost presses the button of a claim page; json asks for the JSON answer.
func (a *adminEnv) claimPost(link string, json bool) response {
	a.t.Helper()
	accept := "text/html,application/xhtml+xml"
	if json {
		accept = "application/json"
	}
	return a.send("POST", link, strings.NewReader(""), map[string]string{"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
}

// wantClaimHeaders checks the headers of every claim answer that may hold a secret.
func wantClaimHeaders(t *testing.T, r response) {
	t.Helper()
	if r.header.Get("Cache-Control") != "no-store" || r.header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("Cache-Control %q, Referrer-Policy %q", r.header.Get("Cache-Control"), r.header.Get("Referrer-Policy"))
	}
}

func TestClaimLinkRevealsAnAPIKeyOnce(t *testing.T) {
	a := newAdminEnv(t)
	client := a.accountOf(admin.AccountClient, "claire.martin@acme.example")
	r := a.call("POST", "/accounts/"+client.ID+"/keys", admin.KeyRequest{ClaimLink: true})
	issued := ok[admin.IssuedKey](t, r, 201)
	if r.header.Get("Cache-Control") != "no-store" || issued.Key != "" || issued.Claim == nil {
		t.Fatalf("issued %s", r.body)
	}
	if !strings.HasPrefix(issued.Claim.URL, a.url+admin.ClaimPath+"/") || !issued.Claim.ExpiresAt.Equal(a.clock.Now().Add(24*time.Hour).Truncate(time.Second)) {
		t.Errorf("claim %+v, want a link on %s valid 24h", issued.Claim, a.url)
	}
	link := issued.Claim.URL

	// GET shows the button and reveals nothing, however often.
	var pages []string
	for range 3 {
		page := a.claimGet(link).wantStatus(t, 200)
		wantClaimHeaders(t, page)
		if !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") || !strings.Contains(string(page.body), `<form method="post">`) {
			t.Fatalf("claim page %s", page.body)
		}
		pages = append(pages, string(page.body))
	}
	a.send("HEAD", link, nil, nil).wantStatus(t, 200)

	// POST reveals it once.
	r = a.claimPost(link, true).wantStatus(t, 200)
	wantClaimHeaders(t, r)
	got := decode[admin.ClaimedSecret](t, r)
	if got.Kind != "api_key" || got.ObjectID != issued.APIKey.ID || !strings.HasPrefix(got.Secret, issued.APIKey.Prefix) || got.ClientID != "" {
		t.Errorf("claimed %+v", got)
	}
	for _, p := range pages {
		if strings.Contains(p, got.Secret) {
			t.Error("the claim page shows the secret")
		}
	}
	a.claimPost(link, true).wantError(t, 404, api.CodeResourceNotFound)
	gone := a.claimPost(link, false).wantStatus(t, 404)
	if !strings.Contains(string(gone.body), "no longer valid") || strings.Contains(string(gone.body), got.Secret) {
		t.Errorf("used link page %s", gone.body)
	}
	// The revealed key works.
	a.env.call("GET", "/contracts", a.env.token(), got.Secret, "", "").wantStatus(t, 200)

	// Neither server logged the token of the link.
	token := path.Base(link)
	if strings.Contains(a.logs.String(), token) || strings.Contains(a.adminLogs.String(), token) {
		t.Error("the claim token is in the logs")
	}
	a.checkAudit()
}

func TestClaimLinkRevealsAClientSecretInAPage(t *testing.T) {
	a := newAdminEnv(t)
	r := a.call("POST", "/applications", admin.NewApplication{Name: "<b>Claimed</b> & co", Subscription: admin.SubscriptionApproved, ClaimLink: true, ClaimTTL: "2h"})
	created := ok[admin.IssuedApplication](t, r, 201)
	if created.ClientSecret != "" || created.Claim == nil || !created.Claim.ExpiresAt.Equal(a.clock.Now().Add(2*time.Hour).Truncate(time.Second)) {
		t.Fatalf("created %s", r.body)
	}
	page := a.claimPost(created.Claim.URL, false).wantStatus(t, 200)
	wantClaimHeaders(t, page)
	body := string(page.body)
	if !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") || !strings.Contains(body, html.EscapeString(created.Application.ClientID)) ||
		!strings.Contains(body, "client secret") || strings.Contains(body, "<b>") {
		t.Fatalf("reveal page %s", body)
	}
	// The secret is the text of the block after "Client secret:".
	_, after, _ := strings.Cut(body, "Client secret:</p>\n<p class=\"secret\">")
	secret, _, _ := strings.Cut(after, "</p>")
	if len(secret) < 32 {
		t.Fatalf("no secret in %s", body)
	}
	a.remember(secret)
	a.claimPost(created.Claim.URL, false).wantStatus(t, 404)

	a.call("POST", "/applications/"+created.Application.ID+"/terms", admin.TermsAcceptance{AcceptedBy: "dev@acme.example"}).wantStatus(t, 200)
	a.env.call("GET", "/contracts", a.env.token(created.Application.ClientID, secret), a.creds.APIKeys.Client, "", "").wantStatus(t, 200)

	// A rotated secret through a link, in JSON with the client id.
	rot := ok[admin.IssuedApplication](t, a.call("POST", "/applications/"+created.Application.ID+"/rotate-secret", admin.SecretRotation{ClaimLink: true}), 200)
	if rot.ClientSecret != "" || rot.Claim == nil {
		t.Fatalf("rotation %+v", rot)
	}
	got := ok[admin.ClaimedSecret](t, a.claimPost(rot.Claim.URL, true), 200)
	if got.Kind != "client_secret" || got.ObjectID != created.Application.ID || got.ClientID != created.Application.ClientID || got.Secret == secret {
		t.Errorf("claimed %+v", got)
	}
	a.env.token(got.ClientID, got.Secret)
	a.tokenRefused(got.ClientID, secret)
	a.checkAudit()
}

func TestClaimLinkExpires(t *testing.T) {
	a := newAdminEnv(t)
	client := a.accountOf(admin.AccountClient, "claire.martin@acme.example")
	issued := a.issueKey(client.ID, admin.KeyRequest{ClaimLink: true, ClaimTTL: "1h"})
	// A rotation can send its key through a link too.
	rotated := ok[admin.IssuedKey](t, a.call("POST", "/keys/"+issued.APIKey.ID+"/rotate", admin.KeyRotation{Overlap: "2h", KeyRequest: admin.KeyRequest{ClaimLink: true}}), 201)
	if rotated.Key != "" || rotated.Claim == nil {
		t.Fatalf("rotated %+v", rotated)
	}
	a.clock.Advance(time.Hour + time.Second)
	a.claimGet(issued.Claim.URL).wantStatus(t, 200) // the page itself knows nothing
	a.claimPost(issued.Claim.URL, true).wantError(t, 404, api.CodeResourceNotFound)
	a.claimPost(issued.Claim.URL, true).wantError(t, 404, api.CodeResourceNotFound)
	got := ok[admin.ClaimedSecret](t, a.claimPost(rotated.Claim.URL, true), 200)
	if got.ObjectID != rotated.APIKey.ID {
		t.Errorf("claimed %+v", got)
	}
	for _, token := range []string{"nosuchtoken", strings.Repeat("a", 43), strings.Repeat("é", 200)} {
		a.claimPost(a.url+admin.ClaimPath+"/"+token, true).wantError(t, 404, api.CodeResourceNotFound)
		page := a.claimPost(a.url+admin.ClaimPath+"/"+token, false).wantStatus(t, 404)
		wantClaimHeaders(t, page)
	}
	r := a.send("PUT", rotated.Claim.URL, nil, nil)
	r.wantError(t, 405, api.CodeMethodNotAllowed)
	if r.header.Get("Allow") != "GET, HEAD, POST" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
	a.checkAudit()
}

// A claim link's token is a secret in whatever form a client mangles the link: no log line and
// no answer holds it, and the mangled requests do not use the link up.
func TestClaimTokenNeverReachesLogsNorAnswers(t *testing.T) {
	a := newAdminEnv(t)
	client := a.accountOf(admin.AccountClient, "claire.martin@acme.example")
	issued := ok[admin.IssuedKey](t, a.call("POST", "/accounts/"+client.ID+"/keys", admin.KeyRequest{ClaimLink: true}), 201)
	token := path.Base(issued.Claim.URL)
	for _, tc := range []struct{ method, path string }{
		{"GET", "/claim/" + token + "/x"},
		{"POST", "/claim/" + token + "/x/y"},
		{"GET", "//claim/" + token},
		{"GET", "/claim/" + token + "/."},
		{"GET", "/claim/" + token + "/.."},
		{"GET", "/CLAIM/" + token},
		{"GET", "/Claim/" + token + "/x"},
		{"GET", "/x/../claim/" + token},
		{"GET", api.BasePath + "/claim/" + token},
		{"PUT", "/claim/" + token},
		{"DELETE", "/claim/" + token + "/"},
	} {
		r := a.send(tc.method, a.url+tc.path, nil, nil)
		if r.status < 400 || strings.Contains(string(r.body), token) || strings.Contains(fmt.Sprint(r.header), token) {
			t.Errorf("%s %s: %d, answer %s", tc.method, strings.Replace(tc.path, token, "<token>", 1), r.status, strings.ReplaceAll(string(r.body), token, "<token>"))
		}
	}
	if strings.Contains(a.logs.String(), token) || strings.Contains(a.adminLogs.String(), token) {
		t.Error("the claim token is in the logs")
	}
	got := decode[admin.ClaimedSecret](t, a.claimPost(issued.Claim.URL, true).wantStatus(t, 200))
	if got.ObjectID != issued.APIKey.ID {
		t.Errorf("the link, after mangled requests, revealed %+v", got)
	}
}
