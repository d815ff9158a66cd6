package eccs_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// TestAuditIsPartOfTheChange checks that a change whose audit event cannot be stored is not
// stored either: the event is written in the change's own transaction.
func TestAuditIsPartOfTheChange(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	f := unrecorded{w: w, carolKey: w.keyOf(t, w.carolKey)}
	f.doc = w.addDoc("BA2-FE", eccs.TypeReports, "202501", t0, "the original bytes")
	var err error
	if _, _, f.claim, err = w.svc.IssueAPIKeyClaim(w.ctx, w.dave.ID, eccs.KeyOptions{ClaimTTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range slices.Concat(f.catalogAndAccountChanges(), f.keyAndDocumentChanges()) {
		t.Run(tc.action+" is not stored when its event is not", func(t *testing.T) {
			blobs := w.blobFiles()
			var err error
			failing := func() *eccs.Service { return w.serviceOn(failingAudit{Store: w.store, action: tc.action}, nil) }
			if added := w.recorded(t, func() { err = tc.call(failing()) }); len(added) != 0 {
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

// unrecordedChange is a change whose audit event, of action, cannot be stored: call makes it
// with a Service whose store refuses that event, check then finds nothing of it stored.
type unrecordedChange struct {
	action string
	call   func(s *eccs.Service) error
	check  func(t *testing.T)
}

// unrecorded holds what the changes of TestAuditIsPartOfTheChange act on: carol's key, a
// document of BA2-FE and an unrevealed claim of a key of dave's.
type unrecorded struct {
	w        *world
	carolKey eccs.APIKey
	doc      eccs.Document
	claim    eccs.ClaimToken
}

// keysOf counts acct's keys, revoked and expired ones too.
func (f unrecorded) keysOf(t testing.TB, acct eccs.Account) int {
	t.Helper()
	_, n := must2(f.w.svc.APIKeys(f.w.ctx, eccs.KeyQuery{AccountID: acct.ID, IncludeInactive: true}))(t)
	return n
}

func (f unrecorded) catalogAndAccountChanges() []unrecordedChange {
	w, ctx := f.w, f.w.ctx
	return []unrecordedChange{
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
			if n := f.keysOf(t, w.carol); n != 1 {
				t.Errorf("carol has %d keys", n)
			}
		}},
	}
}

func (f unrecorded) keyAndDocumentChanges() []unrecordedChange {
	w, ctx, doc := f.w, f.w.ctx, f.doc
	docUnchanged := func(t *testing.T) {
		if d := must(w.store.Document(ctx, "BA2-FE", doc.ID))(t); d != doc || string(w.blobBytes(doc.BlobKey)) != "the original bytes" {
			t.Errorf("the document changed: %+v", d)
		}
	}
	return []unrecordedChange{
		{"api_key.rotate", func(s *eccs.Service) error {
			_, _, _, err := s.RotateAPIKey(ctx, f.carolKey.ID, 0, eccs.KeyOptions{})
			return err
		}, func(t *testing.T) {
			if n := f.keysOf(t, w.carol); n != 1 {
				t.Errorf("carol has %d keys", n)
			}
			if _, _, err := w.svc.AccountForKey(ctx, w.carolKey); err != nil {
				t.Errorf("the old key stopped working: %v", err)
			}
		}},
		{"api_key.revoke", func(s *eccs.Service) error { _, err := s.RevokeAPIKey(ctx, f.carolKey.ID); return err }, func(t *testing.T) {
			if _, _, err := w.svc.AccountForKey(ctx, w.carolKey); err != nil {
				t.Errorf("the key was revoked: %v", err)
			}
		}},
		{"claim.reveal", func(s *eccs.Service) error { _, _, _, err := s.RevealClaim(ctx, f.claim.Value); return err }, func(t *testing.T) {
			if n := w.count(t, `SELECT count(*) FROM claims`); n != 1 {
				t.Errorf("%d claims left: the failed reveal took it", n)
			}
		}},
		{"application.rotate_secret", func(s *eccs.Service) error {
			_, _, _, err := s.RotateClientSecret(ctx, w.app.ID, 0, 0)
			return err
		}, func(t *testing.T) { w.token(w.svc, appClientID, appSecret) }},
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
		}, docUnchanged},
		{"document.delete", func(s *eccs.Service) error { return s.DeleteDocument(ctx, "BA2-FE", doc.ID) }, docUnchanged},
		{"operator_token.create", func(s *eccs.Service) error { _, _, err := s.CreateOperatorToken(ctx, "Ghost", 0); return err }, func(t *testing.T) {
			if list := must(w.svc.OperatorTokens(ctx))(t); len(list) != 0 {
				t.Errorf("%d operator tokens", len(list))
			}
		}},
	}
}
