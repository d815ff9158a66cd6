package eccs_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// wantEvent is an audit event a change must record.
type wantEvent struct{ action, objectType, objectID string }

func TestAuditTrail(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.svc
	ctx := w.ctx

	t.Run("changes made without an actor are the system's", func(t *testing.T) {
		events := w.allEvents()
		// 2 customers, 3 billing accounts, 2 offers, 6 contracts, 3 declarations, 4 accounts,
		// 4 keys, 1 application.
		if len(events) != 25 {
			t.Errorf("the world recorded %d events: %v", len(events), actions(events))
		}
		for _, ev := range events {
			if ev.ActorType != eccs.ActorSystem || ev.ActorID != "system" || ev.ApplicationID != "" || ev.RequestID != "" || !ev.At.Equal(t0) {
				t.Errorf("event %+v", ev)
			}
		}
	})

	// Every secret the test sees, to look for in the trail at the end.
	secrets := []string{w.adminKey, w.carolKey, w.ritaKey, w.daveKey, appSecret}
	keep := func(s ...string) { secrets = append(secrets, s...) }

	opTok, opSecret, err := s.CreateOperatorToken(ctx, "Auditor", 0)
	if err != nil {
		t.Fatal(err)
	}
	keep(opSecret)
	operator := func(req string) eccs.Actor {
		return eccs.Actor{Type: eccs.ActorOperator, ID: opTok.ID, RequestID: req}
	}
	account := func(a eccs.Account, req string) eccs.Actor {
		return eccs.Actor{Type: eccs.ActorAccount, ID: a.ID, ApplicationID: w.app.ID, RequestID: req}
	}

	// State the steps share.
	var (
		ordered        eccs.Contract
		newAcct        eccs.Account
		key1, key2     eccs.APIKey
		keyClaim       eccs.ClaimToken
		rotatedKey     eccs.APIKey
		app2, app3     eccs.Application
		tok2           eccs.OperatorToken
		doc            eccs.Document
		pureClaim      eccs.ClaimToken
		presetOperator eccs.OperatorToken
	)
	csv := []byte("some;bytes\n")

	steps := []struct {
		name  string
		actor eccs.Actor
		call  func(ctx context.Context) error
		want  func() []wantEvent
	}{
		{"create customer", operator("r01"), func(ctx context.Context) error {
			_, err := s.CreateCustomer(ctx, eccs.Customer{ID: "initech", Name: "Initech", Segment: "sme"})
			return err
		}, func() []wantEvent { return []wantEvent{{"customer.create", "customer", "initech"}} }},
		{"update customer", operator("r02"), func(ctx context.Context) error {
			_, err := s.UpdateCustomer(ctx, "initech", eccs.CustomerUpdate{Name: ptr("Initech SA")})
			return err
		}, func() []wantEvent { return []wantEvent{{"customer.update", "customer", "initech"}} }},
		{"create billing account", operator("r03"), func(ctx context.Context) error {
			_, err := s.CreateBillingAccount(ctx, eccs.BillingAccount{ID: "BA9", CustomerID: "initech", Name: "Initech HQ"})
			return err
		}, func() []wantEvent { return []wantEvent{{"billing_account.create", "billing_account", "BA9"}} }},
		{"rename billing account", operator("r04"), func(ctx context.Context) error {
			_, err := s.RenameBillingAccount(ctx, "BA9", "Initech Paris")
			return err
		}, func() []wantEvent { return []wantEvent{{"billing_account.update", "billing_account", "BA9"}} }},
		{"create offer", operator("r05"), func(ctx context.Context) error {
			_, err := s.CreateOffer(ctx, eccs.Offer{ID: "NEW", Name: "New", ContractType: "SAAS", SupportLevels: []string{"BSC"}})
			return err
		}, func() []wantEvent { return []wantEvent{{"offer.create", "offer", "NEW"}} }},
		{"update offer", operator("r06"), func(ctx context.Context) error {
			_, err := s.UpdateOffer(ctx, "NEW", eccs.OfferUpdate{SupportLevels: []string{"BSC", "PRM"}})
			return err
		}, func() []wantEvent { return []wantEvent{{"offer.update", "offer", "NEW"}} }},
		{"create contract with a new referent", operator("r07"), func(ctx context.Context) error {
			_, err := s.CreateContract(ctx, eccs.NewContract{ID: "NEW-1", Name: "New one", OfferID: "NEW", BillingAccountID: "BA9",
				Referent: eccs.Person{LastName: "Lumbergh", FirstName: "Bill", Email: "bill@initech.example"}})
			return err
		}, func() []wantEvent { return []wantEvent{{"contract.create", "contract", "NEW-1"}} }},
		{"update contract", operator("r08"), func(ctx context.Context) error {
			_, err := s.UpdateContract(ctx, "NEW-1", eccs.ContractUpdate{SupportLevel: ptr("PRM")})
			return err
		}, func() []wantEvent { return []wantEvent{{"contract.update", "contract", "NEW-1"}} }},
		{"operator adds a user", operator("r09"), func(ctx context.Context) error {
			_, err := s.AddUser(ctx, "NEW-1", newUser("peter@initech.example", "peter.gibbons", map[string][]string{"documents": {"manager"}}))
			return err
		}, func() []wantEvent { return []wantEvent{{"user.declare", "contract", "NEW-1"}} }},
		{"account declares a user", account(w.carol, "r10"), func(ctx context.Context) error {
			_, err := s.DeclareUser(ctx, declarerOf(t, access(t, w, w.carol, "BA1-FE")), newUser("milton@acme.example", "milton.w", map[string][]string{}))
			return err
		}, func() []wantEvent { return []wantEvent{{"user.declare", "contract", "BA1-FE"}} }},
		{"account orders a contract", account(w.admin, "r11"), func(ctx context.Context) error {
			var err error
			ordered, err = s.OrderContract(ctx, ordererOf(t, w.admin), validOrder())
			return err
		}, func() []wantEvent { return []wantEvent{{"contract.order", "contract", ordered.ID}} }},
		{"set user roles", operator("r12"), func(ctx context.Context) error {
			id := must(w.store.IdentityByEmail(ctx, "peter@initech.example"))(t)
			_, err := s.SetUserRoles(ctx, "NEW-1", id.ID, map[string][]string{"users": {"manager"}})
			return err
		}, func() []wantEvent { return []wantEvent{{"user.roles", "contract", "NEW-1"}} }},
		{"change referent", operator("r13"), func(ctx context.Context) error {
			_, err := s.ChangeReferent(ctx, "NEW-1", "peter@initech.example", false)
			return err
		}, func() []wantEvent { return []wantEvent{{"contract.referent", "contract", "NEW-1"}} }},
		{"remove user", operator("r14"), func(ctx context.Context) error {
			id := must(w.store.IdentityByEmail(ctx, "bill@initech.example"))(t)
			return s.RemoveUser(ctx, "NEW-1", id.ID)
		}, func() []wantEvent { return []wantEvent{{"user.remove", "contract", "NEW-1"}} }},
		{"close contract", operator("r15"), func(ctx context.Context) error {
			_, err := s.CloseContract(ctx, "NEW-1")
			return err
		}, func() []wantEvent { return []wantEvent{{"contract.close", "contract", "NEW-1"}} }},
		{"create account", operator("r16"), func(ctx context.Context) error {
			var err error
			newAcct, err = s.CreateAccount(ctx, eccs.NewAccount{Type: eccs.AccountAdministrator, Person: eccs.Person{LastName: "Lumbergh",
				FirstName: "Bill", Email: "bill@initech.example"}, Perimeter: eccs.Perimeter{BillingAccountIDs: []string{"BA9"}, OfferIDs: []string{"NEW"}}})
			return err
		}, func() []wantEvent { return []wantEvent{{"account.create", "account", newAcct.ID}} }},
		{"set perimeter", operator("r17"), func(ctx context.Context) error {
			_, err := s.SetPerimeter(ctx, newAcct.ID, eccs.Perimeter{BillingAccountIDs: []string{"BA9", "BA1"}, OfferIDs: []string{"NEW"}})
			return err
		}, func() []wantEvent { return []wantEvent{{"account.perimeter", "account", newAcct.ID}} }},
		{"issue key", operator("r18"), func(ctx context.Context) error {
			k, key, err := s.IssueAPIKey(ctx, newAcct.ID, eccs.KeyOptions{})
			key1 = k
			keep(key)
			return err
		}, func() []wantEvent { return []wantEvent{{"api_key.issue", "api_key", key1.ID}} }},
		{"issue key with a claim", operator("r19"), func(ctx context.Context) error {
			var err error
			key2, _, keyClaim, err = s.IssueAPIKeyClaim(ctx, newAcct.ID, eccs.KeyOptions{ClaimTTL: time.Hour})
			keep(keyClaim.Value)
			return err
		}, func() []wantEvent {
			return []wantEvent{{"api_key.issue", "api_key", key2.ID}, {"claim.create", "api_key", key2.ID}}
		}},
		{"reveal the key's claim", eccs.Actor{Type: eccs.ActorSystem, ID: "claim-page", RequestID: "r20"}, func(ctx context.Context) error {
			_, _, secret, err := s.RevealClaim(ctx, keyClaim.Value)
			keep(secret)
			return err
		}, func() []wantEvent { return []wantEvent{{"claim.reveal", "api_key", key2.ID}} }},
		{"rotate key", operator("r21"), func(ctx context.Context) error {
			var key string
			var err error
			rotatedKey, key, _, err = s.RotateAPIKey(ctx, key1.ID, time.Hour, eccs.KeyOptions{})
			keep(key)
			return err
		}, func() []wantEvent {
			return []wantEvent{{"api_key.issue", "api_key", rotatedKey.ID}, {"api_key.rotate", "api_key", key1.ID}}
		}},
		{"revoke key", operator("r22"), func(ctx context.Context) error {
			_, err := s.RevokeAPIKey(ctx, key2.ID)
			return err
		}, func() []wantEvent { return []wantEvent{{"api_key.revoke", "api_key", key2.ID}} }},
		{"key use is not a change", account(w.carol, "r23"), func(ctx context.Context) error {
			_, k, err := s.AccountForKey(ctx, w.carolKey)
			if err != nil {
				return err
			}
			return s.RecordKeyUse(ctx, k, "192.0.2.1")
		}, func() []wantEvent { return nil }},
		{"create application", operator("r24"), func(ctx context.Context) error {
			var secret string
			var err error
			app2, secret, err = s.CreateApplication(ctx, eccs.NewApplication{Name: "Second", Subscription: eccs.SubscriptionApproved})
			keep(secret)
			return err
		}, func() []wantEvent { return []wantEvent{{"application.create", "application", app2.ID}} }},
		{"create application with a claim", operator("r25"), func(ctx context.Context) error {
			var claim eccs.ClaimToken
			var err error
			app3, claim, err = s.CreateApplicationClaim(ctx, eccs.NewApplication{Name: "Third"}, time.Hour)
			keep(claim.Value)
			_, _, secret, rerr := s.RevealClaim(w.ctx, claim.Value) // the reveal is the system's, checked below
			keep(secret)
			return errorsJoin(err, rerr)
		}, func() []wantEvent {
			return []wantEvent{{"application.create", "application", app3.ID}, {"claim.create", "application", app3.ID}}
		}},
		{"set application status", operator("r26"), func(ctx context.Context) error {
			_, err := s.SetApplicationStatus(ctx, app2.ID, eccs.ApplicationBlocked)
			return err
		}, func() []wantEvent { return []wantEvent{{"application.status", "application", app2.ID}} }},
		{"set subscription", operator("r27"), func(ctx context.Context) error {
			_, err := s.SetSubscription(ctx, app2.ID, eccs.SubscriptionSuspended)
			return err
		}, func() []wantEvent { return []wantEvent{{"application.subscription", "application", app2.ID}} }},
		{"accept terms", operator("r28"), func(ctx context.Context) error {
			_, err := s.AcceptTerms(ctx, app2.ID, "dev@partner.example")
			return err
		}, func() []wantEvent { return []wantEvent{{"application.terms", "application", app2.ID}} }},
		{"rotate client secret", operator("r29"), func(ctx context.Context) error {
			_, secret, _, err := s.RotateClientSecret(ctx, app2.ID, time.Hour, 0)
			keep(secret)
			return err
		}, func() []wantEvent { return []wantEvent{{"application.rotate_secret", "application", app2.ID}} }},
		{"rotate client secret with a claim", operator("r30"), func(ctx context.Context) error {
			_, _, claim, err := s.RotateClientSecret(ctx, app2.ID, 0, time.Hour)
			keep(claim.Value)
			return err
		}, func() []wantEvent {
			return []wantEvent{{"application.rotate_secret", "application", app2.ID}, {"claim.create", "application", app2.ID}}
		}},
		{"create operator token", operator("r31"), func(ctx context.Context) error {
			var secret string
			var err error
			tok2, secret, err = s.CreateOperatorToken(ctx, "Second operator", time.Hour)
			keep(secret)
			return err
		}, func() []wantEvent { return []wantEvent{{"operator_token.create", "operator_token", tok2.ID}} }},
		{"revoke operator token", operator("r32"), func(ctx context.Context) error {
			_, err := s.RevokeOperatorToken(ctx, tok2.ID)
			return err
		}, func() []wantEvent { return []wantEvent{{"operator_token.revoke", "operator_token", tok2.ID}} }},
		{"operator authentication is not a change", operator("r33"), func(ctx context.Context) error {
			_, err := s.AuthenticateOperator(ctx, opSecret)
			return err
		}, func() []wantEvent { return nil }},
		{"access token is not a change", account(w.carol, "r34"), func(ctx context.Context) error {
			_, _, err := s.IssueToken(ctx, appClientID, appSecret)
			return err
		}, func() []wantEvent { return nil }},
		{"add document to a closed contract", operator("r35"), func(ctx context.Context) error {
			var err error
			doc, err = s.AddDocument(ctx, eccs.NewDocument{ContractID: "NEW-1", Type: eccs.TypeReports, Period: "202502", Currency: "EUR"},
				bytes.NewReader(csv), int64(len(csv)))
			return err
		}, func() []wantEvent { return []wantEvent{{"document.add", "contract", "NEW-1"}} }},
		{"replace document", operator("r36"), func(ctx context.Context) error {
			_, err := s.ReplaceDocument(ctx, "NEW-1", doc.ID, eccs.DocumentUpdate{}, bytes.NewReader(csv[:4]), 4)
			return err
		}, func() []wantEvent { return []wantEvent{{"document.replace", "contract", "NEW-1"}} }},
		{"delete document", operator("r37"), func(ctx context.Context) error {
			return s.DeleteDocument(ctx, "NEW-1", doc.ID)
		}, func() []wantEvent { return []wantEvent{{"document.delete", "contract", "NEW-1"}} }},
		{"create claim", operator("r38"), func(ctx context.Context) error {
			var err error
			pureClaim, err = s.CreateClaim(ctx, eccs.ClaimClientSecret, app2.ID, "a-secret-handed-over-by-hand-0123456789", time.Hour)
			keep(pureClaim.Value, "a-secret-handed-over-by-hand-0123456789")
			return err
		}, func() []wantEvent { return []wantEvent{{"claim.create", "application", app2.ID}} }},
		{"create preset operator token", eccs.Actor{Type: eccs.ActorSystem, ID: "bootstrap", RequestID: "r39"}, func(ctx context.Context) error {
			preset := "eccsop_" + strings.Repeat("b", 40)
			keep(preset)
			var err error
			presetOperator, err = s.CreatePresetOperatorToken(ctx, "Bootstrap", preset)
			return err
		}, func() []wantEvent { return []wantEvent{{"operator_token.create", "operator_token", presetOperator.ID}} }},
	}

	for i, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			w.clock.Advance(time.Second)
			at := w.clock.Now()
			var err error
			added := w.recorded(t, func() { err = step.call(eccs.WithActor(ctx, step.actor)) })
			if err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			if step.name == "create application with a claim" {
				// The reveal ran without an actor: the system's.
				bySystem := slices.ContainsFunc(added, func(ev eccs.AuditEvent) bool {
					return ev.Action == "claim.reveal" && ev.ObjectID == app3.ID && ev.ActorType == eccs.ActorSystem && ev.ActorID == "system" && ev.RequestID == ""
				})
				if len(added) != 3 || !bySystem {
					t.Fatalf("events %v", actions(added))
				}
				added = slices.DeleteFunc(added, func(ev eccs.AuditEvent) bool { return ev.Action == "claim.reveal" })
			}
			want := step.want()
			got := make([]wantEvent, len(added))
			for j, ev := range added {
				got[j] = wantEvent{ev.Action, ev.ObjectType, ev.ObjectID}
				if ev.ActorType != step.actor.Type || ev.ActorID != step.actor.ID || ev.ApplicationID != step.actor.ApplicationID ||
					ev.RequestID != step.actor.RequestID || !ev.At.Equal(at) || len(ev.ID) != 16 {
					t.Errorf("event %+v, want the actor %+v at %v", ev, step.actor, at)
				}
			}
			less := func(a, b wantEvent) int { return strings.Compare(a.action+a.objectID, b.action+b.objectID) }
			slices.SortFunc(got, less)
			slices.SortFunc(want, less)
			if !slices.Equal(got, want) {
				t.Errorf("recorded %+v, want %+v", got, want)
			}
		})
	}

	t.Run("details say what changed", func(t *testing.T) {
		byAction := map[string]eccs.AuditEvent{}
		for _, ev := range w.allEvents() {
			if _, seen := byAction[ev.Action]; !seen { // the newest of each action
				byAction[ev.Action] = ev
			}
		}
		peter := must(w.store.IdentityByEmail(ctx, "peter@initech.example"))(t)
		bill := must(w.store.IdentityByEmail(ctx, "bill@initech.example"))(t)
		for _, tc := range []struct {
			action string
			want   map[string]string
		}{
			{"customer.update", map[string]string{"name": "Initech SA"}},
			{"billing_account.update", map[string]string{"name": "Initech Paris"}},
			{"contract.update", map[string]string{"supportLevel": "PRM"}},
			{"contract.referent", map[string]string{"referent": peter.ID, "previous": bill.ID, "previousRemoved": "false"}},
			{"user.remove", map[string]string{"identity": bill.ID}},
			{"user.roles", map[string]string{"identity": peter.ID, "users": "manager", "contracts": "visitor"}},
			{"account.perimeter", map[string]string{"billingAccounts": "BA9,BA1", "offers": "NEW"}},
			{"application.status", map[string]string{"from": "active", "to": "blocked"}},
			{"application.subscription", map[string]string{"from": "approved", "to": "suspended"}},
			{"application.terms", map[string]string{"acceptedBy": "dev@partner.example"}},
			{"document.delete", map[string]string{"document": doc.ID, "type": "reports", "sha256": sha(csv[:4])}},
		} {
			ev, ok := byAction[tc.action]
			if !ok {
				t.Errorf("no %s event", tc.action)
				continue
			}
			for k, v := range tc.want {
				if ev.Details[k] != v {
					t.Errorf("%s: details[%s] = %q, want %q (details %v)", tc.action, k, ev.Details[k], v, ev.Details)
				}
			}
		}
	})

	t.Run("no event holds a secret", func(t *testing.T) {
		events := w.allEvents()
		if len(events) < 60 {
			t.Fatalf("only %d events", len(events))
		}
		for _, ev := range events {
			fields := []string{ev.ID, string(ev.ActorType), ev.ActorID, ev.ApplicationID, ev.RequestID, ev.Action, ev.ObjectType, ev.ObjectID}
			for k, v := range ev.Details {
				fields = append(fields, k, v)
			}
			text := strings.Join(fields, "\x00")
			for _, secret := range secrets {
				if secret == "" {
					t.Fatal("an empty secret was kept")
				}
				for _, form := range encodings(secret) {
					if strings.Contains(text, form) {
						t.Errorf("event %s (%s) holds secret %.8s… as %q", ev.ID, ev.Action, secret, form)
					}
				}
			}
		}
		if len(secrets) < 19 {
			t.Errorf("only %d secrets were collected", len(secrets))
		}
	})

	t.Run("the database holds no secret either", func(t *testing.T) {
		w.wantNotInDatabase(t, "Initech Paris", secrets...)
	})

	t.Run("filters", func(t *testing.T) {
		events, total := must2(s.AuditEvents(ctx, eccs.AuditFilter{ObjectType: "contract", ObjectID: "NEW-1"}))(t)
		if total != 10 || len(events) != 10 {
			t.Errorf("events of NEW-1: %v", actions(events))
		}
		for i := 1; i < len(events); i++ {
			if events[i].At.After(events[i-1].At) {
				t.Errorf("not newest first: %v then %v", events[i-1].At, events[i].At)
			}
		}
		byCarol, total := must2(s.AuditEvents(ctx, eccs.AuditFilter{ActorType: eccs.ActorAccount, ActorID: w.carol.ID}))(t)
		if total != 1 || byCarol[0].Action != "user.declare" {
			t.Errorf("events by carol: %v", actions(byCarol))
		}
		window, total := must2(s.AuditEvents(ctx, eccs.AuditFilter{Since: t0.Add(3 * time.Second), Until: t0.Add(5 * time.Second)}))(t)
		if total != 2 || !slices.Equal(actions(window), []string{"billing_account.update", "billing_account.create"}) {
			t.Errorf("events in [3s, 5s): %v", actions(window))
		}
		page, total := must2(s.AuditEvents(ctx, eccs.AuditFilter{Page: eccs.Page{Limit: 2}}))(t)
		if len(page) != 2 || total != len(w.allEvents()) {
			t.Errorf("first page of %d events, total %d", len(page), total)
		}
	})
}

func errorsJoin(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// TestAuditIsPartOfTheChange checks that a change whose audit event cannot be stored is not
// stored either: the event is written in the change's own transaction.
func TestAuditIsPartOfTheChange(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := w.ctx
	failing := func(action string) *eccs.Service {
		return w.serviceOn(failingAudit{Store: w.store, action: action}, nil)
	}
	carolKey := w.keyOf(t, w.carolKey)
	doc := w.addDoc("BA2-FE", eccs.TypeReports, "202501", t0, "the original bytes")
	_, _, claim, err := w.svc.IssueAPIKeyClaim(ctx, w.dave.ID, eccs.KeyOptions{ClaimTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	keysOf := func(acct eccs.Account) int {
		_, n := must2(w.svc.APIKeys(ctx, eccs.KeyQuery{AccountID: acct.ID, IncludeInactive: true}))(t)
		return n
	}

	for _, tc := range []struct {
		action string
		call   func(s *eccs.Service) error
		check  func(t *testing.T)
	}{
		{"customer.create", func(s *eccs.Service) error {
			_, err := s.CreateCustomer(ctx, eccs.Customer{ID: "initech", Name: "Initech", Segment: "sme"})
			return err
		}, func(t *testing.T) {
			if _, err := w.svc.Customer(ctx, "initech"); eccs.ErrorCode(err) != eccs.NotFound {
				t.Errorf("customer stored: %v", err)
			}
		}},
		{"contract.create", func(s *eccs.Service) error {
			_, err := s.CreateContract(ctx, eccs.NewContract{Name: "Unrecorded", OfferID: "FE", BillingAccountID: "BA1",
				Referent: eccs.Person{LastName: "Ghost", FirstName: "Gary", Email: "gary@acme.example"}})
			return err
		}, func(t *testing.T) {
			if list, _ := must2(w.svc.OperatorContracts(ctx, "", "", "", eccs.Page{}))(t); len(list) != 6 {
				t.Errorf("contracts: %v", contractIDs(list))
			}
			if _, err := w.store.IdentityByEmail(ctx, "gary@acme.example"); eccs.ErrorCode(err) != eccs.NotFound {
				t.Errorf("the referent's identity was stored: %v", err)
			}
		}},
		{"contract.close", func(s *eccs.Service) error { _, err := s.CloseContract(ctx, "BA1-FE"); return err }, func(t *testing.T) {
			if c := must(w.svc.Contract(ctx, "BA1-FE"))(t); c.Closed() {
				t.Errorf("the contract was closed")
			}
		}},
		{"user.declare", func(s *eccs.Service) error {
			_, err := s.AddUser(ctx, "BA2-CAV", newUser("ghost@acme.example", "ghost.user", map[string][]string{}))
			return err
		}, func(t *testing.T) {
			if _, err := w.store.IdentityByEmail(ctx, "ghost@acme.example"); eccs.ErrorCode(err) != eccs.NotFound {
				t.Errorf("the identity was stored: %v", err)
			}
		}},
		{"account.create", func(s *eccs.Service) error {
			_, err := s.CreateAccount(ctx, eccs.NewAccount{Type: eccs.AccountClient, Person: eccs.Person{LastName: "Ghost", FirstName: "Gina", Email: "gina@acme.example"}})
			return err
		}, func(t *testing.T) {
			if _, n := must2(w.svc.Accounts(ctx, eccs.Page{}))(t); n != 4 {
				t.Errorf("%d accounts", n)
			}
		}},
		{"claim.create", func(s *eccs.Service) error {
			_, _, _, err := s.IssueAPIKeyClaim(ctx, w.carol.ID, eccs.KeyOptions{ClaimTTL: time.Hour})
			return err
		}, func(t *testing.T) {
			if n := keysOf(w.carol); n != 1 {
				t.Errorf("carol has %d keys", n)
			}
		}},
		{"api_key.rotate", func(s *eccs.Service) error {
			_, _, _, err := s.RotateAPIKey(ctx, carolKey.ID, 0, eccs.KeyOptions{})
			return err
		}, func(t *testing.T) {
			if n := keysOf(w.carol); n != 1 {
				t.Errorf("carol has %d keys", n)
			}
			if _, _, err := w.svc.AccountForKey(ctx, w.carolKey); err != nil {
				t.Errorf("the old key stopped working: %v", err)
			}
		}},
		{"api_key.revoke", func(s *eccs.Service) error { _, err := s.RevokeAPIKey(ctx, carolKey.ID); return err }, func(t *testing.T) {
			if _, _, err := w.svc.AccountForKey(ctx, w.carolKey); err != nil {
				t.Errorf("the key was revoked: %v", err)
			}
		}},
		{"claim.reveal", func(s *eccs.Service) error { _, _, _, err := s.RevealClaim(ctx, claim.Value); return err }, func(t *testing.T) {
			if n := w.count(t, `SELECT count(*) FROM claims`); n != 1 {
				t.Errorf("%d claims left: the failed reveal took it", n)
			}
		}},
		{"application.rotate_secret", func(s *eccs.Service) error {
			_, _, _, err := s.RotateClientSecret(ctx, w.app.ID, 0, 0)
			return err
		}, func(t *testing.T) {
			w.token(w.svc, appClientID, appSecret)
		}},
		{"document.add", func(s *eccs.Service) error {
			_, err := s.AddDocument(ctx, eccs.NewDocument{ContractID: "BA2-FE", Type: eccs.TypeReports, Period: "202502", Currency: "EUR"},
				strings.NewReader("unrecorded"), 10)
			return err
		}, func(t *testing.T) {
			if _, n := must2(w.svc.OperatorDocuments(ctx, "BA2-FE", eccs.Page{}))(t); n != 1 {
				t.Errorf("%d documents", n)
			}
		}},
		{"document.replace", func(s *eccs.Service) error {
			_, err := s.ReplaceDocument(ctx, "BA2-FE", doc.ID, eccs.DocumentUpdate{}, strings.NewReader("unrecorded"), 10)
			return err
		}, func(t *testing.T) {
			if d := must(w.store.Document(ctx, "BA2-FE", doc.ID))(t); d != doc || string(w.blobBytes(doc.BlobKey)) != "the original bytes" {
				t.Errorf("the document changed: %+v", d)
			}
		}},
		{"document.delete", func(s *eccs.Service) error { return s.DeleteDocument(ctx, "BA2-FE", doc.ID) }, func(t *testing.T) {
			if d := must(w.store.Document(ctx, "BA2-FE", doc.ID))(t); d != doc || string(w.blobBytes(doc.BlobKey)) != "the original bytes" {
				t.Errorf("the document changed: %+v", d)
			}
		}},
		{"operator_token.create", func(s *eccs.Service) error { _, _, err := s.CreateOperatorToken(ctx, "Ghost", 0); return err }, func(t *testing.T) {
			if list := must(w.svc.OperatorTokens(ctx))(t); len(list) != 0 {
				t.Errorf("%d operator tokens", len(list))
			}
		}},
	} {
		t.Run(tc.action+" is not stored when its event is not", func(t *testing.T) {
			blobs := w.blobFiles()
			var err error
			if added := w.recorded(t, func() { err = tc.call(failing(tc.action)) }); len(added) != 0 {
				t.Errorf("recorded %v", actions(added))
			}
			if !strings.Contains(fmt.Sprint(err), errAuditDown.Error()) || eccs.ErrorCode(err) != eccs.Internal {
				t.Fatalf("got %v (%s), want the audit's failure as internal", err, eccs.ErrorCode(err))
			}
			tc.check(t)
			if after := w.blobFiles(); !slices.Equal(after, blobs) {
				t.Errorf("blob files before %v, after %v", blobs, after)
			}
		})
	}
}
