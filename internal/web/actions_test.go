package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/testkit/webtest"
	"github.com/eccs/eccs/internal/web"
)

func TestABillsPreviewShowsItsChargesAsATable(t *testing.T) {
	e := webtest.NewEnv(t, web.Config{})
	c := e.API.Creds
	cookie := e.SignInWithKey(c.APIKeys.Client)
	p := e.Get(cookie, "/contracts/"+c.SampleContractID+"/documents/"+c.SampleDocumentID+"/preview")
	if p.Status != http.StatusOK {
		t.Fatalf("preview: %d", p.Status)
	}
	doc := p.Parse(t)
	if rows := webtest.Elements(doc, "tr"); len(rows) < 2 || len(webtest.Elements(rows[0], "th")) < 5 {
		t.Errorf("the preview has %d rows", len(rows))
	}
}

func TestOnlyAdministratorsOrderAndWithinTheirPerimeter(t *testing.T) {
	e := webtest.NewEnv(t, web.Config{})
	c := e.API.Creds
	order := url.Values{"billingAccountId": {c.BillingAccountID}, "offerCode": {c.OfferCode}, "contractName": {"Web order"},
		"supportLevel": {c.SupportLevel}, "referentName": {"Doe"}, "referentFirstName": {"John"}, "referentMail": {"john.doe@example.com"}}
	if p := e.Post(e.SignInWithKey(c.APIKeys.Client), "/order", order); p.Status != http.StatusForbidden {
		t.Errorf("a client account's order answers %d, want 403", p.Status)
	}
	admin := e.SignInWithKey(c.APIKeys.Administrator)
	p := e.Post(admin, "/order", order)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/order?ordered=OCB") {
		t.Fatalf("an order in the perimeter: %d to %q: %.300s", p.Status, p.Header.Get("Location"), p.Body)
	}
	ordered := strings.TrimPrefix(p.Header.Get("Location"), "/order?ordered=")
	if got := e.Get(admin, "/contracts/"+ordered); got.Status != http.StatusOK {
		t.Errorf("the ordered contract's page answers %d", got.Status)
	}
	order.Set("billingAccountId", "99999999")
	if p := e.Post(admin, "/order", order); p.Status != http.StatusBadRequest || !strings.Contains(string(p.Body), "perimeter") {
		t.Errorf("an order outside the perimeter answers %d: %.300s", p.Status, p.Body)
	}
}

func TestAManagerChangesRolesAndRemovesUsersButNotTheReferent(t *testing.T) {
	e := webtest.NewEnv(t, web.Config{})
	ctx := t.Context()
	id := e.API.Creds.SampleContractID
	u, err := e.API.Svc.AddUser(ctx, id, eccs.NewUser{LastName: "Temp", FirstName: "Tom", Email: "tom@example.com",
		Login: "tom.temporary", Roles: map[string][]string{"contracts": {"visitor"}}})
	if err != nil {
		t.Fatal(err)
	}
	cookie := e.SignInWithKey(e.API.Creds.APIKeys.Administrator)
	base := "/contracts/" + id + "/users/"
	if p := e.Post(cookie, base+u.Identity.ID+"/roles", url.Values{"role-contracts": {"manager"}, "role-documents": {"visitor"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("change roles: %d %.300s", p.Status, p.Body)
	}
	c, _ := e.API.Svc.Contract(ctx, id)
	if p := e.Post(cookie, base+c.Referent.ID+"/remove", url.Values{}); p.Status != http.StatusConflict {
		t.Errorf("removing the referent answers %d, want 409", p.Status)
	}
	if p := e.Post(cookie, base+u.Identity.ID+"/remove", url.Values{}); p.Status != http.StatusSeeOther {
		t.Errorf("remove: %d", p.Status)
	}
	for _, left := range mustUsers(t, e, id) {
		if left.Identity.ID == u.Identity.ID {
			t.Errorf("the removed user is still declared")
		}
	}
}

func TestAnotherAccountsKeyCannotBeRotatedOrRevoked(t *testing.T) {
	e := webtest.NewEnv(t, web.Config{})
	adminAcct, adminKey, err := e.API.Svc.AccountForKey(t.Context(), e.API.Creds.APIKeys.Administrator)
	if err != nil {
		t.Fatal(err)
	}
	cookie := e.SignInWithKey(e.API.Creds.APIKeys.Client)
	for _, action := range []string{"rotate", "revoke"} {
		if p := e.Post(cookie, "/keys/"+adminKey.ID+"/"+action, url.Values{"overlap": {"0"}}); p.Status != http.StatusNotFound {
			t.Errorf("%s another account's key: %d, want 404", action, p.Status)
		}
	}
	if keys, _ := e.API.Svc.OwnAPIKeys(t.Context(), adminAcct); len(keys) != 1 || !keys[0].RevokedAt.IsZero() || keys[0].ReplacedBy != "" {
		t.Errorf("the administrator's keys changed: %+v", keys)
	}
	own := e.Get(cookie, "/keys")
	if strings.Contains(string(own.Body), adminKey.Prefix) {
		t.Errorf("the client's keys page shows the administrator's key")
	}
}
