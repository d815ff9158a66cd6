package eccs

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

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

// validatePerson checks personal data; prefix names the body fields ("" for a user's,
// "referent" for a contract order's).
func validatePerson(prefix string, p Person) error {
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
	switch {
	case p.Civility != "" && !ValidCivility(p.Civility):
		return invalidField(field("civility"), "%s must be one of M, Mr, Mrs, Ms, Miss, Mme, Mlle or Dr.", field("civility"))
	case !ValidText(p.LastName, 100):
		return invalidField(field(lastName), "%s must be 1 to 100 characters, without control characters or surrounding spaces.", field(lastName))
	case !ValidText(p.FirstName, 100):
		return invalidField(field("firstName"), "%s must be 1 to 100 characters, without control characters or surrounding spaces.", field("firstName"))
	case !ValidEmail(p.Email):
		return invalidField(emailField(prefix), "%s must be a plain e-mail address such as john.doe@example.com.", emailField(prefix))
	case p.FixPhone != "" && !ValidPhone(p.FixPhone):
		return invalidField(field("fixPhone"), "%s must be a phone number of 6 to 20 digits, optionally starting with +.", field("fixPhone"))
	case p.MobilePhone != "" && !ValidPhone(p.MobilePhone):
		return invalidField(field("mobilePhone"), "%s must be a phone number of 6 to 20 digits, optionally starting with +.", field("mobilePhone"))
	}
	return nil
}

func emailField(prefix string) string {
	if prefix == "" {
		return "email"
	}
	return prefix + "Mail"
}

// requireFields takes (name, value) pairs and returns a missing-field error naming every empty
// one, or nil.
func requireFields(pairs ...string) error {
	var missing []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			missing = append(missing, pairs[i])
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return missingField(missing[0], fmt.Sprintf("The body field %s is required.", missing[0]))
	}
	return missingField(missing[0], fmt.Sprintf("The body fields %s are required.", strings.Join(missing, ", ")))
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
	roles := "" // requireFields takes strings: an absent roles object is an empty one
	if u.Roles != nil {
		roles = "present"
	}
	if err := requireFields("lastName", u.LastName, "firstName", u.FirstName, "email", u.Email, "login", u.Login, "roles", roles); err != nil {
		return Roles{}, err
	}
	if err := validatePerson("", Person{u.Civility, u.LastName, u.FirstName, u.Email, u.FixPhone, u.MobilePhone}); err != nil {
		return Roles{}, err
	}
	if !ValidLogin(u.Login) {
		return Roles{}, invalidField("login", "login must be 8 to 64 characters among A-Z a-z 0-9 . _ -.")
	}
	return ParseRoles(u.Roles)
}

// MayDeclareUsers returns a Forbidden error unless the access allows declaring users on the
// contract: that takes the manager role on its users section.
func MayDeclareUsers(a Access) error {
	if a.roles.Users != RoleManager {
		return Errorf(Forbidden, "Adding a user to contract %s needs the manager role on its users section; this API key has %s.", a.contract.ID, roleName(a.roles.Users))
	}
	return nil
}

// DeclareUser declares a user on the contract with the given roles (POST /contract/{id}/user).
// When the e-mail already belongs to an identity, that identity is declared with its own login
// and personal data (one identity per person); the answer then echoes the kept login with the
// personal data the caller sent, never the stored ones. Errors: Forbidden unless the access is
// manager on the users section; Invalid for a bad body; Conflict when the identity is already
// declared on the contract or the login belongs to another e-mail.
func (s *Service) DeclareUser(ctx context.Context, a Access, u NewUser) (User, error) {
	if err := MayDeclareUsers(a); err != nil {
		return User{}, err
	}
	return s.declare(ctx, a.contract.ID, u)
}

// declare validates u and declares it on contract contractID, in one transaction.
func (s *Service) declare(ctx context.Context, contractID string, u NewUser) (User, error) {
	newRoles, err := u.validate()
	if err != nil {
		return User{}, err
	}
	var declared User
	err = s.retryOnConflict(ctx, func(tx Store) error {
		if _, err := openContract(ctx, tx, contractID); err != nil {
			return err
		}
		now := s.now()
		id, err := s.identityFor(ctx, tx, Person{u.Civility, u.LastName, u.FirstName, u.Email, u.FixPhone, u.MobilePhone}, u.Login)
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
		if err := s.record(ctx, tx, "user.declare", "contract", contractID, roleDetails(id, newRoles)); err != nil {
			return err
		}
		// Echo the kept login with the personal data the caller sent: for a person already
		// known, possibly of another customer, a users manager learns nothing stored.
		declared = User{Roles: newRoles, Identity: Identity{
			ID: id.ID, Login: id.Login, Email: u.Email, Civility: u.Civility, LastName: u.LastName,
			FirstName: u.FirstName, FixPhone: u.FixPhone, MobilePhone: u.MobilePhone,
			CreatedAt: id.CreatedAt, UpdatedAt: id.UpdatedAt,
		}}
		return nil
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
// DeclareUser but without its role check. Errors: NotFound for an unknown contract, and those
// of DeclareUser.
func (s *Service) AddUser(ctx context.Context, contractID string, u NewUser) (User, error) {
	if _, err := s.store.Contract(ctx, contractID); err != nil {
		return User{}, fmt.Errorf("add user: %w", err)
	}
	return s.declare(ctx, contractID, u)
}

// Users returns the users declared on a contract with their roles, sorted by login.
func (s *Service) Users(ctx context.Context, contractID string) ([]User, error) {
	if _, err := s.store.Contract(ctx, contractID); err != nil {
		return nil, err
	}
	return s.store.Users(ctx, contractID)
}

// SetUserRoles replaces the roles of a user declared on a contract (raw, as in POST
// /contract/{id}/user). The referent keeps manager everywhere. Errors: NotFound for an unknown
// contract or declaration; Conflict for a closed contract or the referent; Invalid roles.
func (s *Service) SetUserRoles(ctx context.Context, contractID, identityID string, raw map[string][]string) (User, error) {
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
		d.Roles, d.UpdatedAt = roles, s.now()
		u = User{Identity: id, Roles: roles}
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
func (s *Service) RemoveUser(ctx context.Context, contractID, identityID string) error {
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

// identityFor returns the identity of p's e-mail, creating it when there is none. A new
// identity takes login, or, when login is empty, one made from the person's name. It returns
// Conflict when login belongs to another identity.
func (s *Service) identityFor(ctx context.Context, tx Store, p Person, login string) (Identity, error) {
	id, err := tx.IdentityByEmail(ctx, p.Email)
	if err == nil || !IsNotFound(err) {
		return id, err
	}
	if login == "" {
		if login, err = s.freeLogin(ctx, tx, p.FirstName, p.LastName); err != nil {
			return Identity{}, err
		}
	} else if other, err := tx.IdentityByLogin(ctx, login); err == nil {
		return Identity{}, &Error{Code: Conflict, Message: fmt.Sprintf("The login %s already belongs to another person (%s); choose another login.", login, maskEmail(other.Email))}
	} else if !IsNotFound(err) {
		return Identity{}, err
	}
	idv, err := s.newID()
	if err != nil {
		return Identity{}, err
	}
	now := s.now()
	id = Identity{
		ID: idv, Login: login, Email: p.Email, Civility: p.Civility, LastName: p.LastName,
		FirstName: p.FirstName, FixPhone: p.FixPhone, MobilePhone: p.MobilePhone,
		CreatedAt: now, UpdatedAt: now,
	}
	return id, tx.CreateIdentity(ctx, id)
}

// maskEmail hides most of an e-mail address: the caller learns a login is taken, not by whom.
func maskEmail(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 1 {
		return "***"
	}
	return email[:1] + "***" + email[at:]
}

// freeLogin makes a login "first.last" (accents folded, other characters dropped), padded to
// the minimum length and numbered when taken.
func (s *Service) freeLogin(ctx context.Context, tx Store, first, last string) (string, error) {
	base := strings.Trim(asciiFold(first)+"."+asciiFold(last), ".")
	if base == "" { // a name with no Latin letter
		base = "user"
	}
	if len(base) > 56 {
		base = base[:56]
	}
	for len(base) < 8 {
		base += "0"
	}
	for n := 1; n < 1000; n++ {
		login := base
		if n > 1 {
			login += strconv.Itoa(n)
		}
		_, err := tx.IdentityByLogin(ctx, login)
		if IsNotFound(err) {
			return login, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", Errorf(Conflict, "No free login is left for %s %s; declare the referent with an existing e-mail.", first, last)
}

var foldings = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'æ': "ae", 'ç': "c",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ì': "i", 'í': "i", 'î': "i", 'ï': "i",
	'ñ': "n", 'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'œ': "oe",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ý': "y", 'ÿ': "y", 'ß': "ss",
}

// asciiFold lower-cases s, folds common Latin accents and keeps only a-z, 0-9, '-' and '.'.
func asciiFold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '\'':
			b.WriteByte('.')
		default:
			b.WriteString(foldings[r])
		}
	}
	return strings.Trim(b.String(), ".")
}
