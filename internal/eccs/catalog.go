package eccs

import (
	"context"
	"fmt"
	"strings"
)

// This file holds what operators load from their billing system: customers, billing
// accounts, offers.

// CatalogService holds the rules of the catalog: customers, billing accounts and offers.
type CatalogService struct {
	*base
}

// CatalogStore keeps customers, billing accounts and offers.
type CatalogStore interface {
	CreateCustomer(ctx context.Context, c Customer) error
	Customer(ctx context.Context, id string) (Customer, error)
	// Customers returns one page of the customers sorted by id, and how many there are.
	Customers(ctx context.Context, p Page) ([]Customer, int, error)
	// UpdateCustomer replaces the name, segment and update time of customer c.ID.
	UpdateCustomer(ctx context.Context, c Customer) error
	CreateBillingAccount(ctx context.Context, b BillingAccount) error
	BillingAccount(ctx context.Context, id string) (BillingAccount, error)
	// BillingAccounts returns one page of the billing accounts of customerID ("" for all)
	// sorted by id, and how many there are.
	BillingAccounts(ctx context.Context, customerID string, p Page) ([]BillingAccount, int, error)
	// UpdateBillingAccount replaces the name and update time of billing account b.ID.
	UpdateBillingAccount(ctx context.Context, b BillingAccount) error
	CreateOffer(ctx context.Context, o Offer) error
	Offer(ctx context.Context, id string) (Offer, error)
	// Offers returns every offer sorted by id.
	Offers(ctx context.Context) ([]Offer, error)
	// UpdateOffer replaces the name, contract type, support levels and update time of o.ID.
	UpdateOffer(ctx context.Context, o Offer) error
}

func validateCustomer(c Customer) error {
	switch {
	case !isToken(c.ID, 64):
		return invalidField("id", "A customer id is 1 to 64 letters, digits, '-' or '_'.")
	case !ValidText(c.Name, 200):
		return invalidField("name", "A customer name is 1 to 200 characters, without control characters or surrounding spaces.")
	case !ValidText(c.Segment, 64):
		return invalidField("segment", "A customer segment is 1 to 64 characters, such as large or sme.")
	}
	return nil
}

// CreateCustomer stores a new customer. Errors: Invalid, Conflict when the id is taken.
func (s *CatalogService) CreateCustomer(ctx context.Context, c Customer) (Customer, error) {
	if err := validateCustomer(c); err != nil {
		return Customer{}, err
	}
	c.CreatedAt, c.UpdatedAt = s.now(), s.now()
	err := s.change(ctx, "customer.create", "customer", func(tx Store) (string, map[string]string, error) {
		return c.ID, map[string]string{"name": c.Name, "segment": c.Segment}, tx.CreateCustomer(ctx, c)
	})
	if err != nil {
		return Customer{}, fmt.Errorf("create customer: %w", err)
	}
	return c, nil
}

// Customer returns a customer; NotFound if there is none.
func (s *CatalogService) Customer(ctx context.Context, id string) (Customer, error) {
	return s.store.Customer(ctx, id)
}

// Customers returns one page of the customers and how many there are.
func (s *CatalogService) Customers(ctx context.Context, p Page) ([]Customer, int, error) {
	return s.store.Customers(ctx, p)
}

// CustomerUpdate changes a customer; nil fields are left as they are.
type CustomerUpdate struct {
	Name    *string
	Segment *string
}

// UpdateCustomer changes a customer's name or segment. Errors: NotFound, Invalid.
func (s *CatalogService) UpdateCustomer(ctx context.Context, id string, u CustomerUpdate) (Customer, error) {
	var c Customer
	err := s.change(ctx, "customer.update", "customer", func(tx Store) (string, map[string]string, error) {
		var err error
		if c, err = tx.Customer(ctx, id); err != nil {
			return "", nil, err
		}
		details := map[string]string{}
		if u.Name != nil {
			c.Name, details["name"] = *u.Name, *u.Name
		}
		if u.Segment != nil {
			c.Segment, details["segment"] = *u.Segment, *u.Segment
		}
		if err := validateCustomer(c); err != nil {
			return "", nil, err
		}
		c.UpdatedAt = s.now()
		return id, details, tx.UpdateCustomer(ctx, c)
	})
	if err != nil {
		return Customer{}, fmt.Errorf("update customer: %w", err)
	}
	return c, nil
}

// CreateBillingAccount stores a new billing account of an existing customer. Errors: Invalid,
// NotFound for an unknown customer, Conflict for a taken id.
func (s *CatalogService) CreateBillingAccount(ctx context.Context, b BillingAccount) (BillingAccount, error) {
	switch {
	case b.CustomerID == "":
		return BillingAccount{}, missingField("customerId", "A billing account needs the id of its customer.")
	case !isToken(b.CustomerID, 64):
		return BillingAccount{}, invalidField("customerId", "customerId must be a customer id: 1 to 64 letters, digits, '-' or '_'.")
	case !isToken(b.ID, 64):
		return BillingAccount{}, invalidField("id", "A billing account id is 1 to 64 letters, digits, '-' or '_'.")
	case !ValidText(b.Name, 200):
		return BillingAccount{}, invalidField("name", "A billing account name is 1 to 200 characters.")
	}
	b.CreatedAt, b.UpdatedAt = s.now(), s.now()
	err := s.change(ctx, "billing_account.create", "billing_account", func(tx Store) (string, map[string]string, error) {
		if _, err := tx.Customer(ctx, b.CustomerID); err != nil {
			return "", nil, err
		}
		return b.ID, map[string]string{"customer": b.CustomerID, "name": b.Name}, tx.CreateBillingAccount(ctx, b)
	})
	if err != nil {
		return BillingAccount{}, fmt.Errorf("create billing account: %w", err)
	}
	return b, nil
}

// BillingAccounts returns one page of the billing accounts of a customer ("" for all).
func (s *CatalogService) BillingAccounts(ctx context.Context, customerID string, p Page) ([]BillingAccount, int, error) {
	return s.store.BillingAccounts(ctx, customerID, p)
}

// RenameBillingAccount changes a billing account's name. Errors: NotFound, Invalid.
func (s *CatalogService) RenameBillingAccount(ctx context.Context, id, name string) (BillingAccount, error) {
	if !ValidText(name, 200) {
		return BillingAccount{}, invalidField("name", "A billing account name is 1 to 200 characters.")
	}
	var b BillingAccount
	err := s.change(ctx, "billing_account.update", "billing_account", func(tx Store) (string, map[string]string, error) {
		var err error
		if b, err = tx.BillingAccount(ctx, id); err != nil {
			return "", nil, err
		}
		b.Name, b.UpdatedAt = name, s.now()
		return id, map[string]string{"name": name}, tx.UpdateBillingAccount(ctx, b)
	})
	if err != nil {
		return BillingAccount{}, fmt.Errorf("rename billing account: %w", err)
	}
	return b, nil
}

func validateOffer(o Offer) error {
	switch {
	case !isToken(o.ID, 64):
		return invalidField("id", "id must be an offer code of 1 to 64 letters, digits, '-' or '_'.")
	case !ValidText(o.Name, 200):
		return invalidField("name", "An offer name is 1 to 200 characters.")
	case !ValidText(o.ContractType, 64):
		return invalidField("contractType", "contractType must be 1 to 64 characters.")
	case len(o.SupportLevels) == 0:
		return missingField("supportLevels", "An offer needs at least one support level, such as BSC.")
	}
	for _, l := range o.SupportLevels {
		if !isToken(l, 32) {
			return invalidField("supportLevels", "supportLevels holds %q; a support level is 1 to 32 letters, digits, '-' or '_'.", l)
		}
	}
	return nil
}

// CreateOffer stores a new offer. It needs at least one support level; the first is the
// default of contracts created without one. Errors: Invalid, Conflict.
func (s *CatalogService) CreateOffer(ctx context.Context, o Offer) (Offer, error) {
	o.SupportLevels = dedupe(o.SupportLevels)
	if err := validateOffer(o); err != nil {
		return Offer{}, err
	}
	o.CreatedAt, o.UpdatedAt = s.now(), s.now()
	err := s.change(ctx, "offer.create", "offer", func(tx Store) (string, map[string]string, error) {
		return o.ID, offerDetails(o), tx.CreateOffer(ctx, o)
	})
	if err != nil {
		return Offer{}, fmt.Errorf("create offer: %w", err)
	}
	return o, nil
}

func offerDetails(o Offer) map[string]string {
	return map[string]string{"name": o.Name, "contractType": o.ContractType, "supportLevels": strings.Join(o.SupportLevels, ",")}
}

// Offers returns every offer.
func (s *CatalogService) Offers(ctx context.Context) ([]Offer, error) { return s.store.Offers(ctx) }

// OfferUpdate changes an offer; nil fields are left as they are.
type OfferUpdate struct {
	Name          *string
	ContractType  *string
	SupportLevels []string // nil: unchanged
}

// UpdateOffer changes an offer. Contracts keep the support level they were ordered with.
// Errors: NotFound, Invalid.
func (s *CatalogService) UpdateOffer(ctx context.Context, id string, u OfferUpdate) (Offer, error) {
	var o Offer
	err := s.change(ctx, "offer.update", "offer", func(tx Store) (string, map[string]string, error) {
		var err error
		if o, err = tx.Offer(ctx, id); err != nil {
			return "", nil, err
		}
		if u.Name != nil {
			o.Name = *u.Name
		}
		if u.ContractType != nil {
			o.ContractType = *u.ContractType
		}
		if u.SupportLevels != nil {
			o.SupportLevels = dedupe(u.SupportLevels)
		}
		if err := validateOffer(o); err != nil {
			return "", nil, err
		}
		o.UpdatedAt = s.now()
		return id, offerDetails(o), tx.UpdateOffer(ctx, o)
	})
	if err != nil {
		return Offer{}, fmt.Errorf("update offer: %w", err)
	}
	return o, nil
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
