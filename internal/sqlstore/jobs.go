package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// This file keeps the leases of periodic jobs.

// ClaimJob inserts owner's claim on (job, period), or takes over a claim whose lease expired
// before now and whose run never finished; one statement, so two replicas cannot both win.
func (s *Store) ClaimJob(ctx context.Context, job string, period time.Time, owner string, now, leaseUntil time.Time) (bool, error) {
	var got string
	err := s.writer().QueryRowContext(ctx,
		`INSERT INTO job_runs (job, period, owner, lease_until, finished_at) VALUES ($1, $2, $3, $4, 0)
		 ON CONFLICT (job, period) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
		 WHERE job_runs.finished_at = 0 AND job_runs.lease_until < $5
		 RETURNING owner`,
		job, micros(period), owner, micros(leaseUntil), micros(now)).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, s.writeErr("claim job "+job, err, "", "")
	}
	return got == owner, nil
}

// FinishJob sets the run's finished time if owner holds it.
func (s *Store) FinishJob(ctx context.Context, job string, period time.Time, owner string, at time.Time) error {
	res, err := s.writer().ExecContext(ctx,
		`UPDATE job_runs SET finished_at = $1 WHERE job = $2 AND period = $3 AND owner = $4 AND finished_at = 0`,
		micros(at), job, micros(period), owner)
	if err != nil {
		return s.writeErr("finish job "+job, err, "", "")
	}
	if n, err := res.RowsAffected(); err != nil {
		return s.writeErr("finish job "+job, err, "", "")
	} else if n == 0 {
		return eccs.Errorf(eccs.Conflict, "Job %s of %s is not held by %s.", job, period.UTC().Format(time.RFC3339), owner)
	}
	return nil
}

// PruneJobRuns deletes the runs of periods before before.
func (s *Store) PruneJobRuns(ctx context.Context, before time.Time) (int, error) {
	res, err := s.writer().ExecContext(ctx, `DELETE FROM job_runs WHERE period < $1`, micros(before))
	if err != nil {
		return 0, s.writeErr("prune job runs", err, "", "")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune job runs: %w", s.classify(err))
	}
	return int(n), nil
}
