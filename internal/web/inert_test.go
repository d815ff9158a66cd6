package web_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/testkit/apitest"
	"github.com/eccs/eccs/internal/testkit/webtest"
	"github.com/eccs/eccs/internal/web"
)

// hostile is markup and script that a field may hold: shown on a page, it must stay text.
const hostile = `<script>alert(1)</script><img src=x onerror=alert(2)>"'><svg onload=alert(3)>`

func TestMarkupInEveryShownFieldStaysInert(t *testing.T) {
	e := webtest.NewEnv(t, web.Config{})
	ctx := t.Context()
	id := e.API.Creds.SampleContractID
	name := "Contract " + hostile
	c, err := e.API.Svc.UpdateContract(ctx, id, eccs.ContractUpdate{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	customer := "Customer " + hostile
	if _, err := e.API.Svc.UpdateCustomer(ctx, c.CustomerID, eccs.CustomerUpdate{Name: &customer}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.API.Svc.AddUser(ctx, id, eccs.NewUser{LastName: "Last " + hostile, FirstName: "First " + hostile,
		Email: "hostile@example.com", Login: "hostile.user", Roles: map[string][]string{"contracts": {"visitor"}}}); err != nil {
		t.Fatal(err)
	}
	file := apitest.GeneratedFile(t, "comsumptionRatedReports", id, "202401", "inert")
	if _, err := e.API.Svc.AddDocument(ctx, eccs.NewDocument{ContractID: id, Type: eccs.TypeConsumptionRatedReports,
		Filename: "report <img src=x onerror=alert(4)><b onmouseover=alert(5)>.csv", Period: "202401", Amount: 1, Currency: "EUR"},
		bytes.NewReader(file), int64(len(file))); err != nil {
		t.Fatal(err)
	}
	cookie := e.SignInWithKey(e.API.Creds.APIKeys.Administrator)
	for _, path := range []string{"/contracts", "/contracts?q=" + id, "/contracts/" + id, "/contracts/" + id + "/documents?period=202401",
		"/documents?period=202401", "/contracts?q=%3Cscript%3E"} {
		p := e.Get(cookie, path)
		if p.Status != http.StatusOK {
			t.Fatalf("%s: %d", path, p.Status)
		}
		doc := p.Parse(t)
		for _, tag := range []string{"script", "img", "svg"} {
			for _, n := range webtest.Elements(doc, tag) {
				if tag != "img" || webtest.Attr(n, "src") != "/assets/logo" {
					t.Errorf("%s: an injected <%s> element", path, tag)
				}
			}
		}
		for _, n := range webtest.FindAll(doc, func(n *html.Node) bool { return n.Type == html.ElementNode }) {
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") {
					t.Errorf("%s: <%s> has an injected %s attribute", path, n.Data, a.Key)
				}
			}
		}
		text := webtest.Text(doc)
		shown := strings.Contains(text, "<script>alert(1)</script>") || strings.Contains(text, "<b onmouseover=alert(5)>")
		if path != "/contracts?q=%3Cscript%3E" && !shown {
			t.Errorf("%s: the hostile text is not shown as text", path)
		}
	}
}

func TestAKeyIsShownOnceOnTheAnswerThatIssuesItAndNeverAgain(t *testing.T) {
	e := webtest.NewEnv(t, web.Config{})
	cookie := e.SignInWithKey(e.API.Creds.APIKeys.Client)
	p := e.Post(cookie, "/keys", nil)
	if p.Status != http.StatusCreated {
		t.Fatalf("POST /keys: %d", p.Status)
	}
	secrets := webtest.FindAll(p.Parse(t), func(n *html.Node) bool { return webtest.Attr(n, "class") == "secret" })
	if len(secrets) != 1 || !strings.HasPrefix(webtest.Text(secrets[0]), "eccs_") {
		t.Fatalf("the answer shows %d secrets", len(secrets))
	}
	secret := webtest.Text(secrets[0])
	if _, _, err := e.API.Svc.AccountForKey(t.Context(), secret); err != nil {
		t.Errorf("the shown key does not work: %v", err)
	}
	if later := e.Get(cookie, "/keys"); bytes.Contains(later.Body, []byte(secret)) || later.Status != http.StatusOK {
		t.Errorf("GET /keys (%d) shows the key again", later.Status)
	}
	if strings.Contains(e.API.Logs.String(), secret) {
		t.Errorf("the logs hold the issued key")
	}
	if p.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("the answer with the key may be cached: Cache-Control %q", p.Header.Get("Cache-Control"))
	}
}
