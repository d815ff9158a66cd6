package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

// This file measures the huge download: how much each server's memory grows while it streams
// a large document whole, against the baseline's, and its rate.

// hugeResult is the RSS growth of the servers during one download of the huge file.
type hugeResult struct {
	size                    int64
	eccsdBefore, eccsdPeak  int64
	eccsdGrowth, baseGrowth int64
	eccsdRate, baseRate     float64 // bytes per second
}

// hugeDownload downloads the huge file once from a fresh eccsd, then from a fresh baseline,
// and returns how much each one's RSS grew meanwhile above its RSS before, once warmed up by
// a download of the small file (the first request's one-time costs are not the download's).
// The rate is that of a single download: informative, noisy.
func hugeDownload(ctx context.Context, eccsd string, b backend, w world, s scenario, warm scenario, logPath string) (hugeResult, error) {
	h := hugeResult{size: s.download}
	addr, err := freeAddr()
	if err != nil {
		return h, err
	}
	srv, err := startProc("eccsd", eccsd, b.serveArgs(w, addr), addr, logPath)
	if err != nil {
		return h, err
	}
	defer srv.stop()
	if _, err := srv.waitReady(srv.baseURL()+"/readyz", time.Now(), 30*time.Second); err != nil {
		return h, err
	}
	token, err := fetchToken(srv.baseURL(), w)
	if err != nil {
		return h, err
	}
	s.header = s.header.Clone()
	s.header.Set("Authorization", "Bearer "+token)
	warm.header = s.header
	// Both servers read the file from the page cache: whoever went first would otherwise
	// read it from disk.
	if err := readAll(docPath(w, s)); err != nil {
		return h, err
	}
	if err := warmUp(ctx, srv, warm); err != nil {
		return h, err
	}
	before, peak, rate, err := downloadOnce(ctx, srv, s)
	if err != nil {
		return h, err
	}
	h.eccsdBefore, h.eccsdPeak, h.eccsdGrowth, h.eccsdRate = before, peak, peak-before, rate
	srv.stop()

	base, err := startBaseline(baselineConfig{Files: []servedFileRef{
		{Target: s.target, Path: docPath(w, s), ContentType: "text/csv"},
		{Target: warm.target, Path: docPath(w, warm), ContentType: "text/csv"},
	}}, logPath)
	if err != nil {
		return h, err
	}
	defer base.stop()
	if err := warmUp(ctx, base, warm); err != nil {
		return h, err
	}
	before, peak, rate, err = downloadOnce(ctx, base, s)
	if err != nil {
		return h, err
	}
	h.baseGrowth, h.baseRate = peak-before, rate
	return h, nil
}

// warmUp sends a request once, and the server's first-request costs with it, then lets the
// server's garbage go.
func warmUp(ctx context.Context, p *proc, s scenario) error {
	tr := &http.Transport{Proxy: nil, DisableCompression: true}
	defer tr.CloseIdleConnections()
	var n atomic.Int64
	if err := do(ctx, tr, s.request(p.baseURL()), make([]byte, 64<<10), &n); err != nil {
		return fmt.Errorf("warm up %s: %w", p.name, err)
	}
	time.Sleep(time.Second)
	return nil
}

// readAll reads a file whole, to bring it into the page cache.
func readAll(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.CopyBuffer(io.Discard, f, make([]byte, 1<<20))
	return err
}

func downloadOnce(ctx context.Context, p *proc, s scenario) (before, peak int64, rate float64, err error) {
	wt := watch(p.pid(), 0)
	before = wt.rssBefore
	t0 := time.Now()
	tr := &http.Transport{Proxy: nil, DisableCompression: true}
	defer tr.CloseIdleConnections()
	buf := make([]byte, 64<<10)
	var n atomic.Int64
	err = do(ctx, tr, s.request(p.baseURL()), buf, &n)
	took := time.Since(t0)
	peak, _, _ = wt.finish()
	if err != nil {
		return 0, 0, 0, fmt.Errorf("download %s from %s: %w", s.target, p.name, err)
	}
	return before, peak, float64(s.download) / took.Seconds(), nil
}
