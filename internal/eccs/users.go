package eccs

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// UserService holds the rules of the users declared on a contract, with their roles.
type UserService struct {
	*base
	people *PeopleService
}

// DeclarationStore keeps declarations: which identity is declared on which contract, with
// which roles.
type DeclarationStore interface {
	CreateDeclaration(ctx context.Context, d Declaration) error
	Declaration(ctx context.Context, contractID, identityID string) (Declaration, error)
	// Declarations returns the declarations of identityID, sorted by contract id.
	Declarations(ctx context.Context, identityID string) ([]Declaration, error)
	// Users returns the identities declared on contractID with their roles, each as the
	// contract's customer records them (Contact.As), sorted by that login (empty for an unknown
	// contract).
	Users(ctx context.Context, contractID string) ([]User, error)
	// UpdateDeclaration replaces the roles and update time of the declaration of d.IdentityID
	// on d.ContractID.
	UpdateDeclaration(ctx context.Context, d Declaration) error
	// DeleteDeclaration removes the declaration of identityID on contractID; NotFound if none.
	DeleteDeclaration(ctx context.Context, contractID, identityID string) error
}

// NewUser is the body of POST /contract/{id}/user. Roles is the raw "roles" object, keyed by
// section, each holding role names; nil when absent.
type NewUser struct {
	Civility    string
	LastName    string
	FirstName   string
	Email       string
	Login       string
	FixPhone    string
	MobilePhone string
	Roles       map[string][]string
}

// User is an identity declared on a contract, as POST /contract/{id}/user echoes it.
type User struct {
	Identity Identity
	Roles    Roles
}

// Person is the personal data shared by users and contract referents.
type Person struct {
	Civility, LastName, FirstName, Email, FixPhone, MobilePhone string
}

// checkPerson notes what is wrong with personal data in probs: the names and the e-mail are
// required, the other fields optional. prefix names the body fields ("" for a user's,
// "referent" for a contract order's).
func checkPerson(probs *problems, prefix string, p Person) {
	field := func(name string) string {
		if prefix == "" {
			return name
		}
		return prefix + strings.ToUpper(name[:1]) + name[1:]
	}
	lastName := "lastName"
	if prefix != "" {
		lastName = "name" // the contract order calls the referent's last name "referentName"
	}
	probs.require(field(lastName), p.LastName, field("firstName"), p.FirstName, emailField(prefix), p.Email)
	if p.Civility != "" && !ValidCivility(p.Civility) {
		probs.invalidf(field("civility"), "%s must be one of M, Mr, Mrs, Ms, Miss, Mme, Mlle or Dr.", field("civility"))
	}
	for _, name := range []struct{ field, value string }{{field(lastName), p.LastName}, {field("firstName"), p.FirstName}} {
		if !probs.isMissing(name.field) && !ValidText(name.value, 100) {
			probs.invalidf(name.field, "%s must be 1 to 100 characters, without control characters or surrounding spaces.", name.field)
		}
	}
	if !probs.isMissing(emailField(prefix)) && !ValidEmail(p.Email) {
		probs.invalidf(emailField(prefix), "%s must be a plain e-mail address such as john.doe@example.com.", emailField(prefix))
	}
	for _, phone := range []struct{ field, value string }{{field("fixPhone"), p.FixPhone}, {field("mobilePhone"), p.MobilePhone}} {
		if phone.value != "" && !ValidPhone(phone.value) {
			probs.invalidf(phone.field, "%s must be a phone number of 6 to 20 digits, optionally starting with +.", phone.field)
		}
	}
}

func emailField(prefix string) string {
	if prefix == "" {
		return "email"
	}
	return prefix + "Mail"
}

// ParseRoles turns a wire "roles" object into Roles. Each key must be a section (contracts,
// documents, users) and each value a list of "manager" or "visitor"; the highest listed role
// counts and an empty list means no role. A user declared on a contract always sees it, so
// the contracts section is at least visitor.
func ParseRoles(raw map[string][]string) (Roles, error) {
	var roles Roles
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys) // report the same error whatever the map order
	for _, k := range keys {
		sec, ok := ParseSection(k)
		if !ok {
			return Roles{}, invalidField("roles."+k, "roles.%s is not a section; the sections are contracts, documents and users.", k)
		}
		best := RoleNone
		for _, name := range raw[k] {
			r, ok := ParseRole(name)
			if !ok {
				return Roles{}, invalidField("roles."+k, "roles.%s holds %q; a role is \"manager\" or \"visitor\".", k, name)
			}
			best = max(best, r)
		}
		roles = roles.With(sec, best)
	}
	roles.Contracts = max(roles.Contracts, RoleVisitor)
	return roles, nil
}

func (u NewUser) validate() (Roles, error) {
	var probs problems
	checkPerson(&probs, "", Person{u.Civility, u.LastName, u.FirstName, u.Email, u.FixPhone, u.MobilePhone})
	probs.require("login", u.Login)
	if u.Roles == nil {
		probs.missing = append(probs.missing, "roles")
	}
	if !probs.isMissing("login") && !ValidLogin(u.Login) {
		probs.invalidf("login", "login must be 8 to 64 characters among A-Z a-z 0-9 . _ -.")
	}
	roles, err := ParseRoles(u.Roles)
	probs.add(err)
	return roles, probs.err()
}

// UserDeclarer is an Access that may declare users on its contract: DeclareUser takes one,
// and only MayDeclareUsers makes one, so the rule runs once, at the point of the transport's
// checks where the wire puts it (before the body is read).
type UserDeclarer struct{ access Access }

// MayDeclareUsers returns a UserDeclarer of the access, or a Forbidden error unless the access
// allows declaring users on the contract: that takes the manager role on its users section.
func MayDeclareUsers(a Access) (UserDeclarer, error) {
	if a.roles.Users != RoleManager {
		return UserDeclarer{}, Errorf(Forbidden, "Adding a user to contract %s needs the manager role on its users section; this API key has %s.", a.contract.ID, roleName(a.roles.Users))
	}
	return UserDeclarer{access: a}, nil
}

// DeclareUser declares a user on the contract with the given roles (POST /contract/{id}/user).
// One person per e-mail address: what the caller sends (login, names, phones) is the
// contract's customer's record of the person, made at the first declaration and kept after,
// and the answer echoes that record; another customer's record is never shown, changed or
// reused, and the person's own data is neither read nor changed. Errors: Invalid for a bad
// body; Conflict when the person is already declared on the contract or the login names
// another person of the customer.
func (s *UserService) DeclareUser(ctx context.Context, d UserDeclarer, u NewUser) (User, error) {
	return s.declare(ctx, d.access.contract.ID, u, false)
}

// declare validates u and declares it on contract contractID, in one transaction; byOperator
// says whose word u is (personFor).
func (s *UserService) declare(ctx context.Context, contractID string, u NewUser, byOperator bool) (User, error) {
	newRoles, err := u.validate()
	if err != nil {
		return User{}, err
	}
	p := Person{u.Civility, u.LastName, u.FirstName, u.Email, u.FixPhone, u.MobilePhone}
	var declared User
	err = s.retryOnConflict(ctx, func(tx Store) error {
		c, err := openContract(ctx, tx, contractID)
		if err != nil {
			return err
		}
		now := s.now()
		id, err := s.people.personFor(ctx, tx, p, u.Login, byOperator)
		if err != nil {
			return err
		}
		record, err := s.people.contactFor(ctx, tx, c.CustomerID, id, p, u.Login)
		if err != nil {
			return err
		}
		d := Declaration{ContractID: contractID, IdentityID: id.ID, Roles: newRoles, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateDeclaration(ctx, d); err != nil {
			if ErrorCode(err) == Conflict {
				return &Error{Code: Conflict, Message: fmt.Sprintf("%s is already declared on contract %s.", u.Email, contractID)}
			}
			return err
		}
		declared = User{Identity: record.As(id), Roles: newRoles}
		declared.Identity.Email = u.Email // as the caller wrote it: the stored case is another caller's
		return s.record(ctx, tx, "user.declare", "contract", contractID, roleDetails(declared.Identity, newRoles))
	})
	if err != nil {
		return User{}, fmt.Errorf("declare user: %w", err)
	}
	return declared, nil
}

func roleDetails(id Identity, r Roles) map[string]string {
	return map[string]string{"identity": id.ID, "login": id.Login,
		"contracts": r.Contracts.String(), "documents": r.Documents.String(), "users": r.Users.String()}
}

// AddUser declares a user on a contract on an operator's behalf, with the rules of
// DeclareUser but without its role check, and with an operator's word on the person: a new
// person, or one no operator has described yet, takes u's data as their own (personFor).
// Errors: NotFound for an unknown contract, and those of DeclareUser.
func (s *UserService) AddUser(ctx context.Context, contractID string, u NewUser) (User, error) {
	if _, err := s.store.Contract(ctx, contractID); err != nil {
		return User{}, fmt.Errorf("add user: %w", err)
	}
	return s.declare(ctx, contractID, u, true)
}

// Users returns the users declared on a contract with their roles, sorted by login.
func (s *UserService) Users(ctx context.Context, contractID string) ([]User, error) {
	if _, err := s.store.Contract(ctx, contractID); err != nil {
		return nil, err
	}
	return s.store.Users(ctx, contractID)
}

// SetUserRoles replaces the roles of a user declared on a contract (raw, as in POST
// /contract/{id}/user). The referent keeps manager everywhere. Errors: NotFound for an unknown
// contract or declaration; Conflict for a closed contract or the referent; Invalid roles.
func (s *UserService) SetUserRoles(ctx context.Context, contractID, identityID string, raw map[string][]string) (User, error) {
	roles, err := ParseRoles(raw)
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.change(ctx, "user.roles", "contract", func(tx Store) (string, map[string]string, error) {
		c, err := openContract(ctx, tx, contractID)
		if err != nil {
			return "", nil, err
		}
		if c.Referent.ID == identityID && roles != ManagerEverywhere {
			return "", nil, Errorf(Conflict, "The referent of contract %s keeps the manager role everywhere; change the referent first.", contractID)
		}
		d, err := tx.Declaration(ctx, contractID, identityID)
		if err != nil {
			return "", nil, err
		}
		id, err := tx.Identity(ctx, identityID)
		if err != nil {
			return "", nil, err
		}
		record, err := tx.Contact(ctx, c.CustomerID, identityID)
		if err != nil {
			return "", nil, err
		}
		d.Roles, d.UpdatedAt = roles, s.now()
		u = User{Identity: record.As(id), Roles: roles}
		return contractID, roleDetails(id, roles), tx.UpdateDeclaration(ctx, d)
	})
	if err != nil {
		return User{}, fmt.Errorf("set user roles: %w", err)
	}
	return u, nil
}

// RemoveUser removes a user from a contract: the account behind that identity stops seeing it
// on its next call. Errors: NotFound; Conflict for a closed contract or its referent (change
// the referent first).
func (s *UserService) RemoveUser(ctx context.Context, contractID, identityID string) error {
	err := s.change(ctx, "user.remove", "contract", func(tx Store) (string, map[string]string, error) {
		c, err := openContract(ctx, tx, contractID)
		if err != nil {
			return "", nil, err
		}
		if c.Referent.ID == identityID {
			return "", nil, Errorf(Conflict, "The referent of contract %s cannot be removed; change the referent first.", contractID)
		}
		return contractID, map[string]string{"identity": identityID}, tx.DeleteDeclaration(ctx, contractID, identityID)
	})
	if err != nil {
		return fmt.Errorf("remove user: %w", err)
	}
	return nil
}

// roleName describes a role in a sentence.
func roleName(r Role) string {
	if r == RoleNone {
		return "no role"
	}
	return "the " + r.String() + " role"
}

// UserReader is an Access that may read who is declared on its contract: ContractUsers takes
// one, and only MayReadUsers makes one.
type UserReader struct{ access Access }

// MayReadUsers returns a UserReader of the access, or a Forbidden error unless the access
// includes a role on the contract's users section.
func MayReadUsers(a Access) (UserReader, error) {
	if a.roles.Users == RoleNone {
		return UserReader{}, Errorf(Forbidden, "Seeing the users of contract %s needs a role on its users section.", a.contract.ID)
	}
	return UserReader{access: a}, nil
}

// ContractUsers returns the users declared on the reader's contract with their roles, each as
// the contract's customer records them, sorted by login.
func (s *UserService) ContractUsers(ctx context.Context, r UserReader) ([]User, error) {
	users, err := s.store.Users(ctx, r.access.contract.ID)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

// ChangeUserRoles replaces the roles of a user declared on the declarer's contract, with the
// rules of SetUserRoles. Errors: NotFound when that person is not declared on the contract,
// and those of SetUserRoles.
func (s *UserService) ChangeUserRoles(ctx context.Context, d UserDeclarer, identityID string, raw map[string][]string) (User, error) {
	return s.SetUserRoles(ctx, d.access.contract.ID, identityID, raw)
}

// RemoveDeclaredUser removes a user from the declarer's contract, with the rules of
// RemoveUser.
func (s *UserService) RemoveDeclaredUser(ctx context.Context, d UserDeclarer, identityID string) error {
	return s.RemoveUser(ctx, d.access.contract.ID, identityID)
}
