package eccs

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// An invitation is a one-time link (links.go) that lets a person who holds an account choose
// their password. Operators invite the holder of any account; a users-manager of a contract
// invites a person declared on it (who gets a client account if they hold none). Each
// invitation is audited and emits person.invited, which the mail layer sends.

// Invitation is an invitation made: its link (whose token LinkToken derives), the person and
// the account they are invited to.
type Invitation struct {
	Link      Link
	Person    Identity
	AccountID string
}

// Languages are the languages of people's mails; the first is the default.
var Languages = []string{"fr", "en"}

// PreferredLanguage is the language of the person's mails: Language, or the default, "fr".
func (i Identity) PreferredLanguage() string {
	if i.Language == "" {
		return Languages[0]
	}
	return i.Language
}

// checkLanguage returns an Invalid error unless lang is "" or one of Languages.
func checkLanguage(lang string) error {
	if lang == "" || contains(Languages, lang) {
		return nil
	}
	return invalidField("language", "A language is %s.", strings.Join(Languages, " or "))
}

// InviteAccount invites the holder of an account, on an operator's behalf, to choose their
// password. who is the account's id or the holder's e-mail (whose first account, by id, is
// the one invited to). language, when set, becomes the person's mail language. Errors:
// NotFound for an unknown account or e-mail, or a person who holds no account; Invalid for a
// bad language.
func (s *SignInService) InviteAccount(ctx context.Context, who, language string) (Invitation, error) {
	if err := checkLanguage(language); err != nil {
		return Invitation{}, err
	}
	var inv Invitation
	err := s.inTx(ctx, func(tx Store) error {
		acct, err := s.accountOf(ctx, tx, who)
		if err != nil {
			return err
		}
		inv, err = s.inviteHolder(ctx, tx, acct, language)
		return err
	})
	if err != nil {
		return Invitation{}, fmt.Errorf("invite: %w", err)
	}
	return inv, nil
}

// inviteHolder invites the holder of acct, on an operator's behalf, in tx.
func (s *SignInService) inviteHolder(ctx context.Context, tx Store, acct Account, language string) (Invitation, error) {
	id, err := tx.Identity(ctx, acct.IdentityID)
	if err != nil {
		return Invitation{}, err
	}
	return s.invite(ctx, tx, id, acct.ID, language, "")
}

// accountOf returns the account who names: an account id, or an e-mail whose first account it
// is.
func (s *SignInService) accountOf(ctx context.Context, tx Store, who string) (Account, error) {
	if !strings.Contains(who, "@") {
		return tx.Account(ctx, who)
	}
	id, err := tx.IdentityByEmail(ctx, strings.TrimSpace(who))
	if err != nil {
		return Account{}, err
	}
	accounts, err := tx.AccountsOf(ctx, id.ID)
	if err != nil {
		return Account{}, err
	}
	if len(accounts) == 0 {
		return Account{}, Errorf(NotFound, "%s holds no account; create one (eccsd admin accounts create … --invite).", id.Email)
	}
	return accounts[0], nil
}

// CreateAccountAndInvite creates an account as CreateAccount does and invites its holder, in
// one transaction. Errors: those of CreateAccount, and Invalid for a bad language.
func (s *SignInService) CreateAccountAndInvite(ctx context.Context, na NewAccount, language string) (Account, Invitation, error) {
	if err := checkLanguage(language); err != nil {
		return Account{}, Invitation{}, err
	}
	na, err := s.accounts.checkNewAccount(ctx, na)
	if err != nil {
		return Account{}, Invitation{}, err
	}
	var (
		acct Account
		inv  Invitation
	)
	err = s.retryOnConflict(ctx, func(tx Store) error {
		var err error
		if acct, err = s.accounts.createAccount(ctx, tx, na); err != nil {
			return err
		}
		inv, err = s.inviteHolder(ctx, tx, acct, language)
		return err
	})
	if err != nil {
		return Account{}, Invitation{}, fmt.Errorf("create account: %w", err)
	}
	return acct, inv, nil
}

// InvitePerson invites a person declared on the contract of d to choose their password, on
// behalf of the users-manager d stands for; a person who holds no account gets a client
// account (which sees the contracts they are declared on). The inviter's name, when the actor
// of ctx is an account, goes in the mail. Errors: NotFound when the person is not declared on
// the contract; Conflict for a closed contract.
func (s *SignInService) InvitePerson(ctx context.Context, d UserDeclarer, identityID string) (Invitation, error) {
	contractID := d.access.contract.ID
	var inv Invitation
	err := s.inTx(ctx, func(tx Store) error {
		if _, err := openContract(ctx, tx, contractID); err != nil {
			return err
		}
		if _, err := tx.Declaration(ctx, contractID, identityID); err != nil {
			if IsNotFound(err) {
				return Errorf(NotFound, "This person is not declared on contract %s.", contractID)
			}
			return err
		}
		id, err := tx.Identity(ctx, identityID)
		if err != nil {
			return err
		}
		accounts, err := tx.AccountsOf(ctx, identityID)
		if err != nil {
			return err
		}
		var acct Account
		if len(accounts) > 0 {
			acct = accounts[0]
		} else if acct, err = s.clientAccount(ctx, tx, identityID); err != nil {
			return err
		}
		inv, err = s.invite(ctx, tx, id, acct.ID, "", s.inviterName(ctx, tx))
		return err
	})
	if err != nil {
		return Invitation{}, fmt.Errorf("invite: %w", err)
	}
	return inv, nil
}

// clientAccount creates a client account for identityID in tx.
func (s *SignInService) clientAccount(ctx context.Context, tx Store, identityID string) (Account, error) {
	id, err := s.newID()
	if err != nil {
		return Account{}, err
	}
	now := s.now()
	acct := Account{ID: id, Type: AccountClient, IdentityID: identityID, CreatedAt: now, UpdatedAt: now}
	if err := tx.CreateAccount(ctx, acct); err != nil {
		return Account{}, err
	}
	return acct, s.record(ctx, tx, "account.create", "account", id, map[string]string{"type": string(AccountClient), "identity": identityID})
}

// inviterName is the name of the person behind the account acting in ctx; "" for an operator
// or the system.
func (s *SignInService) inviterName(ctx context.Context, tx Store) string {
	a := ActorFrom(ctx)
	if a.Type != ActorAccount {
		return ""
	}
	acct, err := tx.Account(ctx, a.ID)
	if err != nil {
		return ""
	}
	id, err := tx.Identity(ctx, acct.IdentityID)
	if err != nil {
		return ""
	}
	return id.FullName()
}

// invite stores an invitation of person id to accountID in tx, sets their language when
// given, audits it and emits person.invited.
func (s *SignInService) invite(ctx context.Context, tx Store, id Identity, accountID, language, invitedBy string) (Invitation, error) {
	if language != "" && language != id.Language {
		id.Language, id.UpdatedAt = language, s.now()
		if err := tx.UpdateIdentity(ctx, id); err != nil {
			return Invitation{}, err
		}
	}
	l, err := s.createLink(ctx, tx, LinkInvitation, id.ID)
	if err != nil {
		return Invitation{}, err
	}
	expires := l.ExpiresAt.Format(time.RFC3339)
	if err := s.record(ctx, tx, "person.invite", "person", id.ID, map[string]string{"link": l.ID, "account": accountID, "language": id.PreferredLanguage(), "expiresAt": expires}); err != nil {
		return Invitation{}, err
	}
	err = s.emit(ctx, tx, "person.invited", "person", id.ID, invitedData{personMail(id), l.ID, expires, invitedBy})
	return Invitation{Link: l, Person: id, AccountID: accountID}, err
}
