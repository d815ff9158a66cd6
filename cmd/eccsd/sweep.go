package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// sweepEvery is how often a running server sweeps the document store, after the sweep at start.
const sweepEvery = time.Hour

// sweepDocuments runs the document store's sweep (eccs.Service.SweepBlobs) at start, then
// every sweepEvery, until ctx ends, and logs what each did; age is how old unreferenced bytes
// must be to go. age 0 turns it off.
func sweepDocuments(ctx context.Context, svc *eccs.Service, age time.Duration, logger *slog.Logger) {
	if age <= 0 {
		return
	}
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		res, err := svc.SweepBlobs(ctx, age)
		attrs := []any{"orphans_removed", res.Orphans, "temporary_removed", res.Temporary, "older_than", age.String()}
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			logger.Warn("sweep the document store", append(attrs, "error", err.Error())...)
		default:
			logger.Info("swept the document store", attrs...)
		}
		if res.Foreign > 0 {
			logger.Warn("the document store holds files of contracts this database does not know; they are kept (is --blob-url shared with another deployment?)", "files", res.Foreign)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
