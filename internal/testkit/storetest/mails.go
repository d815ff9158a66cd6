package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// This file checks the leases of periodic jobs and the queue of mails.

func testJobs(t *testing.T, open func(t *testing.T) eccs.Store) {
	runStoreCases(t, open, []storeCase{
		{"a period is claimed once, taken over after its lease, never after it finished", jobsClaimedOnce},
		{"old periods are pruned", func(t *testing.T, s eccs.Store) {
			for _, n := range []int{0, 60, 120} {
				claimed, err := s.ClaimJob(t.Context(), "prune", at(n), "a", at(n), at(n+1))
				must(t, err)
				equal(t, "claimed", claimed, true)
			}
			n, err := s.PruneJobRuns(t.Context(), at(120))
			must(t, err)
			equal(t, "pruned", n, 2)
			claimed, err := s.ClaimJob(t.Context(), "prune", at(120), "b", at(122), at(123))
			must(t, err)
			equal(t, "the kept period's lease (expired, unfinished) is taken over", claimed, true)
		}},
	})
	runErrorCases(t, open, []errorCase{
		{"finishing a run held by another owner is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			if _, err := s.ClaimJob(ctx, "job", at(0), "a", at(0), at(5)); err != nil {
				return err
			}
			return s.FinishJob(ctx, "job", at(0), "b", at(1))
		}, eccs.Conflict},
	})
}

func jobsClaimedOnce(t *testing.T, s eccs.Store) {
	claim := func(owner string, now int) bool {
		t.Helper()
		ok, err := s.ClaimJob(t.Context(), "job", at(0), owner, at(now), at(now+5))
		must(t, err)
		return ok
	}
	equal(t, "a claims the free period", claim("a", 0), true)
	equal(t, "b claims it during a's lease", claim("b", 4), false)
	equal(t, "b claims it after a's lease", claim("b", 6), true)
	checkCode(t, s.FinishJob(t.Context(), "job", at(0), "a", at(7)), eccs.Conflict)
	must(t, s.FinishJob(t.Context(), "job", at(0), "b", at(7)))
	equal(t, "c claims the finished period", claim("c", 60), false)
	ok, err := s.ClaimJob(t.Context(), "other", at(0), "c", at(60), at(65))
	must(t, err)
	equal(t, "another job's period is its own", ok, true)
}

// queuedMail returns a queued mail of event eventID, due at minute n.
func queuedMail(id, eventID string, n int) eccs.Mail {
	return eccs.Mail{ID: id, EventID: eventID, Recipient: "ann@example.com", Language: "fr", Template: "person.invited",
		State: eccs.MailQueued, NextAttempt: at(n), CreatedAt: at(n)}
}

func testMails(t *testing.T, open func(t *testing.T) eccs.Store) {
	runStoreCases(t, open, []storeCase{
		{"due mails are claimed once, oldest first, until their lease expires", mailsClaimed},
		{"an attempt's outcome is kept and the lease released", mailsFinished},
		{"recent mails are newest first and their event reads back", func(t *testing.T, s eccs.Store) {
			ev := outboxEvent("ev-1", 0)
			must(t, s.AddEvent(t.Context(), ev))
			a, b := queuedMail("m-a", "ev-1", 1), queuedMail("m-b", "ev-1", 2)
			must(t, s.AddMail(t.Context(), a))
			must(t, s.AddMail(t.Context(), b))
			got, err := s.RecentMails(t.Context(), 10)
			must(t, err)
			equal(t, "RecentMails", got, []eccs.Mail{b, a})
			e, err := s.MailEvent(t.Context(), "ev-1")
			must(t, err)
			equal(t, "MailEvent", e, ev)
		}},
	})
	runErrorCases(t, open, []errorCase{
		{"a mail of an unknown event is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.AddMail(ctx, queuedMail("m-1", "ev-none", 0))
		}, eccs.NotFound},
		{"a taken mail id is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			must(t, s.AddEvent(ctx, outboxEvent("ev-1", 0)))
			must(t, s.AddMail(ctx, queuedMail("m-1", "ev-1", 0)))
			return s.AddMail(ctx, queuedMail("m-1", "ev-1", 0))
		}, eccs.Conflict},
		{"the event of an unknown id is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			_, err := s.MailEvent(ctx, "ev-none")
			return err
		}, eccs.NotFound},
		{"finishing an unknown mail is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.FinishMailAttempt(ctx, "m-none", "a", eccs.MailOutcome{State: eccs.MailSent})
		}, eccs.NotFound},
	})
}

func mailsClaimed(t *testing.T, s eccs.Store) {
	must(t, s.AddEvent(t.Context(), outboxEvent("ev-1", 0)))
	for i, id := range []string{"m-c", "m-a", "m-b", "m-late"} {
		m := queuedMail(id, "ev-1", []int{1, 1, 0, 30}[i])
		must(t, s.AddMail(t.Context(), m))
	}
	sent := queuedMail("m-sent", "ev-1", 0)
	sent.State = eccs.MailSent
	must(t, s.AddMail(t.Context(), sent))
	ids := func(owner string, now int) []string {
		t.Helper()
		list, err := s.ClaimMails(t.Context(), owner, at(now), at(now+5), 2)
		must(t, err)
		out := []string{}
		for _, m := range list {
			if m.LeaseOwner != owner || !m.LeaseUntil.Equal(at(now+5)) {
				t.Errorf("claimed mail %s: lease %s until %s, want %s until %s", m.ID, m.LeaseOwner, m.LeaseUntil, owner, at(now+5))
			}
			out = append(out, m.ID)
		}
		return out
	}
	equal(t, "a's first claim", ids("a", 2), []string{"m-b", "m-a"})
	equal(t, "b's claim during a's lease", ids("b", 3), []string{"m-c"})
	equal(t, "c's claim during both leases", ids("c", 4), []string{})
	equal(t, "c's claim after a's lease", ids("c", 8), []string{"m-b", "m-a"})
	checkCode(t, s.FinishMailAttempt(t.Context(), "m-a", "a", eccs.MailOutcome{State: eccs.MailSent}), eccs.Conflict)
}

func mailsFinished(t *testing.T, s eccs.Store) {
	must(t, s.AddEvent(t.Context(), outboxEvent("ev-1", 0)))
	must(t, s.AddMail(t.Context(), queuedMail("m-1", "ev-1", 0)))
	claimed, err := s.ClaimMails(t.Context(), "a", at(1), at(5), 10)
	must(t, err)
	equal(t, "claimed", len(claimed), 1)
	retry := eccs.MailOutcome{State: eccs.MailQueued, Attempts: 1, NextAttempt: at(10), LastError: "421 try later"}
	must(t, s.FinishMailAttempt(t.Context(), "m-1", "a", retry))
	list, err := s.ClaimMails(t.Context(), "b", at(9), at(12), 10)
	must(t, err)
	equal(t, "claimed before the next attempt", len(list), 0)
	list, err = s.ClaimMails(t.Context(), "b", at(10), at(12), 10)
	must(t, err)
	want := queuedMail("m-1", "ev-1", 0)
	want.Attempts, want.NextAttempt, want.LastError, want.LeaseOwner, want.LeaseUntil = 1, at(10), "421 try later", "b", at(12)
	equal(t, "claimed at the next attempt", list, []eccs.Mail{want})
	must(t, s.FinishMailAttempt(t.Context(), "m-1", "b", eccs.MailOutcome{State: eccs.MailSent, Attempts: 2, NextAttempt: at(10), SentAt: at(11)}))
	got, err := s.RecentMails(t.Context(), 1)
	must(t, err)
	want.State, want.Attempts, want.SentAt, want.LastError, want.LeaseOwner, want.LeaseUntil = eccs.MailSent, 2, at(11), "", "", time.Time{}
	equal(t, "sent mail", got, []eccs.Mail{want})
}
