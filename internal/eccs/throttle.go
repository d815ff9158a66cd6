package eccs

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Failed sign-ins are counted per subject, a person's e-mail and the client's address, in the
// database, so that every replica sees the same counts. Past a number of failures within a
// window, the subject is locked for a while, each lock twice as long as the one before, up to
// a ceiling; an hour without a failure forgets everything (doc/decisions.md gives the numbers).

// Throttle is the failed sign-ins of one subject.
type Throttle struct {
	Subject       string
	Failures      int       // in the window that started at WindowStart
	WindowStart   time.Time // the first failure of the current window
	LastFailureAt time.Time
	Locks         int       // locks so far: the next one lasts FirstLock × 2^Locks
	LockedUntil   time.Time // zero or past when not locked
}

// ThrottleStore keeps the failed sign-ins of subjects.
type ThrottleStore interface {
	// Throttle returns the throttle of subject; NotFound if it has none.
	Throttle(ctx context.Context, subject string) (Throttle, error)
	// PutThrottle stores (or replaces) t.
	PutThrottle(ctx context.Context, t Throttle) error
	// DeleteThrottle forgets subject's failures; deleting none is not an error.
	DeleteThrottle(ctx context.Context, subject string) error
}

// ThrottleRule is when failures lock a subject.
type ThrottleRule struct {
	MaxFailures int           // failures within Window that lock
	Window      time.Duration // the window failures are counted in
	FirstLock   time.Duration // the first lock; each next one doubles
	MaxLock     time.Duration // the longest lock; also how long without a failure forgets all
}

// The default rules: per person (their e-mail), 5 failures in 15 minutes lock for 1 minute,
// then 2, 4… up to an hour; per client address, where offices share one address behind NAT,
// 20 failures.
var (
	DefaultPersonThrottle  = ThrottleRule{MaxFailures: 5, Window: 15 * time.Minute, FirstLock: time.Minute, MaxLock: time.Hour}
	DefaultAddressThrottle = ThrottleRule{MaxFailures: 20, Window: 15 * time.Minute, FirstLock: time.Minute, MaxLock: time.Hour}
)

// lockLength is the length of lock number n (0 for the first).
func (r ThrottleRule) lockLength(n int) time.Duration {
	if n > 30 {
		return r.MaxLock
	}
	d := time.Duration(float64(r.FirstLock) * math.Pow(2, float64(n)))
	return min(d, r.MaxLock)
}

// lockedUntil returns until when subject is locked (zero if it is not).
func (s *SignInService) lockedUntil(ctx context.Context, subject string) (time.Time, error) {
	t, err := s.store.Throttle(ctx, subject)
	if IsNotFound(err) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read sign-in failures: %w", err)
	}
	if s.now().Before(t.LockedUntil) {
		return t.LockedUntil, nil
	}
	return time.Time{}, nil
}

// addFailure counts one failed sign-in of subject under rule r, locking it when it reaches
// the rule's count.
func (s *SignInService) addFailure(ctx context.Context, tx Store, subject string, r ThrottleRule) error {
	now := s.now()
	t, err := tx.Throttle(ctx, subject)
	// An hour (MaxLock) without a failure, counted from the end of the last lock, forgets all.
	if IsNotFound(err) || (err == nil && now.Sub(later(t.LastFailureAt, t.LockedUntil)) >= r.MaxLock) {
		t, err = Throttle{Subject: subject, WindowStart: now}, nil
	}
	if err != nil {
		return err
	}
	if now.Sub(t.WindowStart) >= r.Window {
		t.Failures, t.WindowStart = 0, now
	}
	t.Failures++
	t.LastFailureAt = now
	if t.Failures >= r.MaxFailures {
		t.LockedUntil = now.Add(r.lockLength(t.Locks))
		t.Locks++
		t.Failures, t.WindowStart = 0, now
	}
	return tx.PutThrottle(ctx, t)
}

// lockedError is the answer while a subject is locked: it says when to try again, and is the
// same whether the e-mail is known or not.
func lockedError(until, now time.Time) error {
	wait := until.Sub(now).Round(time.Second)
	minutes := int(math.Ceil(wait.Minutes()))
	return &Error{Code: Unauthenticated, Reason: ReasonLocked, RetryAfter: wait,
		Message: fmt.Sprintf("Too many failed sign-ins: try again in %d minute(s).", max(minutes, 1))}
}

// throttleSubjects are the subjects a sign-in of email from address counts against.
func (s *SignInService) throttleSubjects(email, address string) []throttled {
	subjects := []throttled{{"email:" + hashSecret(s.keys.HashKey, "eccs sign-in subject\x00"+foldEmail(email)), s.cfg.PersonThrottle}}
	if address != "" {
		subjects = append(subjects, throttled{"address:" + address, s.cfg.AddressThrottle})
	}
	return subjects
}

type throttled struct {
	subject string
	rule    ThrottleRule
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
