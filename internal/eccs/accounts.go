package eccs

import (
	"context"
	"fmt"
	"strings"
)

// AccountService holds the rules of customer-space accounts and their perimeters.
type AccountService struct {
	*base
	people  *PeopleService
	apiKeys *KeyService
}

// AccountStore keeps accounts and their perimeters.
type AccountStore interface {
	CreateAccount(ctx context.Context, a Account) error
	Account(ctx context.Context, id string) (Account, error)
	// Accounts returns one page of the accounts sorted by id, and how many there are.
	Accounts(ctx context.Context, p Page) ([]Account, int, error)
	// AccountsOf returns the accounts of identityID, sorted by id (none for an unknown one).
	AccountsOf(ctx context.Context, identityID string) ([]Account, error)
	// UpdateAccount replaces the perimeter and update time of account a.ID.
	UpdateAccount(ctx context.Context, a Account) error
}

// NewAccount describes a customer-space account. Person is the account holder, in an
// operator's word: their identity is reused when their e-mail is known (and described with
// Person and Login if no operator had described it yet), otherwise created with them. A client account sees
// the contracts this identity is declared on; an administrator account sees its Perimeter.
type NewAccount struct {
	Type      AccountType
	Person    Person
	Login     string
	Perimeter Perimeter
}

// CreateAccount creates a customer-space account. Errors: Invalid, NotFound when a perimeter
// billing account or offer does not exist, Conflict when the login belongs to another e-mail.
func (s *AccountService) CreateAccount(ctx context.Context, na NewAccount) (Account, error) {
	na, err := s.checkNewAccount(ctx, na)
	if err != nil {
		return Account{}, err
	}
	var acct Account
	err = s.retryOnConflict(ctx, func(tx Store) error {
		var err error
		acct, err = s.createAccount(ctx, tx, na)
		return err
	})
	if err != nil {
		return Account{}, fmt.Errorf("create account: %w", err)
	}
	return acct, nil
}

// checkNewAccount returns na with its perimeter lists deduplicated, or what is wrong with it:
// Invalid for bad values (every one named), NotFound for an unknown perimeter billing account
// or offer.
func (s *AccountService) checkNewAccount(ctx context.Context, na NewAccount) (NewAccount, error) {
	na.Perimeter = Perimeter{BillingAccountIDs: dedupe(na.Perimeter.BillingAccountIDs), OfferIDs: dedupe(na.Perimeter.OfferIDs)}
	var probs problems
	switch na.Type {
	case AccountClient:
		if len(na.Perimeter.BillingAccountIDs)+len(na.Perimeter.OfferIDs) > 0 {
			probs.invalidf("perimeter", "Only administrator accounts have a perimeter.")
		}
	case AccountAdministrator:
	default:
		probs.invalidf("type", "An account type is \"client\" or \"administrator\".")
	}
	checkPerson(&probs, "", na.Person)
	if na.Login != "" && !ValidLogin(na.Login) {
		probs.invalidf("login", "A login is 8 to 64 characters among A-Z a-z 0-9 . _ -.")
	}
	if err := probs.err(); err != nil {
		return NewAccount{}, err
	}
	if na.Type == AccountAdministrator {
		if err := s.checkPerimeter(ctx, s.store, na.Perimeter); err != nil {
			return NewAccount{}, err
		}
	}
	return na, nil
}

// createAccount stores a checked account, and its audit event, in tx.
func (s *AccountService) createAccount(ctx context.Context, tx Store, na NewAccount) (Account, error) {
	id, err := s.people.personFor(ctx, tx, na.Person, na.Login, true)
	if err != nil {
		return Account{}, err
	}
	acctID, err := s.newID()
	if err != nil {
		return Account{}, err
	}
	now := s.now()
	acct := Account{ID: acctID, Type: na.Type, IdentityID: id.ID, Perimeter: na.Perimeter, CreatedAt: now, UpdatedAt: now}
	if err := tx.CreateAccount(ctx, acct); err != nil {
		return Account{}, err
	}
	return acct, s.record(ctx, tx, "account.create", "account", acctID, perimeterDetails(acct, id.Login))
}

// CreateAccountWithKey creates an account and issues its API key, as CreateAccount and
// IssueAPIKeyClaim do, in one transaction: onboarding a customer's account is one step, and a
// failure leaves neither. It returns the key in clear, or, with opts.ClaimTTL, a claim token.
func (s *AccountService) CreateAccountWithKey(ctx context.Context, na NewAccount, opts KeyOptions) (Account, APIKey, string, ClaimToken, error) {
	na, err := s.checkNewAccount(ctx, na)
	if err != nil {
		return Account{}, APIKey{}, "", ClaimToken{}, err
	}
	var (
		acct   Account
		key    APIKey
		secret string
		claim  ClaimToken
	)
	err = s.retryOnConflict(ctx, func(tx Store) error {
		var err error
		if acct, err = s.createAccount(ctx, tx, na); err != nil {
			return err
		}
		key, secret, claim, err = s.apiKeys.issueAPIKey(ctx, tx, acct.ID, opts)
		return err
	})
	if err != nil {
		return Account{}, APIKey{}, "", ClaimToken{}, fmt.Errorf("create account: %w", err)
	}
	return acct, key, secret, claim, nil
}

// FindAccount returns the account ref names: an account id, or the e-mail address or login of
// the person who holds it (their own login), so that operators need not copy ids. Errors:
// NotFound when nothing matches; Conflict when the person holds several accounts (the message
// lists their ids, to name one).
func (s *AccountService) FindAccount(ctx context.Context, ref string) (Account, error) {
	if a, err := s.store.Account(ctx, ref); err == nil || !IsNotFound(err) {
		return a, err
	}
	notFound := Errorf(NotFound, "No account has the id, or is held by the person with the e-mail or login, %q.", ref)
	var person Identity
	var err error
	switch {
	case strings.Contains(ref, "@"):
		person, err = s.store.IdentityByEmail(ctx, ref)
	case ValidLogin(ref):
		person, err = s.store.IdentityByLogin(ctx, ref)
	default:
		return Account{}, notFound
	}
	if IsNotFound(err) {
		return Account{}, notFound
	}
	if err != nil {
		return Account{}, fmt.Errorf("find account: %w", err)
	}
	list, err := s.store.AccountsOf(ctx, person.ID)
	if err != nil {
		return Account{}, fmt.Errorf("find account: %w", err)
	}
	switch len(list) {
	case 0:
		return Account{}, notFound
	case 1:
		return list[0], nil
	}
	ids := make([]string, len(list))
	for i, a := range list {
		ids[i] = a.ID + " (" + string(a.Type) + ")"
	}
	return Account{}, Errorf(Conflict, "%s holds %d accounts: %s; name one by its id.", ref, len(list), strings.Join(ids, ", "))
}

// checkPerimeter returns Invalid when a value of p is not an id, NotFound when a billing
// account or offer of p does not exist.
func (s *AccountService) checkPerimeter(ctx context.Context, st Store, p Perimeter) error {
	for _, list := range []struct {
		field string
		ids   []string
	}{{"billingAccountIds", p.BillingAccountIDs}, {"offerIds", p.OfferIDs}} {
		for _, id := range list.ids {
			if !isToken(id, 64) {
				return invalidField(list.field, "%s holds a value that is not an id (1 to 64 letters, digits, '-' or '_').", list.field)
			}
		}
	}
	for _, id := range p.BillingAccountIDs {
		if _, err := st.BillingAccount(ctx, id); err != nil {
			return fmt.Errorf("perimeter billing account %s: %w", id, err)
		}
	}
	for _, id := range p.OfferIDs {
		if _, err := st.Offer(ctx, id); err != nil {
			return fmt.Errorf("perimeter offer %s: %w", id, err)
		}
	}
	return nil
}

func perimeterDetails(a Account, login string) map[string]string {
	d := map[string]string{"type": string(a.Type), "identity": a.IdentityID}
	if login != "" {
		d["login"] = login
	}
	if a.Type == AccountAdministrator {
		d["billingAccounts"] = strings.Join(a.Perimeter.BillingAccountIDs, ",")
		d["offers"] = strings.Join(a.Perimeter.OfferIDs, ",")
	}
	return d
}

// Account returns an account; NotFound if there is none.
func (s *AccountService) Account(ctx context.Context, id string) (Account, error) {
	return s.store.Account(ctx, id)
}

// Accounts returns one page of the accounts and how many there are.
func (s *AccountService) Accounts(ctx context.Context, p Page) ([]Account, int, error) {
	return s.store.Accounts(ctx, p)
}

// SetPerimeter replaces an administrator account's perimeter; it takes effect on the next
// call. Errors: NotFound for the account or a listed billing account or offer; Invalid for a
// client account.
func (s *AccountService) SetPerimeter(ctx context.Context, accountID string, p Perimeter) (Account, error) {
	p = Perimeter{BillingAccountIDs: dedupe(p.BillingAccountIDs), OfferIDs: dedupe(p.OfferIDs)}
	var a Account
	err := s.change(ctx, "account.perimeter", "account", func(tx Store) (string, map[string]string, error) {
		var err error
		if a, err = tx.Account(ctx, accountID); err != nil {
			return "", nil, err
		}
		if a.Type != AccountAdministrator {
			return "", nil, invalidField("perimeter", "Account %s is a client account: only administrator accounts have a perimeter.", accountID)
		}
		if err := s.checkPerimeter(ctx, tx, p); err != nil {
			return "", nil, err
		}
		a.Perimeter, a.UpdatedAt = p, s.now()
		return accountID, perimeterDetails(a, ""), tx.UpdateAccount(ctx, a)
	})
	if err != nil {
		return Account{}, fmt.Errorf("set perimeter: %w", err)
	}
	return a, nil
}
