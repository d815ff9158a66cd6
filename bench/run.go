package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/eccs/eccs/api"
)

// This file runs one backend: eccsd and the bare baselines side by side, each scenario measured
// against its baseline in the same run.

// runBackend measures every scenario on one backend, then start-to-ready, idle RSS and RSS
// growth during the huge download, each on fresh processes.
func runBackend(ctx context.Context, c config, w world, eccsd string, b backend) (backendReport, error) {
	rep := backendReport{backend: b.name, loadStart: loadAverage(), world: w, measuredDB: b.dbPid > 0}
	if b.databaseURL != "" && b.dbPid == 0 {
		logf("the PostgreSQL server is not local: its CPU is not measured")
	}
	logf("== %s", b.name)

	// Start to ready, idle RSS.
	for i := range c.startups {
		addr, err := freeAddr()
		if err != nil {
			return rep, err
		}
		t0 := time.Now()
		p, err := startProc("eccsd", eccsd, b.serveArgs(w, addr), addr, c.serverLog)
		if err != nil {
			return rep, err
		}
		d, err := p.waitReady(p.baseURL()+"/readyz", t0, 30*time.Second)
		if err != nil {
			p.stop()
			return rep, err
		}
		rep.startups = append(rep.startups, d)
		if i == 0 {
			time.Sleep(2 * time.Second)
			rep.idleRSS, _, _ = memStatus(p.pid())
		}
		p.stop()
	}
	logf("start to ready: %v; idle RSS %d KiB", rep.startups, rep.idleRSS>>10)

	// The server under test and the baseline, for every scenario.
	addr, err := freeAddr()
	if err != nil {
		return rep, err
	}
	srv, err := startProc("eccsd", eccsd, b.serveArgs(w, addr), addr, c.serverLog)
	if err != nil {
		return rep, err
	}
	defer srv.stop()
	if _, err := srv.waitReady(srv.baseURL()+"/readyz", time.Now(), 30*time.Second); err != nil {
		return rep, err
	}
	token, err := fetchToken(srv.baseURL(), w)
	if err != nil {
		return rep, err
	}
	all := scenarios(w, token)
	cfg := baselineConfig{ClientID: w.ClientID, ClientSecret: w.ClientSecret}
	for _, s := range all {
		switch {
		case s.method != "GET":
		case s.download > 0:
			cfg.Files = append(cfg.Files, servedFileRef{Target: s.target, Path: docPath(w, s), ContentType: "text/csv"})
		default:
			a, err := capture(srv.baseURL(), s)
			if err != nil {
				return rep, err
			}
			cfg.Answers = append(cfg.Answers, a)
		}
	}
	base, err := startBaseline(cfg, c.serverLog)
	if err != nil {
		return rep, err
	}
	defer base.stop()

	for _, s := range all {
		if c.only != nil && !c.only.MatchString(s.name) {
			continue
		}
		sr := scenarioReport{sc: s}
		for i := range c.runs {
			// Alternate the order, so that a slow drift of the machine's load does not
			// favour one side.
			order := []*proc{srv, base}
			if i%2 == 1 {
				order = []*proc{base, srv}
			}
			for _, p := range order {
				dbPid := 0
				if p == srv {
					dbPid = b.dbPid
				}
				r := measure(ctx, p, s, c, dbPid)
				if p == srv {
					sr.eccsd = append(sr.eccsd, r)
				} else {
					sr.base = append(sr.base, r)
				}
				logf("%-22s %-8s run %d: %s", s.name, p.name, i+1, r.summary(s.download > 0))
				if ctx.Err() != nil {
					return rep, ctx.Err()
				}
			}
		}
		rep.scenarios = append(rep.scenarios, sr)
	}
	srv.stop()
	base.stop()

	// RSS growth during one download of the huge file, on fresh processes.
	huge := w.doc(docHuge)
	hugeScenario := scenario{name: "huge", method: "GET", target: api.BasePath + "/documents/" + huge.ID + "/file",
		header: byName(all, "contract").header, download: huge.Size}
	if c.only == nil || c.only.MatchString("huge") {
		rep.huge, err = hugeDownload(ctx, eccsd, b, w, hugeScenario, byName(all, docSmall), c.serverLog)
		if err != nil {
			return rep, err
		}
		logf("huge download: eccsd RSS %+d KiB, baseline %+d KiB", rep.huge.eccsdGrowth>>10, rep.huge.baseGrowth>>10)
	}
	rep.loadEnd = loadAverage()
	return rep, nil
}

// measure runs the load generator once against p; dbPid, when positive, is the database
// server whose CPU time is measured too.
func measure(ctx context.Context, p *proc, s scenario, c config, dbPid int) result {
	wt := watch(p.pid(), dbPid)
	r := drive(ctx, s.request(p.baseURL()), c.conns, c.warmup, c.duration, wt.hooks())
	r.peakRSS, r.serverCPU, r.dbCPU = wt.finish()
	return r
}

func startBaseline(cfg baselineConfig, logPath string) (*proc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp("", "eccs-bench-baseline-*.json")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := json.NewEncoder(f).Encode(cfg); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	p, err := startProc("baseline", self, []string{"baseline", "--addr", addr, "--config", f.Name()}, addr, logPath)
	if err != nil {
		return nil, err
	}
	if _, err := p.waitReady(p.baseURL()+"/healthz", time.Now(), 30*time.Second); err != nil {
		p.stop()
		return nil, err
	}
	os.Remove(f.Name()) // read at start
	return p, nil
}

// fetchToken gets an access token for the benchmark application.
func fetchToken(base string, w world) (string, error) {
	req, _ := http.NewRequest("POST", base+api.TokenPath, strings.NewReader("grant_type=client_credentials"))
	req.SetBasicAuth(w.ClientID, w.ClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var t api.Token
	if err := json.NewDecoder(resp.Body).Decode(&t); err != nil || resp.StatusCode != 200 {
		return "", fmt.Errorf("token: status %d, %v", resp.StatusCode, err)
	}
	return t.AccessToken, nil
}

// capture sends a scenario's request to eccsd once and returns its answer, for the baseline
// to send the same bytes with the same headers.
func capture(base string, s scenario) (fixedAnswer, error) {
	req, _ := http.NewRequest(s.method, base+s.target, nil)
	req.Header = s.header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fixedAnswer{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fixedAnswer{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return fixedAnswer{}, fmt.Errorf("%s %s: status %d: %s", s.method, s.target, resp.StatusCode, body)
	}
	a := fixedAnswer{Target: s.target, Status: resp.StatusCode, Body: body}
	keys := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k == "Date" {
			continue // net/http writes it
		}
		for _, v := range resp.Header[k] {
			a.Header = append(a.Header, [2]string{k, v})
		}
	}
	return a, nil
}
