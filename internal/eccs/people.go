package eccs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// One person per e-mail address: an Identity. What a customer's caller says about a person
// (login, names, phones) is that customer's record of them (a Contact), shown on that
// customer's contracts only; another customer's record is never shown, changed or reused. The
// person's own data is set by an operator (and, later, by the person): a customer's caller
// can neither plant it nor read it.

// PeopleService holds the rules of people: identities, and each customer's record of them
// (contacts).
type PeopleService struct {
	*base
}

// PeopleStore keeps identities and contacts.
type PeopleStore interface {
	// CreateIdentity stores i; an empty Login is no login (several identities may have none).
	CreateIdentity(ctx context.Context, i Identity) error
	Identity(ctx context.Context, id string) (Identity, error)
	// IdentityByEmail and IdentityByLogin compare without regard to case; IdentityByLogin of ""
	// is NotFound.
	IdentityByEmail(ctx context.Context, email string) (Identity, error)
	IdentityByLogin(ctx context.Context, login string) (Identity, error)
	// UpdateIdentity replaces the e-mail, login, civility, names, phones, language and update time of
	// identity i.ID; Conflict when the e-mail or the login belongs to another identity.
	UpdateIdentity(ctx context.Context, i Identity) error

	// CreateContact stores c; Conflict when the customer already has a record of the identity,
	// or a record of another identity with the same login (compared without case).
	CreateContact(ctx context.Context, c Contact) error
	// Contact returns customerID's record of identityID.
	Contact(ctx context.Context, customerID, identityID string) (Contact, error)
	// ContactByLogin returns customerID's record whose login is login, without regard to case.
	ContactByLogin(ctx context.Context, customerID, login string) (Contact, error)
}

// Described reports whether the person's own data was ever set: a person that only customers'
// callers have named has an e-mail and nothing else.
func (i Identity) Described() bool { return i.Login != "" || i.LastName != "" || i.FirstName != "" }

// personFor returns the identity of p's e-mail, creating it when there is none. byOperator
// says whose word p is. An operator's creates a new person with p's data and login (one made
// from the name when login is empty), and describes a known person that has no data of their
// own yet; a described person keeps their data (PersonNotices tells the operator). A
// customer's caller's creates a new person with the e-mail alone and never changes one: what
// it says goes to its customer's record (contactFor). Conflict when an operator's login
// belongs to another person.
func (s *PeopleService) personFor(ctx context.Context, tx Store, p Person, login string, byOperator bool) (Identity, error) {
	id, err := tx.IdentityByEmail(ctx, p.Email)
	if err != nil && !IsNotFound(err) {
		return Identity{}, err
	}
	known := err == nil
	if known && (!byOperator || id.Described()) {
		return id, nil
	}
	own := Identity{Email: p.Email}
	if byOperator {
		if login == "" {
			if login, err = freeLogin(p.FirstName, p.LastName, func(l string) (bool, error) { return identityLoginTaken(ctx, tx, l) }); err != nil {
				return Identity{}, err
			}
		} else if other, err := tx.IdentityByLogin(ctx, login); err == nil {
			return Identity{}, Errorf(Conflict, "The login %s already belongs to another person (%s); choose another login.", login, maskEmail(other.Email))
		} else if !IsNotFound(err) {
			return Identity{}, err
		}
		own = Identity{Email: p.Email, Login: login, Civility: p.Civility, LastName: p.LastName,
			FirstName: p.FirstName, FixPhone: p.FixPhone, MobilePhone: p.MobilePhone}
	}
	now := s.now()
	if known { // an operator describes a person customers named
		own.ID, own.Email, own.CreatedAt, own.UpdatedAt = id.ID, id.Email, id.CreatedAt, now
		return own, tx.UpdateIdentity(ctx, own)
	}
	if own.ID, err = s.newID(); err != nil {
		return Identity{}, err
	}
	own.CreatedAt, own.UpdatedAt = now, now
	return own, tx.CreateIdentity(ctx, own)
}

// contactFor returns customerID's record of person id, creating it from p when the customer
// has none; a record that exists is kept as it is. A new record takes login, or, when login is
// empty, one made from p's names. Conflict when login names another person of the customer.
func (s *PeopleService) contactFor(ctx context.Context, tx Store, customerID string, id Identity, p Person, login string) (Contact, error) {
	c, err := tx.Contact(ctx, customerID, id.ID)
	if err == nil || !IsNotFound(err) {
		return c, err
	}
	taken := func(l string) (bool, error) { return contactLoginTaken(ctx, tx, customerID, l) }
	if login == "" {
		if login, err = freeLogin(p.FirstName, p.LastName, taken); err != nil {
			return Contact{}, err
		}
	} else if other, err := tx.ContactByLogin(ctx, customerID, login); err == nil {
		email := ""
		if person, err := tx.Identity(ctx, other.IdentityID); err == nil {
			email = person.Email
		}
		return Contact{}, Errorf(Conflict, "The login %s already belongs to another person (%s); choose another login.", login, maskEmail(email))
	} else if !IsNotFound(err) {
		return Contact{}, err
	}
	now := s.now()
	c = Contact{
		CustomerID: customerID, IdentityID: id.ID, Login: login, Civility: p.Civility, LastName: p.LastName,
		FirstName: p.FirstName, FixPhone: p.FixPhone, MobilePhone: p.MobilePhone, CreatedAt: now, UpdatedAt: now,
	}
	return c, tx.CreateContact(ctx, c)
}

// operatorContactLogin is the login of the record an operator's call makes for person id when
// the call names none: the person's own login when no other person of the customer has it,
// otherwise "" (contactFor then makes one from the name).
func operatorContactLogin(ctx context.Context, tx Store, customerID string, id Identity) (string, error) {
	if id.Login == "" {
		return "", nil
	}
	taken, err := contactLoginTaken(ctx, tx, customerID, id.Login)
	if err != nil || taken {
		return "", err
	}
	return id.Login, nil
}

func identityLoginTaken(ctx context.Context, tx Store, login string) (bool, error) {
	_, err := tx.IdentityByLogin(ctx, login)
	if IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

func contactLoginTaken(ctx context.Context, tx Store, customerID, login string) (bool, error) {
	_, err := tx.ContactByLogin(ctx, customerID, login)
	if IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// PersonNotices compares what an operator's call said about a person (p, and login when it
// named one) with what eccs kept: the person's own data and, when customerID is set, that
// customer's record of them. It returns one sentence per difference, for the call's answer:
// a known person keeps their data, and an operator who meant to change it learns how. None
// when the call's data is what is stored.
func (s *PeopleService) PersonNotices(ctx context.Context, p Person, login, customerID string) ([]string, error) {
	id, err := s.store.IdentityByEmail(ctx, p.Email)
	if IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("compare person: %w", err)
	}
	var notices []string
	if diff := personDifferences(p, login, id.Civility, id.LastName, id.FirstName, id.FixPhone, id.MobilePhone, id.Login); diff != "" {
		notices = append(notices, fmt.Sprintf("%s is already known (person %s) with %s; their own data was kept (change it with PATCH /admin/v1/people/%s, or eccsd admin people update %s).",
			id.Email, id.ID, diff, id.ID, id.Email))
	}
	if customerID == "" {
		return notices, nil
	}
	c, err := s.store.Contact(ctx, customerID, id.ID)
	if IsNotFound(err) {
		return notices, nil
	}
	if err != nil {
		return nil, fmt.Errorf("compare person: %w", err)
	}
	if diff := personDifferences(p, login, c.Civility, c.LastName, c.FirstName, c.FixPhone, c.MobilePhone, c.Login); diff != "" {
		notices = append(notices, fmt.Sprintf("Customer %s already records %s with %s; its record was kept.", customerID, id.Email, diff))
	}
	return notices, nil
}

// personDifferences describes the stored values that differ from what p (and login, when set)
// says, such as `lastName "Martin" (not "Martine")`; "" when none does.
func personDifferences(p Person, login, civility, lastName, firstName, fixPhone, mobilePhone, storedLogin string) string {
	var diffs []string
	for _, f := range []struct{ name, sent, stored string }{
		{"login", login, storedLogin},
		{"civility", p.Civility, civility},
		{"lastName", p.LastName, lastName},
		{"firstName", p.FirstName, firstName},
		{"fixPhone", p.FixPhone, fixPhone},
		{"mobilePhone", p.MobilePhone, mobilePhone},
	} {
		if f.sent != "" && f.sent != f.stored {
			diffs = append(diffs, fmt.Sprintf("%s %q (not %q)", f.name, f.stored, f.sent))
		}
	}
	return strings.Join(diffs, ", ")
}

// PersonByEmail returns the person whose e-mail is email, compared without case, with their
// own data, for an operator. Errors: Invalid for a value that is not an e-mail address;
// NotFound.
func (s *PeopleService) PersonByEmail(ctx context.Context, email string) (Identity, error) {
	if !ValidEmail(email) {
		return Identity{}, invalidField("email", "%q is not an e-mail address such as claire.martin@acme.example.", email)
	}
	return s.store.IdentityByEmail(ctx, email)
}

// PersonUpdate changes a person's own data; nil fields are left as they are, and "" clears an
// optional one (civility, phones).
type PersonUpdate struct {
	Email       *string
	Login       *string
	Civility    *string
	LastName    *string
	FirstName   *string
	FixPhone    *string
	MobilePhone *string
	Language    *string // "fr", "en", or "" for the default
}

// UpdatePerson changes a person's own data, on an operator's behalf: their e-mail (which
// names them, and with it what they see), login, names and phones. Customers' records of the
// person are theirs and stay as they are. Errors: NotFound; Invalid for bad values (every one
// named); Conflict when the e-mail or the login belongs to another person.
func (s *PeopleService) UpdatePerson(ctx context.Context, id string, u PersonUpdate) (Identity, error) {
	var person Identity
	err := s.change(ctx, "person.update", "person", func(tx Store) (string, map[string]string, error) {
		var err error
		if person, err = tx.Identity(ctx, id); err != nil {
			return "", nil, err
		}
		details := map[string]string{}
		set := func(field string, dst *string, v *string) {
			if v != nil {
				*dst, details[field] = *v, *v
			}
		}
		set("email", &person.Email, u.Email)
		set("login", &person.Login, u.Login)
		set("civility", &person.Civility, u.Civility)
		set("lastName", &person.LastName, u.LastName)
		set("firstName", &person.FirstName, u.FirstName)
		set("fixPhone", &person.FixPhone, u.FixPhone)
		set("mobilePhone", &person.MobilePhone, u.MobilePhone)
		set("language", &person.Language, u.Language)
		var probs problems
		checkPerson(&probs, "", Person{person.Civility, person.LastName, person.FirstName, person.Email, person.FixPhone, person.MobilePhone})
		if person.Login != "" && !ValidLogin(person.Login) {
			probs.invalidf("login", "A login is 8 to 64 characters among A-Z a-z 0-9 . _ -.")
		}
		probs.add(checkLanguage(person.Language))
		if err := probs.err(); err != nil {
			return "", nil, err
		}
		person.UpdatedAt = s.now()
		return id, details, tx.UpdateIdentity(ctx, person)
	})
	if err != nil {
		return Identity{}, fmt.Errorf("update person: %w", err)
	}
	return person, nil
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
// the minimum length and numbered while taken says it is taken.
func freeLogin(first, last string, taken func(login string) (bool, error)) (string, error) {
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
		t, err := taken(login)
		if err != nil {
			return "", err
		}
		if !t {
			return login, nil
		}
	}
	return "", Errorf(Conflict, "No free login is left for %s %s; give one.", first, last)
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

// Identity returns an identity; NotFound if there is none.
func (s *PeopleService) Identity(ctx context.Context, id string) (Identity, error) {
	return s.store.Identity(ctx, id)
}
