package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/sqlite"
)

// BenchmarkLookups measures the lookups on every request's path, on a database of 1,000
// contracts. Compare them with each other and across changes, not with a fixed number.
func BenchmarkLookups(b *testing.B) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "eccs.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	seedLookups(b, ctx, s)
	for _, l := range lookups(ctx, s) {
		b.Run(l.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := l.call(); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// seedLookups fills s with what the lookups find: one customer, billing account, offer and
// identity; 1,000 contracts, each with a declaration of the identity and a document; an
// administrator account with an API key, an application and an operator token.
func seedLookups(b *testing.B, ctx context.Context, s *sqlite.Store) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(s.CreateCustomer(ctx, eccs.Customer{ID: "cust", Name: "Acme", Segment: "large", CreatedAt: now, UpdatedAt: now}))
	must(s.CreateBillingAccount(ctx, eccs.BillingAccount{ID: "ba", CustomerID: "cust", Name: "Main", CreatedAt: now, UpdatedAt: now}))
	must(s.CreateOffer(ctx, eccs.Offer{ID: "FE", Name: "Flexible Engine", ContractType: "IAAS", SupportLevels: []string{"BSC"}, CreatedAt: now, UpdatedAt: now}))
	must(s.CreateIdentity(ctx, eccs.Identity{ID: "id", Login: "alice.martin", Email: "alice@example.com", LastName: "Martin", FirstName: "Alice", CreatedAt: now, UpdatedAt: now}))
	must(s.InTx(ctx, func(tx eccs.Store) error {
		for n := range 1000 {
			id := fmt.Sprintf("OCB%07d", n)
			c := eccs.Contract{ID: id, Name: id, Type: "IAAS", OfferID: "FE", BillingAccountID: "ba", SupportLevel: "BSC",
				Referent: eccs.Identity{ID: "id"}, CreatedAt: now, UpdatedAt: now}
			if err := tx.CreateContract(ctx, c); err != nil {
				return err
			}
			if err := tx.CreateDeclaration(ctx, eccs.Declaration{ContractID: id, IdentityID: "id", Roles: eccs.ManagerEverywhere, CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
			if err := tx.CreateDocument(ctx, eccs.Document{ID: "doc" + id, ContractID: id, Type: eccs.TypeBills, Period: "202601", CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	}))
	must(s.CreateAccount(ctx, eccs.Account{ID: "acct", Type: eccs.AccountAdministrator, IdentityID: "id",
		Perimeter: eccs.Perimeter{BillingAccountIDs: []string{"ba"}, OfferIDs: []string{"FE"}}, CreatedAt: now, UpdatedAt: now}))
	must(s.CreateAPIKey(ctx, eccs.APIKey{ID: "key", AccountID: "acct", Hash: "hash", Prefix: "eccs_", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
	must(s.CreateApplication(ctx, eccs.Application{ID: "app", ClientID: "client", Name: "App", SecretHash: "h", Status: eccs.ApplicationActive, Subscription: eccs.SubscriptionApproved, CreatedAt: now, UpdatedAt: now}))
	must(s.CreateOperatorToken(ctx, eccs.OperatorToken{ID: "op", Name: "ops", Hash: "ophash", Prefix: "eccsop_", CreatedAt: now}))
}

// lookup is one lookup that BenchmarkLookups measures, under its sub-benchmark's name.
type lookup struct {
	name string
	call func() error
}

// lookups are the lookups of a request's path, each of a row that seedLookups made.
func lookups(ctx context.Context, s *sqlite.Store) []lookup {
	return []lookup{
		{"Contract", func() error { _, err := s.Contract(ctx, "OCB0000500"); return err }},
		{"Declaration", func() error { _, err := s.Declaration(ctx, "OCB0000500", "id"); return err }},
		{"APIKeyByHash", func() error { _, err := s.APIKeyByHash(ctx, "hash"); return err }},
		{"Account", func() error { _, err := s.Account(ctx, "acct"); return err }},
		{"Application", func() error { _, err := s.Application(ctx, "app"); return err }},
		{"ApplicationByClientID", func() error { _, err := s.ApplicationByClientID(ctx, "client"); return err }},
		{"Document", func() error { _, err := s.Document(ctx, "OCB0000500", "docOCB0000500"); return err }},
		{"OperatorTokenByHash", func() error { _, err := s.OperatorTokenByHash(ctx, "ophash"); return err }},
		{"ContractsPage", func() error {
			_, _, err := s.Contracts(ctx, eccs.ContractFilter{PerimeterOf: "acct", Page: eccs.Page{Offset: 500, Limit: 20}})
			return err
		}},
		{"ContractsAllPage", func() error {
			_, _, err := s.Contracts(ctx, eccs.ContractFilter{All: true, CustomerID: "cust", OfferID: "FE", Page: eccs.Page{Offset: 500, Limit: 20}})
			return err
		}},
	}
}
