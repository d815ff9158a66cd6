package httpapi_test

import (
	"fmt"
	"html"
	"net/http"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/testkit/openapitest"
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

	// GET shows the button and reveals nothing, however often; it says what the link reveals,
	// for whom, on which server and until when.
	var pages []string
	for range 3 {
		page := a.claimGet(link).wantStatus(t, 200)
		wantClaimHeaders(t, page)
		if !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") || !strings.Contains(string(page.body), `<form method="post">`) {
			t.Fatalf("claim page %s", page.body)
		}
		pages = append(pages, string(page.body))
	}
	wantInPage(t, pages[0],
		"an API key for the customer-space account of <strong>Claire Martin</strong> (claire.martin@acme.example), a client account",
		"on the server <code>"+a.url+"</code>",
		`until <time datetime="`+a.clock.Now().Add(24*time.Hour).UTC().Format(time.RFC3339)+`">`,
		"<title>Reveal your API key</title>", "<code>eccs login --claim "+link+" --client-id &lt;your client id&gt;</code>")
	a.send("HEAD", link, nil, nil).wantStatus(t, 200)

	// POST reveals it once.
	r = a.claimPost(link, true).wantStatus(t, 200)
	wantClaimHeaders(t, r)
	got := decode[admin.ClaimedSecret](t, r)
	if got.Kind != "api_key" || got.ObjectID != issued.APIKey.ID || !strings.HasPrefix(got.Secret, issued.APIKey.Prefix) || got.ClientID != "" {
		t.Errorf("claimed %+v", got)
	}
	// Where to use it, and the next command, which holds no secret (eccs login asks for them).
	if got.BaseURL != a.url || got.TokenURL != a.url+api.TokenPath || got.APIBaseURL != a.url+api.BasePath ||
		got.NextCommand != "eccs login --base-url "+a.url+" --client-id <your client id>" {
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
	// Opening the used link answers the same: 404, the page saying so, or the JSON error.
	for _, page := range []response{a.claimGet(link).wantStatus(t, 404), a.send("HEAD", link, nil, nil).wantStatus(t, 404)} {
		wantClaimHeaders(t, page)
		if page.status != 404 || page.header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("used link: %d %s", page.status, page.header.Get("Content-Type"))
		}
	}
	if page := a.claimGet(link); !strings.Contains(string(page.body), "no longer valid") || strings.Contains(string(page.body), "Claire") {
		t.Errorf("used link page %s", page.body)
	}
	a.send("GET", link, nil, map[string]string{"Accept": "application/json"}).wantError(t, 404, api.CodeResourceNotFound)
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
	clientID := html.EscapeString(created.Application.ClientID)
	opened := string(a.claimGet(created.Claim.URL).wantStatus(t, 200).body)
	wantInPage(t, opened,
		"the client secret of the application <strong>&lt;b&gt;Claimed&lt;/b&gt; &amp; co</strong> (client id <code>"+clientID+"</code>)",
		"on the server <code>"+a.url+"</code>",
		`until <time datetime="`+a.clock.Now().Add(2*time.Hour).UTC().Format(time.RFC3339)+`">`,
		"<title>Reveal your client secret</title>")

	page := a.claimPost(created.Claim.URL, false).wantStatus(t, 200)
	wantClaimHeaders(t, page)
	body := string(page.body)
	if !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") || !strings.Contains(body, clientID) ||
		!strings.Contains(body, "client secret") || strings.Contains(body, "<b>") {
		t.Fatalf("reveal page %s", body)
	}
	// What it is, where to use it, and the next command.
	wantInPage(t, body,
		"the client secret of the application <strong>&lt;b&gt;Claimed&lt;/b&gt; &amp; co</strong>",
		"Token URL: <code>"+a.url+"/oauth/v3/token</code>",
		"API base: <code>"+a.url+"/cloud/b2b/v1</code>",
		"eccs login --base-url "+a.url+" --client-id "+clientID+"<")
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
	if got.BaseURL != a.url || got.TokenURL != a.url+api.TokenPath || got.APIBaseURL != a.url+api.BasePath ||
		got.NextCommand != "eccs login --base-url "+a.url+" --client-id "+got.ClientID || strings.Contains(got.NextCommand, got.Secret) {
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
	a.clock.Advance(time.Hour - time.Second)
	a.claimGet(issued.Claim.URL).wantStatus(t, 200) // still valid
	a.clock.Advance(time.Second)
	// Expired: the page says so, as for a used link, and the link stays gone.
	if page := a.claimGet(issued.Claim.URL).wantStatus(t, 404); !strings.Contains(string(page.body), "no longer valid") {
		t.Errorf("expired link page %s", page.body)
	}
	a.send("GET", issued.Claim.URL, nil, map[string]string{"Accept": "application/json"}).wantError(t, 404, api.CodeResourceNotFound)
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
		if opened := a.claimGet(a.url+admin.ClaimPath+"/"+token).wantStatus(t, 404); string(opened.body) != string(page.body) {
			t.Errorf("an unknown link opens to %s, and answers its POST with %s", opened.body, page.body)
		}
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

// wantInPage fails the test unless the page holds every one of the snippets.
func wantInPage(t *testing.T, page string, snippets ...string) {
	t.Helper()
	for _, want := range snippets {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q:\n%s", want, page)
		}
	}
}

// The server a claim page names is the configured public URL, which a TLS-terminating proxy
// hides from the request, and the page names an administrator account as such.
func TestClaimPageNamesThePublicURL(t *testing.T) {
	e := newEnv(t, withConfig(httpapi.Config{PublicURL: "https://api.example.com/"}))
	ctx := t.Context()
	acct, _, err := e.svc.AccountForKey(ctx, e.creds.APIKeys.Administrator)
	if err != nil {
		t.Fatal(err)
	}
	_, _, claim, err := e.svc.IssueAPIKeyClaim(ctx, acct.ID, eccs.KeyOptions{ClaimTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	a := &adminEnv{env: e, client: &http.Client{Transport: openapitest.NewAdmin(t).Transport(t, nil)}}
	link := e.url + admin.ClaimPath + "/" + claim.Value
	wantInPage(t, string(a.claimGet(link).wantStatus(t, 200).body),
		"an administrator account, on the server <code>https://api.example.com</code>",
		"<code>eccs login --claim https://api.example.com/claim/"+claim.Value+" --client-id &lt;your client id&gt;</code>")
	got := ok[admin.ClaimedSecret](t, a.claimPost(link, true), 200)
	if got.BaseURL != "https://api.example.com" || got.TokenURL != "https://api.example.com/oauth/v3/token" ||
		got.APIBaseURL != "https://api.example.com/cloud/b2b/v1" ||
		got.NextCommand != "eccs login --base-url https://api.example.com --client-id <your client id>" {
		t.Errorf("claimed %+v", got)
	}
}

// A program asks what a link reveals before it takes it: GET with Accept: application/json
// tells it, like the page, and uses nothing up.
func TestClaimLinkTellsWhatItRevealsAsJSON(t *testing.T) {
	a := newAdminEnv(t)
	client := a.accountOf(admin.AccountClient, "claire.martin@acme.example")
	issued := ok[admin.IssuedKey](t, a.call("POST", "/accounts/"+client.ID+"/keys", admin.KeyRequest{ClaimLink: true}), 201)
	for range 2 {
		r := a.send("GET", issued.Claim.URL, nil, map[string]string{"Accept": "application/json"}).wantStatus(t, 200)
		info := decode[admin.ClaimInfo](t, r)
		if info.Kind != "api_key" || info.ObjectID != issued.APIKey.ID || info.AccountID != client.ID || info.HolderEmail != "claire.martin@acme.example" ||
			info.BaseURL != a.url || !info.ExpiresAt.Equal(issued.Claim.ExpiresAt) || r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("claim info %+v (%s)", info, r.header.Get("Cache-Control"))
		}
	}
	// The page suggests a command that can finish: a key needs the application's client id.
	if page := a.claimGet(issued.Claim.URL).wantStatus(t, 200); !strings.Contains(string(page.body), "--client-id &lt;your client id&gt;") {
		t.Errorf("the page's eccs login command lacks --client-id:\n%s", page.body)
	}
	if got := decode[admin.ClaimedSecret](t, a.claimPost(issued.Claim.URL, true).wantStatus(t, 200)); got.ObjectID != issued.APIKey.ID {
		t.Errorf("the link, after GETs, revealed %+v", got)
	}
	a.send("GET", issued.Claim.URL, nil, map[string]string{"Accept": "application/json"}).wantError(t, 404, api.CodeResourceNotFound)
}
