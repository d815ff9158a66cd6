package httpapi

import (
	"net/http"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/eccs"
)

// handleAdminContractCreate is POST /admin/v1/contracts: a contract with its referent declared
// as manager everywhere.
func (s *server) handleAdminContractCreate(w http.ResponseWriter, r *http.Request) error {
	var in admin.NewContract
	if err := decodeJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	refs, err := referencesOf(in.ReferenceExt)
	if err != nil {
		return err
	}
	nc := eccs.NewContract{
		ID: in.ID, Name: in.Name, Type: in.ContractType, OfferID: in.OfferID, BillingAccountID: in.BillingAccountID,
		PlatformID: in.PlatformID, SupportLevel: in.SupportLevel, Referent: personOf(in.Referent),
		ReferentLogin: in.ReferentLogin, ReferenceExt: refs, CreatedAt: in.CreatedAt,
		BillingAccountName: in.BillingAccountName,
	}
	if in.Customer != nil {
		nc.Customer = &eccs.Customer{ID: in.Customer.ID, Name: in.Customer.Name, Segment: in.Customer.Segment}
	}
	c, err := s.svc.CreateContract(r.Context(), nc)
	if err != nil {
		return err
	}
	out := adminContractJSON(c)
	if out.Notices, err = s.svc.PersonNotices(r.Context(), nc.Referent, nc.ReferentLogin, c.CustomerID); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// handleAdminContractsList is GET /admin/v1/contracts[?customerId&billingAccountId&offerId].
func (s *server) handleAdminContractsList(w http.ResponseWriter, r *http.Request) error {
	q, page, err := adminPage(r)
	if err != nil {
		return err
	}
	var filter [3]string
	for i, name := range []string{"customerId", "billingAccountId", "offerId"} {
		if filter[i], err = queryString(q, name, 128); err != nil {
			return err
		}
	}
	list, total, err := s.svc.OperatorContracts(r.Context(), filter[0], filter[1], filter[2], page)
	if err != nil {
		return err
	}
	writeList(w, listOf(list, adminContractJSON), total)
	return nil
}

// handleAdminContractShow is GET /admin/v1/contracts/{id}.
func (s *server) handleAdminContractShow(w http.ResponseWriter, r *http.Request) error {
	return serveRecord(w, r, contractPathID, s.svc.Contract, adminContractJSON)
}

// handleAdminContractUpdate is PATCH /admin/v1/contracts/{id}.
func (s *server) handleAdminContractUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := contractPathID(r)
	if err != nil {
		return err
	}
	var in admin.ContractUpdate
	if err := decodeJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	u := eccs.ContractUpdate{Name: in.Name, Type: in.ContractType, PlatformID: in.PlatformID, SupportLevel: in.SupportLevel}
	if in.ReferenceExt != nil { // [] clears them
		refs, err := referencesOf(in.ReferenceExt)
		if err != nil {
			return err
		}
		u.ReferenceExt = &refs
	}
	c, err := s.svc.UpdateContract(r.Context(), id, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminContractJSON(c))
	return nil
}

// handleAdminContractClose is POST /admin/v1/contracts/{id}/close.
func (s *server) handleAdminContractClose(w http.ResponseWriter, r *http.Request) error {
	return serveRecord(w, r, contractPathID, s.svc.CloseContract, adminContractJSON)
}

// handleAdminReferentChange is PUT /admin/v1/contracts/{id}/referent.
func (s *server) handleAdminReferentChange(w http.ResponseWriter, r *http.Request) error {
	id, err := contractPathID(r)
	if err != nil {
		return err
	}
	var in admin.ReferentChange
	if err := decodeJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	c, err := s.svc.ChangeReferent(r.Context(), id, in.Email, in.RemovePrevious)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminContractJSON(c))
	return nil
}

// handleAdminUsersList is GET /admin/v1/contracts/{id}/users: every user declared on the
// contract, sorted by login.
func (s *server) handleAdminUsersList(w http.ResponseWriter, r *http.Request) error {
	id, err := contractPathID(r)
	if err != nil {
		return err
	}
	list, err := s.svc.Users(r.Context(), id)
	if err != nil {
		return err
	}
	writeList(w, listOf(list, adminUserJSON), len(list))
	return nil
}

// handleAdminUserAdd is POST /admin/v1/contracts/{id}/users, with the rules of the customer
// API's user declaration but no role check.
func (s *server) handleAdminUserAdd(w http.ResponseWriter, r *http.Request) error {
	id, err := contractPathID(r)
	if err != nil {
		return err
	}
	var in admin.NewUser
	if err := decodeJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	u, err := s.svc.AddUser(r.Context(), id, eccs.NewUser{
		Civility: in.Civility, LastName: in.LastName, FirstName: in.FirstName, Email: in.Email,
		Login: in.Login, FixPhone: in.FixPhone, MobilePhone: in.MobilePhone, Roles: in.Roles,
	})
	if err != nil {
		return err
	}
	c, err := s.svc.Contract(r.Context(), id)
	if err != nil {
		return err
	}
	out := adminUserJSON(u)
	if out.Notices, err = s.svc.PersonNotices(r.Context(), personOf(in.Person), in.Login, c.CustomerID); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// handleAdminUserRoles is PUT /admin/v1/contracts/{id}/users/{identityId}/roles.
func (s *server) handleAdminUserRoles(w http.ResponseWriter, r *http.Request) error {
	id, err := contractPathID(r)
	if err != nil {
		return err
	}
	identityID, err := pathID(r, "identityId")
	if err != nil {
		return err
	}
	var in admin.RolesChange
	if err := decodeJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	if in.Roles == nil {
		return fail(http.StatusBadRequest, api.CodeMissingBodyField, "The body field roles is required, for example {\"contracts\": [\"visitor\"], \"documents\": [\"manager\"]}.")
	}
	u, err := s.svc.SetUserRoles(r.Context(), id, identityID, in.Roles)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminUserJSON(u))
	return nil
}

// handleAdminUserRemove is DELETE /admin/v1/contracts/{id}/users/{identityId}: the account
// behind that identity stops seeing the contract on its next call.
func (s *server) handleAdminUserRemove(w http.ResponseWriter, r *http.Request) error {
	id, err := contractPathID(r)
	if err != nil {
		return err
	}
	identityID, err := pathID(r, "identityId")
	if err != nil {
		return err
	}
	if err := s.svc.RemoveUser(r.Context(), id, identityID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
