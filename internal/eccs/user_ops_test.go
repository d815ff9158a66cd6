package eccs_test

import (
	"slices"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// TestOperatorUsers checks the users of a contract, sorted by login, with their roles.
func TestOperatorUsers(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	users := must(s.Users(ctx, "BA1-FE"))(t)
	if len(users) != 2 || users[0].Identity.Login != "carol.dupont" || users[1].Identity.Login != "rita.referent" {
		t.Fatalf("users %+v", users)
	}
	if users[0].Roles != (eccs.Roles{Contracts: eccs.RoleVisitor, Documents: eccs.RoleManager, Users: eccs.RoleManager}) ||
		users[1].Roles != eccs.ManagerEverywhere {
		t.Errorf("roles %+v, %+v", users[0].Roles, users[1].Roles)
	}
	_, err := s.Users(ctx, "OCB0000404")
	wantErr(t, err, eccs.NotFound, "", "")
}

// An operator adds a user with the roles given; invalid, taken or unknown ones are refused,
// unrecorded.
func TestOperatorAddUser(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	u := must(s.AddUser(ctx, "BA2-CAV", newUser("paul@acme.example", "paul.martin", map[string][]string{"documents": {"visitor"}})))(t)
	if u.Roles != (eccs.Roles{Contracts: eccs.RoleVisitor, Documents: eccs.RoleVisitor}) || u.Identity.Login != "paul.martin" {
		t.Errorf("added %+v", u)
	}
	for _, tc := range []struct {
		name     string
		contract string
		u        eccs.NewUser
		code     eccs.Code
		reason   eccs.Reason
		field    string
	}{
		{"unknown contract", "OCB0000404", newUser("x@acme.example", "x.person1", map[string][]string{}), eccs.NotFound, "", ""},
		{"already declared", "BA2-CAV", newUser("paul@acme.example", "paul.martin", map[string][]string{}), eccs.Conflict, "", ""},
		{"roles missing", "BA2-CAV", newUser("y@acme.example", "y.person1", nil), eccs.Invalid, eccs.ReasonMissing, "roles"},
		{"unknown section", "BA2-CAV", newUser("y@acme.example", "y.person1", map[string][]string{"billing": {"manager"}}), eccs.Invalid, "", "roles.billing"},
		{"short login", "BA2-CAV", newUser("y@acme.example", "short", map[string][]string{}), eccs.Invalid, "", "login"},
		{"login of another person", "BA2-CAV", newUser("y@acme.example", "carol.dupont", map[string][]string{}), eccs.Conflict, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := w.wantNoEvent(t, func() error { _, err := s.AddUser(ctx, tc.contract, tc.u); return err })
			wantErr(t, err, tc.code, tc.reason, tc.field)
		})
	}
}

// New roles replace a user's at once; the referent keeps manager everywhere; invalid or
// unknown changes are refused, unrecorded.
func TestSetUserRoles(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	w.clock.Advance(time.Minute)
	defer w.clock.Advance(-time.Minute)
	u := must(s.SetUserRoles(ctx, "BA3-CAV", w.carolID.ID, map[string][]string{"documents": {"manager"}, "users": {"visitor"}}))(t)
	want := eccs.Roles{Contracts: eccs.RoleVisitor, Documents: eccs.RoleManager, Users: eccs.RoleVisitor}
	if u.Roles != want || u.Identity.ID != w.carolID.ID || u.Identity.Email != carolUser.Email {
		t.Errorf("returned %+v", u)
	}
	d := must(w.store.Declaration(ctx, "BA3-CAV", w.carolID.ID))(t)
	if d.Roles != want || !d.UpdatedAt.Equal(t0.Add(time.Minute)) || !d.CreatedAt.Equal(t0) {
		t.Errorf("stored %+v", d)
	}
	// Carol's account sees the change on its next call.
	if a := access(t, w, w.carol, "BA3-CAV"); a.Roles() != want {
		t.Errorf("access roles %+v", a.Roles())
	}
	// The referent may be given manager everywhere, which changes nothing.
	must(s.SetUserRoles(ctx, "BA3-CAV", w.ritaID.ID, map[string][]string{"contracts": {"manager"}, "documents": {"manager"}, "users": {"manager"}}))(t)

	for _, tc := range []struct {
		name, contract, identity string
		roles                    map[string][]string
		code                     eccs.Code
		field                    string
	}{
		{"the referent loses a role", "BA3-CAV", w.ritaID.ID, map[string][]string{"contracts": {"manager"}}, eccs.Conflict, ""},
		{"unknown contract", "OCB0000404", w.carolID.ID, map[string][]string{}, eccs.NotFound, ""},
		{"identity not declared there", "BA1-CAV", w.carolID.ID, map[string][]string{}, eccs.NotFound, ""},
		{"unknown identity", "BA3-CAV", "nosuchidentity00", map[string][]string{}, eccs.NotFound, ""},
		{"unknown role", "BA3-CAV", w.carolID.ID, map[string][]string{"users": {"owner"}}, eccs.Invalid, "roles.users"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := w.wantNoEvent(t, func() error { _, err := s.SetUserRoles(ctx, tc.contract, tc.identity, tc.roles); return err })
			wantErr(t, err, tc.code, "", tc.field)
		})
	}
	if d := must(w.store.Declaration(ctx, "BA3-CAV", w.ritaID.ID))(t); d.Roles != eccs.ManagerEverywhere {
		t.Errorf("the referent's roles became %+v", d.Roles)
	}
}

// A removed user no longer sees the contract, at once; the referent cannot be removed.
func TestRemoveUser(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	access(t, w, w.carol, "BA3-FE")
	if err := s.RemoveUser(ctx, "BA3-FE", w.carolID.ID); err != nil {
		t.Fatal(err)
	}
	// At once: the next call of carol's account no longer sees the contract.
	_, err := s.ContractAccess(ctx, w.carol, "BA3-FE")
	wantErr(t, err, eccs.Forbidden, "", "")
	list, _ := must2(s.Contracts(ctx, w.carol, eccs.Page{}))(t)
	if slices.Contains(contractIDs(list), "BA3-FE") {
		t.Errorf("carol still lists BA3-FE: %v", contractIDs(list))
	}
	for _, tc := range []struct {
		name, contract, identity string
		code                     eccs.Code
	}{
		{"removed twice", "BA3-FE", w.carolID.ID, eccs.NotFound},
		{"the referent", "BA3-FE", w.ritaID.ID, eccs.Conflict},
		{"unknown contract", "OCB0000404", w.carolID.ID, eccs.NotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := w.wantNoEvent(t, func() error { return s.RemoveUser(ctx, tc.contract, tc.identity) })
			wantErr(t, err, tc.code, "", "")
		})
	}
	access(t, w, w.rita, "BA3-FE")
}
