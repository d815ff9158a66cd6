package main

// Fuzz targets for the manifest of `eccsd admin import`: the CSV files and manifest.json, which
// come from an operator's billing export or spreadsheet. Seed corpora are in testdata/fuzz;
// scripts/fuzz runs them, and doc/reliability.md says what they prove.

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzReadManifestCSV feeds arbitrary bytes to readCSV as each kind of file, and writes
// fuzzed values as a CSV file to read them back. Properties: it never panics; every row it
// returns is of the kind asked, says which line it comes from, and a document row without a
// problem has a file; values written by encoding/csv (with ';' or ',') read back unchanged.
func FuzzReadManifestCSV(f *testing.F) {
	dir := filepath.Join("/", "import")
	f.Fuzz(func(t *testing.T, kindIndex int, data []byte, a, b, c string, semicolon bool) {
		if kindIndex < 0 {
			kindIndex = -(kindIndex + 1)
		}
		kind := importKinds[kindIndex%len(importKinds)]
		name := kind + ".csv"
		rows, err := readCSV(dir, kind, name, data)
		if err == nil {
			for _, r := range rows {
				if r.kind != kind || !strings.HasPrefix(r.where, name+" line ") {
					t.Fatalf("row %+v of %s", r, name)
				}
				if kind == kindDocuments && r.err == nil && (r.file == "" || r.doc.Filename == "") {
					t.Fatalf("document row without a file: %+v", r)
				}
			}
		}
		checkManifestCSVRoundTrip(t, dir, kind, a, b, c, semicolon)
	})
}

// checkManifestCSVRoundTrip writes one record of fuzzed values (valid UTF-8, no surrounding
// space, CR or BOM; else it checks nothing) under the real header of kind, and checks that
// readCSV reads them back unchanged.
func checkManifestCSVRoundTrip(t *testing.T, dir, kind, a, b, c string, semicolon bool) {
	for _, v := range []string{a, b, c} {
		if !utf8.ValidString(v) || strings.TrimSpace(v) != v || strings.ContainsAny(v, "\r\ufeff") {
			return
		}
	}
	if c == "" {
		c = "file.pdf" // a document needs a file
	}
	name := kind + ".csv"
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if semicolon {
		w.Comma = ';'
	}
	var header, record []string
	switch kind {
	case kindContracts:
		header, record = []string{"id", "name", "offerId"}, []string{a, b, c}
	case kindUsers:
		header, record = []string{"contractId", "email", "lastName"}, []string{a, b, c}
	case kindDocuments:
		header, record = []string{"contractId", "amount", "file"}, []string{a, b, c}
	}
	w.Write(header)
	w.Write(record)
	w.Flush()
	rows, err := readCSV(dir, kind, name, buf.Bytes())
	if err != nil || len(rows) != 1 {
		t.Fatalf("%s %q: %d rows, %v", name, buf.String(), len(rows), err)
	}
	r := rows[0]
	var got []string
	switch kind {
	case kindContracts:
		got = []string{r.contract.ID, r.contract.Name, r.contract.OfferID}
	case kindUsers:
		got = []string{r.contractID, r.user.Email, r.user.LastName}
	case kindDocuments:
		got = []string{r.contractID, r.doc.Amount, r.fileName}
	}
	if r.err != nil || fmt.Sprint(got) != fmt.Sprint(record) {
		t.Fatalf("%s %q reads %q (%v), want %q", name, buf.String(), got, r.err, record)
	}
}

// FuzzReadManifestJSON feeds arbitrary bytes to the manifest.json reader. Properties: it
// never panics; when it reads the file, it returns one row per element of each list, of that
// kind, a row that cannot be read keeping its problem rather than failing the import.
func FuzzReadManifestJSON(f *testing.F) {
	dir := filepath.Join("/", "import")
	f.Fuzz(func(t *testing.T, data []byte) {
		m := manifest{rows: map[string][]importRow{}}
		if err := m.readJSON(dir, data); err != nil {
			return
		}
		var top manifestJSON
		if err := json.Unmarshal(data, &top); err != nil {
			t.Fatalf("readJSON accepted %q, which does not decode: %v", data, err)
		}
		for kind, n := range map[string]int{kindContracts: len(top.Contracts), kindUsers: len(top.Users), kindDocuments: len(top.Documents)} {
			if len(m.rows[kind]) != n {
				t.Fatalf("%d %s rows for %d elements", len(m.rows[kind]), kind, n)
			}
			for _, r := range m.rows[kind] {
				if r.kind != kind || !strings.HasPrefix(r.where, "manifest.json "+kind+" #") {
					t.Fatalf("row %+v", r)
				}
			}
		}
	})
}
