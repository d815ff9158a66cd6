package sqlstore

import (
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/eccs"

	_ "modernc.org/sqlite"
)

func TestContractSearchTermsAreTheNumberItsDigitsAndTheWordsOfTheName(t *testing.T) {
	tests := []struct {
		id, name string
		want     []string
	}{
		{"OCB0000005", "Zeta  Backup", []string{"0000005", "backup", "ocb0000005", "zeta"}},
		{"Z-1", "plan a_b", []string{"-1", "a_b", "plan", "z-1"}},
		{"AB", "Ab ab", []string{"ab"}},
		{"123", "", []string{"123"}},
		{"OCB0000007", "Globex Élan élan", []string{"0000007", "globex", "ocb0000007", "Élan", "élan"}},
	}
	for _, tc := range tests {
		if got := contractSearchTerms(eccs.Contract{ID: tc.id, Name: tc.name}); !slices.Equal(got, tc.want) {
			t.Errorf("terms of %q %q = %q, want %q", tc.id, tc.name, got, tc.want)
		}
	}
}

func TestSearchWordsAreFoldedWithoutRepeatsLongestFirst(t *testing.T) {
	got := searchWords("  North ACME  north Élan x ")
	want := []string{"north", "Élan", "acme", "x"} // by length in bytes
	if !slices.Equal(got, want) {
		t.Errorf("searchWords = %q, want %q", got, want)
	}
}

// The migration that fills contract_search_terms for existing contracts must give the terms
// the store writes for new ones.
func TestMigrationFillsTheTermsTheStoreWrites(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	contracts := []eccs.Contract{
		{ID: "OCB0000005", Name: "Zeta  Backup"}, {ID: "Z-1", Name: "plan a_b"}, {ID: "AB", Name: "Ab ab"},
		{ID: "123", Name: ""}, {ID: "OCB0000007", Name: "Globex Élan élan"}, {ID: "a-1", Name: `path x\y 50%`},
	}
	exec(t, db, `CREATE TABLE contracts (id TEXT PRIMARY KEY, search_text TEXT NOT NULL)`)
	exec(t, db, `CREATE TABLE contract_search_terms (term TEXT NOT NULL, contract_id TEXT NOT NULL, PRIMARY KEY (term, contract_id))`)
	var want []string
	for _, c := range contracts {
		exec(t, db, `INSERT INTO contracts (id, search_text) VALUES ($1, $2)`, c.ID, asciiLower(c.ID+" "+c.Name))
		for _, term := range contractSearchTerms(c) {
			want = append(want, c.ID+" "+term)
		}
	}
	b, err := migrationFiles.ReadFile("migrations/0010_search_terms_and_document_periods.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range strings.Split(string(b), ";\n") {
		if strings.Contains(stmt, "INSERT INTO contract_search_terms") {
			exec(t, db, stmt)
		}
	}
	var got []string
	rows, err := db.Query(`SELECT contract_id || ' ' || term FROM contract_search_terms`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the migration fills %q, the store writes %q", got, want)
	}
}

func exec(t *testing.T, db *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}
