package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

func testNextContractNumber(t *testing.T, open func(t *testing.T) eccs.Store) {
	t.Run("numbers start at 1 and go up by one", func(t *testing.T) {
		s := open(t)
		for want := int64(1); want <= 3; want++ {
			got, err := s.NextContractNumber(t.Context())
			must(t, err)
			if got != want {
				t.Fatalf("NextContractNumber = %d, want %d", got, want)
			}
		}
	})
	t.Run("50 concurrent callers get 50 distinct numbers", func(t *testing.T) {
		s := open(t)
		const n = 50
		var wg sync.WaitGroup
		numbers := make([]int64, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				if i%2 == 0 {
					numbers[i], errs[i] = s.NextContractNumber(t.Context())
					return
				}
				errs[i] = s.InTx(t.Context(), func(tx eccs.Store) error {
					var err error
					numbers[i], err = tx.NextContractNumber(t.Context())
					return err
				})
			})
		}
		wg.Wait()
		seen := map[int64]bool{}
		for i, num := range numbers {
			must(t, errs[i])
			if num < 1 || num > n || seen[num] {
				t.Fatalf("numbers %v are not 1 to %d each once", numbers, n)
			}
			seen[num] = true
		}
		next, err := s.NextContractNumber(t.Context())
		must(t, err)
		if next != n+1 {
			t.Errorf("after %d calls NextContractNumber = %d, want %d", n, next, n+1)
		}
	})
}

var errRollback = errors.New("storetest: roll back")

func testInTx(t *testing.T, open func(t *testing.T) eccs.Store) {
	runStoreCases(t, open, []storeCase{
		{"error rolls back every write and is returned", txRolledBack},
		{"success commits every write", func(t *testing.T, s eccs.Store) {
			w := seed(t, s)
			must(t, s.InTx(t.Context(), func(tx eccs.Store) error {
				if err := tx.CreateCustomer(t.Context(), txCustomer("cust-tx")); err != nil {
					return err
				}
				return tx.CreateContract(t.Context(), w.contract("OCB0000001", w.b1, w.o1, w.alice))
			}))
			_, err := s.Customer(t.Context(), "cust-tx")
			must(t, err)
			_, err = s.Contract(t.Context(), "OCB0000001")
			must(t, err)
		}},
		{"reads inside see the transaction's writes", txReadsOwnWrites},
		{"nested InTx joins the outer transaction", txNested},
		{"conflict inside rolls back and a new transaction works", txConflict},
		{"panic rolls back and the store stays usable", txPanic},
	})
}

// txCustomer returns a customer that the transaction tests write.
func txCustomer(id string) eccs.Customer {
	return eccs.Customer{ID: id, Name: "Customer " + id, Segment: "int", CreatedAt: at(0), UpdatedAt: at(0)}
}

func txRolledBack(t *testing.T, s eccs.Store) {
	w := seed(t, s)
	err := s.InTx(t.Context(), func(tx eccs.Store) error {
		must(t, tx.CreateCustomer(t.Context(), txCustomer("cust-tx")))
		must(t, tx.CreateContract(t.Context(), w.contract("OCB0000001", w.b1, w.o1, w.alice)))
		must(t, tx.CreateDeclaration(t.Context(), w.declaration("OCB0000001", w.bob)))
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("InTx = %v, want the function's error", err)
	}
	_, err = s.Customer(t.Context(), "cust-tx")
	checkCode(t, err, eccs.NotFound)
	_, err = s.Contract(t.Context(), "OCB0000001")
	checkCode(t, err, eccs.NotFound)
	_, err = s.Declaration(t.Context(), "OCB0000001", w.bob.ID)
	checkCode(t, err, eccs.NotFound)
}

// txReadsOwnWrites checks that reads through the transaction (contract, identity by e-mail,
// account, perimeter list) see what it wrote before it commits.
func txReadsOwnWrites(t *testing.T, s eccs.Store) {
	w := seed(t, s)
	want := w.read(w.contract("OCB0000001", w.b1, w.o1, w.alice))
	must(t, s.InTx(t.Context(), func(tx eccs.Store) error {
		must(t, tx.CreateContract(t.Context(), w.contract("OCB0000001", w.b1, w.o1, w.alice)))
		got, err := tx.Contract(t.Context(), "OCB0000001")
		must(t, err)
		equal(t, "Contract inside the transaction", got, want)
		i := eccs.Identity{ID: "id-tx", Login: "tx.person", Email: "Tx@Example.com", LastName: "Tx", FirstName: "Person", CreatedAt: at(1), UpdatedAt: at(1)}
		must(t, tx.CreateIdentity(t.Context(), i))
		got2, err := tx.IdentityByEmail(t.Context(), "tx@example.com")
		must(t, err)
		equal(t, "Identity inside the transaction", got2, i)
		must(t, tx.CreateAccount(t.Context(), w.adminAccount("acct-tx", i, eccs.Perimeter{OfferIDs: []string{w.o1.ID}})))
		a, err := tx.Account(t.Context(), "acct-tx")
		must(t, err)
		equal(t, "Perimeter inside the transaction", a.Perimeter, eccs.Perimeter{OfferIDs: []string{w.o1.ID}})
		list, total, err := tx.Contracts(t.Context(), eccs.ContractFilter{PerimeterOf: "acct-tx"})
		must(t, err)
		if total != 0 || len(list) != 0 {
			t.Errorf("Contracts inside = %d contracts, total %d; want none (no billing account in the perimeter)", len(list), total)
		}
		return nil
	}))
}

// txNested checks that an InTx inside a transaction writes into the outer one: the outer
// sees the write, and rolling the outer back undoes it.
func txNested(t *testing.T, s eccs.Store) {
	err := s.InTx(t.Context(), func(tx eccs.Store) error {
		must(t, tx.InTx(t.Context(), func(inner eccs.Store) error {
			return inner.CreateCustomer(t.Context(), txCustomer("cust-inner"))
		}))
		if _, err := tx.Customer(t.Context(), "cust-inner"); err != nil {
			t.Errorf("outer transaction does not see the inner write: %v", err)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("InTx = %v, want the function's error", err)
	}
	_, err = s.Customer(t.Context(), "cust-inner")
	checkCode(t, err, eccs.NotFound)
}

func txConflict(t *testing.T, s eccs.Store) {
	w := seed(t, s)
	err := s.InTx(t.Context(), func(tx eccs.Store) error {
		must(t, tx.CreateCustomer(t.Context(), txCustomer("cust-tx")))
		return tx.CreateCustomer(t.Context(), w.customer)
	})
	checkCode(t, err, eccs.Conflict)
	_, err = s.Customer(t.Context(), "cust-tx")
	checkCode(t, err, eccs.NotFound)
	must(t, s.InTx(t.Context(), func(tx eccs.Store) error {
		return tx.CreateCustomer(t.Context(), txCustomer("cust-tx"))
	}))
}

// txPanic checks that a panic inside InTx reaches the caller after rolling back, and that a
// write after it succeeds: the panicking transaction holds nothing.
func txPanic(t *testing.T, s eccs.Store) {
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not reach InTx's caller")
			}
		}()
		_ = s.InTx(t.Context(), func(tx eccs.Store) error {
			must(t, tx.CreateCustomer(t.Context(), txCustomer("cust-panic")))
			panic("storetest: panic inside a transaction")
		})
	}()
	_, err := s.Customer(t.Context(), "cust-panic")
	checkCode(t, err, eccs.NotFound)
	must(t, s.CreateCustomer(t.Context(), txCustomer("cust-after")))
}

func testTimestamps(t *testing.T, open func(t *testing.T) eccs.Store) {
	t.Run("times come back in UTC at microsecond precision", func(t *testing.T) {
		s := open(t)
		paris := time.FixedZone("CET", 3600)
		created := time.Date(2026, 11, 27, 23, 59, 58, 123456789, paris)
		updated := time.Date(2031, 2, 3, 4, 5, 6, 999999999, time.UTC)
		must(t, s.CreateCustomer(t.Context(), eccs.Customer{ID: "cust-t", Name: "T", Segment: "int", CreatedAt: created, UpdatedAt: updated}))
		got, err := s.Customer(t.Context(), "cust-t")
		must(t, err)
		for _, tc := range []struct {
			name      string
			got, want time.Time
		}{
			{"CreatedAt", got.CreatedAt, created.Truncate(time.Microsecond)},
			{"UpdatedAt", got.UpdatedAt, updated.Truncate(time.Microsecond)},
		} {
			if !tc.got.Equal(tc.want) {
				t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
			}
			if tc.got.Location() != time.UTC {
				t.Errorf("%s is in %v, want UTC", tc.name, tc.got.Location())
			}
		}
	})
	t.Run("zero times come back zero", func(t *testing.T) {
		s := open(t)
		must(t, s.CreateCustomer(t.Context(), eccs.Customer{ID: "cust-z", Name: "Z", Segment: "int"}))
		got, err := s.Customer(t.Context(), "cust-z")
		must(t, err)
		if !got.CreatedAt.IsZero() || !got.UpdatedAt.IsZero() {
			t.Errorf("times = %v, %v; want zero", got.CreatedAt, got.UpdatedAt)
		}
	})
}

// testConcurrency mixes transactions and reads from many goroutines: a store must neither
// fail nor deadlock (a single-connection writer makes that easy to get wrong).
func testConcurrency(t *testing.T, open func(t *testing.T) eccs.Store) {
	t.Run("concurrent transactions and reads all succeed", func(t *testing.T) {
		s := open(t)
		w := seed(t, s)
		const workers, rounds = 8, 10
		var wg sync.WaitGroup
		errs := make(chan error, workers*rounds*2)
		for g := range workers {
			wg.Go(func() {
				for r := range rounds {
					id := fmt.Sprintf("OCB%03d%04d", g, r)
					errs <- s.InTx(t.Context(), func(tx eccs.Store) error {
						if _, err := tx.Offer(t.Context(), w.o1.ID); err != nil {
							return err
						}
						if err := tx.CreateContract(t.Context(), w.contract(id, w.b1, w.o1, w.alice)); err != nil {
							return err
						}
						return tx.CreateDeclaration(t.Context(), w.declaration(id, w.bob))
					})
					_, err := s.Contract(t.Context(), id)
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		_, total, err := s.Contracts(t.Context(), eccs.ContractFilter{DeclaredIdentityID: w.bob.ID, Page: eccs.Page{Limit: 1}})
		must(t, err)
		if total != workers*rounds {
			t.Errorf("total = %d, want %d", total, workers*rounds)
		}
	})
}

func testGeneration(t *testing.T, open func(t *testing.T) eccs.Store) {
	t.Run("starts at 0 and counts every bump, also from concurrent callers", func(t *testing.T) {
		s := open(t)
		if g, err := s.Generation(t.Context()); err != nil || g != 0 {
			t.Fatalf("Generation of a new store = %d, %v; want 0", g, err)
		}
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.BumpGeneration(t.Context()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if g, err := s.Generation(t.Context()); err != nil || g != 20 {
			t.Fatalf("Generation after 20 bumps = %d, %v", g, err)
		}
	})
	t.Run("a bump in a transaction that rolls back does not count", func(t *testing.T) {
		s := open(t)
		boom := errors.New("boom")
		err := s.InTx(t.Context(), func(tx eccs.Store) error {
			if err := tx.BumpGeneration(t.Context()); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v", err)
		}
		if g, err := s.Generation(t.Context()); err != nil || g != 0 {
			t.Fatalf("Generation = %d, %v; want 0", g, err)
		}
	})
}
