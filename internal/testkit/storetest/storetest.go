// Package storetest is the conformance suite of eccs.Store: every implementation (SQLite,
// PostgreSQL) runs Run from its own tests and must pass it whole, so that the domain behaves the
// same on each.
package storetest

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// Run runs the suite. open must return a new, empty, migrated Store each time it is called
// (each subtest calls it once) and arrange its cleanup with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) eccs.Store) {
	t.Run("Ping", func(t *testing.T) {
		if err := open(t).Ping(t.Context()); err != nil {
			t.Fatalf("Ping = %v, want nil", err)
		}
	})
	t.Run("Customers", func(t *testing.T) { testCustomers(t, open) })
	t.Run("BillingAccounts", func(t *testing.T) { testBillingAccounts(t, open) })
	t.Run("Offers", func(t *testing.T) { testOffers(t, open) })
	t.Run("CatalogueLists", func(t *testing.T) { testCatalogueLists(t, open) })
	t.Run("CatalogueUpdates", func(t *testing.T) { testCatalogueUpdates(t, open) })
	t.Run("Identities", func(t *testing.T) { testIdentities(t, open) })
	t.Run("IdentityByID", func(t *testing.T) { testIdentityByID(t, open) })
	t.Run("Contacts", func(t *testing.T) { testContacts(t, open) })
	t.Run("Contracts", func(t *testing.T) { testContracts(t, open) })
	t.Run("ContractLists", func(t *testing.T) { testContractLists(t, open) })
	t.Run("PerimeterPages", func(t *testing.T) { testPerimeterPages(t, open) })
	t.Run("ContractSearch", func(t *testing.T) { testContractSearch(t, open) })
	t.Run("BroadContractSearch", func(t *testing.T) { testBroadContractSearch(t, open) })
	t.Run("ContractUpdates", func(t *testing.T) { testContractUpdates(t, open) })
	t.Run("NextContractNumber", func(t *testing.T) { testNextContractNumber(t, open) })
	t.Run("Declarations", func(t *testing.T) { testDeclarations(t, open) })
	t.Run("DeclarationChanges", func(t *testing.T) { testDeclarationChanges(t, open) })
	t.Run("Accounts", func(t *testing.T) { testAccounts(t, open) })
	t.Run("AccountChanges", func(t *testing.T) { testAccountChanges(t, open) })
	t.Run("AccountsOf", func(t *testing.T) { testAccountsOf(t, open) })
	t.Run("APIKeys", func(t *testing.T) { testAPIKeys(t, open) })
	t.Run("APIKeyChanges", func(t *testing.T) { testAPIKeyChanges(t, open) })
	t.Run("Applications", func(t *testing.T) { testApplications(t, open) })
	t.Run("ApplicationLists", func(t *testing.T) { testApplicationLists(t, open) })
	t.Run("Documents", func(t *testing.T) { testDocuments(t, open) })
	t.Run("DocumentLists", func(t *testing.T) { testDocumentLists(t, open) })
	t.Run("AccountDocuments", func(t *testing.T) { testAccountDocuments(t, open) })
	t.Run("DocumentChanges", func(t *testing.T) { testDocumentChanges(t, open) })
	t.Run("OperatorTokens", func(t *testing.T) { testOperatorTokens(t, open) })
	t.Run("Claims", func(t *testing.T) { testClaims(t, open) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open) })
	t.Run("Events", func(t *testing.T) { testEvents(t, open) })
	t.Run("SignIn", func(t *testing.T) { testSignIn(t, open) })
	t.Run("Jobs", func(t *testing.T) { testJobs(t, open) })
	t.Run("Mails", func(t *testing.T) { testMails(t, open) })
	t.Run("Generation", func(t *testing.T) { testGeneration(t, open) })
	t.Run("InTx", func(t *testing.T) { testInTx(t, open) })
	t.Run("Timestamps", func(t *testing.T) { testTimestamps(t, open) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, open) })
}

// errorCase is a call that must fail with a given code.
type errorCase struct {
	name string
	call func(ctx context.Context, t *testing.T, s eccs.Store, w world) error
	code eccs.Code
}

// runErrorCases runs each case on a fresh seeded store.
func runErrorCases(t *testing.T, open func(t *testing.T) eccs.Store, cases []errorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			w := seed(t, s)
			checkCode(t, tc.call(t.Context(), t, s, w), tc.code)
		})
	}
}

// storeCase is a subtest that starts from a new, empty store.
type storeCase struct {
	name string
	run  func(t *testing.T, s eccs.Store)
}

// runStoreCases runs each case, in order, on a store of its own.
func runStoreCases(t *testing.T, open func(t *testing.T) eccs.Store, cases []storeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}

// listCase is a list call with filter F and the ids and total it must return.
type listCase[F any] struct {
	name   string
	filter F
	want   []string
	total  int
}

// checkCode fails unless err is an error of the given code whose *eccs.Error message is a
// sentence without SQL.
func checkCode(t *testing.T, err error, code eccs.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want a %s error", code)
	}
	if got := eccs.ErrorCode(err); got != code {
		t.Fatalf("got error %q with code %s, want code %s", err, got, code)
	}
	var e *eccs.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %q holds no *eccs.Error", err)
	}
	if e.Message == "" {
		t.Errorf("error %q has an empty message", err)
	}
	// Callers read the message: it must not show SQL or driver details.
	for _, w := range []string{"SELECT", "INSERT", "UPDATE ", "constraint", "sqlite", "SQLSTATE", "pq:", "syntax"} {
		if strings.Contains(e.Message, w) {
			t.Errorf("message %q contains %q: messages must not show SQL or driver details", e.Message, w)
		}
	}
}

// must fails the test on a non-nil error.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// equal fails the test unless got and want are deeply equal. Times compare with their
// location, so a store must return UTC times.
func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// at returns a time in UTC with microsecond precision, minutes after a fixed instant.
func at(minutes int) time.Time {
	return time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC).Add(time.Duration(minutes) * time.Minute)
}
