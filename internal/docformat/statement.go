package docformat

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/eccs/eccs/internal/eccs"
)

// VATPercent is the VAT rate applied on invoices (French standard rate).
const VATPercent = 20

// DefaultCurrency is the ISO 4217 currency used when none is given.
const DefaultCurrency = "EUR"

// dateLayout is how every date is written in the files: 2024-03-31.
const dateLayout = "2006-01-02"

// Period is the calendar month a document covers.
type Period struct {
	Year  int
	Month time.Month
}

// ParsePeriod parses the wire form YYYYMM (e.g. "202403"). It returns an
// error when s is not six digits or the month is not 01 to 12.
func ParsePeriod(s string) (Period, error) {
	if len(s) != 6 {
		return Period{}, fmt.Errorf("period %q is not of the form YYYYMM", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return Period{}, fmt.Errorf("period %q is not of the form YYYYMM", s)
	}
	p := Period{Year: n / 100, Month: time.Month(n % 100)}
	if p.Month < time.January || p.Month > time.December {
		return Period{}, fmt.Errorf("period %q has no month %02d", s, int(p.Month))
	}
	return p, nil
}

// String returns the wire form YYYYMM.
func (p Period) String() string {
	return fmt.Sprintf("%04d%02d", p.Year, int(p.Month))
}

// Start returns midnight UTC on the first day of the month.
func (p Period) Start() time.Time {
	return time.Date(p.Year, p.Month, 1, 0, 0, 0, 0, time.UTC)
}

// Days returns the number of days in the month.
func (p Period) Days() int {
	return p.Start().AddDate(0, 1, -1).Day()
}

// Day returns midnight UTC on day d of the month.
func (p Period) Day(d int) time.Time {
	return time.Date(p.Year, p.Month, d, 0, 0, 0, 0, time.UTC)
}

// normalize folds an out-of-range month into a valid one (month 13 of 2024
// is January 2025), the way time.Date does.
func (p Period) normalize() Period {
	t := time.Date(p.Year, p.Month, 1, 0, 0, 0, 0, time.UTC)
	return Period{Year: t.Year(), Month: t.Month()}
}

// Statement is one contract's rated consumption for one month, or for the
// first Through days of it. Every document of that month is written from it,
// which is what keeps the documents consistent with each other.
//
// A Statement is a value; treat Lines and their Subscriptions as read-only
// once built, since copies share them.
type Statement struct {
	ContractID   string
	ContractName string
	CustomerName string
	OfferName    string
	Period       Period
	// Through is the last day of the month included, 1 to Period.Days().
	// It equals Period.Days() for a whole month.
	Through int
	// Currency is an ISO 4217 code such as EUR.
	Currency string
	Lines    []Line
}

// Line is one rated charge: one resource, one charge label, one billing mode.
// Its money fields obey Amount = round(Quantity × UnitPrice) (half away from
// zero) and DiscountedAmount = Amount − VolumeDiscount.
type Line struct {
	// BillingMode is "Pay-per-use" or "Reserved Instance".
	BillingMode string
	// Begin and End are the first and last day covered (inclusive), at
	// midnight UTC, both inside the statement's period.
	Begin, End   time.Time
	ServiceID    string
	TenantLabel  string
	Country      string
	Region       string
	ServiceCloud string
	CodeLabel    string
	ChargeLabel  string
	ResourceID   string // the IdResource column
	Project      string
	Tags         string
	Quantity     Fixed4
	BillingUnit  string
	UnitPrice    Fixed4
	Amount       Cents
	// VolumeDiscount is positive: the amount taken off Amount.
	VolumeDiscount   Cents
	DiscountedAmount Cents
	// Subscription describes the reserved instance the line is billed
	// under; nil for pay-per-use lines, whose Subs* columns stay empty.
	Subscription *Subscription
}

// Subscription is a reserved-instance term. Its upfront amounts were paid
// when the term began; they are shown for information and are not part of
// the month's amounts.
type Subscription struct {
	// ChargeType is "No Upfront", "Partial Upfront" or "All Upfront".
	ChargeType        string
	Begin, End        time.Time // first and last day of the term, midnight UTC
	Upfront           Cents
	UpfrontDiscounted Cents
	Flavor            string
	// Duration is "1 year" or "3 years".
	Duration string
}

// Totals are the sums of a statement's money columns.
type Totals struct {
	Amount           Cents
	VolumeDiscount   Cents
	DiscountedAmount Cents
}

// Totals sums the lines of s.
func (s Statement) Totals() Totals {
	var t Totals
	for _, l := range s.Lines {
		t.Amount += l.Amount
		t.VolumeDiscount += l.VolumeDiscount
		t.DiscountedAmount += l.DiscountedAmount
	}
	return t
}

// Total returns the amount in cents that the document list shows for every
// document of s: the total DiscountedAmount, excluding VAT.
func (s Statement) Total() int64 {
	return int64(s.Totals().DiscountedAmount)
}

// VAT returns the VAT on Total() in cents: round(Total × VATPercent / 100),
// half away from zero.
func (s Statement) VAT() int64 {
	return divRound(s.Total()*VATPercent, 100)
}

// TotalInclVAT returns Total() + VAT() in cents.
func (s Statement) TotalInclVAT() int64 {
	return s.Total() + s.VAT()
}

// Partial reports whether s covers only part of its month.
func (s Statement) Partial() bool {
	return s.Through < s.Period.Days()
}

// IssueTime returns midnight UTC after the last day s covers: the moment its
// documents are deemed produced. Writers use it for every timestamp they
// embed, so that one Statement always gives byte-identical files.
func (s Statement) IssueTime() time.Time {
	return s.Period.Day(s.Through).AddDate(0, 0, 1)
}

// Validate checks what the writers rely on: the money invariants of every
// line, dates inside the covered days, a currency code, and text that the
// naive ';' splitting of client scripts survives (no ';', '"', control
// character or invalid UTF-8). It returns the first problem found.
func (s Statement) Validate() error {
	if s.Period.Month < time.January || s.Period.Month > time.December || s.Period.Year < 1 || s.Period.Year > 9999 {
		return fmt.Errorf("statement period %d-%02d is not a valid month", s.Period.Year, int(s.Period.Month))
	}
	if s.Through < 1 || s.Through > s.Period.Days() {
		return fmt.Errorf("statement covers through day %d, outside 1 to %d", s.Through, s.Period.Days())
	}
	if !eccs.ValidCurrency(s.Currency) {
		return fmt.Errorf("statement currency %q is not an ISO 4217 code", s.Currency)
	}
	for _, f := range []struct{ name, value string }{
		{"ContractID", s.ContractID}, {"ContractName", s.ContractName},
		{"CustomerName", s.CustomerName}, {"OfferName", s.OfferName},
	} {
		if err := checkText(f.value); err != nil {
			return fmt.Errorf("statement %s: %w", f.name, err)
		}
	}
	first, last := s.Period.Day(1), s.Period.Day(s.Through)
	for i, l := range s.Lines {
		if err := l.validate(first, last); err != nil {
			return fmt.Errorf("statement line %d: %w", i+1, err)
		}
	}
	return nil
}

func (l Line) validate(first, last time.Time) error {
	want, err := lineAmount(l.Quantity, l.UnitPrice)
	if err != nil {
		return err
	}
	if l.Amount != want {
		//lint:ignore ST1005 the message starts with the name of the field at fault, as the next one does
		return fmt.Errorf("Amount %s is not round(Quantity %s × UnitPrice %s) = %s", l.Amount, l.Quantity, l.UnitPrice, want)
	}
	if l.DiscountedAmount != l.Amount-l.VolumeDiscount {
		return fmt.Errorf("DiscountedAmount %s is not Amount %s − VolumeDiscount %s", l.DiscountedAmount, l.Amount, l.VolumeDiscount)
	}
	if l.Begin.Before(first) || l.End.After(last) || l.End.Before(l.Begin) {
		return fmt.Errorf("dates %s to %s are not inside %s to %s",
			l.Begin.Format(dateLayout), l.End.Format(dateLayout), first.Format(dateLayout), last.Format(dateLayout))
	}
	texts := []string{l.BillingMode, l.ServiceID, l.TenantLabel, l.Country, l.Region, l.ServiceCloud,
		l.CodeLabel, l.ChargeLabel, l.ResourceID, l.Project, l.Tags, l.BillingUnit}
	if l.Subscription != nil {
		texts = append(texts, l.Subscription.ChargeType, l.Subscription.Flavor, l.Subscription.Duration)
	}
	for _, v := range texts {
		if err := checkText(v); err != nil {
			return err
		}
	}
	return nil
}

var (
	errTextSeparator = errors.New("contains ';' or '\"', which would break the CSV files")
	errTextControl   = errors.New("contains a control character")
	errTextUTF8      = errors.New("is not valid UTF-8")
)

// checkText refuses what would break a naively split CSV line.
func checkText(v string) error {
	if !utf8.ValidString(v) {
		return fmt.Errorf("text %q %w", v, errTextUTF8)
	}
	if strings.ContainsAny(v, ";\"") {
		return fmt.Errorf("text %q %w", v, errTextSeparator)
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("text %q %w", v, errTextControl)
		}
	}
	return nil
}
