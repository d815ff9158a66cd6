package docformat_test

import (
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/docformat"
)

// TestGenerateInvariantsHold checks the invariants every document relies on,
// over many seeds, both offers, every month of two years and partial months.
func TestGenerateInvariantsHold(t *testing.T) {
	for _, offer := range []string{docformat.OfferFlexibleEngine, docformat.OfferCloudAvenue} {
		for seed := range 12 {
			for m := range 24 {
				year, month := 2024+m/12, time.Month(1+m%12)
				through := []int{0, 1, 10, 15, 28, 31}[(seed+m)%6]
				p := params(fmt.Sprint("seed", seed), offer, year, month, through)
				p.ContractID = fmt.Sprintf("OCB%07d", 1000+seed)
				name := fmt.Sprintf("%s/%s/%d-%02d/through%d", offer, p.Seed, year, month, through)
				t.Run(name, func(t *testing.T) { checkInvariants(t, p, docformat.Generate(p)) })
			}
		}
	}
}

// checkInvariants checks a statement generated from p: it validates, runs through the day p
// asks for (the whole month when that day is out of range), each line keeps the line
// invariants, the totals, VAT and total including VAT add up from the lines, and a whole month
// has 20 to 90 lines, some reserved and some discounted.
func checkInvariants(t *testing.T, p docformat.Params, st docformat.Statement) {
	t.Helper()
	if err := st.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	days := st.Period.Days()
	wantThrough := days
	if p.Through >= 1 && p.Through <= days {
		wantThrough = p.Through
	}
	if st.Through != wantThrough {
		t.Fatalf("Through = %d, want %d", st.Through, wantThrough)
	}
	if !st.Partial() && (len(st.Lines) < 20 || len(st.Lines) > 90) {
		t.Errorf("a whole month has %d lines, want 20 to 90", len(st.Lines))
	}
	var sum docformat.Totals
	reserved, discounted := 0, 0
	for i, l := range st.Lines {
		if checkLineInvariants(t, i, l, st.Through) {
			reserved++
		}
		if l.VolumeDiscount > 0 {
			discounted++
		}
		sum.Amount += l.Amount
		sum.VolumeDiscount += l.VolumeDiscount
		sum.DiscountedAmount += l.DiscountedAmount
	}
	if got := st.Totals(); got != sum {
		t.Errorf("Totals() = %+v, lines add up to %+v", got, sum)
	}
	if st.Total() != int64(sum.DiscountedAmount) {
		t.Errorf("Total() = %d, want %d", st.Total(), sum.DiscountedAmount)
	}
	vat := roundRat(big.NewRat(st.Total()*docformat.VATPercent, 100*100))
	if st.VAT() != vat || st.TotalInclVAT() != st.Total()+vat {
		t.Errorf("VAT() = %d, TotalInclVAT() = %d; want %d and %d", st.VAT(), st.TotalInclVAT(), vat, st.Total()+vat)
	}
	if !st.Partial() && (reserved == 0 || discounted == 0) {
		t.Errorf("a whole month has %d reserved and %d discounted lines; want some of each", reserved, discounted)
	}
}

// checkLineInvariants checks line i of a statement that runs through day through: its amount
// is its quantity times its unit price rounded to the cent (checked against exact
// arithmetic), its discounted amount is its amount less a volume discount no larger than it,
// its quantity is positive and its price not negative, its days lie within the statement's,
// and a reserved line, and only it, has a subscription that covers it, without a volume
// discount. It reports whether the line is a reserved one with its subscription.
func checkLineInvariants(t *testing.T, i int, l docformat.Line, through int) (reserved bool) {
	t.Helper()
	want, err := docformat.LineAmount(l.Quantity, l.UnitPrice)
	if err != nil || l.Amount != want {
		t.Errorf("line %d: Amount %v, want round(%v × %v) = %v (%v)", i, l.Amount, l.Quantity, l.UnitPrice, want, err)
	}
	if exact := roundRat(new(big.Rat).Mul(big.NewRat(int64(l.Quantity), 10000), big.NewRat(int64(l.UnitPrice), 10000))); exact != int64(l.Amount) {
		t.Errorf("line %d: Amount %v, exact rounding gives %d cents", i, l.Amount, exact)
	}
	if l.DiscountedAmount != l.Amount-l.VolumeDiscount || l.VolumeDiscount < 0 || l.VolumeDiscount > l.Amount {
		t.Errorf("line %d: Amount %v, VolumeDiscount %v, DiscountedAmount %v", i, l.Amount, l.VolumeDiscount, l.DiscountedAmount)
	}
	if l.Quantity <= 0 || l.UnitPrice < 0 {
		t.Errorf("line %d: Quantity %v, UnitPrice %v", i, l.Quantity, l.UnitPrice)
	}
	if l.Begin.Day() < 1 || l.End.Day() > through || l.End.Before(l.Begin) {
		t.Errorf("line %d: %v to %v is outside days 1 to %d", i, l.Begin, l.End, through)
	}
	switch {
	case l.BillingMode == docformat.ModeReserved && l.Subscription != nil:
		s := l.Subscription
		if s.ChargeType == "" || s.Flavor == "" || s.Duration == "" || s.Begin.After(l.Begin) || s.End.Before(l.End) ||
			s.UpfrontDiscounted > s.Upfront || l.VolumeDiscount != 0 {
			t.Errorf("line %d: reserved line with subscription %+v, discount %v", i, *s, l.VolumeDiscount)
		}
		return true
	case l.BillingMode == docformat.ModePayPerUse && l.Subscription == nil:
	default:
		t.Errorf("line %d: BillingMode %q with subscription %v", i, l.BillingMode, l.Subscription)
	}
	return false
}

// roundRat rounds a positive amount in currency units to cents, half up,
// the slow and obviously right way.
func roundRat(r *big.Rat) int64 {
	cents := new(big.Rat).Mul(r, big.NewRat(100, 1))
	cents.Add(cents, big.NewRat(1, 2))
	return new(big.Int).Quo(cents.Num(), cents.Denom()).Int64()
}

func TestGenerateIsDeterministic(t *testing.T) {
	p := params("same", docformat.OfferFlexibleEngine, 2025, time.June, 0)
	a, b := docformat.Generate(p), docformat.Generate(p)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two Generate calls with the same Params differ")
	}
	for name, change := range map[string]func(*docformat.Params){
		"Seed":       func(p *docformat.Params) { p.Seed = "other" },
		"ContractID": func(p *docformat.Params) { p.ContractID = "OCB0009999" },
		"Period":     func(p *docformat.Params) { p.Period.Month = time.July },
	} {
		q := p
		change(&q)
		if reflect.DeepEqual(a.Lines, docformat.Generate(q).Lines) {
			t.Errorf("changing %s does not change the lines", name)
		}
	}
}

func TestGenerateKeepsResourcesFromMonthToMonth(t *testing.T) {
	ids := func(st docformat.Statement) map[string]bool {
		m := map[string]bool{}
		for _, l := range st.Lines {
			m[l.ResourceID] = true
		}
		return m
	}
	march := ids(docformat.Generate(params("x", docformat.OfferCloudAvenue, 2025, time.March, 0)))
	april := ids(docformat.Generate(params("x", docformat.OfferCloudAvenue, 2025, time.April, 0)))
	common := 0
	for id := range march {
		if april[id] {
			common++
		}
	}
	if common < len(march)/2 {
		t.Errorf("only %d of %d resources of March are still billed in April", common, len(march))
	}
}

func TestGeneratePartialMonthIsPartOfTheWholeMonth(t *testing.T) {
	for _, offer := range []string{docformat.OfferFlexibleEngine, docformat.OfferCloudAvenue} {
		whole := docformat.Generate(params("p", offer, 2025, time.October, 0))
		partial := docformat.Generate(params("p", offer, 2025, time.October, 12))
		if !partial.Partial() || whole.Partial() || partial.Through != 12 {
			t.Fatalf("%s: Partial() = %v/%v, Through %d", offer, partial.Partial(), whole.Partial(), partial.Through)
		}
		type key struct{ resource, service string }
		full := map[key]docformat.Line{}
		for _, l := range whole.Lines {
			full[key{l.ResourceID, l.ServiceID}] = l
		}
		for _, l := range partial.Lines {
			w, ok := full[key{l.ResourceID, l.ServiceID}]
			if !ok || l.Quantity > w.Quantity || !l.Begin.Equal(w.Begin) || l.End.Day() > 12 || l.UnitPrice != w.UnitPrice {
				t.Errorf("%s: partial line %+v does not match whole-month line %+v", offer, l, w)
			}
		}
		if partial.Total() >= whole.Total() {
			t.Errorf("%s: partial total %d is not below the whole month's %d", offer, partial.Total(), whole.Total())
		}
	}
}

func TestGenerateNormalizesParams(t *testing.T) {
	tests := []struct {
		name        string
		change      func(*docformat.Params)
		wantPeriod  docformat.Period
		wantThrough int
		wantCur     string
	}{
		{"ThroughZeroIsWholeMonth", func(p *docformat.Params) { p.Through = 0 }, docformat.Period{Year: 2024, Month: time.February}, 29, "EUR"},
		{"NegativeThroughIsWholeMonth", func(p *docformat.Params) { p.Through = -3 }, docformat.Period{Year: 2024, Month: time.February}, 29, "EUR"},
		{"ThroughPastMonthEndIsWholeMonth", func(p *docformat.Params) { p.Through = 30 }, docformat.Period{Year: 2024, Month: time.February}, 29, "EUR"},
		{"EmptyCurrencyIsEUR", func(p *docformat.Params) { p.Currency = "" }, docformat.Period{Year: 2024, Month: time.February}, 29, "EUR"},
		{"OtherCurrencyIsKept", func(p *docformat.Params) { p.Currency = "CHF" }, docformat.Period{Year: 2024, Month: time.February}, 29, "CHF"},
		{"MonthThirteenIsNextJanuary", func(p *docformat.Params) { p.Period.Month = 13 }, docformat.Period{Year: 2025, Month: time.January}, 31, "EUR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := params("n", docformat.OfferFlexibleEngine, 2024, time.February, 0)
			tt.change(&p)
			st := docformat.Generate(p)
			if st.Period != tt.wantPeriod || st.Through != tt.wantThrough || st.Currency != tt.wantCur {
				t.Errorf("got period %v, through %d, currency %s; want %v, %d, %s",
					st.Period, st.Through, st.Currency, tt.wantPeriod, tt.wantThrough, tt.wantCur)
			}
			if err := st.Validate(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestGenerateUsesTheOfferCatalogue(t *testing.T) {
	tests := []struct {
		offer    string
		services []string
		region   string
	}{
		{docformat.OfferFlexibleEngine, []string{"ECS", "EVS", "OBS", "VPC", "RDS", "CCE", "ELB", "CBR"}, "eu-west-"},
		{docformat.OfferCloudAvenue, []string{"vDC", "Storage", "Network", "Backup", "Licence"}, "fr-par-"},
		{"", []string{"ECS", "EVS", "OBS", "VPC", "RDS", "CCE", "ELB", "CBR"}, "eu-west-"},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.offer, " ", ""), func(t *testing.T) {
			seen := map[string]bool{}
			for seed := range 20 {
				st := docformat.Generate(params(fmt.Sprint(seed), tt.offer, 2025, time.May, 0))
				for _, l := range st.Lines {
					seen[l.ServiceCloud] = true
					if !strings.HasPrefix(l.Region, tt.region) || l.Country != "France" {
						t.Fatalf("line in region %q, country %q", l.Region, l.Country)
					}
				}
			}
			for s := range seen {
				if !slices.Contains(tt.services, s) {
					t.Errorf("service %q is not in the offer's catalogue %v", s, tt.services)
				}
			}
			if len(seen) < 4 {
				t.Errorf("only services %v over 20 contracts", seen)
			}
		})
	}
}
