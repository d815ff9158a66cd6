package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Lang is a language of the web space.
type Lang string

// The languages, English first: it is the fallback.
const (
	English Lang = "en"
	French  Lang = "fr"
)

// Langs lists the languages of the web space.
var Langs = []Lang{English, French}

// LangCookie remembers the language a person chose with the switch.
const LangCookie = "eccs_lang"

// catalogues holds the strings of each language, by key.
var catalogues = map[Lang]map[string]string{English: messagesEN, French: messagesFR}

// parseLang returns the language s names ("fr", "fr-CA", "EN"…), if it is one of Langs.
func parseLang(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		s = s[:i]
	}
	for _, l := range Langs {
		if string(l) == s {
			return l, true
		}
	}
	return "", false
}

// chooseLang returns the language of a request: the one chosen with the switch (its cookie),
// else the preferred one of Accept-Language that the web space has, else English.
func chooseLang(r *http.Request) Lang {
	if c, err := r.Cookie(LangCookie); err == nil {
		if l, ok := parseLang(c.Value); ok {
			return l
		}
	}
	return negotiate(r.Header.Get("Accept-Language"))
}

// negotiate picks from an Accept-Language value the language with the highest weight, the
// first listed among equals; English when none is ours.
func negotiate(header string) Lang {
	best, bestQ := English, 0.0
	for part := range strings.SplitSeq(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			parsed, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = parsed
		}
		if l, ok := parseLang(tag); ok && q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}

// T returns the string of key in language l; the key itself when the catalogue lacks it (a
// test checks that none does).
func (l Lang) T(key string) string {
	if s, ok := catalogues[l][key]; ok {
		return s
	}
	return key
}

var monthsFR = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// Date writes a day as the language does: "7 December 2026", "7 décembre 2026". The zero time
// is written as a dash.
func (l Lang) Date(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	t = t.UTC()
	if l == French {
		day := strconv.Itoa(t.Day())
		if t.Day() == 1 {
			day = "1er"
		}
		return day + " " + monthsFR[t.Month()-1] + " " + strconv.Itoa(t.Year())
	}
	return strconv.Itoa(t.Day()) + " " + t.Month().String() + " " + strconv.Itoa(t.Year())
}

// DateTime writes a day and a UTC time of day: "7 December 2026, 14:05 UTC".
func (l Lang) DateTime(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	sep := ", "
	if l == French {
		sep = " à "
	}
	return l.Date(t) + sep + t.UTC().Format("15:04") + " UTC"
}

// Month writes a period YYYYMM as a month: "May 2026", "mai 2026"; anything else as it is.
func (l Lang) Month(period string) string {
	t, err := time.Parse("200601", period)
	if err != nil {
		return period
	}
	if l == French {
		return monthsFR[t.Month()-1] + " " + strconv.Itoa(t.Year())
	}
	return t.Month().String() + " " + strconv.Itoa(t.Year())
}

const (
	narrowNoBreakSpace = "\u202f"
	noBreakSpace       = "\u00a0"
)

var currencySymbols = map[string]string{"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}

// Money writes an amount in cents of a currency as the language does: French "1 234,56 €"
// (narrow no-break spaces between thousands, a no-break space before the symbol), English
// "€1,234.56". A currency without a symbol is written with its code.
func (l Lang) Money(cents int64, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole, frac := cents/100, cents%100
	symbol, known := currencySymbols[currency]
	if !known {
		symbol = currency
	}
	if l == French {
		return sign + group(whole, narrowNoBreakSpace) + "," + twoDigits(frac) + noBreakSpace + symbol
	}
	amount := group(whole, ",") + "." + twoDigits(frac)
	if !known || utf8.RuneCountInString(symbol) > 1 {
		return sign + symbol + noBreakSpace + amount
	}
	return sign + symbol + amount
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// group writes n with sep between groups of three digits.
func group(n int64, sep string) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Bytes writes a size in bytes, kilobytes or megabytes.
func (l Lang) Bytes(n int64) string {
	unit, value := "B", float64(n)
	for _, u := range []string{"KB", "MB", "GB"} {
		if value < 1000 {
			break
		}
		unit, value = u, value/1000
	}
	s := strconv.FormatFloat(value, 'f', 1, 64)
	if unit == "B" {
		s = strconv.FormatInt(n, 10)
	}
	if l == French {
		s = strings.Replace(s, ".", ",", 1)
		unit = strings.Replace(strings.Replace(unit, "B", "o", 1), "K", "k", 1)
	}
	return s + noBreakSpace + unit
}

// dynamicKeys lists the catalogue keys that pages make at run time.
func dynamicKeys() []string {
	keys := []string{"role.none", "role.visitor", "role.manager", "account.client", "account.administrator"}
	for _, sec := range []string{"contracts", "documents", "users"} {
		keys = append(keys, "section."+sec)
	}
	for _, t := range []string{"bills", "invoices", "reports", "partialBills", "comsumptionRatedReports", "partialConsumptionRatedReports"} {
		keys = append(keys, "doctype."+t)
	}
	for _, f := range userFields {
		keys = append(keys, "user."+f)
	}
	for _, f := range orderFields {
		keys = append(keys, "order."+f)
	}
	for _, k := range []string{"error.not_found", "error.forbidden", "error.invalid", "error.conflict", "error.unavailable",
		"error.cross_origin", "error.signed_out", "error.bad_form", "error.too_large", "keys.bad_overlap",
		"preview.too_large", "preview.unreadable", "documents.archive_needs_period"} {
		keys = append(keys, k, k+".help")
	}
	for _, d := range overlapChoices {
		keys = append(keys, keyList{}.OverlapLabel(d))
	}
	return keys
}
