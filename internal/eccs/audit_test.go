package eccs_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// wantEvent is an audit event a change must record.
type wantEvent struct{ action, objectType, objectID string }

// TestAuditTrail makes every kind of change once, in order, each by a known actor one second
// after the last, and checks the events each records; then that the trail says what changed,
// holds no secret, and can be filtered.
func TestAuditTrail(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	t.Run("changes made without an actor are the system's", func(t *testing.T) { wantWorldRecordedBySystem(t, w) })

	r := newAuditRun(t, w)
	for i, step := range r.steps() {
		t.Run(step.name, func(t *testing.T) { r.runStep(t, i, step) })
	}
	t.Run("details say what changed", r.wantDetails)
	t.Run("no event holds a secret", r.wantNoSecretInEvents)
	t.Run("the database holds no secret either", func(t *testing.T) {
		w.wantNotInDatabase(t, "Initech Paris", r.secrets...)
	})
	t.Run("filters", r.wantFilters)
}

// wantWorldRecordedBySystem checks the events of newWorld's set-up, made without an actor.
func wantWorldRecordedBySystem(t *testing.T, w *world) {
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
}

// auditStep is one change of TestAuditTrail: call, made by actor, must record the events want
// returns (a function: the ids are known once the call has run).
type auditStep struct {
	name  string
	actor eccs.Actor
	call  func(ctx context.Context) error
	want  func() []wantEvent
}

// auditRun is what the steps of TestAuditTrail share: the operator token they act with, the
// objects earlier steps made, and every secret seen, to look for in the trail at the end.
type auditRun struct {
	t        *testing.T // TestAuditTrail's own
	w        *world
	s        *eccs.Service
	secrets  []string
	opTok    eccs.OperatorToken
	opSecret string

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
}

// auditCSV is the content of the document the steps add and replace.
var auditCSV = []byte("some;bytes\n")

func newAuditRun(t *testing.T, w *world) *auditRun {
	r := &auditRun{t: t, w: w, s: w.svc, secrets: []string{w.adminKey, w.carolKey, w.ritaKey, w.daveKey, appSecret}}
	var err error
	r.opTok, r.opSecret, err = r.s.CreateOperatorToken(w.ctx, "Auditor", 0)
	if err != nil {
		t.Fatal(err)
	}
	r.keep(r.opSecret)
	return r
}

func (r *auditRun) keep(s ...string) { r.secrets = append(r.secrets, s...) }

func (r *auditRun) operator(req string) eccs.Actor {
	return eccs.Actor{Type: eccs.ActorOperator, ID: r.opTok.ID, RequestID: req}
}

func (r *auditRun) account(a eccs.Account, req string) eccs.Actor {
	return eccs.Actor{Type: eccs.ActorAccount, ID: a.ID, ApplicationID: r.w.app.ID, RequestID: req}
}

// steps returns every step, in the order they run: later steps use what earlier ones made.
func (r *auditRun) steps() []auditStep {
	return slices.Concat(r.catalogSteps(), r.contractSteps(), r.accountAndKeySteps(), r.applicationSteps(),
		r.operatorAndDocumentSteps())
}

func (r *auditRun) catalogSteps() []auditStep {
	s, op := r.s, r.operator
	return []auditStep{
		{"create customer", op("r01"), func(ctx context.Context) error {
			_, err := s.CreateCustomer(ctx, eccs.Customer{ID: "initech", Name: "Initech", Segment: "sme"})
			return err
		}, func() []wantEvent { return []wantEvent{{"customer.create", "customer", "initech"}} }},
		{"update customer", op("r02"), func(ctx context.Context) error {
			_, err := s.UpdateCustomer(ctx, "initech", eccs.CustomerUpdate{Name: ptr("Initech SA")})
			return err
		}, func() []wantEvent { return []wantEvent{{"customer.update", "customer", "initech"}} }},
		{"create billing account", op("r03"), func(ctx context.Context) error {
			_, err := s.CreateBillingAccount(ctx, eccs.BillingAccount{ID: "BA9", CustomerID: "initech", Name: "Initech HQ"})
			return err
		}, func() []wantEvent { return []wantEvent{{"billing_account.create", "billing_account", "BA9"}} }},
		{"rename billing account", op("r04"), func(ctx context.Context) error {
			_, err := s.RenameBillingAccount(ctx, "BA9", "Initech Paris")
			return err
		}, func() []wantEvent { return []wantEvent{{"billing_account.update", "billing_account", "BA9"}} }},
		{"create offer", op("r05"), func(ctx context.Context) error {
			_, err := s.CreateOffer(ctx, eccs.Offer{ID: "NEW", Name: "New", ContractType: "SAAS", SupportLevels: []string{"BSC"}})
			return err
		}, func() []wantEvent { return []wantEvent{{"offer.create", "offer", "NEW"}} }},
		{"update offer", op("r06"), func(ctx context.Context) error {
			_, err := s.UpdateOffer(ctx, "NEW", eccs.OfferUpdate{SupportLevels: []string{"BSC", "PRM"}})
			return err
		}, func() []wantEvent { return []wantEvent{{"offer.update", "offer", "NEW"}} }},
	}
}

func (r *auditRun) contractSteps() []auditStep {
	t, w, s, op := r.t, r.w, r.s, r.operator
	return []auditStep{
		{"create contract with a new referent", op("r07"), func(ctx context.Context) error {
			_, err := s.CreateContract(ctx, eccs.NewContract{ID: "NEW-1", Name: "New one", OfferID: "NEW", BillingAccountID: "BA9",
				Referent: eccs.Person{LastName: "Lumbergh", FirstName: "Bill", Email: "bill@initech.example"}})
			return err
		}, func() []wantEvent { return []wantEvent{{"contract.create", "contract", "NEW-1"}} }},
		{"update contract", op("r08"), func(ctx context.Context) error {
			_, err := s.UpdateContract(ctx, "NEW-1", eccs.ContractUpdate{SupportLevel: ptr("PRM")})
			return err
		}, func() []wantEvent { return []wantEvent{{"contract.update", "contract", "NEW-1"}} }},
		{"operator adds a user", op("r09"), func(ctx context.Context) error {
			_, err := s.AddUser(ctx, "NEW-1", newUser("peter@initech.example", "peter.gibbons", map[string][]string{"documents": {"manager"}}))
			return err
		}, func() []wantEvent { return []wantEvent{{"user.declare", "contract", "NEW-1"}} }},
		{"account declares a user", r.account(w.carol, "r10"), func(ctx context.Context) error {
			_, err := s.DeclareUser(ctx, declarerOf(t, access(t, w, w.carol, "BA1-FE")), newUser("milton@acme.example", "milton.w", map[string][]string{}))
			return err
		}, func() []wantEvent { return []wantEvent{{"user.declare", "contract", "BA1-FE"}} }},
		{"account orders a contract", r.account(w.admin, "r11"), func(ctx context.Context) error {
			var err error
			r.ordered, err = s.OrderContract(ctx, ordererOf(t, w.admin), validOrder())
			return err
		}, func() []wantEvent { return []wantEvent{{"contract.order", "contract", r.ordered.ID}} }},
		{"set user roles", op("r12"), func(ctx context.Context) error {
			id := must(w.store.IdentityByEmail(ctx, "peter@initech.example"))(t)
			_, err := s.SetUserRoles(ctx, "NEW-1", id.ID, map[string][]string{"users": {"manager"}})
			return err
		}, func() []wantEvent { return []wantEvent{{"user.roles", "contract", "NEW-1"}} }},
		{"change referent", op("r13"), func(ctx context.Context) error {
			_, err := s.ChangeReferent(ctx, "NEW-1", "peter@initech.example", false)
			return err
		}, func() []wantEvent { return []wantEvent{{"contract.referent", "contract", "NEW-1"}} }},
		{"remove user", op("r14"), func(ctx context.Context) error {
			id := must(w.store.IdentityByEmail(ctx, "bill@initech.example"))(t)
			return s.RemoveUser(ctx, "NEW-1", id.ID)
		}, func() []wantEvent { return []wantEvent{{"user.remove", "contract", "NEW-1"}} }},
		{"close contract", op("r15"), func(ctx context.Context) error {
			_, err := s.CloseContract(ctx, "NEW-1")
			return err
		}, func() []wantEvent { return []wantEvent{{"contract.close", "contract", "NEW-1"}} }},
	}
}

func (r *auditRun) accountAndKeySteps() []auditStep {
	w, s, op := r.w, r.s, r.operator
	return []auditStep{
		{"create account", op("r16"), func(ctx context.Context) error {
			var err error
			r.newAcct, err = s.CreateAccount(ctx, eccs.NewAccount{Type: eccs.AccountAdministrator, Person: eccs.Person{LastName: "Lumbergh",
				FirstName: "Bill", Email: "bill@initech.example"}, Perimeter: eccs.Perimeter{BillingAccountIDs: []string{"BA9"}, OfferIDs: []string{"NEW"}}})
			return err
		}, func() []wantEvent { return []wantEvent{{"account.create", "account", r.newAcct.ID}} }},
		{"set perimeter", op("r17"), func(ctx context.Context) error {
			_, err := s.SetPerimeter(ctx, r.newAcct.ID, eccs.Perimeter{BillingAccountIDs: []string{"BA9", "BA1"}, OfferIDs: []string{"NEW"}})
			return err
		}, func() []wantEvent { return []wantEvent{{"account.perimeter", "account", r.newAcct.ID}} }},
		{"issue key", op("r18"), func(ctx context.Context) error {
			k, key, err := s.IssueAPIKey(ctx, r.newAcct.ID, eccs.KeyOptions{})
			r.key1 = k
			r.keep(key)
			return err
		}, func() []wantEvent { return []wantEvent{{"api_key.issue", "api_key", r.key1.ID}} }},
		{"issue key with a claim", op("r19"), func(ctx context.Context) error {
			var err error
			r.key2, _, r.keyClaim, err = s.IssueAPIKeyClaim(ctx, r.newAcct.ID, eccs.KeyOptions{ClaimTTL: time.Hour})
			r.keep(r.keyClaim.Value)
			return err
		}, func() []wantEvent {
			return []wantEvent{{"api_key.issue", "api_key", r.key2.ID}, {"claim.create", "api_key", r.key2.ID}}
		}},
		{"reveal the key's claim", eccs.Actor{Type: eccs.ActorSystem, ID: "claim-page", RequestID: "r20"}, func(ctx context.Context) error {
			_, _, secret, err := s.RevealClaim(ctx, r.keyClaim.Value)
			r.keep(secret)
			return err
		}, func() []wantEvent { return []wantEvent{{"claim.reveal", "api_key", r.key2.ID}} }},
		{"rotate key", op("r21"), func(ctx context.Context) error {
			var key string
			var err error
			r.rotatedKey, key, _, err = s.RotateAPIKey(ctx, r.key1.ID, time.Hour, eccs.KeyOptions{})
			r.keep(key)
			return err
		}, func() []wantEvent {
			return []wantEvent{{"api_key.issue", "api_key", r.rotatedKey.ID}, {"api_key.rotate", "api_key", r.key1.ID}}
		}},
		{"revoke key", op("r22"), func(ctx context.Context) error {
			_, err := s.RevokeAPIKey(ctx, r.key2.ID)
			return err
		}, func() []wantEvent { return []wantEvent{{"api_key.revoke", "api_key", r.key2.ID}} }},
		{"key use is not a change", r.account(w.carol, "r23"), func(ctx context.Context) error {
			_, k, err := s.AccountForKey(ctx, w.carolKey)
			if err != nil {
				return err
			}
			return s.RecordKeyUse(ctx, k, "192.0.2.1")
		}, func() []wantEvent { return nil }},
	}
}

func (r *auditRun) applicationSteps() []auditStep {
	w, s, op := r.w, r.s, r.operator
	return []auditStep{
		{"create application", op("r24"), func(ctx context.Context) error {
			var secret string
			var err error
			r.app2, secret, err = s.CreateApplication(ctx, eccs.NewApplication{Name: "Second", Subscription: eccs.SubscriptionApproved})
			r.keep(secret)
			return err
		}, func() []wantEvent { return []wantEvent{{"application.create", "application", r.app2.ID}} }},
		{"create application with a claim", op("r25"), func(ctx context.Context) error {
			var claim eccs.ClaimToken
			var err error
			r.app3, claim, err = s.CreateApplicationClaim(ctx, eccs.NewApplication{Name: "Third"}, time.Hour)
			r.keep(claim.Value)
			_, _, secret, rerr := s.RevealClaim(w.ctx, claim.Value) // the reveal is the system's, checked in runStep
			r.keep(secret)
			return errorsJoin(err, rerr)
		}, func() []wantEvent {
			return []wantEvent{{"application.create", "application", r.app3.ID}, {"claim.create", "application", r.app3.ID}}
		}},
		{"set application status", op("r26"), func(ctx context.Context) error {
			_, err := s.SetApplicationStatus(ctx, r.app2.ID, eccs.ApplicationBlocked)
			return err
		}, func() []wantEvent { return []wantEvent{{"application.status", "application", r.app2.ID}} }},
		{"set subscription", op("r27"), func(ctx context.Context) error {
			_, err := s.SetSubscription(ctx, r.app2.ID, eccs.SubscriptionSuspended)
			return err
		}, func() []wantEvent { return []wantEvent{{"application.subscription", "application", r.app2.ID}} }},
		{"accept terms", op("r28"), func(ctx context.Context) error {
			_, err := s.AcceptTerms(ctx, r.app2.ID, "dev@partner.example")
			return err
		}, func() []wantEvent { return []wantEvent{{"application.terms", "application", r.app2.ID}} }},
		{"rotate client secret", op("r29"), func(ctx context.Context) error {
			_, secret, _, err := s.RotateClientSecret(ctx, r.app2.ID, time.Hour, 0)
			r.keep(secret)
			return err
		}, func() []wantEvent { return []wantEvent{{"application.rotate_secret", "application", r.app2.ID}} }},
		{"rotate client secret with a claim", op("r30"), func(ctx context.Context) error {
			_, _, claim, err := s.RotateClientSecret(ctx, r.app2.ID, 0, time.Hour)
			r.keep(claim.Value)
			return err
		}, func() []wantEvent {
			return []wantEvent{{"application.rotate_secret", "application", r.app2.ID}, {"claim.create", "application", r.app2.ID}}
		}},
	}
}

func (r *auditRun) operatorAndDocumentSteps() []auditStep {
	s, op, csv := r.s, r.operator, auditCSV
	return []auditStep{
		{"create operator token", op("r31"), func(ctx context.Context) error {
			var secret string
			var err error
			r.tok2, secret, err = s.CreateOperatorToken(ctx, "Second operator", time.Hour)
			r.keep(secret)
			return err
		}, func() []wantEvent { return []wantEvent{{"operator_token.create", "operator_token", r.tok2.ID}} }},
		{"revoke operator token", op("r32"), func(ctx context.Context) error {
			_, err := s.RevokeOperatorToken(ctx, r.tok2.ID)
			return err
		}, func() []wantEvent { return []wantEvent{{"operator_token.revoke", "operator_token", r.tok2.ID}} }},
		{"operator authentication is not a change", op("r33"), func(ctx context.Context) error {
			_, err := s.AuthenticateOperator(ctx, r.opSecret)
			return err
		}, func() []wantEvent { return nil }},
		{"access token is not a change", r.account(r.w.carol, "r34"), func(ctx context.Context) error {
			_, _, err := s.IssueToken(ctx, appClientID, appSecret)
			return err
		}, func() []wantEvent { return nil }},
		{"add document to a closed contract", op("r35"), func(ctx context.Context) error {
			var err error
			r.doc, err = s.AddDocument(ctx, eccs.NewDocument{ContractID: "NEW-1", Type: eccs.TypeReports, Period: "202502", Currency: "EUR"},
				bytes.NewReader(csv), int64(len(csv)))
			return err
		}, func() []wantEvent { return []wantEvent{{"document.add", "contract", "NEW-1"}} }},
		{"replace document", op("r36"), func(ctx context.Context) error {
			_, err := s.ReplaceDocument(ctx, "NEW-1", r.doc.ID, eccs.DocumentUpdate{}, bytes.NewReader(csv[:4]), 4)
			return err
		}, func() []wantEvent { return []wantEvent{{"document.replace", "contract", "NEW-1"}} }},
		{"delete document", op("r37"), func(ctx context.Context) error {
			return s.DeleteDocument(ctx, "NEW-1", r.doc.ID)
		}, func() []wantEvent { return []wantEvent{{"document.delete", "contract", "NEW-1"}} }},
		{"create claim", op("r38"), func(ctx context.Context) error {
			var err error
			r.pureClaim, err = s.CreateClaim(ctx, eccs.ClaimClientSecret, r.app2.ID, "a-secret-handed-over-by-hand-0123456789", time.Hour)
			r.keep(r.pureClaim.Value, "a-secret-handed-over-by-hand-0123456789")
			return err
		}, func() []wantEvent { return []wantEvent{{"claim.create", "application", r.app2.ID}} }},
		{"create preset operator token", eccs.Actor{Type: eccs.ActorSystem, ID: "bootstrap", RequestID: "r39"}, func(ctx context.Context) error {
			preset := "eccsop_" + strings.Repeat("b", 40)
			r.keep(preset)
			var err error
			r.presetOperator, err = s.CreatePresetOperatorToken(ctx, "Bootstrap", preset)
			return err
		}, func() []wantEvent {
			return []wantEvent{{"operator_token.create", "operator_token", r.presetOperator.ID}}
		}},
	}
}

// runStep runs step i one second after the last and checks that it recorded exactly the
// events it must, each with the step's actor and the clock's time.
func (r *auditRun) runStep(t *testing.T, i int, step auditStep) {
	r.w.clock.Advance(time.Second)
	at := r.w.clock.Now()
	var err error
	added := r.w.recorded(t, func() { err = step.call(eccs.WithActor(r.w.ctx, step.actor)) })
	if err != nil {
		t.Fatalf("step %d: %v", i, err)
	}
	if step.name == "create application with a claim" {
		// The reveal ran without an actor: the system's.
		bySystem := slices.ContainsFunc(added, func(ev eccs.AuditEvent) bool {
			return ev.Action == "claim.reveal" && ev.ObjectID == r.app3.ID && ev.ActorType == eccs.ActorSystem && ev.ActorID == "system" && ev.RequestID == ""
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
}

// wantDetails checks the details of the newest event of each action the steps recorded.
func (r *auditRun) wantDetails(t *testing.T) {
	w := r.w
	byAction := map[string]eccs.AuditEvent{}
	for _, ev := range w.allEvents() {
		if _, seen := byAction[ev.Action]; !seen { // the newest of each action
			byAction[ev.Action] = ev
		}
	}
	peter := must(w.store.IdentityByEmail(w.ctx, "peter@initech.example"))(t)
	bill := must(w.store.IdentityByEmail(w.ctx, "bill@initech.example"))(t)
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
		{"document.delete", map[string]string{"document": r.doc.ID, "type": "reports", "sha256": sha(auditCSV[:4])}},
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
}

// wantNoSecretInEvents looks for every secret the steps saw, in every encoding, in every
// field of every event.
func (r *auditRun) wantNoSecretInEvents(t *testing.T) {
	events := r.w.allEvents()
	if len(events) < 60 {
		t.Fatalf("only %d events", len(events))
	}
	for _, ev := range events {
		fields := []string{ev.ID, string(ev.ActorType), ev.ActorID, ev.ApplicationID, ev.RequestID, ev.Action, ev.ObjectType, ev.ObjectID}
		for k, v := range ev.Details {
			fields = append(fields, k, v)
		}
		text := strings.Join(fields, "\x00")
		for _, secret := range r.secrets {
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
	if len(r.secrets) < 19 {
		t.Errorf("only %d secrets were collected", len(r.secrets))
	}
}

// wantFilters checks AuditEvents' filters on the trail the steps left.
func (r *auditRun) wantFilters(t *testing.T) {
	s, ctx := r.s, r.w.ctx
	events, total := must2(s.AuditEvents(ctx, eccs.AuditFilter{ObjectType: "contract", ObjectID: "NEW-1"}))(t)
	if total != 10 || len(events) != 10 {
		t.Errorf("events of NEW-1: %v", actions(events))
	}
	for i := 1; i < len(events); i++ {
		if events[i].At.After(events[i-1].At) {
			t.Errorf("not newest first: %v then %v", events[i-1].At, events[i].At)
		}
	}
	byCarol, total := must2(s.AuditEvents(ctx, eccs.AuditFilter{ActorType: eccs.ActorAccount, ActorID: r.w.carol.ID}))(t)
	if total != 1 || byCarol[0].Action != "user.declare" {
		t.Errorf("events by carol: %v", actions(byCarol))
	}
	window, total := must2(s.AuditEvents(ctx, eccs.AuditFilter{Since: t0.Add(3 * time.Second), Until: t0.Add(5 * time.Second)}))(t)
	if total != 2 || !slices.Equal(actions(window), []string{"billing_account.update", "billing_account.create"}) {
		t.Errorf("events in [3s, 5s): %v", actions(window))
	}
	page, total := must2(s.AuditEvents(ctx, eccs.AuditFilter{Page: eccs.Page{Limit: 2}}))(t)
	if len(page) != 2 || total != len(r.w.allEvents()) {
		t.Errorf("first page of %d events, total %d", len(page), total)
	}
}

func errorsJoin(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
