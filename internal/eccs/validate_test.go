package eccs

import (
	"errors"
	"strings"
	"testing"
)

func TestValidators(t *testing.T) {
	tests := []struct {
		name  string
		valid func(string) bool
		in    string
		want  bool
	}{
		{"contract OCB", ValidContractID, "OCB0001234", true},
		{"contract imported", ValidContractID, "FE-2019_77", true},
		{"contract too short", ValidContractID, "OC", false},
		{"contract space", ValidContractID, "OCB 0001", false},
		{"contract traversal", ValidContractID, "../etc", false},
		{"contract leading dash", ValidContractID, "-OCB1", false},
		{"contract too long", ValidContractID, strings.Repeat("A", 33), false},
		{"login guide", ValidLogin, "john.doe", true},
		{"login short", ValidLogin, "jdoe", false},
		{"login accent", ValidLogin, "jérôme.doe", false},
		{"login 64", ValidLogin, strings.Repeat("a", 64), true},
		{"login 65", ValidLogin, strings.Repeat("a", 65), false},
		{"email", ValidEmail, "john.doe@orange.com", true},
		{"email display name", ValidEmail, "John <john.doe@orange.com>", false},
		{"email no dot", ValidEmail, "john@localhost", false},
		{"email spaces", ValidEmail, " john.doe@orange.com", false},
		{"email none", ValidEmail, "john.doe", false},
		{"phone fr", ValidPhone, "0102030405", true},
		{"phone intl", ValidPhone, "+33 6 12 34 56 78", true},
		{"phone letters", ValidPhone, "01-CALL-ME", false},
		{"phone short", ValidPhone, "12345", false},
		{"phone plus inside", ValidPhone, "01+23456789", false},
		{"civility M", ValidCivility, "M", true},
		{"civility mme", ValidCivility, "mme", true},
		{"civility other", ValidCivility, "Sir", false},
		{"period", ValidPeriod, "202108", true},
		{"period month 13", ValidPeriod, "202113", false},
		{"period month 0", ValidPeriod, "202100", false},
		{"period dash", ValidPeriod, "2021-08", false},
		{"currency", ValidCurrency, "EUR", true},
		{"currency lower", ValidCurrency, "eur", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.valid(tt.in); got != tt.want {
				t.Fatalf("%q: got %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidText(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Doe", true},
		{"Lefèvre", true},
		{"", false},
		{" Doe", false},
		{"Do\x00e", false},
		{"Do\ne", false},
		{"Do\uFFFDe", false},
		{"\xff", false},
		{strings.Repeat("é", 100), true},
		{strings.Repeat("é", 101), false},
	}
	for _, tt := range tests {
		if got := ValidText(tt.in, 100); got != tt.want {
			t.Errorf("ValidText(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseRoles(t *testing.T) {
	tests := []struct {
		name    string
		in      map[string][]string
		want    Roles
		wantErr string
	}{
		{"guide example", map[string][]string{"contracts": {"visitor"}}, Roles{Contracts: RoleVisitor}, ""},
		{"contracts at least visitor", map[string][]string{"documents": {"manager"}}, Roles{Contracts: RoleVisitor, Documents: RoleManager}, ""},
		{"empty list is no role", map[string][]string{"users": {}}, Roles{Contracts: RoleVisitor}, ""},
		{"highest counts", map[string][]string{"users": {"visitor", "manager"}}, Roles{Contracts: RoleVisitor, Users: RoleManager}, ""},
		{"unknown section", map[string][]string{"support": {"visitor"}}, Roles{}, "roles.support"},
		{"unknown role", map[string][]string{"users": {"admin"}}, Roles{}, "roles.users"},
		{"case matters", map[string][]string{"users": {"Manager"}}, Roles{}, "roles.users"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRoles(tt.in)
			if tt.wantErr != "" {
				var e *Error
				if err == nil || !errors.As(err, &e) || e.Field != tt.wantErr || e.Code != Invalid {
					t.Fatalf("err = %v, want an Invalid error on %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseRoles = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestAsciiFold(t *testing.T) {
	tests := map[string]string{
		"Hugo Lefèvre": "hugo.lefevre",
		"Zoë":          "zoe",
		"O'Brien":      "o.brien",
		"Jean-Noël":    "jean-noel",
		"李":            "",
	}
	for in, want := range tests {
		if got := asciiFold(in); got != want {
			t.Errorf("asciiFold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestVisibleDocumentTypes(t *testing.T) {
	if got := VisibleDocumentTypes(RoleNone); len(got) != 0 {
		t.Fatalf("no role sees %v", got)
	}
	visitor := VisibleDocumentTypes(RoleVisitor)
	for _, typ := range visitor {
		if typ == TypeBills || typ == TypeInvoices || typ == TypePartialBills {
			t.Fatalf("a visitor sees %s", typ)
		}
	}
	if len(visitor) != 3 || len(VisibleDocumentTypes(RoleManager)) != 6 {
		t.Fatalf("visitor sees %d types, manager %d", len(visitor), len(VisibleDocumentTypes(RoleManager)))
	}
	if typ, ok := ParseDocumentType("consumptionRatedReports"); !ok || typ != TypeConsumptionRatedReports {
		t.Fatal("the correct spelling is not an alias of the wire's")
	}
}
