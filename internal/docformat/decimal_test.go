package docformat_test

import (
	"testing"
	"time"

	"github.com/eccs/eccs/internal/docformat"
)

func TestDecimalFormatting(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"CentsComma", docformat.Cents(123456).Comma(), "1234,56"},
		{"CentsCommaSmall", docformat.Cents(5).Comma(), "0,05"},
		{"CentsCommaZero", docformat.Cents(0).Comma(), "0,00"},
		{"CentsCommaNegative", docformat.Cents(-1250).Comma(), "-12,50"},
		{"CentsCommaNegativeSmall", docformat.Cents(-7).Comma(), "-0,07"},
		{"CentsCommaMinInt", docformat.Cents(-9223372036854775808).Comma(), "-92233720368547758,08"},
		{"CentsString", docformat.Cents(123456).String(), "1234.56"},
		{"Fixed4Comma", docformat.Fixed4(7440000).Comma(), "744,0000"},
		{"Fixed4CommaSmall", docformat.Fixed4(42).Comma(), "0,0042"},
		{"Fixed4String", docformat.Fixed4(-840).String(), "-0.0840"},
		{"Money", docformat.Money(123456789, "EUR"), "1 234 567,89 EUR"},
		{"MoneyHundreds", docformat.Money(99999, "EUR"), "999,99 EUR"},
		{"MoneyThousand", docformat.Money(100000, "CHF"), "1 000,00 CHF"},
		{"MoneyNegative", docformat.Money(-535200, "EUR"), "-5 352,00 EUR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestLineAmountRoundsHalfAwayFromZero(t *testing.T) {
	tests := []struct {
		name    string
		qty, pu docformat.Fixed4
		want    docformat.Cents
	}{
		{"Exact", 7440000, 840, 6250},                              // 744 h × 0.0840 = 62.4960 → 62.50
		{"HalfUp", 10000, 50, 1},                                   // 1 × 0.0050 = 0.005 → 0.01
		{"JustBelowHalf", 10000, 49, 0},                            // 0.0049 → 0.00
		{"NegativeHalf", -10000, 50, -1},                           // −0.005 → −0.01
		{"ZeroPrice", 7440000, 0, 0},                               // all-upfront reserved instance
		{"Large", 2_000_000_000, 2_000_000_000, 4_000_000_000_000}, // 200,000 × 200,000 = 4e10 units
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := docformat.LineAmount(tt.qty, tt.pu)
			if err != nil || got != tt.want {
				t.Errorf("LineAmount(%v, %v) = %v, %v; want %v", tt.qty, tt.pu, got, err, tt.want)
			}
		})
	}
	if _, err := docformat.LineAmount(3_000_000_001, 10000); err == nil {
		t.Error("an amount that could overflow was computed")
	}
}

func TestIsCommaNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "12": true, "12,5": true, "-0,01": true, "744,0000": true,
		"": false, "-": false, ",5": false, "12,": false, "12.5": false, "1 234,5": false,
		"1,234,5": false, "+1": false, "1e3": false, "١٢": false, "12,5 ": false,
	} {
		if got := docformat.IsCommaNumber(s); got != want {
			t.Errorf("IsCommaNumber(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in      string
		want    docformat.Period
		wantErr bool
	}{
		{"202403", docformat.Period{Year: 2024, Month: time.March}, false},
		{"199912", docformat.Period{Year: 1999, Month: time.December}, false},
		{"202413", docformat.Period{}, true},
		{"202400", docformat.Period{}, true},
		{"2024-03", docformat.Period{}, true},
		{"20243", docformat.Period{}, true},
		{"-20403", docformat.Period{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := docformat.ParsePeriod(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("ParsePeriod(%q) = %v, %v", tt.in, got, err)
			}
			if err == nil && got.String() != tt.in {
				t.Errorf("String() = %q", got.String())
			}
		})
	}
	if d := (docformat.Period{Year: 2024, Month: time.February}).Days(); d != 29 {
		t.Errorf("February 2024 has %d days", d)
	}
}
