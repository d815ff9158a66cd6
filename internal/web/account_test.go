package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

func TestAccountSwitchActsAsAnotherOfThePersonsAccounts(t *testing.T) {
	e := newSignInEnv(t, "")
	email := e.person(testPassword)
	ctx := eccs.WithActor(t.Context(), eccs.Actor{Type: eccs.ActorOperator, ID: "test"})
	admin, err := e.api.Svc.CreateAccount(ctx, eccs.NewAccount{Type: eccs.AccountAdministrator,
		Person: eccs.Person{Civility: "Mrs", LastName: "Martin", FirstName: "Claire", Email: email}, Login: "claire.martin.admin",
		Perimeter: eccs.Perimeter{BillingAccountIDs: []string{"20451001"}, OfferIDs: []string{"FE"}}})
	if err != nil {
		t.Fatal(err)
	}
	person, err := e.api.Svc.PersonByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := e.api.Svc.PersonAccounts(t.Context(), person.ID)
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	e.post(b, "/signin", url.Values{"email": {email}, "password": {testPassword}})
	// A sign-in starts on the person's first account by id, which ids drawn at random make
	// either one: start from the client account.
	for _, a := range accounts {
		if a.Type == eccs.AccountClient {
			e.post(b, "/account/switch", url.Values{"account": {a.ID}})
		}
	}
	if resp := e.get(b, "/order"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("/order as the client account: status %d, want 403", resp.StatusCode)
	}
	if page := body(t, e.get(b, "/account")); !strings.Contains(page, `value="`+admin.ID+`"`) {
		t.Fatalf("/account does not offer the administrator account %s", admin.ID)
	}
	if resp := e.post(b, "/account/switch", url.Values{"account": {admin.ID}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch: status %d", resp.StatusCode)
	}
	if resp := e.get(b, "/order"); resp.StatusCode != http.StatusOK {
		t.Errorf("/order as the administrator account: status %d, want 200", resp.StatusCode)
	}
	other, _, err := e.api.Svc.AccountForKey(t.Context(), e.api.Creds.APIKeys.Administrator)
	if err != nil {
		t.Fatal(err)
	}
	if resp := e.post(b, "/account/switch", url.Values{"account": {other.ID}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("switch to another person's account: status %d, want 403", resp.StatusCode)
	}
}

func TestPreferredLanguageIsSavedForMailsAndPages(t *testing.T) {
	e := newSignInEnv(t, "")
	email := e.person(testPassword)
	b := newBrowser(t)
	e.post(b, "/signin", url.Values{"email": {email}, "password": {testPassword}})
	if resp := e.post(b, "/account/language", url.Values{"lang": {"fr"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save the language: status %d", resp.StatusCode)
	}
	person, err := e.api.Svc.PersonByEmail(t.Context(), email)
	if err != nil || person.Language != "fr" {
		t.Errorf("the person's language = %q, %v; want fr", person.Language, err)
	}
	if page := body(t, e.get(b, "/account")); !strings.Contains(page, `<html lang="fr">`) {
		t.Error("/account is not in French after choosing French")
	}
}
