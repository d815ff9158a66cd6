package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// backendReport is everything measured on one backend.
type backendReport struct {
	backend    string
	measuredDB bool // the database's CPU was measured (a local PostgreSQL)
	world      world
	loadStart  string
	loadEnd    string
	scenarios  []scenarioReport
	startups   []time.Duration
	idleRSS    int64
	huge       hugeResult
}

// scenarioReport holds the runs of one scenario, run i of eccsd next to run i of the baseline.
type scenarioReport struct {
	sc    scenario
	eccsd []result
	base  []result
}

// clientSummary is summary without what only a separate server process shows (RSS, CPU).
func (r result) clientSummary(download bool) string {
	s := fmt.Sprintf("%9.0f req/s  p50 %6s ms  p99 %6s ms  errors %d",
		r.rps(), formatDuration(r.hist.quantile(0.5)), formatDuration(r.hist.quantile(0.99)), r.errors)
	if download {
		s += fmt.Sprintf("  %.0f MiB/s", r.bytesPerSec()/(1<<20))
	}
	if r.firstErr != "" {
		s += "  first error: " + r.firstErr
	}
	return s
}

func (r result) summary(download bool) string {
	s := fmt.Sprintf("%9.0f req/s  p50 %6s ms  p99 %6s ms  errors %d  peak RSS %5.1f MiB  CPU/req %s ms",
		r.rps(), formatDuration(r.hist.quantile(0.5)), formatDuration(r.hist.quantile(0.99)), r.errors,
		mib(r.peakRSS), formatDuration(r.cpuPerRequest()))
	if download {
		s += fmt.Sprintf("  %.0f MiB/s", r.bytesPerSec()/(1<<20))
	}
	if r.dbCPU > 0 {
		s += fmt.Sprintf("  db CPU/req %s ms", formatDuration(r.dbCPUPerRequest()))
	}
	if r.firstErr != "" {
		s += "  first error: " + r.firstErr
	}
	return s
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func medianOf(rs []result, f func(result) float64) float64 {
	xs := make([]float64, len(rs))
	for i, r := range rs {
		xs[i] = f(r)
	}
	return median(xs)
}

func (s scenarioReport) isDownload() bool { return s.sc.download > 0 }

// throughput is what the ratio compares: requests per second, bytes per second for downloads.
func (s scenarioReport) throughput(r result) float64 {
	if s.isDownload() {
		return r.bytesPerSec()
	}
	return r.rps()
}

// ratio is the median over runs of eccsd's throughput over the baseline's in the same run.
func (s scenarioReport) ratio() float64 {
	var xs []float64
	for i := range min(len(s.eccsd), len(s.base)) {
		if b := s.throughput(s.base[i]); b > 0 {
			xs = append(xs, s.throughput(s.eccsd[i])/b)
		}
	}
	return median(xs)
}

func (s scenarioReport) errors() int64 {
	var n int64
	for _, r := range append(slices.Clone(s.eccsd), s.base...) {
		n += r.errors
	}
	return n
}

func (s scenarioReport) peakRSS() int64 {
	var peak int64
	for _, r := range s.eccsd {
		peak = max(peak, r.peakRSS)
	}
	return peak
}

func (b backendReport) invalid() bool {
	for _, s := range b.scenarios {
		if s.errors() > 0 {
			return true
		}
	}
	return false
}

func (b backendReport) scenario(name string) (scenarioReport, bool) {
	for _, s := range b.scenarios {
		if s.sc.name == name {
			return s, true
		}
	}
	return scenarioReport{}, false
}

func thousands(x float64) string {
	s := strconv.FormatInt(int64(x+0.5), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func pct(x float64) string { return fmt.Sprintf("%.0f %%", 100*x) }

// print writes the backend's table and lines, then its targets, in Markdown.
func (b backendReport) print(out io.Writer, c config) {
	fmt.Fprintf(out, "\n### %s\n\n", b.backend)
	fmt.Fprintf(out, "Load average %s before this backend, %s after.\n\n", b.loadStart, b.loadEnd)
	fmt.Fprintln(out, "| scenario | eccsd req/s | p50 ms | p99 ms | errors | baseline req/s | baseline p50 ms | ratio | target | eccsd peak RSS | eccsd CPU/req | database CPU/req | baseline CPU/req |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|")
	for _, s := range b.scenarios {
		rps := func(rs []result) string {
			v := thousands(medianOf(rs, result.rps))
			if s.isDownload() {
				v += fmt.Sprintf(" (%s MiB/s)", thousands(medianOf(rs, result.bytesPerSec)/(1<<20)))
			}
			return v
		}
		p := func(rs []result, q float64) string {
			return formatDuration(time.Duration(medianOf(rs, func(r result) float64 { return float64(r.hist.quantile(q)) })))
		}
		target := "–"
		if g := s.sc.goal(b.backend); g > 0 {
			target = "≥ " + pct(g) + " " + verdict(s.ratio() >= g)
		}
		cpu := func(rs []result) string {
			return formatDuration(time.Duration(medianOf(rs, func(r result) float64 { return float64(r.cpuPerRequest()) })))
		}
		db := "in eccsd"
		if b.measuredDB {
			db = formatDuration(time.Duration(medianOf(s.eccsd, func(r result) float64 { return float64(r.dbCPUPerRequest()) }))) + " ms"
		}
		fmt.Fprintf(out, "| %s | %s | %s | %s | %d | %s | %s | %s | %s | %.1f MiB | %s ms | %s | %s ms |\n",
			s.sc.name, rps(s.eccsd), p(s.eccsd, 0.5), p(s.eccsd, 0.99), s.errors(),
			rps(s.base), p(s.base, 0.5), pct(s.ratio()), target, mib(s.peakRSS()), cpu(s.eccsd), db, cpu(s.base))
	}
	fmt.Fprintln(out)
	if small, ok := b.scenario(pageName(b.world.SmallN)); ok {
		if large, ok := b.scenario(pageName(b.world.LargeN)); ok {
			g := b.growth(small, large)
			fmt.Fprintf(out, "- Page of 100 contracts, %s vs %s contracts in the perimeter: cost ×%.2f (throughput), ×%.2f (eccsd and database CPU per request), ×%.2f (p50). Target ≤ ×2: %s.\n",
				count(b.world.LargeN), count(b.world.SmallN), g.cost, g.cpu, g.p50, verdict(g.cost <= 2))
		}
	}
	if b.huge.size > 0 {
		fmt.Fprintf(out, "- One %d MiB download on a fresh server: eccsd RSS %.1f → %.1f MiB, growth %.1f MiB (baseline: %.1f MiB), at %s MiB/s (baseline %s MiB/s). Target < 32 MiB: %s.\n",
			b.huge.size>>20, mib(b.huge.eccsdBefore), mib(b.huge.eccsdPeak), mib(b.huge.eccsdGrowth), mib(b.huge.baseGrowth),
			thousands(b.huge.eccsdRate/(1<<20)), thousands(b.huge.baseRate/(1<<20)), verdict(b.huge.eccsdGrowth < 32<<20))
	}
	fmt.Fprintf(out, "- Idle RSS (fresh server, 2 s after ready): %.1f MiB. Target < 40 MiB: %s.\n", mib(b.idleRSS), verdict(b.idleRSS < 40<<20))
	var ms []float64
	var each []string
	for _, d := range b.startups {
		ms = append(ms, float64(d)/float64(time.Millisecond))
		each = append(each, fmt.Sprintf("%.0f", float64(d)/float64(time.Millisecond)))
	}
	fmt.Fprintf(out, "- Start to `/readyz` 200 (`eccsd serve` on the prepared data, polled every ms): median %.0f ms (%s ms). Target < 500 ms: %s.\n",
		median(ms), strings.Join(each, ", "), verdict(median(ms) < 500))
	if b.invalid() {
		fmt.Fprintln(out, "\n**Some requests failed: this table is not valid.**")
	}
}

type growth struct{ cost, cpu, p50 float64 }

// growth compares the page at the large perimeter to the page at the small one: the cost of a
// request at fixed concurrency is the inverse of the throughput.
func (b backendReport) growth(small, large scenarioReport) growth {
	div := func(a, b float64) float64 {
		if b == 0 {
			return 0
		}
		return a / b
	}
	cpu := func(rs []result) float64 {
		return medianOf(rs, func(r result) float64 { return float64(r.cpuPerRequest() + r.dbCPUPerRequest()) })
	}
	p50 := func(rs []result) float64 {
		return medianOf(rs, func(r result) float64 { return float64(r.hist.quantile(0.5)) })
	}
	return growth{
		cost: div(medianOf(small.eccsd, result.rps), medianOf(large.eccsd, result.rps)),
		cpu:  div(cpu(large.eccsd), cpu(small.eccsd)),
		p50:  div(p50(large.eccsd), p50(small.eccsd)),
	}
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}
