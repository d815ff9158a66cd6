package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/jobs"
	mailqueue "github.com/eccs/eccs/internal/mail"
)

// jobPoll is how often a server looks for periodic jobs whose period came.
const jobPoll = time.Minute

// Retention of the records the periodic jobs prune.
const (
	jobRunsKept = 30 * 24 * time.Hour // records of periodic jobs' runs
	eventsKept  = 30 * 24 * time.Hour // outbox events every consumer has handled
)

// outboxConsumers are the consumers of the outbox: an event leaves it once each has handled it.
var outboxConsumers = []string{mailqueue.Consumer}

// periodicJobs are the jobs every server runs through the leased job runner, each once per
// period across the replicas sharing the database. Each removes what no longer serves: expired
// claim links, passkey ceremonies and sessions sign nobody in and should not keep a sealed
// secret or a session's trace longer than needed; handled events and old job records only
// grow. Each is safe to run twice (the runner runs a job again when its replica dies).
func periodicJobs(svc *eccs.Service, store eccs.Store, logger *slog.Logger) []jobs.Job {
	count := func(name string, run func(ctx context.Context) (int, error)) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			n, err := run(ctx)
			if n > 0 {
				logger.Info("periodic job removed records", "job", name, "count", n)
			}
			return err
		}
	}
	job := func(name string, period time.Duration, run func(ctx context.Context) (int, error)) jobs.Job {
		return jobs.Job{Name: name, Period: period, Run: count(name, run)}
	}
	return []jobs.Job{
		job("delete-expired-claims", time.Hour, svc.DeleteExpiredClaims),
		job("delete-expired-passkey-ceremonies", time.Hour, svc.DeleteExpiredCeremonies),
		job("delete-stale-sessions", time.Hour, svc.DeleteStaleSessions),
		job("prune-events", 24*time.Hour, func(ctx context.Context) (int, error) {
			return store.PruneEvents(ctx, time.Now().Add(-eventsKept), outboxConsumers)
		}),
		job("prune-job-runs", 24*time.Hour, func(ctx context.Context) (int, error) {
			return store.PruneJobRuns(ctx, time.Now().Add(-jobRunsKept))
		}),
	}
}
