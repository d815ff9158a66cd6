// Package jobs runs periodic jobs once per period across every replica sharing the database.
//
// Each job's periods are aligned on the Unix epoch (an hourly job's periods start on the
// hour). At every pass, a Runner claims the current period of each job through a lease in the
// database (eccs.JobStore): the first replica to claim runs it, the others see it taken. A run
// that ends without error finishes the period, which is then never run again. A run that
// fails, or whose replica dies (kill -9) before it ends, leaves its lease to expire: then
// another replica, or the restarted process, claims the period and runs the job again. So a
// job runs at least once per period, and twice only when a run failed or outlived its lease:
// jobs must be safe to run again.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// Job is a periodic job.
type Job struct {
	// Name identifies the job in the database and the logs; unique within a Runner.
	Name string
	// Period is how often it runs: once per period, the periods aligned on the Unix epoch.
	Period time.Duration
	// Run does the job. Its context ends when the lease does: past that, another replica
	// may run the job too.
	Run func(ctx context.Context) error
}

// Options tunes a Runner. Zero values take the defaults.
type Options struct {
	// Owner names this process in the leases (default: host name, process id and random
	// digits). Two Runners must never share one.
	Owner string
	// Now is the clock (default time.Now); tests pass a fake one.
	Now func() time.Time
	// Lease is how long a claim holds a period (default 10 minutes): a job must end within
	// it, and a dead replica's job waits that long before another takes it.
	Lease time.Duration
	// Logger receives a line per run and per failure (default: discarded).
	Logger *slog.Logger
}

// Runner claims and runs the due periods of its jobs.
type Runner struct {
	store eccs.JobStore
	jobs  []Job
	owner string
	now   func() time.Time
	lease time.Duration
	log   *slog.Logger
}

// New returns a Runner of jobs over store. It returns an error for a job without a name, with
// a name already used, without a function, or with a period under a second.
func New(store eccs.JobStore, jobs []Job, opts Options) (*Runner, error) {
	seen := map[string]bool{}
	for _, j := range jobs {
		switch {
		case j.Name == "":
			return nil, errors.New("jobs: a job has no name")
		case seen[j.Name]:
			return nil, fmt.Errorf("jobs: two jobs are named %q", j.Name)
		case j.Run == nil:
			return nil, fmt.Errorf("jobs: job %q has no function", j.Name)
		case j.Period < time.Second:
			return nil, fmt.Errorf("jobs: job %q has a period of %s, under a second", j.Name, j.Period)
		}
		seen[j.Name] = true
	}
	r := &Runner{store: store, jobs: jobs, owner: opts.Owner, now: opts.Now, lease: opts.Lease, log: opts.Logger}
	if r.owner == "" {
		r.owner = defaultOwner()
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.lease <= 0 {
		r.lease = 10 * time.Minute
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r, nil
}

// defaultOwner names this process uniquely: host, process id and random digits (a restarted
// process must not pass for the one that died, whose lease it waits for).
func defaultOwner() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Owner returns the name this Runner claims leases under.
func (r *Runner) Owner() string { return r.owner }

// RunDue claims the current period of each job and runs those it claimed, one after the
// other. A job's failure is logged and leaves the period to be run again once its lease
// expires; RunDue returns only the errors of the store (claims and finishes), joined.
func (r *Runner) RunDue(ctx context.Context) error {
	var errs []error
	for _, j := range r.jobs {
		if err := r.runOne(ctx, j); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (r *Runner) runOne(ctx context.Context, j Job) error {
	now := r.now()
	period := now.Truncate(j.Period)
	claimed, err := r.store.ClaimJob(ctx, j.Name, period, r.owner, now, now.Add(r.lease))
	if err != nil || !claimed {
		return err
	}
	runCtx, cancel := context.WithTimeout(ctx, r.lease)
	defer cancel()
	started := time.Now()
	if err := j.Run(runCtx); err != nil {
		r.log.Error("job failed; it runs again once its lease expires", "job", j.Name,
			"period", period.UTC().Format(time.RFC3339), "error", err.Error())
		return nil
	}
	if err := r.store.FinishJob(ctx, j.Name, period, r.owner, r.now()); err != nil {
		return fmt.Errorf("job %s: %w", j.Name, err)
	}
	r.log.Info("job ran", "job", j.Name, "period", period.UTC().Format(time.RFC3339),
		"duration_ms", time.Since(started).Milliseconds())
	return nil
}

// Run calls RunDue every poll until ctx ends, logging its errors, and returns then. poll must
// be positive; a minute suits jobs of an hour or more.
func (r *Runner) Run(ctx context.Context, poll time.Duration) {
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		if err := r.RunDue(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("periodic jobs", "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
