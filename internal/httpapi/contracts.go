package httpapi

import (
	"net/http"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/eccs"
)

// handleContractsList is GET /contracts: every contract the account may see, sorted by id, as
// a bare array; limit and offset page through it. X-ECCS-Contract-Id is ignored.
func (s *server) handleContractsList(w http.ResponseWriter, r *http.Request) error {
	c, err := s.authenticate(w, r)
	if err != nil {
		return err
	}
	q, err := queryParams(r)
	if err != nil {
		return err
	}
	page, err := pageParam(q, 0)
	if err != nil {
		return err
	}
	list, total, err := s.svc.Contracts(r.Context(), c.account, page)
	if err != nil {
		return err
	}
	out := make([]api.Contract, len(list))
	for i, ct := range list {
		out[i] = contractJSON(ct)
	}
	setCounts(w, total, len(out))
	writeJSON(w, http.StatusOK, out)
	return nil
}

// handleContractShow is GET /contract: the contract named by X-ECCS-Contract-Id.
func (s *server) handleContractShow(w http.ResponseWriter, r *http.Request) error {
	access, err := s.contractAccess(w, r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contractJSON(access.Contract()))
	return nil
}

// handleContractOrder is POST /contract: an administrator orders a new contract.
func (s *server) handleContractOrder(w http.ResponseWriter, r *http.Request) error {
	c, err := s.authenticate(w, r)
	if err != nil {
		return err
	}
	// Who may order is checked before the body is read (doc/wire.md §3 step 6): the role check
	// comes first.
	orderer, err := eccs.MayOrderContracts(c.account)
	if err != nil {
		return err
	}
	var o api.ContractOrder
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &o); err != nil {
		return err
	}
	ct, err := s.svc.OrderContract(c.ctx, orderer, eccs.ContractOrder{
		BillingAccountID:    o.BillingAccountID,
		OfferCode:           o.OfferCode,
		ContractName:        o.ContractName,
		SupportLevel:        o.SupportLevel,
		ReferentCivility:    o.ReferentCivility,
		ReferentName:        o.ReferentName,
		ReferentFirstName:   o.ReferentFirstName,
		ReferentMail:        o.ReferentMail,
		ReferentFixPhone:    o.ReferentFixPhone,
		ReferentMobilePhone: o.ReferentMobilePhone,
		ReferenceExt:        [3]string{o.ReferenceExt1, o.ReferenceExt2, o.ReferenceExt3},
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, api.ContractCreated{ID: ct.ID})
	return nil
}

// contractJSON is a contract on the wire.
func contractJSON(c eccs.Contract) api.Contract {
	return api.Contract{
		ID:           c.ID,
		Name:         c.Name,
		ContractType: c.Type,
		Offer:        api.Offer{ID: c.OfferID, Name: c.OfferName},
		PlatformID:   c.PlatformID,
		Customer:     api.Customer{ID: c.CustomerID, Name: c.CustomerName, Segment: c.CustomerSegment},
		Contact: api.Contact{
			LastName:  c.Referent.LastName,
			FirstName: c.Referent.FirstName,
			Name:      c.Referent.FullName(),
			Email:     c.Referent.Email,
			Title:     c.Referent.Civility,
		},
		CreatedAt: wireTime(c.CreatedAt),
		UpdatedAt: wireTime(c.UpdatedAt),
	}
}

// wireTime is a time as the wire writes it: UTC, whole seconds.
func wireTime(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }
