package eccs

import (
	"context"
	"time"
)

// JobStore keeps the leases of periodic jobs, so that each job runs once per period across
// every replica sharing the database, and a replica that dies holding a lease is replaced once
// the lease expires (package jobs runs them).
type JobStore interface {
	// ClaimJob takes job's run of the period that starts at period for owner until
	// leaseUntil, and reports whether it did: it does when no one has claimed that period,
	// or when its claim expired (lease before now) and the run never finished. It reports
	// false, with a nil error, when the period is finished or someone else holds its lease.
	ClaimJob(ctx context.Context, job string, period time.Time, owner string, now, leaseUntil time.Time) (bool, error)
	// FinishJob marks owner's run of job in period as finished at at, so the period is never
	// claimed again. Conflict if owner does not hold that run (it lost its lease to another
	// replica, or never claimed it).
	FinishJob(ctx context.Context, job string, period time.Time, owner string, at time.Time) error
	// PruneJobRuns removes the runs of periods that started before before, and returns how
	// many it removed.
	PruneJobRuns(ctx context.Context, before time.Time) (int, error)
}
