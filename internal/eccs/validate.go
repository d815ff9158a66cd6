package eccs

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ValidContractID reports whether id is shaped like a contract number: 3 to 32 ASCII letters,
// digits, '-' or '_', starting with a letter or digit. Contracts ordered here are "OCB" + 7
// digits; operators may load others from their billing system.
func ValidContractID(id string) bool {
	return len(id) >= 3 && isToken(id, 32) && id[0] != '-' && id[0] != '_'
}

// MaxDocumentIDLen is the longest document id.
const MaxDocumentIDLen = 64

// ValidDocumentID reports whether id can be a document's id: 1 to 64 of A-Z a-z 0-9 '.' '_'
// '-', neither "." nor "..". Ids are opaque to clients: documents made here get 16 random
// lower-case base32 characters; documents loaded from another billing system may keep that
// system's ids.
func ValidDocumentID(id string) bool {
	if id == "." || id == ".." || len(id) > MaxDocumentIDLen {
		return false
	}
	return isLoginLike(id)
}

// ValidLogin reports whether login is 8 to 64 of A-Z a-z 0-9 . _ - (the customer-space rule).
func ValidLogin(login string) bool {
	return len(login) >= 8 && len(login) <= 64 && isLoginLike(login)
}

// isLoginLike reports whether s is not empty and made of A-Z a-z 0-9 '.' '_' '-' only.
func isLoginLike(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return s != ""
}

// ValidEmail reports whether s is a bare e-mail address (no display name) of at most 254 bytes
// whose domain has a dot.
func ValidEmail(s string) bool {
	if len(s) > 254 || strings.TrimSpace(s) != s {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".")
}

// ValidPhone reports whether s is a phone number: an optional '+', then 6 to 20 digits with
// optional spaces, dots, hyphens or parentheses between them.
func ValidPhone(s string) bool {
	if len(s) > 40 {
		return false
	}
	digits := 0
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' && i == 0:
		case c == ' ' || c == '.' || c == '-' || c == '(' || c == ')':
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 20
}

var civilities = []string{"m", "mr", "mrs", "ms", "miss", "mme", "mlle", "dr"}

// ValidCivility reports whether s is a known title (M, Mr, Mrs, Ms, Miss, Mme, Mlle, Dr), in
// any case.
func ValidCivility(s string) bool { return contains(civilities, strings.ToLower(s)) }

// ValidText reports whether s is a name-like value: 1 to max characters of valid UTF-8 with no
// control character and no leading or trailing space.
func ValidText(s string, max int) bool {
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > max || strings.TrimSpace(s) != s {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// ValidPeriod reports whether s is a month as YYYYMM (years 1970 to 9999).
func ValidPeriod(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < 6; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	month := (s[4]-'0')*10 + s[5] - '0'
	return s[:4] >= "1970" && month >= 1 && month <= 12
}

// ValidCurrency reports whether s is three upper-case letters (an ISO 4217 code).
func ValidCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// problems gathers what is wrong with a request body, so that one answer names every field at
// fault instead of the first: a client fixes them all in one round.
type problems struct {
	missing []string // required fields absent or empty
	invalid []*Error // one sentence per field whose value is wrong
}

// require notes every field of the (name, value) pairs whose value is empty or blank.
func (p *problems) require(pairs ...string) {
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			p.missing = append(p.missing, pairs[i])
		}
	}
}

// isMissing reports whether field was noted missing: its value is not checked further.
func (p *problems) isMissing(field string) bool { return contains(p.missing, field) }

// invalidf notes that field's value is wrong, with a sentence saying what it must be.
func (p *problems) invalidf(field, format string, args ...any) {
	p.invalid = append(p.invalid, invalidField(field, format, args...))
}

// add notes an Invalid *Error (another error is a bug of the caller: it is noted as is).
func (p *problems) add(err error) {
	if err == nil {
		return
	}
	e, ok := errors.AsType[*Error](err)
	if !ok || e.Code != Invalid {
		p.invalid = append(p.invalid, &Error{Code: Internal, Message: err.Error()})
		return
	}
	if e.Reason == ReasonMissing {
		p.missing = append(p.missing, e.Field)
		return
	}
	p.invalid = append(p.invalid, e)
}

// err returns nil when nothing is wrong, otherwise one Invalid *Error whose message names
// every problem: the missing fields first (Reason missing, as the wire's code 23 says), then
// each invalid value. Its Field is the first field at fault.
func (p *problems) err() error {
	if len(p.missing) == 0 && len(p.invalid) == 0 {
		return nil
	}
	var sentences []string
	out := &Error{Code: Invalid}
	switch len(p.missing) {
	case 0:
	case 1:
		sentences = append(sentences, fmt.Sprintf("The body field %s is required.", p.missing[0]))
	default:
		sentences = append(sentences, fmt.Sprintf("The body fields %s are required.", strings.Join(p.missing, ", ")))
	}
	if len(p.missing) > 0 {
		out.Reason, out.Field = ReasonMissing, p.missing[0]
	}
	for _, e := range p.invalid {
		if e.Code != Invalid {
			return e // a bug, not a bad request: reported alone
		}
		if out.Field == "" {
			out.Field = e.Field
		}
		sentences = append(sentences, e.Message)
	}
	out.Message = strings.Join(sentences, " ")
	return out
}
