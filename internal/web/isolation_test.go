package web_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/testkit/webtest"
	"github.com/eccs/eccs/internal/web"
)

// sameAnswer reports whether two pages are the same answer: status and body, but for the
// path each page echoes in its language switch.
func sameAnswer(a, b webtest.Page, pathA, pathB string) bool {
	bodyA := bytes.ReplaceAll(a.Body, []byte(pathA), nil)
	bodyB := bytes.ReplaceAll(b.Body, []byte(pathB), nil)
	return a.Status == b.Status && bytes.Equal(bodyA, bodyB)
}

func TestAnotherCustomersContractOrDocumentAnswersLikeAnUnknownOne(t *testing.T) {
	e := webtest.NewEnv(t, web.Config{})
	ctx := t.Context()
	cookie := e.SignInWithKey(e.API.Creds.APIKeys.Client)
	hidden := "OCB0000005" // seeded, not the client's
	docs, _, err := e.API.Svc.OperatorDocuments(ctx, hidden, eccs.Page{Limit: 1})
	if err != nil || len(docs) == 0 {
		t.Fatalf("documents of %s: %v %v", hidden, docs, err)
	}
	hiddenDoc := docs[0].ID
	for _, pair := range [][2]string{
		{"/contracts/" + hidden, "/contracts/OCB9999999"},
		{"/contracts/" + hidden + "/documents", "/contracts/OCB9999999/documents"},
		{"/contracts/" + hidden + "/documents/" + hiddenDoc + "/file", "/contracts/OCB9999999/documents/" + hiddenDoc + "/file"},
		{"/contracts/" + hidden + "/documents/" + hiddenDoc + "/preview", "/contracts/OCB9999999/documents/nosuchdocument/preview"},
		{"/contracts/OCB0000001/documents/" + hiddenDoc + "/file", "/contracts/OCB0000001/documents/nosuchdocument/file"},
		{"/contracts/" + hidden + "/users/new", "/contracts/OCB9999999/users/new"},
	} {
		a, b := e.Get(cookie, pair[0]), e.Get(cookie, pair[1])
		if a.Status != http.StatusNotFound || !sameAnswer(a, b, pair[0], pair[1]) {
			t.Errorf("%s answers %d, %s answers %d; want the same 404 page\n%.400s\n%.400s", pair[0], a.Status, pair[1], b.Status, a.Body, b.Body)
		}
	}
	before := len(mustUsers(t, e, hidden))
	form := url.Values{"email": {"x@example.com"}, "lastName": {"X"}, "firstName": {"Y"}, "login": {"xxxxxxxxx"}}
	if p := e.Post(cookie, "/contracts/"+hidden+"/users", form); p.Status != http.StatusNotFound {
		t.Errorf("declaring a user on another customer's contract answers %d, want 404", p.Status)
	}
	if after := len(mustUsers(t, e, hidden)); after != before {
		t.Errorf("the refused declaration changed the users of %s: %d, then %d", hidden, before, after)
	}
}

func mustUsers(t *testing.T, e *webtest.Env, contract string) []eccs.User {
	t.Helper()
	users, err := e.API.Svc.Users(t.Context(), contract)
	if err != nil {
		t.Fatal(err)
	}
	return users
}

func TestACrossOriginPostIsRefusedAndChangesNothing(t *testing.T) {
	e := webtest.NewEnv(t, web.Config{})
	cookie := e.SignInWithKey(e.API.Creds.APIKeys.Client)
	keysBefore := ownKeys(t, e)
	for _, header := range [][]string{
		{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"},
		{"Origin", "https://evil.example", "Sec-Fetch-Site", ""},
		{"Sec-Fetch-Site", "same-site", "Origin", ""},
	} {
		p := e.Post(cookie, "/keys", url.Values{}, header...)
		if p.Status != http.StatusForbidden {
			t.Errorf("POST /keys with %v: %d, want 403", header, p.Status)
		}
		if !strings.Contains(string(p.Body), "another site") {
			t.Errorf("the refusal does not say why: %.300s", p.Body)
		}
	}
	if after := ownKeys(t, e); after != keysBefore {
		t.Errorf("refused POSTs changed the keys: %d, then %d", keysBefore, after)
	}
	if p := e.Post(cookie, "/keys", url.Values{}); p.Status != http.StatusCreated {
		t.Errorf("a same-origin POST /keys answers %d: %.300s", p.Status, p.Body)
	}
}

func ownKeys(t *testing.T, e *webtest.Env) int {
	t.Helper()
	acct, _, err := e.API.Svc.AccountForKey(t.Context(), e.API.Creds.APIKeys.Client)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := e.API.Svc.OwnAPIKeys(t.Context(), acct)
	if err != nil {
		t.Fatal(err)
	}
	return len(keys)
}

func TestAPersonWithoutSessionIsSentToSignInAndComesBack(t *testing.T) {
	e := webtest.NewEnv(t, web.Config{})
	for _, cookie := range []string{"", "unknown-session"} {
		p := e.Get(cookie, "/contracts?q=OCB&page=2")
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/signin?next="+url.QueryEscape("/contracts?q=OCB&page=2") {
			t.Errorf("cookie %q: %d to %q", cookie, p.Status, p.Header.Get("Location"))
		}
		if p := e.Post(cookie, "/keys", url.Values{}); p.Status != http.StatusUnauthorized {
			t.Errorf("cookie %q: POST without a session answers %d, want 401", cookie, p.Status)
		}
	}
}
