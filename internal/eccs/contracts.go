package eccs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ContractService holds the rules of contracts: orders, changes, closing, referents.
type ContractService struct {
	*base
	catalog *CatalogService
	people  *PeopleService
}

// ContractStore keeps contracts and numbers them.
type ContractStore interface {
	// NextContractNumber returns a number never returned by a committed call before, starting
	// at 1, even under concurrent calls and across processes sharing the database. Called in a
	// transaction, the increment commits or rolls back with it.
	NextContractNumber(ctx context.Context) (int64, error)
	CreateContract(ctx context.Context, c Contract) error
	Contract(ctx context.Context, id string) (Contract, error)
	// Contracts returns one page of the contracts that f selects, sorted by id, and how many
	// it selects in all.
	Contracts(ctx context.Context, f ContractFilter) ([]Contract, int, error)
	// UpdateContract replaces every field of contract c.ID but its id, offer, billing account
	// and creation time (the referent by c.Referent.ID).
	UpdateContract(ctx context.Context, c Contract) error
}

// Contracts returns one page of the contracts acct may see, sorted by id, and how many there
// are in all.
func (s *ContractService) Contracts(ctx context.Context, acct Account, page Page) ([]Contract, int, error) {
	return s.SearchContracts(ctx, acct, "", page)
}

// MaxContractSearch is the longest contract search, in bytes.
const MaxContractSearch = 100

// MaxContractSearchTotal is how far SearchContracts counts the contracts a search matches: a
// search that matches more reports MaxContractSearchTotal + 1. Counting every match of a word
// most contracts hold would cost as much as listing them all.
const MaxContractSearchTotal = 1000

// SearchContracts is Contracts narrowed to the contracts that match search: each of its words
// (split at spaces) starts the contract's number, its number without its leading letters
// (0000005 for OCB0000005) or a word of its name, ASCII letters compared without case; an
// empty search narrows nothing. With a search, the total is at most MaxContractSearchTotal + 1,
// which means more than MaxContractSearchTotal. Errors: Invalid
// (Field "q") for a search longer than MaxContractSearch or holding control characters.
func (s *ContractService) SearchContracts(ctx context.Context, acct Account, search string, page Page) ([]Contract, int, error) {
	search = strings.TrimSpace(search)
	if len(search) > MaxContractSearch || (search != "" && !ValidText(search, MaxContractSearch)) {
		return nil, 0, invalidField("q", "A search is at most %d characters, without control characters.", MaxContractSearch)
	}
	f, err := contractFilter(acct, page)
	if err != nil {
		return nil, 0, err
	}
	f.Search = search
	if search != "" {
		f.CountLimit = MaxContractSearchTotal
	}
	list, total, err := s.store.Contracts(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("list contracts: %w", err)
	}
	return list, total, nil
}

// ContractOrder is the body of POST /contract.
type ContractOrder struct {
	BillingAccountID    string
	OfferCode           string
	ContractName        string
	SupportLevel        string
	ReferentCivility    string
	ReferentName        string // the referent's last name
	ReferentFirstName   string
	ReferentMail        string
	ReferentFixPhone    string
	ReferentMobilePhone string
	ReferenceExt        [3]string
}

func (o ContractOrder) validate() error {
	var probs problems
	probs.require("billingAccountId", o.BillingAccountID, "offerCode", o.OfferCode,
		"contractName", o.ContractName, "supportLevel", o.SupportLevel)
	checkPerson(&probs, "referent", Person{
		Civility: o.ReferentCivility, LastName: o.ReferentName, FirstName: o.ReferentFirstName,
		Email: o.ReferentMail, FixPhone: o.ReferentFixPhone, MobilePhone: o.ReferentMobilePhone,
	})
	for _, f := range []struct {
		field, value string
		ok           func(string) bool
		rule         string
	}{
		{"billingAccountId", o.BillingAccountID, func(v string) bool { return isToken(v, 64) }, "billingAccountId must be 1 to 64 letters, digits, '-' or '_'."},
		{"offerCode", o.OfferCode, func(v string) bool { return isToken(v, 64) }, "offerCode must be 1 to 64 letters, digits, '-' or '_'."},
		{"contractName", o.ContractName, func(v string) bool { return ValidText(v, 100) }, "contractName must be 1 to 100 characters, without control characters or surrounding spaces."},
		{"supportLevel", o.SupportLevel, func(v string) bool { return isToken(v, 32) }, "supportLevel must be a support level code such as BSC."},
	} {
		if !probs.isMissing(f.field) && !f.ok(f.value) {
			probs.invalidf(f.field, "%s", f.rule)
		}
	}
	checkReferences(&probs, o.ReferenceExt)
	return probs.err()
}

// ContractOrderer is an account that may order contracts: OrderContract takes one, and only
// MayOrderContracts makes one, so the rule runs once, at the point of the transport's checks
// where the wire puts it (before the order's body is read).
type ContractOrderer struct{ account Account }

// MayOrderContracts returns a ContractOrderer of acct, or a Forbidden error unless acct may
// order contracts: only administrator accounts may, within their perimeter.
func MayOrderContracts(acct Account) (ContractOrderer, error) {
	if acct.Type != AccountAdministrator {
		return ContractOrderer{}, Errorf(Forbidden, "Only administrator accounts may order contracts; this API key names a %s account.", acct.Type)
	}
	return ContractOrderer{account: acct}, nil
}

// OrderContract creates a contract for an administrator account (POST /contract) and returns
// it. The referent becomes a user of the contract with manager on every section, shown as the
// ordering customer's record of them: the names the caller sent, never another customer's.
// The checks, in order: client accounts are Forbidden (MayOrderContracts, before the body is
// read); a bad body is Invalid; an unknown offer code is Invalid (the catalogue is not
// secret); a billing account (unknown or not) and offer not both in the perimeter are
// Forbidden; a support level the offer does not sell is Invalid.
func (s *ContractService) OrderContract(ctx context.Context, orderer ContractOrderer, o ContractOrder) (Contract, error) {
	acct := orderer.account
	if err := o.validate(); err != nil {
		return Contract{}, err
	}
	offer, err := s.store.Offer(ctx, o.OfferCode)
	if IsNotFound(err) {
		return Contract{}, invalidField("offerCode", "offerCode %q is not a known offer.", o.OfferCode)
	}
	if err != nil {
		return Contract{}, fmt.Errorf("order contract: %w", err)
	}
	// The perimeter comes before anything the offer says about itself: what an offer outside
	// the perimeter sells (its support levels) is none of this account's business.
	outside := Errorf(Forbidden, "Billing account %s with offer %s is outside this API key's perimeter.", o.BillingAccountID, o.OfferCode)
	if !acct.Perimeter.Covers(o.BillingAccountID, offer.ID) {
		return Contract{}, outside
	}
	ba, err := s.store.BillingAccount(ctx, o.BillingAccountID)
	if IsNotFound(err) {
		return Contract{}, outside
	}
	if err != nil {
		return Contract{}, fmt.Errorf("order contract: %w", err)
	}
	if !offer.AllowsSupportLevel(o.SupportLevel) {
		return Contract{}, invalidField("supportLevel", "supportLevel %q is not sold with offer %s; choose one of: %s.",
			o.SupportLevel, offer.ID, strings.Join(offer.SupportLevels, ", "))
	}
	c, err := s.createContract(ctx, "contract.order", offer, ba, NewContract{
		Name: o.ContractName, SupportLevel: o.SupportLevel, ReferenceExt: o.ReferenceExt,
		Referent: Person{
			Civility: o.ReferentCivility, LastName: o.ReferentName, FirstName: o.ReferentFirstName,
			Email: o.ReferentMail, FixPhone: o.ReferentFixPhone, MobilePhone: o.ReferentMobilePhone,
		},
	}, false)
	if err != nil {
		return Contract{}, fmt.Errorf("order contract: %w", err)
	}
	return c, nil
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
	// Customer and BillingAccountName, when set, let one call onboard a customer: the
	// customer is created if it does not exist yet, and so is the billing account
	// (BillingAccountID, named BillingAccountName, of Customer). An existing billing account
	// must belong to Customer.
	Customer           *Customer
	BillingAccountName string
}

func (nc NewContract) validate() error {
	var probs problems
	if nc.ID != "" && !ValidContractID(nc.ID) {
		probs.invalidf("id", "id %q is not a contract number (3 to 32 letters, digits, '-' or '_').", nc.ID)
	}
	if !ValidText(nc.Name, 100) {
		probs.invalidf("name", "A contract name is 1 to 100 characters.")
	}
	if !isToken(nc.OfferID, 64) {
		probs.invalidf("offerId", "offerId must be an offer code: 1 to 64 letters, digits, '-' or '_'.")
	}
	if !isToken(nc.BillingAccountID, 64) {
		probs.invalidf("billingAccountId", "billingAccountId must be a billing account id: 1 to 64 letters, digits, '-' or '_'.")
	}
	if nc.Type != "" && !ValidText(nc.Type, 64) {
		probs.invalidf("contractType", "contractType must be 1 to 64 characters.")
	}
	if nc.PlatformID != "" && !ValidText(nc.PlatformID, 100) {
		probs.invalidf("platformId", "platformId must be 1 to 100 characters.")
	}
	checkPerson(&probs, "referent", nc.Referent)
	if nc.ReferentLogin != "" && !ValidLogin(nc.ReferentLogin) {
		probs.invalidf("referentLogin", "referentLogin must be 8 to 64 characters among A-Z a-z 0-9 . _ -.")
	}
	checkReferences(&probs, nc.ReferenceExt)
	if nc.BillingAccountName != "" && !ValidText(nc.BillingAccountName, 200) {
		probs.invalidf("billingAccountName", "billingAccountName must be 1 to 200 characters, without control characters or surrounding spaces.")
	}
	if nc.Customer != nil {
		if err := validateCustomer(*nc.Customer); err != nil {
			e, _ := errors.AsType[*Error](err)
			probs.invalidf("customer."+e.Field, "customer.%s: %s", e.Field, e.Message)
		}
	}
	return probs.err()
}

// checkReferences notes the external references that are not short texts.
func checkReferences(probs *problems, refs [3]string) {
	for i, ref := range refs {
		if ref != "" && !ValidText(ref, 100) {
			probs.invalidf(fmt.Sprintf("referenceExt%d", i+1), "referenceExt%d must be at most 100 characters, without control characters or surrounding spaces.", i+1)
		}
	}
}

// validateReferences returns what is wrong with external references, or nil.
func validateReferences(refs [3]string) error {
	var probs problems
	checkReferences(&probs, refs)
	return probs.err()
}

// CreateContract creates a contract on an operator's behalf, with its referent declared as
// manager everywhere. Errors: Invalid, NotFound for an unknown offer or billing account,
// Conflict for a taken id.
func (s *ContractService) CreateContract(ctx context.Context, nc NewContract) (Contract, error) {
	if err := nc.validate(); err != nil {
		return Contract{}, err
	}
	offer, err := s.store.Offer(ctx, nc.OfferID)
	if err != nil {
		return Contract{}, fmt.Errorf("create contract: %w", err)
	}
	if nc.SupportLevel == "" && len(offer.SupportLevels) > 0 {
		nc.SupportLevel = offer.SupportLevels[0]
	}
	if !offer.AllowsSupportLevel(nc.SupportLevel) {
		return Contract{}, invalidField("supportLevel", "supportLevel %q is not sold with offer %s.", nc.SupportLevel, offer.ID)
	}
	ba, err := s.billingAccountFor(ctx, nc)
	if err != nil {
		return Contract{}, fmt.Errorf("create contract: %w", err)
	}
	c, err := s.createContract(ctx, "contract.create", offer, ba, nc, true)
	if err != nil {
		return Contract{}, fmt.Errorf("create contract: %w", err)
	}
	return c, nil
}

// billingAccountFor returns the billing account of a new contract, first creating what is
// missing of it and its customer when nc says how (NewContract.Customer). Each creation is
// recorded; a second run finds them and creates nothing.
func (s *ContractService) billingAccountFor(ctx context.Context, nc NewContract) (BillingAccount, error) {
	if c := nc.Customer; c != nil {
		if _, err := s.store.Customer(ctx, c.ID); IsNotFound(err) {
			if _, err := s.catalog.CreateCustomer(ctx, *c); err != nil && ErrorCode(err) != Conflict {
				return BillingAccount{}, err
			}
		} else if err != nil {
			return BillingAccount{}, err
		}
	}
	ba, err := s.store.BillingAccount(ctx, nc.BillingAccountID)
	switch {
	case IsNotFound(err) && nc.BillingAccountName != "":
		if nc.Customer == nil {
			return BillingAccount{}, missingField("customer", "A new billing account needs its customer: give customer (an id, and a name and segment when it is new too).")
		}
		ba, err = s.catalog.CreateBillingAccount(ctx, BillingAccount{ID: nc.BillingAccountID, CustomerID: nc.Customer.ID, Name: nc.BillingAccountName})
		if ErrorCode(err) == Conflict {
			ba, err = s.store.BillingAccount(ctx, nc.BillingAccountID)
		}
		return ba, err
	case err != nil:
		return BillingAccount{}, err
	case nc.Customer != nil && ba.CustomerID != nc.Customer.ID:
		return BillingAccount{}, invalidField("billingAccountId", "Billing account %s belongs to customer %s, not %s.", ba.ID, ba.CustomerID, nc.Customer.ID)
	}
	return ba, nil
}

// createContract stores a checked contract of offer billed to ba, declares its referent as
// manager everywhere and records action, in one transaction. The referent is found or made as
// personFor says, byOperator telling whose word nc.Referent is, and shown as the customer's
// record of them (contactFor).
func (s *ContractService) createContract(ctx context.Context, action string, offer Offer, ba BillingAccount, nc NewContract, byOperator bool) (Contract, error) {
	if nc.Type == "" {
		nc.Type = offer.ContractType
	}
	var created Contract
	err := s.retryOnConflict(ctx, func(tx Store) error {
		at := s.now()
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
		ref, err := s.people.personFor(ctx, tx, nc.Referent, nc.ReferentLogin, byOperator)
		if err != nil {
			return err
		}
		login := nc.ReferentLogin
		if login == "" && byOperator {
			if login, err = operatorContactLogin(ctx, tx, ba.CustomerID, ref); err != nil {
				return err
			}
		}
		record, err := s.people.contactFor(ctx, tx, ba.CustomerID, ref, nc.Referent, login)
		if err != nil {
			return err
		}
		c := Contract{
			ID: id, Name: nc.Name, Type: nc.Type, OfferID: offer.ID, BillingAccountID: ba.ID,
			CustomerID: ba.CustomerID, PlatformID: nc.PlatformID, SupportLevel: nc.SupportLevel,
			Referent: record.As(ref), ReferenceExt: nc.ReferenceExt, CreatedAt: at, UpdatedAt: at,
		}
		if err := tx.CreateContract(ctx, c); err != nil {
			return err
		}
		if err := tx.CreateDeclaration(ctx, Declaration{ContractID: id, IdentityID: ref.ID, Roles: ManagerEverywhere, CreatedAt: at, UpdatedAt: at}); err != nil {
			return err
		}
		if created, err = tx.Contract(ctx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, action, "contract", id, map[string]string{
			"name": c.Name, "offer": offer.ID, "billingAccount": ba.ID, "supportLevel": c.SupportLevel, "referent": ref.ID,
		})
	})
	return created, err
}

// Contract returns a contract for an operator; NotFound if there is none.
func (s *ContractService) Contract(ctx context.Context, id string) (Contract, error) {
	return s.store.Contract(ctx, id)
}

// OperatorContracts returns one page of every contract, narrowed by customer, billing account
// or offer when set, and how many there are.
func (s *ContractService) OperatorContracts(ctx context.Context, customerID, billingAccountID, offerID string, p Page) ([]Contract, int, error) {
	return s.store.Contracts(ctx, ContractFilter{All: true, CustomerID: customerID, BillingAccountID: billingAccountID, OfferID: offerID, Page: p})
}

// ContractUpdate changes a contract; nil fields are left as they are.
type ContractUpdate struct {
	Name         *string
	Type         *string
	PlatformID   *string // "" removes it
	SupportLevel *string
	ReferenceExt *[3]string
}

// UpdateContract changes a contract. Errors: NotFound; Conflict for a closed contract;
// Invalid for a bad value or a support level the offer does not sell.
func (s *ContractService) UpdateContract(ctx context.Context, id string, u ContractUpdate) (Contract, error) {
	var c Contract
	err := s.change(ctx, "contract.update", "contract", func(tx Store) (string, map[string]string, error) {
		var err error
		if c, err = openContract(ctx, tx, id); err != nil {
			return "", nil, err
		}
		details := map[string]string{}
		if u.Name != nil {
			if !ValidText(*u.Name, 100) {
				return "", nil, invalidField("name", "A contract name is 1 to 100 characters.")
			}
			c.Name, details["name"] = *u.Name, *u.Name
		}
		if u.Type != nil {
			if !ValidText(*u.Type, 64) {
				return "", nil, invalidField("contractType", "contractType must be 1 to 64 characters.")
			}
			c.Type, details["contractType"] = *u.Type, *u.Type
		}
		if u.PlatformID != nil {
			if *u.PlatformID != "" && !ValidText(*u.PlatformID, 100) {
				return "", nil, invalidField("platformId", "platformId must be 1 to 100 characters.")
			}
			c.PlatformID, details["platformId"] = *u.PlatformID, *u.PlatformID
		}
		if u.SupportLevel != nil {
			offer, err := tx.Offer(ctx, c.OfferID)
			if err != nil {
				return "", nil, err
			}
			if !offer.AllowsSupportLevel(*u.SupportLevel) {
				return "", nil, invalidField("supportLevel", "supportLevel %q is not sold with offer %s.", *u.SupportLevel, offer.ID)
			}
			c.SupportLevel, details["supportLevel"] = *u.SupportLevel, *u.SupportLevel
		}
		if u.ReferenceExt != nil {
			if err := validateReferences(*u.ReferenceExt); err != nil {
				return "", nil, err
			}
			c.ReferenceExt = *u.ReferenceExt
			details["referenceExt"] = strings.Join(c.ReferenceExt[:], "|")
		}
		c.UpdatedAt = s.now()
		return id, details, tx.UpdateContract(ctx, c)
	})
	if err != nil {
		return Contract{}, fmt.Errorf("update contract: %w", err)
	}
	return c, nil
}

// openContract returns contract id, or Conflict when it is closed: a closed contract takes
// no change.
func openContract(ctx context.Context, tx Store, id string) (Contract, error) {
	c, err := tx.Contract(ctx, id)
	if err != nil {
		return Contract{}, err
	}
	if c.Closed() {
		return Contract{}, Errorf(Conflict, "Contract %s was closed on %s and takes no change.", id, c.ClosedAt.Format(time.DateOnly))
	}
	return c, nil
}

// CloseContract closes a contract. It stays visible to its users, with its documents, and
// operators may still add, replace or delete its documents (the final bill, a correction); the
// contract itself takes no new user and no change. Errors: NotFound; Conflict when already
// closed.
func (s *ContractService) CloseContract(ctx context.Context, id string) (Contract, error) {
	var c Contract
	err := s.change(ctx, "contract.close", "contract", func(tx Store) (string, map[string]string, error) {
		var err error
		if c, err = openContract(ctx, tx, id); err != nil {
			return "", nil, err
		}
		c.ClosedAt, c.UpdatedAt = s.now(), s.now()
		return id, nil, tx.UpdateContract(ctx, c)
	})
	if err != nil {
		return Contract{}, fmt.Errorf("close contract: %w", err)
	}
	return c, nil
}

// ChangeReferent makes the identity of email the contract's referent, with manager on every
// section. The new referent must already be declared on the contract (as in the customer
// space); with removePrevious, the previous referent's declaration is removed. Errors:
// NotFound; Conflict for a closed contract; Invalid when email is not an e-mail address, or its
// identity is not declared on the contract or already its referent.
func (s *ContractService) ChangeReferent(ctx context.Context, contractID, email string, removePrevious bool) (Contract, error) {
	if !ValidEmail(email) {
		return Contract{}, invalidField("email", "email must be the e-mail address of a user declared on the contract, such as claire.martin@acme.example.")
	}
	var c Contract
	err := s.change(ctx, "contract.referent", "contract", func(tx Store) (string, map[string]string, error) {
		var err error
		if c, err = openContract(ctx, tx, contractID); err != nil {
			return "", nil, err
		}
		id, err := tx.IdentityByEmail(ctx, email)
		if IsNotFound(err) {
			return "", nil, invalidField("email", "Nobody with the e-mail %s is declared on contract %s; declare them first.", email, contractID)
		}
		if err != nil {
			return "", nil, err
		}
		if id.ID == c.Referent.ID {
			return "", nil, invalidField("email", "%s is already the referent of contract %s.", email, contractID)
		}
		d, err := tx.Declaration(ctx, contractID, id.ID)
		if IsNotFound(err) {
			return "", nil, invalidField("email", "Nobody with the e-mail %s is declared on contract %s; declare them first.", email, contractID)
		}
		if err != nil {
			return "", nil, err
		}
		now := s.now()
		d.Roles, d.UpdatedAt = ManagerEverywhere, now
		if err := tx.UpdateDeclaration(ctx, d); err != nil {
			return "", nil, err
		}
		previous := c.Referent.ID
		c.Referent, c.UpdatedAt = id, now
		if err := tx.UpdateContract(ctx, c); err != nil {
			return "", nil, err
		}
		if removePrevious {
			if err := tx.DeleteDeclaration(ctx, contractID, previous); err != nil {
				return "", nil, err
			}
		}
		if c, err = tx.Contract(ctx, contractID); err != nil { // the referent as the customer records them
			return "", nil, err
		}
		return contractID, map[string]string{"referent": id.ID, "previous": previous, "previousRemoved": fmt.Sprint(removePrevious)}, nil
	})
	if err != nil {
		return Contract{}, fmt.Errorf("change referent: %w", err)
	}
	return c, nil
}

// maxContractNumber is the last number that fits "OCB" + 7 digits.
const maxContractNumber = 9_999_999

// allocateContractID returns the next free "OCB" + 7 digits id. Numbers come from the store's
// counter, so they are unique under any concurrency; ids taken by contracts an operator loaded
// with their own numbers are skipped.
func (s *ContractService) allocateContractID(ctx context.Context, tx Store) (string, error) {
	for range 1000 {
		n, err := tx.NextContractNumber(ctx)
		if err != nil {
			return "", err
		}
		if n > maxContractNumber {
			return "", Errorf(Unavailable, "No contract number is left: every OCB number up to %d is in use.", maxContractNumber)
		}
		id := fmt.Sprintf("OCB%07d", n)
		_, err = tx.Contract(ctx, id)
		if IsNotFound(err) {
			return id, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", Errorf(Internal, "allocate contract id: 1000 numbers in a row are taken")
}

// ContractFilter selects contracts. Exactly one of DeclaredIdentityID, PerimeterOf and All is
// set: the contracts on which that identity is declared, the contracts covered by that
// account's perimeter (as Perimeter.Covers defines), or every contract (for operators). With
// All, CustomerID, BillingAccountID and OfferID narrow the list when set. A filter with none
// of the three is an error: a forgotten field must never list every contract.
type ContractFilter struct {
	DeclaredIdentityID string
	PerimeterOf        string
	All                bool
	CustomerID         string
	BillingAccountID   string
	OfferID            string
	// Search, when set, keeps the contracts for which each of its words (split at spaces)
	// starts the id, the id without its leading letters or a word of the name (split at
	// spaces), ASCII letters compared without case and nothing else folded; it narrows any of
	// the three selections. A Search of spaces alone has no word and narrows nothing.
	Search string
	// CountLimit, when positive and Search has a word, bounds the count: the total is then
	// at most CountLimit + 1, which means "more than CountLimit". Zero counts every contract.
	CountLimit int
	Page
}
