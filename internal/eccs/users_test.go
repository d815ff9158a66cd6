package eccs_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

func newUser(email, login string, roles map[string][]string) eccs.NewUser {
	return eccs.NewUser{Civility: "Mr", LastName: "Martin", FirstName: "Paul", Email: email, Login: login,
		FixPhone: "+33 1 00 00 00 01", MobilePhone: "06 00 00 00 01", Roles: roles}
}

// TestDeclareUser checks that a declaration stores the person and the roles it gives, and echoes
// what it stored: the declaring customer's record of the person, the highest role of each section.
func TestDeclareUser(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := newUser("paul.martin@acme.example", "paul.martin", map[string][]string{
		"contracts": {"manager"}, "documents": {"visitor", "manager"}, "users": {"visitor"}})
	got, err := w.svc.DeclareUser(w.ctx, declarerOf(t, access(t, w, w.carol, "BA1-FE")), u)
	if err != nil {
		t.Fatal(err)
	}
	stored := must(w.store.IdentityByEmail(w.ctx, u.Email))(t)
	if record := must(w.store.Contact(w.ctx, "acme", stored.ID))(t); got.Identity != record.As(stored) {
		t.Errorf("echoed %+v, stored record %+v", got.Identity, record)
	}
	if stored.Described() {
		t.Errorf("a customer's caller described the person: %+v", stored)
	}
	want := eccs.Identity{ID: stored.ID, Login: u.Login, Email: u.Email, Civility: u.Civility, LastName: u.LastName,
		FirstName: u.FirstName, FixPhone: u.FixPhone, MobilePhone: u.MobilePhone, CreatedAt: t0, UpdatedAt: t0}
	if got.Identity != want {
		t.Errorf("identity %+v, want %+v", got.Identity, want)
	}
	wantRoles := eccs.Roles{Contracts: eccs.RoleManager, Documents: eccs.RoleManager, Users: eccs.RoleVisitor}
	if got.Roles != wantRoles {
		t.Errorf("roles %+v, want %+v (the highest listed counts)", got.Roles, wantRoles)
	}
	d := must(w.store.Declaration(w.ctx, "BA1-FE", stored.ID))(t)
	if d.Roles != wantRoles {
		t.Errorf("stored roles %+v", d.Roles)
	}
	// The new user, given an account, sees the contract with those roles.
	acct := must(w.svc.CreateAccount(w.ctx, eccs.NewAccount{Type: eccs.AccountClient,
		Person: eccs.Person{LastName: "X", FirstName: "Y", Email: u.Email}}))(t)
	if acct.IdentityID != stored.ID {
		t.Fatalf("the account did not reuse the identity")
	}
	if a, err := w.svc.ContractAccess(w.ctx, acct, "BA1-FE"); err != nil || a.Roles() != wantRoles {
		t.Errorf("ContractAccess: %+v, %v", a.Roles(), err)
	}
}

// A declaration without a contracts role gives the visitor one: a declared user sees the contract.
func TestDeclareUserContractsRoleDefaultsToVisitor(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for i, tc := range []struct {
		name  string
		roles map[string][]string
		want  eccs.Roles
	}{
		{"no section", map[string][]string{}, eccs.Roles{Contracts: eccs.RoleVisitor}},
		{"documents only", map[string][]string{"documents": {"manager"}}, eccs.Roles{Contracts: eccs.RoleVisitor, Documents: eccs.RoleManager}},
		{"empty contracts list", map[string][]string{"contracts": {}, "users": {"manager"}}, eccs.Roles{Contracts: eccs.RoleVisitor, Users: eccs.RoleManager}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			email := fmt.Sprintf("default%d@acme.example", i)
			got, err := w.svc.DeclareUser(w.ctx, declarerOf(t, access(t, w, w.admin, "BA2-FE")), newUser(email, fmt.Sprintf("default.user%d", i), tc.roles))
			if err != nil {
				t.Fatal(err)
			}
			if got.Roles != tc.want {
				t.Errorf("roles %+v, want %+v", got.Roles, tc.want)
			}
			acct := must(w.svc.CreateAccount(w.ctx, eccs.NewAccount{Type: eccs.AccountClient,
				Person: eccs.Person{LastName: "X", FirstName: "Y", Email: email}}))(t)
			if _, err := w.svc.ContractAccess(w.ctx, acct, "BA2-FE"); err != nil {
				t.Errorf("a declared user does not see the contract: %v", err)
			}
		})
	}
}

// Declaring an e-mail already known, in any case, declares that person, whose record and login
// the caller cannot change.
func TestDeclareUserKnownEmailReusesTheIdentity(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := eccs.NewUser{Civility: "Dr", LastName: "Imposter", FirstName: "Caroline", Email: strings.ToUpper(carolUser.Email),
		Login: "new.login.for.carol", MobilePhone: "+44 7700 900000", Roles: map[string][]string{"documents": {"visitor"}}}
	got, err := w.svc.DeclareUser(w.ctx, declarerOf(t, access(t, w, w.admin, "BA2-FE")), u)
	if err != nil {
		t.Fatal(err)
	}
	// The answer echoes acme's record of carol, kept as it was: its login and its data.
	record := must(w.store.Contact(w.ctx, "acme", w.carolID.ID))(t)
	want := record.As(w.carolID)
	want.Email = u.Email // as the caller wrote it
	if got.Identity != want || got.Identity.Login != carolUser.Login || got.Identity.LastName != carolUser.LastName {
		t.Errorf("echoed %+v, want acme's record of carol %+v", got.Identity, record)
	}
	if _, err := w.store.ContactByLogin(w.ctx, "acme", u.Login); eccs.ErrorCode(err) != eccs.NotFound {
		t.Errorf("the ignored login was recorded: %v", err)
	}
	if got.Roles != (eccs.Roles{Contracts: eccs.RoleVisitor, Documents: eccs.RoleVisitor}) {
		t.Errorf("roles %+v", got.Roles)
	}
	if stored := must(w.store.IdentityByEmail(w.ctx, carolUser.Email))(t); stored != w.carolID {
		t.Errorf("the identity changed: %+v", stored)
	}
	if _, err := w.store.IdentityByLogin(w.ctx, u.Login); eccs.ErrorCode(err) != eccs.NotFound {
		t.Errorf("the ignored login was stored: %v", err)
	}
	if a, err := w.svc.ContractAccess(w.ctx, w.carol, "BA2-FE"); err != nil || a.Roles().Documents != eccs.RoleVisitor {
		t.Errorf("carol's account does not see its new contract: %+v, %v", a.Roles(), err)
	}
}

// A person already declared on the contract, or a login of another person, is a conflict that
// reveals nobody's e-mail and creates no identity.
func TestDeclareUserConflicts(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, tc := range []struct {
		name     string
		acct     eccs.Account
		contract string
		user     eccs.NewUser
	}{
		{"identity already declared", w.admin, "BA1-FE", newUser(carolUser.Email, "whatever.login", map[string][]string{})},
		{"identity already declared, e-mail in another case", w.carol, "BA1-FE", newUser("Carol.Dupont@ACME.example", "carol.dupont", map[string][]string{})},
		{"referent already declared", w.admin, "BA1-FE", newUser(ritaPerson.Email, "rita.referent", map[string][]string{})},
		{"login of another e-mail", w.admin, "BA1-FE", newUser("someone.else@acme.example", "carol.dupont", map[string][]string{})},
		{"login of another e-mail in another case", w.admin, "BA1-FE", newUser("someone.else@acme.example", "Carol.DUPONT", map[string][]string{})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.svc.DeclareUser(w.ctx, declarerOf(t, access(t, w, tc.acct, tc.contract)), tc.user)
			e := wantErr(t, err, eccs.Conflict, eccs.ReasonNone, "")
			if strings.Contains(tc.name, "login") && strings.Contains(e.Message, carolUser.Email) {
				t.Errorf("message %q reveals the other person's e-mail", e.Message)
			}
		})
	}
	if _, err := w.store.IdentityByEmail(w.ctx, "someone.else@acme.example"); eccs.ErrorCode(err) != eccs.NotFound {
		t.Errorf("a refused declaration created an identity: %v", err)
	}
}

// A declaration missing required fields is refused for the first one, and names them all and only
// them.
func TestDeclareUserMissingFields(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	full := newUser("missing@acme.example", "missing.user", map[string][]string{})
	for _, tc := range []struct {
		name    string
		edit    func(*eccs.NewUser)
		field   string
		missing []string
	}{
		{"everything", func(u *eccs.NewUser) { *u = eccs.NewUser{} }, "lastName", []string{"lastName", "firstName", "email", "login"}},
		{"names and login", func(u *eccs.NewUser) { u.LastName, u.FirstName, u.Login = "", "", "" }, "lastName", []string{"lastName", "firstName", "login"}},
		{"first name only", func(u *eccs.NewUser) { u.FirstName = "" }, "firstName", []string{"firstName"}},
		{"e-mail and login", func(u *eccs.NewUser) { u.Email, u.Login = "", "" }, "email", []string{"email", "login"}},
		{"blank login", func(u *eccs.NewUser) { u.Login = "   " }, "login", []string{"login"}},
		{"roles", func(u *eccs.NewUser) { u.Roles = nil }, "roles", []string{"roles"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := full
			tc.edit(&u)
			_, err := w.svc.DeclareUser(w.ctx, declarerOf(t, access(t, w, w.admin, "BA1-FE")), u)
			e := wantErr(t, err, eccs.Invalid, eccs.ReasonMissing, tc.field)
			for _, f := range tc.missing {
				if !strings.Contains(e.Message, f) {
					t.Errorf("message %q does not name %s", e.Message, f)
				}
			}
			for _, f := range []string{"lastName", "firstName", "email", "login"} {
				if !contains(tc.missing, f) && strings.Contains(e.Message, " "+f) {
					t.Errorf("message %q names %s, which is present", e.Message, f)
				}
			}
		})
	}
}

// Each malformed field is refused and named; the optional ones may be empty.
func TestDeclareUserInvalidFields(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	full := newUser("invalid@acme.example", "invalid.user", map[string][]string{})
	for _, tc := range []struct {
		name  string
		edit  func(*eccs.NewUser)
		field string
	}{
		{"e-mail without at", func(u *eccs.NewUser) { u.Email = "invalid.acme.example" }, "email"},
		{"e-mail with a display name", func(u *eccs.NewUser) { u.Email = "Paul <paul@acme.example>" }, "email"},
		{"e-mail without a dot in the domain", func(u *eccs.NewUser) { u.Email = "paul@localhost" }, "email"},
		{"login too short", func(u *eccs.NewUser) { u.Login = "pmartin" }, "login"},
		{"login with an accent", func(u *eccs.NewUser) { u.Login = "jérôme.martin" }, "login"},
		{"login with a space", func(u *eccs.NewUser) { u.Login = "paul martin" }, "login"},
		{"login too long", func(u *eccs.NewUser) { u.Login = strings.Repeat("p", 65) }, "login"},
		{"fix phone with letters", func(u *eccs.NewUser) { u.FixPhone = "01 23 AB" }, "fixPhone"},
		{"mobile phone too short", func(u *eccs.NewUser) { u.MobilePhone = "12345" }, "mobilePhone"},
		{"civility unknown", func(u *eccs.NewUser) { u.Civility = "Sir" }, "civility"},
		{"last name with a control character", func(u *eccs.NewUser) { u.LastName = "Mar\x00tin" }, "lastName"},
		{"first name with surrounding spaces", func(u *eccs.NewUser) { u.FirstName = " Paul" }, "firstName"},
		{"last name too long", func(u *eccs.NewUser) { u.LastName = strings.Repeat("é", 101) }, "lastName"},
		{"unknown section", func(u *eccs.NewUser) { u.Roles = map[string][]string{"admins": {"manager"}} }, "roles.admins"},
		{"unknown role", func(u *eccs.NewUser) { u.Roles = map[string][]string{"users": {"owner"}} }, "roles.users"},
		{"role in upper case", func(u *eccs.NewUser) { u.Roles = map[string][]string{"documents": {"Manager"}} }, "roles.documents"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := full
			tc.edit(&u)
			_, err := w.svc.DeclareUser(w.ctx, declarerOf(t, access(t, w, w.admin, "BA1-FE")), u)
			wantErr(t, err, eccs.Invalid, eccs.ReasonNone, tc.field)
		})
	}
	t.Run("optional fields may be empty", func(t *testing.T) {
		u := full
		u.Civility, u.FixPhone, u.MobilePhone = "", "", ""
		if _, err := w.svc.DeclareUser(w.ctx, declarerOf(t, access(t, w, w.admin, "BA1-FE")), u); err != nil {
			t.Fatal(err)
		}
	})
}

// Only an access with the users manager role may declare users; a refused access, or what a
// refusal returns, declares nobody.
func TestDeclareUserForbidden(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	valid := newUser("forbidden@acme.example", "forbidden.user", map[string][]string{})
	for _, tc := range []struct {
		name     string
		acct     eccs.Account
		contract string
		user     eccs.NewUser
	}{
		{"client without the users role", w.carol, "BA3-FE", valid},
		{"client with only the contracts role", w.carol, "BA3-CAV", valid},
		{"role checked before the body", w.carol, "BA3-FE", eccs.NewUser{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := access(t, w, tc.acct, tc.contract)
			declarer, err := eccs.MayDeclareUsers(a)
			wantErr(t, err, eccs.Forbidden, eccs.ReasonNone, "")
			// What a refusal returns declares nobody either.
			_, err = w.svc.DeclareUser(w.ctx, declarer, tc.user)
			if err == nil {
				t.Error("a refused declarer declared a user")
			}
		})
	}
	for _, tc := range []struct {
		name     string
		acct     eccs.Account
		contract string
	}{
		{"client on an invisible contract", w.carol, "BA1-CAV"},
		{"client on an unknown contract", w.carol, "OCB0000404"},
		{"client declared nowhere", w.dave, "BA1-FE"},
		{"administrator outside its perimeter", w.admin, "BA1-CAV"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := w.svc.ContractAccess(w.ctx, tc.acct, tc.contract)
			wantErr(t, err, eccs.Forbidden, eccs.ReasonNone, "")
			// The access a refusal returns declares nobody either.
			declarer, err := eccs.MayDeclareUsers(a)
			wantErr(t, err, eccs.Forbidden, eccs.ReasonNone, "")
			if _, err := w.svc.DeclareUser(w.ctx, declarer, valid); err == nil {
				t.Error("a refused declarer declared a user")
			}
		})
	}
	if _, err := w.store.IdentityByEmail(w.ctx, valid.Email); eccs.ErrorCode(err) != eccs.NotFound {
		t.Errorf("a refused declaration created an identity: %v", err)
	}
}

// An administrator may declare users on the contracts of its perimeter.
func TestDeclareUserByAnAdministrator(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := access(t, w, w.admin, "BA2-FE")
	got, err := w.svc.DeclareUser(w.ctx, declarerOf(t, a), newUser("by.admin@acme.example", "by.admin.user", map[string][]string{"users": {"manager"}}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.Declaration(w.ctx, "BA2-FE", got.Identity.ID); err != nil {
		t.Errorf("no declaration stored: %v", err)
	}
}

// An operator's AddUser checks no role, but the contract and the user as DeclareUser does.
func TestAddUserValidatesLikeDeclareUser(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, err := w.svc.AddUser(w.ctx, "OCB0000404", newUser("add.user@acme.example", "add.user.login", map[string][]string{}))
	wantErr(t, err, eccs.NotFound, eccs.ReasonNone, "")
	// No role check, but the same validation.
	_, err = w.svc.AddUser(w.ctx, "BA3-CAV", eccs.NewUser{})
	wantErr(t, err, eccs.Invalid, eccs.ReasonMissing, "lastName")
	if _, err := w.svc.AddUser(w.ctx, "BA3-CAV", newUser("add.user@acme.example", "add.user.login", map[string][]string{})); err != nil {
		t.Fatal(err)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestDeclareUserConcurrently declares the same new e-mail on 20 contracts at once: every
// declaration succeeds and they all share one identity.
func TestDeclareUserConcurrently(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const n = 20
	var contracts []string
	for i := range n {
		c := must(w.svc.CreateContract(w.ctx, eccs.NewContract{Name: fmt.Sprintf("Parallel %d", i), OfferID: "FE",
			BillingAccountID: "BA1", Referent: ritaPerson}))(t)
		contracts = append(contracts, c.ID)
	}
	declarers := make([]eccs.UserDeclarer, n)
	for i, id := range contracts {
		declarers[i] = declarerOf(t, access(t, w, w.admin, id))
	}
	users := make([]eccs.User, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range contracts {
		wg.Go(func() {
			<-start
			u := newUser("same.person@acme.example", fmt.Sprintf("login.number%02d", i), map[string][]string{"documents": {"visitor"}})
			users[i], errs[i] = w.svc.DeclareUser(w.ctx, declarers[i], u)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("declaration %d on %s: %v", i, contracts[i], err)
		}
	}
	stored := must(w.store.IdentityByEmail(w.ctx, "same.person@acme.example"))(t)
	record := must(w.store.Contact(w.ctx, "acme", stored.ID))(t)
	for i, u := range users {
		if u.Identity != record.As(stored) {
			t.Errorf("declaration %d echoes %+v, stored record %+v", i, u.Identity, record)
		}
		if _, err := w.store.Declaration(w.ctx, contracts[i], stored.ID); err != nil {
			t.Errorf("declaration %d not stored: %v", i, err)
		}
	}
	// Exactly one identity and one record: only the winner's login exists.
	for i := range n {
		login := fmt.Sprintf("login.number%02d", i)
		_, err := w.store.ContactByLogin(w.ctx, "acme", login)
		if (login == record.Login) != (err == nil) {
			t.Errorf("login %s: %v (the record's login is %s)", login, err, record.Login)
		}
	}
	acct := must(w.svc.CreateAccount(w.ctx, eccs.NewAccount{Type: eccs.AccountClient,
		Person: eccs.Person{LastName: "Same", FirstName: "Person", Email: "same.person@acme.example"}}))(t)
	list, total, err := w.svc.Contracts(w.ctx, acct, eccs.Page{})
	if err != nil || total != n || len(list) != n {
		t.Errorf("the person sees %d contracts (total %d), want %d: %v", len(list), total, n, err)
	}
}
