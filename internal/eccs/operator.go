package eccs

import (
	"context"
	"fmt"
	"time"
)

// This file holds what operators do: load the catalogue, customers and contracts, create
// accounts, issue keys and register applications. The admin API and the dev-mode seed call it;
// customers never reach it.

// CreateCustomer stores a new customer. Errors: Invalid, Conflict when the id is taken.
func (s *Service) CreateCustomer(ctx context.Context, c Customer) (Customer, error) {
	switch {
	case !isToken(c.ID, 64):
		return Customer{}, invalidField("id", "A customer id is 1 to 64 letters, digits, '-' or '_'.")
	case !ValidText(c.Name, 200):
		return Customer{}, invalidField("name", "A customer name is 1 to 200 characters.")
	case !ValidText(c.Segment, 64):
		return Customer{}, invalidField("segment", "A customer segment is 1 to 64 characters.")
	}
	c.CreatedAt, c.UpdatedAt = s.now(), s.now()
	return c, s.store.CreateCustomer(ctx, c)
}

// CreateBillingAccount stores a new billing account of an existing customer.
func (s *Service) CreateBillingAccount(ctx context.Context, b BillingAccount) (BillingAccount, error) {
	switch {
	case !isToken(b.ID, 64):
		return BillingAccount{}, invalidField("id", "A billing account id is 1 to 64 letters, digits, '-' or '_'.")
	case !ValidText(b.Name, 200):
		return BillingAccount{}, invalidField("name", "A billing account name is 1 to 200 characters.")
	}
	if _, err := s.store.Customer(ctx, b.CustomerID); err != nil {
		return BillingAccount{}, fmt.Errorf("create billing account: %w", err)
	}
	b.CreatedAt, b.UpdatedAt = s.now(), s.now()
	return b, s.store.CreateBillingAccount(ctx, b)
}

// CreateOffer stores a new offer. It needs at least one support level.
func (s *Service) CreateOffer(ctx context.Context, o Offer) (Offer, error) {
	switch {
	case !isToken(o.ID, 64):
		return Offer{}, invalidField("id", "An offer code is 1 to 64 letters, digits, '-' or '_'.")
	case !ValidText(o.Name, 200):
		return Offer{}, invalidField("name", "An offer name is 1 to 200 characters.")
	case !ValidText(o.ContractType, 64):
		return Offer{}, invalidField("contractType", "A contract type is 1 to 64 characters.")
	case len(o.SupportLevels) == 0:
		return Offer{}, missingField("supportLevels", "An offer needs at least one support level.")
	}
	for _, l := range o.SupportLevels {
		if !isToken(l, 32) {
			return Offer{}, invalidField("supportLevels", "Support level %q must be 1 to 32 letters, digits, '-' or '_'.", l)
		}
	}
	o.CreatedAt, o.UpdatedAt = s.now(), s.now()
	return o, s.store.CreateOffer(ctx, o)
}

// NewContract describes a contract an operator creates. An empty ID allocates the next
// "OCB" + 7 digits number; an empty Type takes the offer's contract type; an empty
// SupportLevel takes the offer's first; a zero CreatedAt is now.
type NewContract struct {
	ID               string
	Name             string
	Type             string
	OfferID          string
	BillingAccountID string
	PlatformID       string
	SupportLevel     string
	Referent         Person
	ReferentLogin    string // used when the referent's identity is new; made from the name when empty
	ReferenceExt     [3]string
	CreatedAt        time.Time
}

// CreateContract creates a contract with its referent declared as manager everywhere.
// Errors: Invalid, NotFound for an unknown offer or billing account, Conflict for a taken id.
func (s *Service) CreateContract(ctx context.Context, nc NewContract) (Contract, error) {
	if nc.ID != "" && !ValidContractID(nc.ID) {
		return Contract{}, invalidField("id", "%q is not a contract number (3 to 32 letters, digits, '-' or '_').", nc.ID)
	}
	if !ValidText(nc.Name, 100) {
		return Contract{}, invalidField("name", "A contract name is 1 to 100 characters.")
	}
	if nc.PlatformID != "" && !ValidText(nc.PlatformID, 100) {
		return Contract{}, invalidField("platformId", "A platform id is 1 to 100 characters.")
	}
	if err := validatePerson("referent", nc.Referent); err != nil {
		return Contract{}, err
	}
	if nc.ReferentLogin != "" && !ValidLogin(nc.ReferentLogin) {
		return Contract{}, invalidField("referentLogin", "A login is 8 to 64 characters among A-Z a-z 0-9 . _ -.")
	}
	offer, err := s.store.Offer(ctx, nc.OfferID)
	if err != nil {
		return Contract{}, fmt.Errorf("create contract: %w", err)
	}
	if nc.SupportLevel == "" && len(offer.SupportLevels) > 0 {
		nc.SupportLevel = offer.SupportLevels[0]
	}
	if !offer.AllowsSupportLevel(nc.SupportLevel) {
		return Contract{}, invalidField("supportLevel", "Support level %q is not sold with offer %s.", nc.SupportLevel, offer.ID)
	}
	if nc.Type == "" {
		nc.Type = offer.ContractType
	}
	ba, err := s.store.BillingAccount(ctx, nc.BillingAccountID)
	if err != nil {
		return Contract{}, fmt.Errorf("create contract: %w", err)
	}
	var created Contract
	err = s.retryOnConflict(ctx, func(tx Store) error {
		now := s.now()
		at := now
		if !nc.CreatedAt.IsZero() {
			at = nc.CreatedAt.UTC().Truncate(time.Microsecond)
		}
		id := nc.ID
		if id == "" {
			var err error
			if id, err = s.allocateContractID(ctx, tx); err != nil {
				return err
			}
		}
		ref, err := s.identityFor(ctx, tx, nc.Referent, nc.ReferentLogin)
		if err != nil {
			return err
		}
		c := Contract{
			ID: id, Name: nc.Name, Type: nc.Type, OfferID: offer.ID, BillingAccountID: ba.ID,
			CustomerID: ba.CustomerID, PlatformID: nc.PlatformID, SupportLevel: nc.SupportLevel,
			Referent: ref, ReferenceExt: nc.ReferenceExt, CreatedAt: at, UpdatedAt: at,
		}
		if err := tx.CreateContract(ctx, c); err != nil {
			return err
		}
		if err := tx.CreateDeclaration(ctx, Declaration{ContractID: id, IdentityID: ref.ID, Roles: ManagerEverywhere, CreatedAt: at, UpdatedAt: at}); err != nil {
			return err
		}
		created, err = tx.Contract(ctx, id)
		return err
	})
	if err != nil {
		return Contract{}, fmt.Errorf("create contract: %w", err)
	}
	return created, nil
}

// AddUser declares a user on a contract on an operator's behalf, with the rules of
// DeclareUser but without its role check. Errors: NotFound for an unknown contract, and those
// of DeclareUser.
func (s *Service) AddUser(ctx context.Context, contractID string, u NewUser) (User, error) {
	if _, err := s.store.Contract(ctx, contractID); err != nil {
		return User{}, fmt.Errorf("add user: %w", err)
	}
	return s.declare(ctx, contractID, u)
}

// NewAccount describes a customer-space account. Person is the account holder; their identity
// is reused when their e-mail is known, otherwise created with Login. A client account sees
// the contracts this identity is declared on; an administrator account sees its Perimeter.
type NewAccount struct {
	Type      AccountType
	Person    Person
	Login     string
	Perimeter Perimeter
}

// CreateAccount creates a customer-space account. Errors: Invalid, NotFound when a perimeter
// billing account or offer does not exist, Conflict when the login belongs to another e-mail.
func (s *Service) CreateAccount(ctx context.Context, na NewAccount) (Account, error) {
	na.Perimeter = Perimeter{BillingAccountIDs: dedupe(na.Perimeter.BillingAccountIDs), OfferIDs: dedupe(na.Perimeter.OfferIDs)}
	switch na.Type {
	case AccountClient:
		if len(na.Perimeter.BillingAccountIDs)+len(na.Perimeter.OfferIDs) > 0 {
			return Account{}, invalidField("perimeter", "Only administrator accounts have a perimeter.")
		}
	case AccountAdministrator:
		for _, id := range na.Perimeter.BillingAccountIDs {
			if _, err := s.store.BillingAccount(ctx, id); err != nil {
				return Account{}, fmt.Errorf("perimeter billing account %s: %w", id, err)
			}
		}
		for _, id := range na.Perimeter.OfferIDs {
			if _, err := s.store.Offer(ctx, id); err != nil {
				return Account{}, fmt.Errorf("perimeter offer %s: %w", id, err)
			}
		}
	default:
		return Account{}, invalidField("type", "An account type is \"client\" or \"administrator\".")
	}
	if err := validatePerson("", na.Person); err != nil {
		return Account{}, err
	}
	if na.Login != "" && !ValidLogin(na.Login) {
		return Account{}, invalidField("login", "A login is 8 to 64 characters among A-Z a-z 0-9 . _ -.")
	}
	var acct Account
	err := s.retryOnConflict(ctx, func(tx Store) error {
		id, err := s.identityFor(ctx, tx, na.Person, na.Login)
		if err != nil {
			return err
		}
		acctID, err := s.newID()
		if err != nil {
			return err
		}
		now := s.now()
		acct = Account{ID: acctID, Type: na.Type, IdentityID: id.ID, Perimeter: na.Perimeter, CreatedAt: now, UpdatedAt: now}
		return tx.CreateAccount(ctx, acct)
	})
	if err != nil {
		return Account{}, fmt.Errorf("create account: %w", err)
	}
	return acct, nil
}

// minPresetSecret is the shortest secret an operator may choose instead of a random one.
const minPresetSecret = 32

// KeyOptions tunes IssueAPIKey. Zero values take the defaults.
type KeyOptions struct {
	TTL time.Duration // default Config.APIKeyTTL (two years)
	// Secret, when set, is the key itself instead of a random one (the dev mode's fixed demo
	// keys). At least 32 characters.
	Secret string
}

// IssueAPIKey issues an API key for an account and returns it with the key in clear, which is
// shown once and never stored. Errors: NotFound for an unknown account, Invalid for a short
// preset secret.
func (s *Service) IssueAPIKey(ctx context.Context, accountID string, opts KeyOptions) (APIKey, string, error) {
	if _, err := s.store.Account(ctx, accountID); err != nil {
		return APIKey{}, "", fmt.Errorf("issue API key: %w", err)
	}
	secret := opts.Secret
	if secret == "" {
		random, err := randomString(s.random, 43, alphanumeric)
		if err != nil {
			return APIKey{}, "", err
		}
		secret = "eccs_" + random
	} else if len(secret) < minPresetSecret || !isToken(secret, 512) {
		return APIKey{}, "", invalidField("secret", "A preset API key is 32 to 512 letters, digits, '-' or '_'.")
	}
	ttl := opts.TTL
	if ttl <= 0 {
		ttl = s.cfg.APIKeyTTL
	}
	id, err := s.newID()
	if err != nil {
		return APIKey{}, "", err
	}
	now := s.now()
	k := APIKey{
		ID: id, AccountID: accountID, Hash: hashSecret(s.keys.HashKey, secret), Prefix: secret[:12],
		CreatedAt: now, ExpiresAt: now.Add(ttl),
	}
	if err := s.store.CreateAPIKey(ctx, k); err != nil {
		return APIKey{}, "", fmt.Errorf("issue API key: %w", err)
	}
	return k, secret, nil
}

// NewApplication describes a developer application. ClientID and Secret, when set, are used
// instead of random ones (the dev mode's fixed demo credentials).
type NewApplication struct {
	Name          string
	ClientID      string
	Secret        string
	Subscription  SubscriptionState
	TermsAccepted bool
}

// CreateApplication registers an application and returns it with its client secret in clear,
// which is shown once and never stored. Errors: Invalid, Conflict for a taken client id.
func (s *Service) CreateApplication(ctx context.Context, na NewApplication) (Application, string, error) {
	if !ValidText(na.Name, 100) {
		return Application{}, "", invalidField("name", "An application name is 1 to 100 characters.")
	}
	switch na.Subscription {
	case "":
		na.Subscription = SubscriptionPending
	case SubscriptionNone, SubscriptionPending, SubscriptionApproved, SubscriptionRejected, SubscriptionSuspended:
	default:
		return Application{}, "", invalidField("subscription", "Subscription %q is not a subscription state.", na.Subscription)
	}
	var err error
	if na.ClientID == "" {
		if na.ClientID, err = randomString(s.random, 32, alphanumeric); err != nil {
			return Application{}, "", err
		}
	} else if !isToken(na.ClientID, 128) {
		return Application{}, "", invalidField("clientId", "A client id is 1 to 128 letters, digits, '-' or '_'.")
	}
	if na.Secret == "" {
		if na.Secret, err = randomString(s.random, 40, alphanumeric); err != nil {
			return Application{}, "", err
		}
	} else if len(na.Secret) < minPresetSecret || !isToken(na.Secret, 512) {
		return Application{}, "", invalidField("secret", "A preset client secret is 32 to 512 letters, digits, '-' or '_'.")
	}
	id, err := s.newID()
	if err != nil {
		return Application{}, "", err
	}
	now := s.now()
	app := Application{
		ID: id, ClientID: na.ClientID, Name: na.Name, SecretHash: hashSecret(s.keys.HashKey, na.Secret),
		Status: ApplicationActive, Subscription: na.Subscription, CreatedAt: now, UpdatedAt: now,
	}
	if na.TermsAccepted {
		app.TermsAcceptedAt = now
	}
	if err := s.store.CreateApplication(ctx, app); err != nil {
		return Application{}, "", fmt.Errorf("create application: %w", err)
	}
	return app, na.Secret, nil
}

// SetApplicationStatus changes an application's status and returns it. A suspended or deleted
// application gets no token and its tokens are refused; a blocked one is refused on resource
// calls. Errors: Invalid for an unknown status, NotFound for an unknown application.
func (s *Service) SetApplicationStatus(ctx context.Context, appID string, status ApplicationStatus) (Application, error) {
	switch status {
	case ApplicationActive, ApplicationSuspended, ApplicationBlocked, ApplicationDeleted:
	default:
		return Application{}, invalidField("status", "Status %q is not an application status (active, suspended, blocked, deleted).", status)
	}
	var app Application
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		if app, err = tx.Application(ctx, appID); err != nil {
			return err
		}
		app.Status, app.UpdatedAt = status, s.now()
		return tx.UpdateApplication(ctx, app)
	})
	if err != nil {
		return Application{}, fmt.Errorf("set application status: %w", err)
	}
	return app, nil
}

// dedupe returns list without repeated values, in first-seen order.
func dedupe(list []string) []string {
	var out []string
	for _, v := range list {
		if !contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
