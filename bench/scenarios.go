package main

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/eccs/eccs/api"
)

// This file holds what the benchmark measures: the backends eccsd runs on and the scenarios
// (the requests of each, and the goal of each against its baseline).

// backend is a database eccsd runs on.
type backend struct {
	name        string
	databaseURL string // empty: SQLite in the data directory
	dbPid       int    // the PostgreSQL postmaster, when local: its processes' CPU is measured
}

func (b backend) serveArgs(w world, addr string) []string {
	args := []string{"serve", "--data-dir", w.Dir, "--keys-file", w.keysFile(), "--addr", addr,
		"--rate-limit", "0", "--token-rate-limit", "0"}
	if b.databaseURL != "" {
		args = append(args, "--database-url", b.databaseURL, "--blob-url", "file://"+filepath.Join(w.Dir, "documents"))
	}
	return args
}

// scenario is one line of the table: a request sent again and again to eccsd and to the
// baseline.
type scenario struct {
	name     string
	method   string
	target   string // path and query
	header   http.Header
	body     []byte
	download int64   // size of the file, for downloads
	min      float64 // target: eccsd/baseline at least this (0: no target)
	minPG    float64 // the same on PostgreSQL, when it differs
}

func (s scenario) request(base string) request {
	r := newRequest(s.method, base+s.target, s.header, s.body)
	r.wantBytes = s.download
	return r
}

func (s scenario) goal(backend string) float64 {
	if backend == "postgres" && s.minPG > 0 {
		return s.minPG
	}
	return s.min
}

// scenarios lists what is measured, for a token of the benchmark application.
func scenarios(w world, token string) []scenario {
	basic := http.Header{
		"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(w.ClientID+":"+w.ClientSecret))},
		"Content-Type":  {"application/x-www-form-urlencoded"},
		"Accept":        {"application/json"},
	}
	resource := func(key string) http.Header {
		return http.Header{
			"Authorization":      {"Bearer " + token},
			"X-Api-Key":          {key},
			"X-Eccs-Contract-Id": {w.ContractID},
			"Accept":             {"application/json"},
		}
	}
	client := resource(w.ClientKey)
	v1 := api.BasePath
	file := func(name string) string { return v1 + "/documents/" + w.doc(name).ID + "/file" }
	large := w.doc(docLarge)
	return []scenario{
		{name: "token", method: "POST", target: api.TokenPath, header: basic, body: []byte("grant_type=client_credentials"), min: 0.5},
		{name: "contract", method: "GET", target: v1 + "/contract", header: client, min: 0.4, minPG: 0.25},
		{name: "contracts", method: "GET", target: v1 + "/contracts", header: client},
		{name: "documents", method: "GET", target: v1 + "/documents?limit=10", header: client, min: 0.4, minPG: 0.25},
		{name: docSmall, method: "GET", target: file(docSmall), header: client, download: w.doc(docSmall).Size, min: 0.8},
		{name: fmt.Sprintf("download-%dMiB", large.Size>>20), method: "GET", target: file(docLarge), header: client, download: large.Size, min: 0.8},
		{name: pageName(w.SmallN), method: "GET", target: v1 + "/contracts?limit=100", header: resource(w.SmallKey)},
		{name: pageName(w.LargeN), method: "GET", target: v1 + "/contracts?limit=100", header: resource(w.LargeKey)},
	}
}

func pageName(n int) string { return fmt.Sprintf("contracts-page@%s", count(n)) }

// count writes 1000 as 1k and 100000 as 100k.
func count(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

func byName(all []scenario, name string) scenario {
	for _, s := range all {
		if s.name == name {
			return s
		}
	}
	panic("no scenario " + name)
}

func docPath(w world, s scenario) string {
	for _, d := range w.Docs {
		if strings.Contains(s.target, "/"+d.ID+"/") {
			return d.Path
		}
	}
	panic("no document for " + s.target)
}
