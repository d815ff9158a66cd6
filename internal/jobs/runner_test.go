package jobs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/jobs"
	"github.com/eccs/eccs/internal/postgres"
	"github.com/eccs/eccs/internal/testkit/pgtest"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// openShared returns n Stores on one fresh, migrated PostgreSQL database: n replicas.
func openShared(t *testing.T, n int) []*postgres.Store {
	t.Helper()
	url := pgtest.SchemaURL(t)
	var stores []*postgres.Store
	for range n {
		s, err := postgres.Open(t.Context(), url, postgres.Options{MaxConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if _, err := s.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		stores = append(stores, s)
	}
	return stores
}

// runCounter counts a job's runs per period.
type runCounter struct {
	mu    sync.Mutex
	clock *testenv.Clock
	runs  map[time.Time]int
}

func (c *runCounter) run(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.runs[c.clock.Now().Truncate(time.Hour)]++
	return nil
}

func TestTwoReplicasRunEachPeriodOnce(t *testing.T) {
	stores := openShared(t, 2)
	clock := testenv.NewClock(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	counter := &runCounter{clock: clock, runs: map[time.Time]int{}}
	var runners []*jobs.Runner
	for i, s := range stores {
		r, err := jobs.New(s, []jobs.Job{{Name: "hourly", Period: time.Hour, Run: counter.run}},
			jobs.Options{Owner: []string{"replica-a", "replica-b"}[i], Now: clock.Now, Lease: 5 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		runners = append(runners, r)
	}
	const periods = 6
	for range periods {
		// Several passes per period, both replicas at once each time.
		for range 3 {
			var wg sync.WaitGroup
			for _, r := range runners {
				wg.Go(func() {
					if err := r.RunDue(t.Context()); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			clock.Advance(20 * time.Minute)
		}
	}
	if len(counter.runs) != periods {
		t.Fatalf("ran in %d periods, want %d: %v", len(counter.runs), periods, counter.runs)
	}
	for p, n := range counter.runs {
		if n != 1 {
			t.Errorf("period %s ran %d times, want once", p, n)
		}
	}
}

func TestDeadReplicasPeriodIsRunByAnotherAfterItsLease(t *testing.T) {
	stores := openShared(t, 2)
	clock := testenv.NewClock(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	started := make(chan struct{})
	// The first replica claims the period and then hangs for ever in its job: to the others,
	// it is dead holding its lease. Its context ends with the test.
	hung, err := jobs.New(stores[0], []jobs.Job{{Name: "hourly", Period: time.Hour, Run: func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}}}, jobs.Options{Owner: "dead", Now: clock.Now, Lease: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { _ = hung.RunDue(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	<-started

	counter := &runCounter{clock: clock, runs: map[time.Time]int{}}
	alive, err := jobs.New(stores[1], []jobs.Job{{Name: "hourly", Period: time.Hour, Run: counter.run}},
		jobs.Options{Owner: "alive", Now: clock.Now, Lease: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		advance time.Duration
		want    int
	}{{0, 0}, {4 * time.Minute, 0}, {2 * time.Minute, 1}, {10 * time.Minute, 1}} {
		clock.Advance(step.advance)
		if err := alive.RunDue(t.Context()); err != nil {
			t.Fatal(err)
		}
		counter.mu.Lock()
		got := counter.runs[clock.Now().Truncate(time.Hour)]
		counter.mu.Unlock()
		if got != step.want {
			t.Fatalf("at %s: the live replica ran the period %d times, want %d", clock.Now().Format(time.TimeOnly), got, step.want)
		}
	}
}

func TestNewRefusesBadJobs(t *testing.T) {
	run := func(context.Context) error { return nil }
	for _, tc := range []struct {
		name string
		jobs []jobs.Job
	}{
		{"no name", []jobs.Job{{Period: time.Hour, Run: run}}},
		{"a name twice", []jobs.Job{{Name: "a", Period: time.Hour, Run: run}, {Name: "a", Period: time.Hour, Run: run}}},
		{"no function", []jobs.Job{{Name: "a", Period: time.Hour}}},
		{"a period under a second", []jobs.Job{{Name: "a", Period: time.Millisecond, Run: run}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := jobs.New(nil, tc.jobs, jobs.Options{}); err == nil {
				t.Fatal("New accepted it")
			}
		})
	}
}

func TestAFailedRunIsRunAgainAfterItsLeaseInTheSamePeriod(t *testing.T) {
	stores := openShared(t, 1)
	clock := testenv.NewClock(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	runs := 0
	r, err := jobs.New(stores[0], []jobs.Job{{Name: "flaky", Period: time.Hour, Run: func(context.Context) error {
		runs++
		if runs == 1 {
			return errors.New("the first run fails")
		}
		return nil
	}}}, jobs.Options{Owner: "only", Now: clock.Now, Lease: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		advance time.Duration
		runs    int
	}{{0, 1}, {time.Minute, 1}, {5 * time.Minute, 2}, {10 * time.Minute, 2}, {time.Hour, 3}} {
		clock.Advance(step.advance)
		if err := r.RunDue(t.Context()); err != nil {
			t.Fatal(err)
		}
		if runs != step.runs {
			t.Fatalf("at %s: %d runs, want %d", clock.Now().Format(time.TimeOnly), runs, step.runs)
		}
	}
}
