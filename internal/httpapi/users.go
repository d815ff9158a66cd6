package httpapi

import (
	"net/http"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/eccs"
)

// userRequest is the body of POST /contract/{id}/user. Roles is decoded as a map so that an
// unknown section is reported by name.
type userRequest struct {
	Civility    string              `json:"civility"`
	LastName    string              `json:"lastName"`
	FirstName   string              `json:"firstName"`
	Email       string              `json:"email"`
	Login       string              `json:"login"`
	FixPhone    string              `json:"fixPhone"`
	MobilePhone string              `json:"mobilePhone"`
	Roles       map[string][]string `json:"roles"`
}

// handleUserDeclare is POST /contract/{contractId}/user: declare a user on a contract. The
// contract comes from the path; X-ECCS-Contract-Id is optional and must agree with it.
func (s *server) handleUserDeclare(w http.ResponseWriter, r *http.Request) error {
	c, err := s.authenticate(w, r)
	if err != nil {
		return err
	}
	id := r.PathValue("contractId")
	if !eccs.ValidContractID(id) {
		return fail(http.StatusBadRequest, api.CodeInvalidURLParameter,
			"The contract number %q in the URL is not a contract number such as OCB0001234.", truncate(id, 40))
	}
	// The header is optional here; sent, it must name the contract of the path (sent empty, it
	// is missing its value: 400/25, as everywhere).
	w.Header().Set("Vary", varyContract)
	if len(r.Header.Values(api.HeaderContractID)) > 0 {
		header, err := contractHeader(r)
		if err != nil {
			return err
		}
		if header != id {
			return fail(http.StatusBadRequest, api.CodeInvalidHeader,
				"The X-ECCS-Contract-Id header (%s) names another contract than the URL (%s); send the same number, or leave the header out.", header, id)
		}
	}
	access, err := s.svc.ContractAccess(r.Context(), c.account, id)
	if err != nil {
		return err
	}
	// The role check (doc/wire.md §3 step 6) comes before the body: a caller without rights
	// learns nothing from it.
	declarer, err := eccs.MayDeclareUsers(access)
	if err != nil {
		return err
	}
	var req userRequest
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	u, err := s.svc.DeclareUser(c.ctx, declarer, eccs.NewUser{
		Civility: req.Civility, LastName: req.LastName, FirstName: req.FirstName, Email: req.Email,
		Login: req.Login, FixPhone: req.FixPhone, MobilePhone: req.MobilePhone, Roles: req.Roles,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, userJSON(u))
	return nil
}

// userJSON is a declared user on the wire.
func userJSON(u eccs.User) api.User {
	return api.User{
		Civility: u.Identity.Civility, LastName: u.Identity.LastName, FirstName: u.Identity.FirstName,
		Email: u.Identity.Email, Login: u.Identity.Login, FixPhone: u.Identity.FixPhone,
		MobilePhone: u.Identity.MobilePhone,
		Roles:       rolesJSON(u.Roles),
	}
}

// rolesJSON is roles on the wire.
func rolesJSON(r eccs.Roles) api.Roles {
	return api.Roles{Contracts: roleList(r.Contracts), Documents: roleList(r.Documents), Users: roleList(r.Users)}
}

// roleList is a role as the wire writes it: a one-element list, or nothing.
func roleList(r eccs.Role) []string {
	if r == eccs.RoleNone {
		return nil
	}
	return []string{r.String()}
}
