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
	c, err := scanCustomer(s.reader().QueryRowContext(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = $1`, id))
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
	b, err := scanBillingAccount(s.reader().QueryRowContext(ctx, `SELECT `+billingAccountColumns+` FROM billing_accounts WHERE id = $1`, id))
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
	o, err := scanOffer(s.reader().QueryRowContext(ctx, `SELECT `+offerColumns+` FROM offers WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Offer{}, eccs.Errorf(eccs.NotFound, "Offer %s does not exist.", id)
	}
	if err != nil {
		return eccs.Offer{}, s.readErr("read offer "+id, err)
	}
	return o, nil
}

const (
	customerColumns       = `id, name, segment, created_at, updated_at`
	billingAccountColumns = `id, customer_id, name, created_at, updated_at`
	offerColumns          = `id, name, contract_type, support_levels, created_at, updated_at`
)

func scanCustomer(row scanner) (eccs.Customer, error) {
	var c eccs.Customer
	err := row.Scan(&c.ID, &c.Name, &c.Segment, usec{&c.CreatedAt}, usec{&c.UpdatedAt})
	return c, err
}

func scanBillingAccount(row scanner) (eccs.BillingAccount, error) {
	var b eccs.BillingAccount
	err := row.Scan(&b.ID, &b.CustomerID, &b.Name, usec{&b.CreatedAt}, usec{&b.UpdatedAt})
	return b, err
}

func scanOffer(row scanner) (eccs.Offer, error) {
	var o eccs.Offer
	var levels string
	err := row.Scan(&o.ID, &o.Name, &o.ContractType, &levels, usec{&o.CreatedAt}, usec{&o.UpdatedAt})
	if levels != "" {
		o.SupportLevels = strings.Split(levels, ",")
	}
	return o, err
}

// Customers returns one page of the customers sorted by id, and how many there are.
func (s *Store) Customers(ctx context.Context, p eccs.Page) ([]eccs.Customer, int, error) {
	return queryPage(ctx, s, "customers", customerColumns, "customers", "id", conds{}, p, scanCustomer)
}

// UpdateCustomer replaces the name, segment and update time of customer c.ID. It returns
// NotFound if there is none.
func (s *Store) UpdateCustomer(ctx context.Context, c eccs.Customer) error {
	res, err := s.writer().ExecContext(ctx,
		`UPDATE customers SET name = $2, segment = $3, updated_at = $4 WHERE id = $1`,
		c.ID, c.Name, c.Segment, micros(c.UpdatedAt))
	if err != nil {
		return s.writeErr("update customer "+c.ID, err, "", "")
	}
	return s.mustAffect(res, "update customer "+c.ID, fmt.Sprintf("Customer %s does not exist.", c.ID))
}

// BillingAccounts returns one page of the billing accounts of customerID, or of every
// customer when customerID is "", sorted by id, and how many there are. An unknown customer
// has none.
func (s *Store) BillingAccounts(ctx context.Context, customerID string, p eccs.Page) ([]eccs.BillingAccount, int, error) {
	var c conds
	if customerID != "" {
		c.add("customer_id = %s", customerID)
	}
	return queryPage(ctx, s, "billing accounts", billingAccountColumns, "billing_accounts", "id", c, p, scanBillingAccount)
}

// UpdateBillingAccount replaces the name and update time of billing account b.ID (not its
// customer). It returns NotFound if there is none.
func (s *Store) UpdateBillingAccount(ctx context.Context, b eccs.BillingAccount) error {
	res, err := s.writer().ExecContext(ctx,
		`UPDATE billing_accounts SET name = $2, updated_at = $3 WHERE id = $1`,
		b.ID, b.Name, micros(b.UpdatedAt))
	if err != nil {
		return s.writeErr("update billing account "+b.ID, err, "", "")
	}
	return s.mustAffect(res, "update billing account "+b.ID, fmt.Sprintf("Billing account %s does not exist.", b.ID))
}

// Offers returns every offer sorted by id, each with its support levels in order.
func (s *Store) Offers(ctx context.Context) ([]eccs.Offer, error) {
	return queryList(ctx, s, "list offers", `SELECT `+offerColumns+` FROM offers ORDER BY id`, nil, scanOffer)
}

// UpdateOffer replaces the name, contract type, support levels (in order) and update time of
// offer o.ID. It returns NotFound if there is none.
func (s *Store) UpdateOffer(ctx context.Context, o eccs.Offer) error {
	res, err := s.writer().ExecContext(ctx,
		`UPDATE offers SET name = $2, contract_type = $3, support_levels = $4, updated_at = $5 WHERE id = $1`,
		o.ID, o.Name, o.ContractType, strings.Join(o.SupportLevels, ","), micros(o.UpdatedAt))
	if err != nil {
		return s.writeErr("update offer "+o.ID, err, "", "")
	}
	return s.mustAffect(res, "update offer "+o.ID, fmt.Sprintf("Offer %s does not exist.", o.ID))
}
