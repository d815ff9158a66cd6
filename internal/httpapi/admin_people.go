package httpapi

import (
	"net/http"
	"strings"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/eccs"
)

// handlePersonShow is GET /admin/v1/people/{ref}: a person's own data, by id or e-mail.
func (s *server) handlePersonShow(w http.ResponseWriter, r *http.Request) error {
	p, err := s.personOfPath(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, identityJSON(p))
	return nil
}

// handlePersonUpdate is PATCH /admin/v1/people/{ref}: an operator corrects a person's own
// data (customers' records of them stay theirs).
func (s *server) handlePersonUpdate(w http.ResponseWriter, r *http.Request) error {
	p, err := s.personOfPath(r)
	if err != nil {
		return err
	}
	var in admin.PersonUpdate
	if err := decodeJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	p, err = s.svc.UpdatePerson(r.Context(), p.ID, eccs.PersonUpdate{
		Email: in.Email, Login: in.Login, Civility: in.Civility, LastName: in.LastName,
		FirstName: in.FirstName, FixPhone: in.FixPhone, MobilePhone: in.MobilePhone,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, identityJSON(p))
	return nil
}

// personOfPath returns the person the path's {ref} names: an e-mail address (with an '@'), or
// a person's id.
func (s *server) personOfPath(r *http.Request) (eccs.Identity, error) {
	ref, err := pathID(r, "ref")
	if err != nil {
		return eccs.Identity{}, err
	}
	if strings.Contains(ref, "@") {
		return s.svc.PersonByEmail(r.Context(), ref)
	}
	return s.svc.Identity(r.Context(), ref)
}
