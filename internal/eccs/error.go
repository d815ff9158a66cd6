package eccs

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error. The set is small on purpose: the HTTP layer maps each code (with
// its Reason) to one wire status and code.
type Code string

// The error codes.
const (
	Invalid         Code = "invalid"         // the request is wrong; retrying it unchanged fails again
	Unauthenticated Code = "unauthenticated" // credentials missing, invalid or expired
	Forbidden       Code = "forbidden"       // authenticated, but not allowed
	NotFound        Code = "not_found"       // the thing does not exist (or is invisible to the caller)
	Conflict        Code = "conflict"        // the change clashes with existing state
	Unavailable     Code = "unavailable"     // a dependency is down or busy; retry later
	Internal        Code = "internal"        // a bug or broken invariant; details are logged, never shown
)

// Reason refines a Code where the wire contract tells the cases apart.
type Reason string

// The reasons.
const (
	ReasonNone    Reason = ""
	ReasonMissing Reason = "missing" // Invalid or Unauthenticated: the value is absent
	ReasonExpired Reason = "expired" // Unauthenticated: the credentials were valid but are out of date
	ReasonBlocked Reason = "blocked" // Forbidden: the application is blocked by the operator
	// ReasonSuspended refines Unauthenticated at the token endpoint: the client's credentials
	// are right, but its application is suspended.
	ReasonSuspended Reason = "suspended"
	// ReasonNoSpace refines Unavailable: a disk (or a quota) is full, so nothing was stored,
	// and it stays full until someone frees space; retrying at once fails again.
	ReasonNoSpace Reason = "no_space"
	// ReasonLocked refines Unauthenticated at sign-in: too many failures lock the e-mail or the
	// client's address for a while; the message says how long.
	ReasonLocked Reason = "locked"
)

// Error is the error type of the domain. Message is one sentence meant for the caller: it names
// the field or credential at fault and what to do. It never holds internal details.
type Error struct {
	Code    Code
	Reason  Reason
	Field   string // the request field at fault, for Invalid errors about a body field
	Message string
	// RetryAfter is how long to wait before trying again, on ReasonLocked errors (else zero).
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, Internal for any other non-nil
// error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// IsNoSpace reports whether err is an Unavailable error with ReasonNoSpace: a write found no
// room on a full disk.
func IsNoSpace(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == Unavailable && e.Reason == ReasonNoSpace
}

// IsNotFound reports whether err is a NotFound error.
func IsNotFound(err error) bool { return ErrorCode(err) == NotFound }

func missingField(field, message string) *Error {
	return &Error{Code: Invalid, Reason: ReasonMissing, Field: field, Message: message}
}

func invalidField(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}
