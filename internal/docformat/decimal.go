package docformat

import (
	"errors"
	"strconv"
)

// Cents is an amount of money in hundredths of the currency unit (two
// decimals), so sums and differences are exact.
type Cents int64

// Fixed4 is a quantity or a unit price in ten-thousandths (four decimals).
type Fixed4 int64

// maxFactor bounds each factor of a product so that it cannot overflow int64:
// 3e9 × 3e9 = 9e18 < 2^63-1 ≈ 9.22e18.
const maxFactor = 3_000_000_000

// errTooLarge reports a quantity or unit price too large to multiply exactly.
var errTooLarge = errors.New("quantity × unit price is too large to compute exactly")

// Comma formats c with a decimal comma and exactly two decimals, as the CSV
// files need it: 1234,56 or -0,05. There is no thousands separator.
func (c Cents) Comma() string {
	return formatFixed(int64(c), 2, ',')
}

// String formats c with a decimal point and two decimals (1234.56), for logs
// and messages.
func (c Cents) String() string {
	return formatFixed(int64(c), 2, '.')
}

// Comma formats q with a decimal comma and exactly four decimals: 744,0000.
func (q Fixed4) Comma() string {
	return formatFixed(int64(q), 4, ',')
}

// String formats q with a decimal point and four decimals (744.0000).
func (q Fixed4) String() string {
	return formatFixed(int64(q), 4, '.')
}

// cellValue returns c for a numeric XLSX cell. A spreadsheet cell holds an
// IEEE double written as text; the quotient of two exactly representable
// integers is correctly rounded, so the shortest text of the result is
// exactly the two-decimal value (123456 → "1234.56"), never a binary
// approximation like 1234.5599999.
func (c Cents) cellValue() float64 {
	return float64(c) / 100
}

// cellValue returns q for a numeric XLSX cell; see Cents.cellValue.
func (q Fixed4) cellValue() float64 {
	return float64(q) / 10000
}

// lineAmount returns round(q × p) in cents, rounding half away from zero.
// q and p are both in ten-thousandths, so the product is in 1e-8 units and
// one cent is 1e6 of them.
func lineAmount(q, p Fixed4) (Cents, error) {
	if q > maxFactor || q < -maxFactor || p > maxFactor || p < -maxFactor {
		return 0, errTooLarge
	}
	return Cents(divRound(int64(q)*int64(p), 1_000_000)), nil
}

// percentOf returns round(c × bp / 10000) for a rate in basis points,
// rounding half away from zero.
func percentOf(c Cents, bp int64) Cents {
	return Cents(divRound(int64(c)*bp, 10_000))
}

// divRound returns n / d rounded half away from zero; d must be positive.
func divRound(n, d int64) int64 {
	if n < 0 {
		return -((-n + d/2) / d)
	}
	return (n + d/2) / d
}

// formatFixed formats v, a count of 10^-places units, with exactly places
// decimals and sep as the decimal separator.
func formatFixed(v int64, places int, sep byte) string {
	neg := v < 0
	u := uint64(v)
	if neg {
		u = -u // two's complement: correct even for math.MinInt64
	}
	digits := strconv.FormatUint(u, 10)
	for len(digits) <= places {
		digits = "0" + digits
	}
	cut := len(digits) - places
	b := make([]byte, 0, len(digits)+2)
	if neg {
		b = append(b, '-')
	}
	b = append(b, digits[:cut]...)
	b = append(b, sep)
	b = append(b, digits[cut:]...)
	return string(b)
}

// isCommaNumber reports whether s is a number as the CSV files write it:
// an optional minus sign, digits, and optionally a decimal comma followed by
// digits. A decimal point, a thousands separator, spaces and exponents are
// all refused, because client scripts only replace ',' by '.' before
// converting.
func isCommaNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == start {
		return false
	}
	if i == len(s) {
		return true
	}
	if s[i] != ',' {
		return false
	}
	i++
	start = i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i > start && i == len(s)
}
