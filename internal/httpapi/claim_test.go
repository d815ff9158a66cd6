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
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/testkit/apitest"
)

// claimGet opens a claim link as a browser (or a link previewer) would.
func claimGet(a *apitest.AdminEnv, link string) apitest.Response {
	a.T.Helper()
	return a.Send("GET", link, nil, map[string]string{"Accept": "text/html"})
}

// claimPost presses the button of a claim page; json asks for the JSON answer.
func claimPost(a *apitest.AdminEnv, link string, json bool) apitest.Response {
	a.T.Helper()
	accept := "text/html,application/xhtml+xml"
	if json {
		accept = "application/json"
	}
	return a.Send("POST", link, strings.NewReader(""), map[string]string{"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
}

// wantClaimHeaders checks the headers of every claim answer that may hold a secret.
func wantClaimHeaders(t *testing.T, r apitest.Response) {
	t.Helper()
	if r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("Cache-Control %q, Referrer-Policy %q", r.Header.Get("Cache-Control"), r.Header.Get("Referrer-Policy"))
	}
}

func TestClaimLinkRevealsAnAPIKeyOnce(t *testing.T) {
	a := apitest.NewAdminEnv(t)
	client := a.AccountOf(admin.AccountClient, "claire.martin@acme.example")
	r := a.Call("POST", "/accounts/"+client.ID+"/keys", admin.KeyRequest{ClaimLink: true})
	issued := apitest.OK[admin.IssuedKey](t, r, 201)
	if r.Header.Get("Cache-Control") != "no-store" || issued.Key != "" || issued.Claim == nil {
		t.Fatalf("issued %s", r.Body)
	}
	if !strings.HasPrefix(issued.Claim.URL, a.URL+admin.ClaimPath+"/") || !issued.Claim.ExpiresAt.Equal(a.Clock.Now().Add(24*time.Hour).Truncate(time.Second)) {
		t.Errorf("claim %+v, want a link on %s valid 24h", issued.Claim, a.URL)
	}
	link := issued.Claim.URL

	// GET shows the button and reveals nothing, however often; it says what the link reveals,
	// for whom, on which server and until when.
	var pages []string
	for range 3 {
		page := claimGet(a, link).WantStatus(t, 200)
		wantClaimHeaders(t, page)
		if !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(page.Body), `<form method="post">`) {
			t.Fatalf("claim page %s", page.Body)
		}
		pages = append(pages, string(page.Body))
	}
	wantInPage(t, pages[0],
		"an API key for the customer-space account of <strong>Claire Martin</strong> (claire.martin@acme.example), a client account",
		"on the server <code>"+a.URL+"</code>",
		`until <time datetime="`+a.Clock.Now().Add(24*time.Hour).UTC().Format(time.RFC3339)+`">`,
		"<title>Reveal your API key</title>", "<code>eccs login --claim "+link+" --client-id &lt;your client id&gt;</code>")
	a.Send("HEAD", link, nil, nil).WantStatus(t, 200)

	claimReveal(t, a, link, issued, pages)

	// Neither server logged the token of the link.
	token := path.Base(link)
	if strings.Contains(a.Logs.String(), token) || strings.Contains(a.AdminLogs.String(), token) {
		t.Error("the claim token is in the logs")
	}
	a.CheckAudit()
}

// claimReveal checks that POST on link reveals the key issued once, what the used link answers
// then, and that the revealed key works; pages are the claim pages shown before.
func claimReveal(t *testing.T, a *apitest.AdminEnv, link string, issued admin.IssuedKey, pages []string) {
	// POST reveals it once.
	r := claimPost(a, link, true).WantStatus(t, 200)
	wantClaimHeaders(t, r)
	got := apitest.Decode[admin.ClaimedSecret](t, r)
	if got.Kind != "api_key" || got.ObjectID != issued.APIKey.ID || !strings.HasPrefix(got.Secret, issued.APIKey.Prefix) || got.ClientID != "" {
		t.Errorf("claimed %+v", got)
	}
	// Where to use it, and the next command, which holds no secret (eccs login asks for them).
	if got.BaseURL != a.URL || got.TokenURL != a.URL+api.TokenPath || got.APIBaseURL != a.URL+api.BasePath ||
		got.NextCommand != "eccs login --base-url "+a.URL+" --client-id <your client id>" {
		t.Errorf("claimed %+v", got)
	}
	for _, p := range pages {
		if strings.Contains(p, got.Secret) {
			t.Error("the claim page shows the secret")
		}
	}
	claimPost(a, link, true).WantError(t, 404, api.CodeResourceNotFound)
	gone := claimPost(a, link, false).WantStatus(t, 404)
	if !strings.Contains(string(gone.Body), "no longer valid") || strings.Contains(string(gone.Body), got.Secret) {
		t.Errorf("used link page %s", gone.Body)
	}
	// Opening the used link answers the same: 404, the page saying so, or the JSON error.
	for _, page := range []apitest.Response{claimGet(a, link).WantStatus(t, 404), a.Send("HEAD", link, nil, nil).WantStatus(t, 404)} {
		wantClaimHeaders(t, page)
		if page.Status != 404 || page.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("used link: %d %s", page.Status, page.Header.Get("Content-Type"))
		}
	}
	if page := claimGet(a, link); !strings.Contains(string(page.Body), "no longer valid") || strings.Contains(string(page.Body), "Claire") {
		t.Errorf("used link page %s", page.Body)
	}
	a.Send("GET", link, nil, map[string]string{"Accept": "application/json"}).WantError(t, 404, api.CodeResourceNotFound)
	// The revealed key works.
	a.Env.Call("GET", "/contracts", a.Env.Token(), got.Secret, "", "").WantStatus(t, 200)
}

func TestClaimLinkRevealsAClientSecretInAPage(t *testing.T) {
	a := apitest.NewAdminEnv(t)
	r := a.Call("POST", "/applications", admin.NewApplication{Name: "<b>Claimed</b> & co", Subscription: admin.SubscriptionApproved, ClaimLink: true, ClaimTTL: "2h"})
	created := apitest.OK[admin.IssuedApplication](t, r, 201)
	if created.ClientSecret != "" || created.Claim == nil || !created.Claim.ExpiresAt.Equal(a.Clock.Now().Add(2*time.Hour).Truncate(time.Second)) {
		t.Fatalf("created %s", r.Body)
	}
	clientID := html.EscapeString(created.Application.ClientID)
	opened := string(claimGet(a, created.Claim.URL).WantStatus(t, 200).Body)
	wantInPage(t, opened,
		"the client secret of the application <strong>&lt;b&gt;Claimed&lt;/b&gt; &amp; co</strong> (client id <code>"+clientID+"</code>)",
		"on the server <code>"+a.URL+"</code>",
		`until <time datetime="`+a.Clock.Now().Add(2*time.Hour).UTC().Format(time.RFC3339)+`">`,
		"<title>Reveal your client secret</title>")

	page := claimPost(a, created.Claim.URL, false).WantStatus(t, 200)
	wantClaimHeaders(t, page)
	body := string(page.Body)
	if !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, clientID) ||
		!strings.Contains(body, "client secret") || strings.Contains(body, "<b>") {
		t.Fatalf("reveal page %s", body)
	}
	// What it is, where to use it, and the next command.
	wantInPage(t, body,
		"the client secret of the application <strong>&lt;b&gt;Claimed&lt;/b&gt; &amp; co</strong>",
		"Token URL: <code>"+a.URL+"/oauth/v3/token</code>",
		"API base: <code>"+a.URL+"/cloud/b2b/v1</code>",
		"eccs login --base-url "+a.URL+" --client-id "+clientID+"<")
	// The secret is the text of the block after "Client secret:".
	_, after, _ := strings.Cut(body, "Client secret:</p>\n<p class=\"secret\">")
	secret, _, _ := strings.Cut(after, "</p>")
	if len(secret) < 32 {
		t.Fatalf("no secret in %s", body)
	}
	a.Remember(secret)
	claimPost(a, created.Claim.URL, false).WantStatus(t, 404)

	a.Call("POST", "/applications/"+created.Application.ID+"/terms", admin.TermsAcceptance{AcceptedBy: "dev@acme.example"}).WantStatus(t, 200)
	a.Env.Call("GET", "/contracts", a.Env.Token(created.Application.ClientID, secret), a.Creds.APIKeys.Client, "", "").WantStatus(t, 200)

	// A rotated secret through a link, in JSON with the client id.
	rot := apitest.OK[admin.IssuedApplication](t, a.Call("POST", "/applications/"+created.Application.ID+"/rotate-secret", admin.SecretRotation{ClaimLink: true}), 200)
	if rot.ClientSecret != "" || rot.Claim == nil {
		t.Fatalf("rotation %+v", rot)
	}
	got := apitest.OK[admin.ClaimedSecret](t, claimPost(a, rot.Claim.URL, true), 200)
	if got.Kind != "client_secret" || got.ObjectID != created.Application.ID || got.ClientID != created.Application.ClientID || got.Secret == secret {
		t.Errorf("claimed %+v", got)
	}
	if got.BaseURL != a.URL || got.TokenURL != a.URL+api.TokenPath || got.APIBaseURL != a.URL+api.BasePath ||
		got.NextCommand != "eccs login --base-url "+a.URL+" --client-id "+got.ClientID || strings.Contains(got.NextCommand, got.Secret) {
		t.Errorf("claimed %+v", got)
	}
	a.Env.Token(got.ClientID, got.Secret)
	a.TokenRefused(got.ClientID, secret)
	a.CheckAudit()
}

func TestClaimLinkExpires(t *testing.T) {
	a := apitest.NewAdminEnv(t)
	client := a.AccountOf(admin.AccountClient, "claire.martin@acme.example")
	issued := a.IssueKey(client.ID, admin.KeyRequest{ClaimLink: true, ClaimTTL: "1h"})
	// A rotation can send its key through a link too.
	rotated := apitest.OK[admin.IssuedKey](t, a.Call("POST", "/keys/"+issued.APIKey.ID+"/rotate", admin.KeyRotation{Overlap: "2h", KeyRequest: admin.KeyRequest{ClaimLink: true}}), 201)
	if rotated.Key != "" || rotated.Claim == nil {
		t.Fatalf("rotated %+v", rotated)
	}
	a.Clock.Advance(time.Hour - time.Second)
	claimGet(a, issued.Claim.URL).WantStatus(t, 200) // still valid
	a.Clock.Advance(time.Second)
	// Expired: the page says so, as for a used link, and the link stays gone.
	if page := claimGet(a, issued.Claim.URL).WantStatus(t, 404); !strings.Contains(string(page.Body), "no longer valid") {
		t.Errorf("expired link page %s", page.Body)
	}
	a.Send("GET", issued.Claim.URL, nil, map[string]string{"Accept": "application/json"}).WantError(t, 404, api.CodeResourceNotFound)
	claimPost(a, issued.Claim.URL, true).WantError(t, 404, api.CodeResourceNotFound)
	claimPost(a, issued.Claim.URL, true).WantError(t, 404, api.CodeResourceNotFound)
	got := apitest.OK[admin.ClaimedSecret](t, claimPost(a, rotated.Claim.URL, true), 200)
	if got.ObjectID != rotated.APIKey.ID {
		t.Errorf("claimed %+v", got)
	}
	for _, token := range []string{"nosuchtoken", strings.Repeat("a", 43), strings.Repeat("é", 200)} {
		claimPost(a, a.URL+admin.ClaimPath+"/"+token, true).WantError(t, 404, api.CodeResourceNotFound)
		page := claimPost(a, a.URL+admin.ClaimPath+"/"+token, false).WantStatus(t, 404)
		wantClaimHeaders(t, page)
		if opened := claimGet(a, a.URL+admin.ClaimPath+"/"+token).WantStatus(t, 404); string(opened.Body) != string(page.Body) {
			t.Errorf("an unknown link opens to %s, and answers its POST with %s", opened.Body, page.Body)
		}
	}
	r := a.Send("PUT", rotated.Claim.URL, nil, nil)
	r.WantError(t, 405, api.CodeMethodNotAllowed)
	if r.Header.Get("Allow") != "GET, HEAD, POST" {
		t.Errorf("Allow %q", r.Header.Get("Allow"))
	}
	a.CheckAudit()
}

// A claim link's token is a secret in whatever form a client mangles the link: no log line and
// no answer holds it, and the mangled requests do not use the link up.
func TestClaimTokenNeverReachesLogsNorAnswers(t *testing.T) {
	a := apitest.NewAdminEnv(t)
	client := a.AccountOf(admin.AccountClient, "claire.martin@acme.example")
	issued := apitest.OK[admin.IssuedKey](t, a.Call("POST", "/accounts/"+client.ID+"/keys", admin.KeyRequest{ClaimLink: true}), 201)
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
		r := a.Send(tc.method, a.URL+tc.path, nil, nil)
		if r.Status < 400 || strings.Contains(string(r.Body), token) || strings.Contains(fmt.Sprint(r.Header), token) {
			t.Errorf("%s %s: %d, answer %s", tc.method, strings.Replace(tc.path, token, "<token>", 1), r.Status, strings.ReplaceAll(string(r.Body), token, "<token>"))
		}
	}
	if strings.Contains(a.Logs.String(), token) || strings.Contains(a.AdminLogs.String(), token) {
		t.Error("the claim token is in the logs")
	}
	got := apitest.Decode[admin.ClaimedSecret](t, claimPost(a, issued.Claim.URL, true).WantStatus(t, 200))
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
	e := apitest.NewEnv(t, apitest.WithConfig(httpapi.Config{PublicURL: "https://api.example.com/"}))
	ctx := t.Context()
	acct, _, err := e.Svc.AccountForKey(ctx, e.Creds.APIKeys.Administrator)
	if err != nil {
		t.Fatal(err)
	}
	_, _, claim, err := e.Svc.IssueAPIKeyClaim(ctx, acct.ID, eccs.KeyOptions{ClaimTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	a := apitest.NewAdminSender(e)
	link := e.URL + admin.ClaimPath + "/" + claim.Value
	wantInPage(t, string(claimGet(a, link).WantStatus(t, 200).Body),
		"an administrator account, on the server <code>https://api.example.com</code>",
		"<code>eccs login --claim https://api.example.com/claim/"+claim.Value+" --client-id &lt;your client id&gt;</code>")
	got := apitest.OK[admin.ClaimedSecret](t, claimPost(a, link, true), 200)
	if got.BaseURL != "https://api.example.com" || got.TokenURL != "https://api.example.com/oauth/v3/token" ||
		got.APIBaseURL != "https://api.example.com/cloud/b2b/v1" ||
		got.NextCommand != "eccs login --base-url https://api.example.com --client-id <your client id>" {
		t.Errorf("claimed %+v", got)
	}
}

// A program asks what a link reveals before it takes it: GET with Accept: application/json
// tells it, like the page, and uses nothing up.
func TestClaimLinkTellsWhatItRevealsAsJSON(t *testing.T) {
	a := apitest.NewAdminEnv(t)
	client := a.AccountOf(admin.AccountClient, "claire.martin@acme.example")
	issued := apitest.OK[admin.IssuedKey](t, a.Call("POST", "/accounts/"+client.ID+"/keys", admin.KeyRequest{ClaimLink: true}), 201)
	for range 2 {
		r := a.Send("GET", issued.Claim.URL, nil, map[string]string{"Accept": "application/json"}).WantStatus(t, 200)
		info := apitest.Decode[admin.ClaimInfo](t, r)
		if info.Kind != "api_key" || info.ObjectID != issued.APIKey.ID || info.AccountID != client.ID || info.HolderEmail != "claire.martin@acme.example" ||
			info.BaseURL != a.URL || !info.ExpiresAt.Equal(issued.Claim.ExpiresAt) || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("claim info %+v (%s)", info, r.Header.Get("Cache-Control"))
		}
	}
	// The page suggests a command that can finish: a key needs the application's client id.
	if page := claimGet(a, issued.Claim.URL).WantStatus(t, 200); !strings.Contains(string(page.Body), "--client-id &lt;your client id&gt;") {
		t.Errorf("the page's eccs login command lacks --client-id:\n%s", page.Body)
	}
	if got := apitest.Decode[admin.ClaimedSecret](t, claimPost(a, issued.Claim.URL, true).WantStatus(t, 200)); got.ObjectID != issued.APIKey.ID {
		t.Errorf("the link, after GETs, revealed %+v", got)
	}
	a.Send("GET", issued.Claim.URL, nil, map[string]string{"Accept": "application/json"}).WantError(t, 404, api.CodeResourceNotFound)
}
