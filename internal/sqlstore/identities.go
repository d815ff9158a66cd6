package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/eccs/eccs/internal/eccs"
)

const identitySelect = `SELECT id, login, email, civility, last_name, first_name, fix_phone, mobile_phone,
	language, created_at, updated_at FROM identities`

// CreateIdentity stores i. It returns Conflict if the id is taken, or if another identity has
// the same e-mail or login without regard to case.
func (s *Store) CreateIdentity(ctx context.Context, i eccs.Identity) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO identities (id, login, login_key, email, email_key, civility, last_name, first_name,
			fix_phone, mobile_phone, language, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		i.ID, i.Login, foldKey(i.Login), i.Email, foldKey(i.Email), i.Civility, i.LastName, i.FirstName,
		i.FixPhone, i.MobilePhone, i.Language, micros(i.CreatedAt), micros(i.UpdatedAt))
	if err != nil {
		err = s.classify(err)
		conflict := fmt.Sprintf("Identity %s already exists.", i.ID)
		switch {
		case violates(err, "email_key"):
			conflict = fmt.Sprintf("The e-mail %s belongs to another identity (e-mails are compared without case).", i.Email)
		case violates(err, "login_key"):
			conflict = fmt.Sprintf("The login %s belongs to another identity (logins are compared without case).", i.Login)
		}
		return s.writeErr("create identity "+i.ID, err, conflict, "")
	}
	return nil
}

// IdentityByEmail returns the identity whose e-mail is email without regard to case, or
// NotFound.
func (s *Store) IdentityByEmail(ctx context.Context, email string) (eccs.Identity, error) {
	i, err := scanIdentity(s.reader().QueryRowContext(ctx, identitySelect+` WHERE email_key = $1`, foldKey(email)))
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Identity{}, eccs.Errorf(eccs.NotFound, "No identity has the e-mail %s.", email)
	}
	if err != nil {
		return eccs.Identity{}, s.readErr("find identity by e-mail", err)
	}
	return i, nil
}

// IdentityByLogin returns the identity whose login is login without regard to case, or
// NotFound (always for "": an identity without a login has none to find).
func (s *Store) IdentityByLogin(ctx context.Context, login string) (eccs.Identity, error) {
	if login == "" {
		return eccs.Identity{}, eccs.Errorf(eccs.NotFound, "No identity has an empty login.")
	}
	i, err := scanIdentity(s.reader().QueryRowContext(ctx, identitySelect+` WHERE login_key = $1`, foldKey(login)))
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Identity{}, eccs.Errorf(eccs.NotFound, "No identity has the login %s.", login)
	}
	if err != nil {
		return eccs.Identity{}, s.readErr("find identity by login", err)
	}
	return i, nil
}

// Identity returns the identity id, or NotFound.
func (s *Store) Identity(ctx context.Context, id string) (eccs.Identity, error) {
	i, err := scanIdentity(s.reader().QueryRowContext(ctx, identitySelect+` WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Identity{}, eccs.Errorf(eccs.NotFound, "Identity %s does not exist.", id)
	}
	if err != nil {
		return eccs.Identity{}, s.readErr("read identity "+id, err)
	}
	return i, nil
}

// UpdateIdentity replaces the e-mail, login, civility, names, phones, language and update time of
// identity i.ID. It returns NotFound if there is no such identity, and Conflict if the e-mail
// or the login belongs to another identity without regard to case.
func (s *Store) UpdateIdentity(ctx context.Context, i eccs.Identity) error {
	res, err := s.writer().ExecContext(ctx,
		`UPDATE identities SET email = $2, email_key = $3, login = $4, login_key = $5, civility = $6,
			last_name = $7, first_name = $8, fix_phone = $9, mobile_phone = $10, language = $11, updated_at = $12
		WHERE id = $1`,
		i.ID, i.Email, foldKey(i.Email), i.Login, foldKey(i.Login), i.Civility, i.LastName, i.FirstName,
		i.FixPhone, i.MobilePhone, i.Language, micros(i.UpdatedAt))
	if err != nil {
		err = s.classify(err)
		conflict := fmt.Sprintf("The login %s belongs to another identity (logins are compared without case).", i.Login)
		if violates(err, "email_key") {
			conflict = fmt.Sprintf("The e-mail %s belongs to another identity (e-mails are compared without case).", i.Email)
		}
		return s.writeErr("update identity "+i.ID, err, conflict, "")
	}
	return s.mustAffect(res, "update identity "+i.ID, fmt.Sprintf("Identity %s does not exist.", i.ID))
}

func scanIdentity(row scanner) (eccs.Identity, error) {
	var i eccs.Identity
	err := row.Scan(&i.ID, &i.Login, &i.Email, &i.Civility, &i.LastName, &i.FirstName,
		&i.FixPhone, &i.MobilePhone, &i.Language, usec{&i.CreatedAt}, usec{&i.UpdatedAt})
	return i, err
}

// foldKey is the form of an e-mail or login that unique indexes and lookups compare.
func foldKey(s string) string { return strings.ToLower(s) }
