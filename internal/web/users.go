package web

import (
	"net/http"
	"net/url"

	"github.com/eccs/eccs/internal/eccs"
)

// userFields are the fields of the form that declares a user, in the order of
// POST /contract/{id}/user's body.
var userFields = []string{"civility", "lastName", "firstName", "email", "login", "fixPhone", "mobilePhone"}

// userForm is the data of the form that declares a user.
type userForm struct {
	Contract    eccs.Contract
	Fields      []string
	Sections    []eccs.Section
	RoleChoices []eccs.Role
}

// declarer checks the contract of the path and that the account may manage its users.
func (s *server) declarer(q *request) (eccs.Access, eccs.UserDeclarer, error) {
	a, err := s.access(q, q.r.PathValue("id"))
	if err != nil {
		return eccs.Access{}, eccs.UserDeclarer{}, err
	}
	d, err := eccs.MayDeclareUsers(a)
	return a, d, err
}

func newUserForm(c eccs.Contract) userForm {
	return userForm{Contract: c, Fields: userFields, Sections: eccs.Sections,
		RoleChoices: []eccs.Role{eccs.RoleNone, eccs.RoleVisitor, eccs.RoleManager}}
}

// handleUserForm is GET /contracts/{id}/users/new: the form that declares a user.
func (s *server) handleUserForm(q *request) error {
	a, _, err := s.declarer(q)
	if err != nil {
		return err
	}
	s.render(q, http.StatusOK, "user_new", view{Title: "users.new_title", Nav: "contracts", Form: url.Values{}, Data: newUserForm(a.Contract())})
	return nil
}

// handleUserDeclare is POST /contracts/{id}/users: declare a user with the rules of
// POST /contract/{id}/user.
func (s *server) handleUserDeclare(q *request) error {
	a, d, err := s.declarer(q)
	if err != nil {
		return err
	}
	f := q.r.PostForm
	_, err = s.svc.DeclareUser(q.ctx, d, eccs.NewUser{
		Civility: f.Get("civility"), LastName: f.Get("lastName"), FirstName: f.Get("firstName"),
		Email: f.Get("email"), Login: f.Get("login"), FixPhone: f.Get("fixPhone"), MobilePhone: f.Get("mobilePhone"),
		Roles: rolesFromForm(f),
	})
	if err != nil {
		return invalidForm(err, formAgain{page: "user_new", nav: "contracts", title: "users.new_title", values: f, data: newUserForm(a.Contract())})
	}
	http.Redirect(q.w, q.r, "/contracts/"+url.PathEscape(a.Contract().ID)+"#users", http.StatusSeeOther)
	return nil
}

// rolesFromForm reads the role per section ("role-contracts" = "visitor"…) as the raw roles
// object of the API: an empty choice is no role on that section.
func rolesFromForm(f url.Values) map[string][]string {
	roles := map[string][]string{}
	for _, sec := range eccs.Sections {
		if v := f.Get("role-" + string(sec)); v != "" {
			roles[string(sec)] = []string{v}
		}
	}
	return roles
}

// handleUserRoles is POST /contracts/{id}/users/{identity}/roles: change a user's roles.
func (s *server) handleUserRoles(q *request) error {
	a, d, err := s.declarer(q)
	if err != nil {
		return err
	}
	if _, err := s.svc.ChangeUserRoles(q.ctx, d, q.r.PathValue("identity"), rolesFromForm(q.r.PostForm)); err != nil {
		return s.contractAgain(q, a, err)
	}
	http.Redirect(q.w, q.r, "/contracts/"+url.PathEscape(a.Contract().ID)+"#users", http.StatusSeeOther)
	return nil
}

// handleUserRemove is POST /contracts/{id}/users/{identity}/remove: remove a user.
func (s *server) handleUserRemove(q *request) error {
	a, d, err := s.declarer(q)
	if err != nil {
		return err
	}
	if err := s.svc.RemoveDeclaredUser(q.ctx, d, q.r.PathValue("identity")); err != nil {
		return s.contractAgain(q, a, err)
	}
	http.Redirect(q.w, q.r, "/contracts/"+url.PathEscape(a.Contract().ID)+"#users", http.StatusSeeOther)
	return nil
}

// contractAgain shows the contract's page again with why a change of its users was refused.
func (s *server) contractAgain(q *request, a eccs.Access, err error) error {
	data, dataErr := s.contractData(q, a)
	if dataErr != nil {
		return dataErr
	}
	return invalidForm(err, formAgain{page: "contract", nav: "contracts", title: "contract.title", values: url.Values{}, data: data})
}

// handleUserInvite is POST /contracts/{id}/users/{identity}/invite: a users-manager invites a
// person declared on the contract to choose their password (they get a mail with a link).
func (s *server) handleUserInvite(q *request) error {
	a, d, err := s.declarer(q)
	if err != nil {
		return err
	}
	inv, err := s.svc.InvitePerson(q.ctx, d, q.r.PathValue("identity"))
	if err != nil {
		return s.contractAgain(q, a, err)
	}
	data, err := s.contractData(q, a)
	if err != nil {
		return err
	}
	data.Invited = inv.Person.Email
	s.render(q, http.StatusOK, "contract", view{Title: "contract.title", Nav: "contracts", Data: data})
	return nil
}
