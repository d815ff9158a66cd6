package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/eccs/eccs/internal/eccs"
)

const contactSelect = `SELECT customer_id, identity_id, login, civility, last_name, first_name, fix_phone,
	mobile_phone, created_at, updated_at FROM contacts`

// CreateContact stores c. It returns Conflict if the customer already has a record of the
// identity, or a record of another identity whose login is the same without regard to case,
// and NotFound if the customer or the identity does not exist.
func (s *Store) CreateContact(ctx context.Context, c eccs.Contact) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO contacts (customer_id, identity_id, login, login_key, civility, last_name, first_name,
			fix_phone, mobile_phone, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		c.CustomerID, c.IdentityID, c.Login, foldKey(c.Login), c.Civility, c.LastName, c.FirstName,
		c.FixPhone, c.MobilePhone, micros(c.CreatedAt), micros(c.UpdatedAt))
	if err != nil {
		err = s.classify(err)
		conflict := fmt.Sprintf("Customer %s already has a record of identity %s.", c.CustomerID, c.IdentityID)
		if violates(err, "login_key") {
			conflict = fmt.Sprintf("The login %s belongs to another person of customer %s (logins are compared without case).", c.Login, c.CustomerID)
		}
		return s.writeErr("create contact", err, conflict,
			fmt.Sprintf("Customer %s or identity %s does not exist.", c.CustomerID, c.IdentityID))
	}
	return nil
}

// Contact returns customerID's record of identityID, or NotFound.
func (s *Store) Contact(ctx context.Context, customerID, identityID string) (eccs.Contact, error) {
	c, err := scanContact(s.reader().QueryRowContext(ctx,
		contactSelect+` WHERE customer_id = $1 AND identity_id = $2`, customerID, identityID))
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Contact{}, eccs.Errorf(eccs.NotFound, "Customer %s has no record of identity %s.", customerID, identityID)
	}
	if err != nil {
		return eccs.Contact{}, s.readErr("read contact", err)
	}
	return c, nil
}

// ContactByLogin returns customerID's record whose login is login without regard to case, or
// NotFound.
func (s *Store) ContactByLogin(ctx context.Context, customerID, login string) (eccs.Contact, error) {
	c, err := scanContact(s.reader().QueryRowContext(ctx,
		contactSelect+` WHERE customer_id = $1 AND login_key = $2`, customerID, foldKey(login)))
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Contact{}, eccs.Errorf(eccs.NotFound, "Customer %s has no record with the login %s.", customerID, login)
	}
	if err != nil {
		return eccs.Contact{}, s.readErr("find contact by login", err)
	}
	return c, nil
}

func scanContact(row scanner) (eccs.Contact, error) {
	var c eccs.Contact
	err := row.Scan(&c.CustomerID, &c.IdentityID, &c.Login, &c.Civility, &c.LastName, &c.FirstName,
		&c.FixPhone, &c.MobilePhone, usec{&c.CreatedAt}, usec{&c.UpdatedAt})
	return c, err
}
