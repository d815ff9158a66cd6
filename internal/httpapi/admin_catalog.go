package httpapi

import (
	"net/http"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/eccs"
)

// This file holds what operators load from their billing system: customers, billing accounts
// and offers.

// handleCustomerCreate is POST /admin/v1/customers.
func (s *server) handleCustomerCreate(w http.ResponseWriter, r *http.Request) error {
	var in admin.Customer
	if err := decodeJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	c, err := s.svc.CreateCustomer(r.Context(), eccs.Customer{ID: in.ID, Name: in.Name, Segment: in.Segment})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, customerJSON(c))
	return nil
}

// handleCustomersList is GET /admin/v1/customers.
func (s *server) handleCustomersList(w http.ResponseWriter, r *http.Request) error {
	_, page, err := adminPage(r)
	if err != nil {
		return err
	}
	list, total, err := s.svc.Customers(r.Context(), page)
	if err != nil {
		return err
	}
	writeList(w, listOf(list, customerJSON), total)
	return nil
}

// handleCustomerShow is GET /admin/v1/customers/{id}.
func (s *server) handleCustomerShow(w http.ResponseWriter, r *http.Request) error {
	return serveRecord(w, r, recordID, s.svc.Customer, customerJSON)
}

// handleCustomerUpdate is PATCH /admin/v1/customers/{id}.
func (s *server) handleCustomerUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in admin.CustomerUpdate
	if err := decodeJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	c, err := s.svc.UpdateCustomer(r.Context(), id, eccs.CustomerUpdate{Name: in.Name, Segment: in.Segment})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, customerJSON(c))
	return nil
}

// handleBillingAccountCreate is POST /admin/v1/billing-accounts.
func (s *server) handleBillingAccountCreate(w http.ResponseWriter, r *http.Request) error {
	var in admin.BillingAccount
	if err := decodeJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	b, err := s.svc.CreateBillingAccount(r.Context(), eccs.BillingAccount{ID: in.ID, CustomerID: in.CustomerID, Name: in.Name})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, billingAccountJSON(b))
	return nil
}

// handleBillingAccountsList is GET /admin/v1/billing-accounts[?customerId].
func (s *server) handleBillingAccountsList(w http.ResponseWriter, r *http.Request) error {
	q, page, err := adminPage(r)
	if err != nil {
		return err
	}
	customerID, err := queryString(q, "customerId", 128)
	if err != nil {
		return err
	}
	list, total, err := s.svc.BillingAccounts(r.Context(), customerID, page)
	if err != nil {
		return err
	}
	writeList(w, listOf(list, billingAccountJSON), total)
	return nil
}

// handleBillingAccountUpdate is PATCH /admin/v1/billing-accounts/{id}: a new name.
func (s *server) handleBillingAccountUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in admin.BillingAccountUpdate
	if err := decodeJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	b, err := s.svc.RenameBillingAccount(r.Context(), id, in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, billingAccountJSON(b))
	return nil
}

// handleOfferCreate is POST /admin/v1/offers.
func (s *server) handleOfferCreate(w http.ResponseWriter, r *http.Request) error {
	var in admin.Offer
	if err := decodeJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	o, err := s.svc.CreateOffer(r.Context(), eccs.Offer{ID: in.ID, Name: in.Name, ContractType: in.ContractType, SupportLevels: in.SupportLevels})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, offerJSON(o))
	return nil
}

// handleOffersList is GET /admin/v1/offers: every offer (there are few).
func (s *server) handleOffersList(w http.ResponseWriter, r *http.Request) error {
	list, err := s.svc.Offers(r.Context())
	if err != nil {
		return err
	}
	writeList(w, listOf(list, offerJSON), len(list))
	return nil
}

// handleOfferUpdate is PATCH /admin/v1/offers/{id}.
func (s *server) handleOfferUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in admin.OfferUpdate
	if err := decodeJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	o, err := s.svc.UpdateOffer(r.Context(), id, eccs.OfferUpdate{Name: in.Name, ContractType: in.ContractType, SupportLevels: in.SupportLevels})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, offerJSON(o))
	return nil
}
