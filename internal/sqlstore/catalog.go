package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/eccs/eccs/internal/eccs"
)

// CreateCustomer stores c. It returns Conflict if the id is taken.
func (s *Store) CreateCustomer(ctx context.Context, c eccs.Customer) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO customers (id, name, segment, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)`,
		c.ID, c.Name, c.Segment, micros(c.CreatedAt), micros(c.UpdatedAt))
	if err != nil {
		return s.writeErr("create customer "+c.ID, err, fmt.Sprintf("Customer %s already exists.", c.ID), "")
	}
	return nil
}

// Customer returns the customer id, or NotFound.
func (s *Store) Customer(ctx context.Context, id string) (eccs.Customer, error) {
	var c eccs.Customer
	err := s.reader().QueryRowContext(ctx,
		`SELECT id, name, segment, created_at, updated_at FROM customers WHERE id = $1`, id,
	).Scan(&c.ID, &c.Name, &c.Segment, usec{&c.CreatedAt}, usec{&c.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Customer{}, eccs.Errorf(eccs.NotFound, "Customer %s does not exist.", id)
	}
	if err != nil {
		return eccs.Customer{}, s.readErr("read customer "+id, err)
	}
	return c, nil
}

// CreateBillingAccount stores b. It returns Conflict if the id is taken and NotFound if its
// customer does not exist.
func (s *Store) CreateBillingAccount(ctx context.Context, b eccs.BillingAccount) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO billing_accounts (id, customer_id, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)`,
		b.ID, b.CustomerID, b.Name, micros(b.CreatedAt), micros(b.UpdatedAt))
	if err != nil {
		return s.writeErr("create billing account "+b.ID, err,
			fmt.Sprintf("Billing account %s already exists.", b.ID),
			fmt.Sprintf("Billing account %s names customer %s, which does not exist.", b.ID, b.CustomerID))
	}
	return nil
}

// BillingAccount returns the billing account id, or NotFound.
func (s *Store) BillingAccount(ctx context.Context, id string) (eccs.BillingAccount, error) {
	var b eccs.BillingAccount
	err := s.reader().QueryRowContext(ctx,
		`SELECT id, customer_id, name, created_at, updated_at FROM billing_accounts WHERE id = $1`, id,
	).Scan(&b.ID, &b.CustomerID, &b.Name, usec{&b.CreatedAt}, usec{&b.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.BillingAccount{}, eccs.Errorf(eccs.NotFound, "Billing account %s does not exist.", id)
	}
	if err != nil {
		return eccs.BillingAccount{}, s.readErr("read billing account "+id, err)
	}
	return b, nil
}

// CreateOffer stores o, its support levels in order. It returns Conflict if the id is taken.
func (s *Store) CreateOffer(ctx context.Context, o eccs.Offer) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO offers (id, name, contract_type, support_levels, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		o.ID, o.Name, o.ContractType, strings.Join(o.SupportLevels, ","), micros(o.CreatedAt), micros(o.UpdatedAt))
	if err != nil {
		return s.writeErr("create offer "+o.ID, err, fmt.Sprintf("Offer %s already exists.", o.ID), "")
	}
	return nil
}

// Offer returns the offer id, or NotFound.
func (s *Store) Offer(ctx context.Context, id string) (eccs.Offer, error) {
	var o eccs.Offer
	var levels string
	err := s.reader().QueryRowContext(ctx,
		`SELECT id, name, contract_type, support_levels, created_at, updated_at FROM offers WHERE id = $1`, id,
	).Scan(&o.ID, &o.Name, &o.ContractType, &levels, usec{&o.CreatedAt}, usec{&o.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Offer{}, eccs.Errorf(eccs.NotFound, "Offer %s does not exist.", id)
	}
	if err != nil {
		return eccs.Offer{}, s.readErr("read offer "+id, err)
	}
	if levels != "" {
		o.SupportLevels = strings.Split(levels, ",")
	}
	return o, nil
}
