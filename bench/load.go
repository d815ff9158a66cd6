package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/bits"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// request is what a load generator sends, again and again: the same bytes to eccsd and to the
// baseline, which answers the same target.
type request struct {
	method string
	url    *url.URL
	header http.Header
	body   []byte
	// wantBytes, when positive, is the exact body length a valid answer has (downloads): a
	// shorter body is an error, not a fast request.
	wantBytes int64
}

func newRequest(method, rawURL string, header http.Header, body []byte) request {
	u, err := url.Parse(rawURL)
	if err != nil {
		panic(err) // built from our own constants
	}
	return request{method: method, url: u, header: header, body: body}
}

// result is what one run of the load generator measured in its window (warm-up excluded).
type result struct {
	requests int64 // answered, 2xx, inside the window
	errors   int64 // non-2xx, transport errors, short bodies: warm-up and window
	firstErr string
	bytes    int64 // body bytes read inside the window
	window   time.Duration
	hist     *histogram
	// serverCPU is the CPU time (user+system) the server process used inside the window;
	// dbCPU, the database server's (PostgreSQL's processes; SQLite runs inside eccsd).
	serverCPU time.Duration
	dbCPU     time.Duration
	// peakRSS is the server's peak resident set during the run (warm-up included), in bytes.
	peakRSS int64
}

func (r result) rps() float64 { return float64(r.requests) / r.window.Seconds() }

func (r result) bytesPerSec() float64 { return float64(r.bytes) / r.window.Seconds() }

// cpuPerRequest is the server's CPU time per answered request.
func (r result) cpuPerRequest() time.Duration {
	if r.requests == 0 {
		return 0
	}
	return r.serverCPU / time.Duration(r.requests)
}

// dbCPUPerRequest is the database server's CPU time per answered request.
func (r result) dbCPUPerRequest() time.Duration {
	if r.requests == 0 {
		return 0
	}
	return r.dbCPU / time.Duration(r.requests)
}

// hooks are called at the edges of the measured window, from the generator's timer.
type hooks struct {
	windowStart func()
	windowEnd   func()
}

// drive sends req over conns keep-alive connections for warmup+window and returns what it
// measured in the window. Each connection has its own goroutine that sends the next request
// as soon as the previous answer is read whole (closed loop, like wrk).
func drive(ctx context.Context, req request, conns int, warmup, window time.Duration, h hooks) result {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2 * conns,
		MaxIdleConnsPerHost: 2 * conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ReadBufferSize:      64 << 10,
		WriteBufferSize:     16 << 10,
	}
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		totalBytes atomic.Int64
		phase      atomic.Int32 // 0 warm-up, 1 window, 2 done
		bytesFrom  int64
		bytesTo    int64
		windowFrom time.Time
		windowTo   time.Time
	)
	timerDone := make(chan struct{})
	go func() {
		defer close(timerDone)
		select {
		case <-time.After(warmup):
		case <-ctx.Done():
			return
		}
		if h.windowStart != nil {
			h.windowStart()
		}
		windowFrom = time.Now()
		bytesFrom = totalBytes.Load()
		phase.Store(1)
		select {
		case <-time.After(window):
		case <-ctx.Done():
		}
		phase.Store(2)
		windowTo = time.Now()
		bytesTo = totalBytes.Load()
		if h.windowEnd != nil {
			h.windowEnd()
		}
		cancel() // cuts the requests in flight: they are past the window
	}()

	type workerResult struct {
		requests, errors int64
		firstErr         string
		hist             *histogram
	}
	results := make([]workerResult, conns)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wr := workerResult{hist: newHistogram()}
			buf := make([]byte, 64<<10)
			for ctx.Err() == nil {
				t0 := time.Now()
				err := do(ctx, tr, req, buf, &totalBytes)
				took := time.Since(t0)
				p := phase.Load()
				if p == 2 || ctx.Err() != nil {
					break // finished after the window: neither counted nor an error
				}
				if err != nil {
					wr.errors++
					if wr.firstErr == "" {
						wr.firstErr = err.Error()
					}
					continue
				}
				if p == 1 {
					wr.requests++
					wr.hist.record(took)
				}
			}
			results[i] = wr
		}()
	}
	wg.Wait()
	<-timerDone

	r := result{hist: newHistogram(), window: windowTo.Sub(windowFrom), bytes: bytesTo - bytesFrom}
	for _, wr := range results {
		r.requests += wr.requests
		r.errors += wr.errors
		if r.firstErr == "" {
			r.firstErr = wr.firstErr
		}
		r.hist.merge(wr.hist)
	}
	if r.window <= 0 {
		r.window = window
	}
	return r
}

// do sends one request and reads its answer whole, counting body bytes as they arrive.
func do(ctx context.Context, tr *http.Transport, req request, buf []byte, total *atomic.Int64) error {
	r := &http.Request{
		Method:     req.method,
		URL:        req.url,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     req.header,
		Host:       req.url.Host,
	}
	if req.body != nil {
		body := req.body
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		r.ContentLength = int64(len(body))
	}
	r = r.WithContext(ctx)
	resp, err := tr.RoundTrip(r)
	if err != nil {
		return err
	}
	var n int64
	for {
		m, rerr := resp.Body.Read(buf)
		if m > 0 {
			n += int64(m)
			total.Add(int64(m))
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			resp.Body.Close()
			return rerr
		}
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return fmt.Errorf("%s %s: status %d", req.method, req.url.Path, resp.StatusCode)
	case resp.ContentLength >= 0 && n != resp.ContentLength:
		return fmt.Errorf("%s %s: %d body bytes, Content-Length %d", req.method, req.url.Path, n, resp.ContentLength)
	case req.wantBytes > 0 && n != req.wantBytes:
		return fmt.Errorf("%s %s: %d body bytes, want %d", req.method, req.url.Path, n, req.wantBytes)
	}
	return nil
}

// histogram counts durations in log-spaced buckets: 128 sub-buckets per power of two, so a
// percentile is exact to within 0.8 %, in a fixed 64 KiB whatever the number of samples.
type histogram struct {
	counts [histBuckets]uint64
	n      uint64
}

const (
	histSub     = 128
	histBuckets = 64 * histSub
)

func newHistogram() *histogram { return &histogram{} }

func histIndex(ns uint64) int {
	if ns < 2*histSub {
		return int(ns)
	}
	shift := bits.Len64(ns) - 8 // ns>>shift is in [128, 256)
	return shift*histSub + int(ns>>shift)
}

// histValue is the middle of bucket i, in nanoseconds.
func histValue(i int) uint64 {
	if i < 2*histSub {
		return uint64(i)
	}
	shift := i/histSub - 1
	m := uint64(i - shift*histSub)
	return m<<shift + (uint64(1)<<shift)/2
}

func (h *histogram) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	i := histIndex(uint64(d))
	if i >= histBuckets {
		i = histBuckets - 1
	}
	h.counts[i]++
	h.n++
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
}

// quantile returns the q-quantile (0 < q ≤ 1) of the recorded durations.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.5)
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return time.Duration(histValue(i))
		}
	}
	return time.Duration(histValue(histBuckets - 1))
}

// formatDuration writes a latency in milliseconds with three significant digits.
func formatDuration(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms >= 100:
		return strconv.FormatFloat(ms, 'f', 0, 64)
	case ms >= 10:
		return strconv.FormatFloat(ms, 'f', 1, 64)
	case ms >= 1:
		return strconv.FormatFloat(ms, 'f', 2, 64)
	}
	return strconv.FormatFloat(ms, 'f', 3, 64)
}
