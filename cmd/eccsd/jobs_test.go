package main

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/jobs"
	"github.com/eccs/eccs/internal/testkit/apitest"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

// The server's periodic jobs run through the leased runner: one pass runs each, and the outbox
// loses the old events every consumer handled, never a recent or unhandled one.
func TestPeriodicJobsRunOnceAndPruneHandledEvents(t *testing.T) {
	ctx := t.Context()
	db, blobs := apitest.EmptyStore(t)
	keys := eccs.Keys{HashKey: make([]byte, 32), TokenKeys: []eccs.TokenKey{{ID: "k1", Secret: make([]byte, 32)}}}
	svc, err := eccs.NewService(db, blobs, eccs.Config{Keys: keys, Formats: docformat.Formats{}})
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-eventsKept - time.Hour)
	for _, e := range []eccs.Event{{ID: "ev-old-handled", At: old}, {ID: "ev-old-pending", At: old}, {ID: "ev-new-handled", At: time.Now()}} {
		e.Type, e.ObjectType, e.ObjectID = "person.password_changed", "person", "p-1"
		if err := db.AddEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"ev-old-handled", "ev-new-handled"} {
		if err := db.AckEvent(ctx, outboxConsumers[0], id, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	logs := &testenv.Buffer{}
	list := periodicJobs(svc, db, slog.New(slog.NewJSONHandler(logs, nil)))
	runner, err := jobs.New(db, list, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := runner.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	left, err := db.PendingEvents(ctx, "a consumer that handled nothing", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 2 || left[0].ID != "ev-old-pending" || left[1].ID != "ev-new-handled" {
		t.Errorf("events left after the jobs: %+v; want ev-old-pending and ev-new-handled", left)
	}
	if !strings.Contains(logs.String(), `"job":"prune-events","count":1`) {
		t.Errorf("the pruning was not logged: %s", logs)
	}
}
