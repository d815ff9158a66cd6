package eccs

import (
	"context"
	"fmt"
	"strings"
)

// Contracts returns one page of the contracts acct may see, sorted by id, and how many there
// are in all.
func (s *Service) Contracts(ctx context.Context, acct Account, page Page) ([]Contract, int, error) {
	f, err := contractFilter(acct, page)
	if err != nil {
		return nil, 0, err
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
	if err := requireFields(
		"billingAccountId", o.BillingAccountID, "offerCode", o.OfferCode,
		"contractName", o.ContractName, "supportLevel", o.SupportLevel,
		"referentName", o.ReferentName, "referentFirstName", o.ReferentFirstName,
		"referentMail", o.ReferentMail,
	); err != nil {
		return err
	}
	switch {
	case !isToken(o.BillingAccountID, 64):
		return invalidField("billingAccountId", "billingAccountId must be 1 to 64 letters, digits, '-' or '_'.")
	case !isToken(o.OfferCode, 64):
		return invalidField("offerCode", "offerCode must be 1 to 64 letters, digits, '-' or '_'.")
	case !ValidText(o.ContractName, 100):
		return invalidField("contractName", "contractName must be 1 to 100 characters, without control characters or surrounding spaces.")
	case !isToken(o.SupportLevel, 32):
		return invalidField("supportLevel", "supportLevel must be a support level code such as BSC.")
	}
	if err := validatePerson("referent", Person{
		Civility: o.ReferentCivility, LastName: o.ReferentName, FirstName: o.ReferentFirstName,
		Email: o.ReferentMail, FixPhone: o.ReferentFixPhone, MobilePhone: o.ReferentMobilePhone,
	}); err != nil {
		return err
	}
	for i, ref := range o.ReferenceExt {
		if ref != "" && !ValidText(ref, 100) {
			return invalidField(fmt.Sprintf("referenceExt%d", i+1), "referenceExt%d must be at most 100 characters, without control characters or surrounding spaces.", i+1)
		}
	}
	return nil
}

// OrderContract creates a contract for an administrator account (POST /contract) and returns
// it. The referent becomes a user of the contract with manager on every section. Errors:
// Forbidden for client accounts and when the billing account (unknown or not) and offer are not
// both in the perimeter; Invalid for a bad field, an unknown offer code or a support level the
// offer does not sell.
func (s *Service) OrderContract(ctx context.Context, acct Account, o ContractOrder) (Contract, error) {
	if err := MayOrderContracts(acct); err != nil {
		return Contract{}, err
	}
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
	if !offer.AllowsSupportLevel(o.SupportLevel) {
		return Contract{}, invalidField("supportLevel", "supportLevel %q is not sold with offer %s; choose one of: %s.",
			o.SupportLevel, offer.ID, strings.Join(offer.SupportLevels, ", "))
	}
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
	referent := Person{
		Civility: o.ReferentCivility, LastName: o.ReferentName, FirstName: o.ReferentFirstName,
		Email: o.ReferentMail, FixPhone: o.ReferentFixPhone, MobilePhone: o.ReferentMobilePhone,
	}
	var created Contract
	err = s.retryOnConflict(ctx, func(tx Store) error {
		now := s.now()
		id, err := s.allocateContractID(ctx, tx)
		if err != nil {
			return err
		}
		ref, err := s.identityFor(ctx, tx, referent, "")
		if err != nil {
			return err
		}
		c := Contract{
			ID: id, Name: o.ContractName, Type: offer.ContractType, OfferID: offer.ID,
			BillingAccountID: ba.ID, CustomerID: ba.CustomerID, SupportLevel: o.SupportLevel,
			Referent: ref, ReferenceExt: o.ReferenceExt, CreatedAt: now, UpdatedAt: now,
		}
		if err := tx.CreateContract(ctx, c); err != nil {
			return err
		}
		if err := tx.CreateDeclaration(ctx, Declaration{ContractID: id, IdentityID: ref.ID, Roles: ManagerEverywhere, CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		created, err = tx.Contract(ctx, id)
		return err
	})
	if err != nil {
		return Contract{}, fmt.Errorf("order contract: %w", err)
	}
	return created, nil
}

// MayOrderContracts returns a Forbidden error unless acct may order contracts: only
// administrator accounts may, within their perimeter.
func MayOrderContracts(acct Account) error {
	if acct.Type != AccountAdministrator {
		return Errorf(Forbidden, "Only administrator accounts may order contracts; this API key names a %s account.", acct.Type)
	}
	return nil
}

// maxContractNumber is the last number that fits "OCB" + 7 digits.
const maxContractNumber = 9_999_999

// allocateContractID returns the next free "OCB" + 7 digits id. Numbers come from the store's
// counter, so they are unique under any concurrency; ids taken by contracts an operator loaded
// with their own numbers are skipped.
func (s *Service) allocateContractID(ctx context.Context, tx Store) (string, error) {
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

// retryOnConflict runs fn in a transaction, once more if it fails with a Conflict: two requests
// that create the same new identity at once both succeed, the second reusing the first's.
func (s *Service) retryOnConflict(ctx context.Context, fn func(tx Store) error) error {
	err := s.store.InTx(ctx, fn)
	if ErrorCode(err) == Conflict {
		err = s.store.InTx(ctx, fn)
	}
	return err
}
