package docformat

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// ConsumptionHeader is the header line of a consumption CSV: the 27 column
// names of doc/wire.md §6, in order. The real service's header strings are not
// known (clients skip the line), so these names are our choice.
const ConsumptionHeader = "BillingMode;BeginDate;EndDate;ServiceID;TenantLabel;Country;Region;ServiceCloud;" +
	"CodeLabel;ChargeLabel;IdResource;Project;Tags;Quantity;BillingUnit;UnitPrice;Amount;VolumeDiscount;" +
	"DiscountedAmount;Currency;SubsChargeType;SubsBeginDate;SubsEndDate;SubsUpfront;SubsUpfrontDiscounted;" +
	"SubsFlavor;SubsDuration"

// ConsumptionFields is the number of fields on every line of a consumption
// CSV, header included.
const ConsumptionFields = 27

// UsageHeader is the header line of a usage CSV, our own layout: one row per
// consumption line and day covered.
const UsageHeader = "Date;ServiceID;ServiceCloud;Region;CodeLabel;ChargeLabel;IdResource;Quantity;BillingUnit"

// MaxCSVSize is the largest CSV file the checkers accept, in bytes. It bounds
// the time a check takes; memory stays bounded by MaxLineLength whatever the
// file's size.
const MaxCSVSize = 256 << 20

// MaxLineLength is the longest line, in bytes without its line end, that the
// CSV checkers accept.
const MaxLineLength = 64 << 10

// WriteConsumptionCSV writes the consumption report of st to w: the header
// line, then one line per statement line, 27 fields each, decimal comma, LF
// line ends. It returns an error, before writing anything, if st fails
// Statement.Validate, and otherwise any error of w.
func WriteConsumptionCSV(w io.Writer, st Statement) error {
	if err := st.Validate(); err != nil {
		return fmt.Errorf("docformat: %w", err)
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	bw.WriteString(ConsumptionHeader)
	bw.WriteByte('\n')
	b := make([]byte, 0, 512)
	for _, l := range st.Lines {
		b = b[:0]
		b = appendFields(b, l.BillingMode, l.Begin.Format(dateLayout), l.End.Format(dateLayout), l.ServiceID,
			l.TenantLabel, l.Country, l.Region, l.ServiceCloud, l.CodeLabel, l.ChargeLabel, l.ResourceID,
			l.Project, l.Tags, l.Quantity.Comma(), l.BillingUnit, l.UnitPrice.Comma(), l.Amount.Comma(),
			l.VolumeDiscount.Comma(), l.DiscountedAmount.Comma(), st.Currency)
		if s := l.Subscription; s != nil {
			b = appendFields(append(b, ';'), s.ChargeType, s.Begin.Format(dateLayout), s.End.Format(dateLayout),
				s.Upfront.Comma(), s.UpfrontDiscounted.Comma(), s.Flavor, s.Duration)
		} else {
			b = append(b, ";;;;;;;"...) // the seven Subs* columns, empty
		}
		b = append(b, '\n')
		bw.Write(b)
	}
	// bufio.Writer keeps its first error and returns it here.
	return bw.Flush()
}

// WriteUsageCSV writes the usage report of st to w (the layout of
// UsageHeader): for each day covered, one row per line active that day, in
// line order. A line's quantity is spread over its days so that the rows of
// a line add up exactly to its Quantity. It returns an error, before writing
// anything, if st fails Statement.Validate, and otherwise any error of w.
func WriteUsageCSV(w io.Writer, st Statement) error {
	if err := st.Validate(); err != nil {
		return fmt.Errorf("docformat: %w", err)
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	bw.WriteString(UsageHeader)
	bw.WriteByte('\n')
	b := make([]byte, 0, 256)
	for d := 1; d <= st.Through; d++ {
		date := st.Period.Day(d)
		for _, l := range st.Lines {
			if date.Before(l.Begin) || date.After(l.End) {
				continue
			}
			b = b[:0]
			b = appendFields(b, date.Format(dateLayout), l.ServiceID, l.ServiceCloud, l.Region, l.CodeLabel,
				l.ChargeLabel, l.ResourceID, dailyShare(l, date).Comma(), l.BillingUnit)
			b = append(b, '\n')
			bw.Write(b)
		}
	}
	return bw.Flush()
}

// dailyShare returns the part of l.Quantity used on day date. With n days
// and day index i, share = ⌊Q(i+1)/n⌋ − ⌊Qi/n⌋ (truncated division): the
// shares differ by at most one unit and telescope to exactly Q.
func dailyShare(l Line, date time.Time) Fixed4 {
	n := int64(l.End.Sub(l.Begin)/(24*time.Hour)) + 1
	i := int64(date.Sub(l.Begin) / (24 * time.Hour))
	q := int64(l.Quantity)
	return Fixed4(q*(i+1)/n - q*i/n)
}

func appendFields(b []byte, fields ...string) []byte {
	for i, f := range fields {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, f...)
	}
	return b
}

// CheckConsumptionCSV reads a consumption CSV from r and returns nil if
// client scripts can parse it: not empty, at most MaxCSVSize bytes, UTF-8
// without NUL bytes, no blank line, no quotes, exactly 27 fields on every
// line (header included, so no trailing ';' and no footer), and in every
// data line a decimal-comma number in Quantity, UnitPrice, Amount and
// DiscountedAmount, and an empty field or such a number in VolumeDiscount,
// SubsUpfront and SubsUpfrontDiscounted. LF and CRLF line ends are both
// accepted, since clients strip lines. The header's names are not compared,
// because the real service's are unknown.
//
// A file that breaks a rule gives a *FormatError naming the line; an error
// from r is returned wrapped, and is not a *FormatError.
func CheckConsumptionCSV(r io.Reader) error {
	return checkCSV(r, ConsumptionCSV, func(header []string) (csvRules, *FormatError) {
		if len(header) != ConsumptionFields {
			return csvRules{}, fieldCountError(ConsumptionCSV, 1, header, ConsumptionFields)
		}
		return csvRules{fields: ConsumptionFields, columns: []columnRule{
			{13, "Quantity", mustNumber},
			{15, "UnitPrice", mustNumber},
			{16, "Amount", mustNumber},
			{17, "VolumeDiscount", mayNumber},
			{18, "DiscountedAmount", mustNumber},
			{23, "SubsUpfront", mayNumber},
			{24, "SubsUpfrontDiscounted", mayNumber},
		}}, nil
	})
}

// CheckUsageCSV reads a usage CSV from r and returns nil if it is well
// formed: the same rules as CheckConsumptionCSV for size, encoding, blank
// lines and quotes; a header of at least two non-empty names; every line
// with as many fields as the header; and, in columns named Quantity and
// Date (wherever they are), a decimal-comma number and a YYYY-MM-DD date.
// The layout is not otherwise fixed, so that a real usage report uploaded by
// an operator passes too.
//
// A file that breaks a rule gives a *FormatError naming the line; an error
// from r is returned wrapped, and is not a *FormatError.
func CheckUsageCSV(r io.Reader) error {
	return checkCSV(r, UsageCSV, func(header []string) (csvRules, *FormatError) {
		if len(header) < 2 {
			return csvRules{}, &FormatError{Kind: UsageCSV, Line: 1, Reason: "line 1 (the header) has a single field; " +
				"the columns must be separated by ';'"}
		}
		rules := csvRules{fields: len(header)}
		for i, name := range header {
			switch name {
			case "":
				return csvRules{}, &FormatError{Kind: UsageCSV, Line: 1, Reason: fmt.Sprintf(
					"line 1 (the header) has no name for column %d", i+1)}
			case "Quantity":
				rules.columns = append(rules.columns, columnRule{i, name, mustNumber})
			case "Date":
				rules.columns = append(rules.columns, columnRule{i, name, mustDate})
			}
		}
		return rules, nil
	})
}

// csvRules says what every line of a CSV file must look like.
type csvRules struct {
	fields  int // exact number of fields on every line
	columns []columnRule
}

// columnRule is a check on one column of the data lines.
type columnRule struct {
	index int
	name  string
	check func(v string) string // returns what is wrong, or ""
}

func mustNumber(v string) string {
	if v == "" {
		return "is empty; it must hold a number with a decimal comma"
	}
	return mayNumber(v)
}

func mayNumber(v string) string {
	if v == "" || isCommaNumber(v) {
		return ""
	}
	return quote(v) + " is not a number with a decimal comma"
}

func mustDate(v string) string {
	if _, err := time.Parse(dateLayout, v); err != nil || len(v) != len(dateLayout) {
		return quote(v) + " is not a date of the form YYYY-MM-DD"
	}
	return ""
}

// checkCSV reads r line by line with a bounded buffer, applies the rules
// shared by every CSV format, then asks header for the rules of the rest.
func checkCSV(r io.Reader, kind Kind, header func(fields []string) (csvRules, *FormatError)) error {
	reject := func(line int, format string, args ...any) error {
		return &FormatError{Kind: kind, Line: line, Reason: fmt.Sprintf(format, args...)}
	}
	// Room for the longest line plus CRLF, so a longer line shows up as
	// bufio.ErrBufferFull.
	br := bufio.NewReaderSize(r, MaxLineLength+2)
	var (
		rules csvRules
		total int64
		n     int
	)
	for {
		raw, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return reject(n+1, "line %d is longer than %d bytes", n+1, MaxLineLength)
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("docformat: reading line %d: %w", n+1, err)
		}
		if len(raw) == 0 {
			break // io.EOF right after the last line end
		}
		n++
		total += int64(len(raw))
		if total > MaxCSVSize {
			return reject(n, "the file is larger than %d bytes, the most a CSV document may be", MaxCSVSize)
		}
		line := bytes.TrimSuffix(raw, []byte{'\n'})
		if len(line) < len(raw) { // a CR only counts as a line end right before the LF
			line = bytes.TrimSuffix(line, []byte{'\r'})
		}
		switch {
		case len(line) > MaxLineLength:
			return reject(n, "line %d is longer than %d bytes", n, MaxLineLength)
		case bytes.IndexByte(line, 0) >= 0:
			return reject(n, "line %d contains a NUL byte", n)
		case !utf8.Valid(line):
			return reject(n, "line %d is not valid UTF-8", n)
		case bytes.IndexByte(line, '\r') >= 0:
			return reject(n, "line %d contains a carriage return that does not end the line", n)
		case len(line) == 0:
			return reject(n, "line %d is empty; the file must not contain blank lines", n)
		case bytes.IndexByte(line, '"') >= 0:
			return reject(n, "line %d contains a double quote; values must not be quoted", n)
		}
		if n == 1 {
			// Some spreadsheet programs start UTF-8 files with a byte
			// order mark; it must not hide the first column's name.
			line = bytes.TrimPrefix(line, []byte("\ufeff"))
		}
		fields := strings.Split(string(line), ";")
		if n == 1 {
			var ferr *FormatError
			if rules, ferr = header(fields); ferr != nil {
				return ferr
			}
		} else {
			if len(fields) != rules.fields {
				return fieldCountError(kind, n, fields, rules.fields)
			}
			for _, c := range rules.columns {
				if problem := c.check(fields[c.index]); problem != "" {
					return reject(n, "line %d column %s %s", n, c.name, problem)
				}
			}
		}
		if err == io.EOF {
			break
		}
	}
	if n == 0 {
		return &FormatError{Kind: kind, Reason: "the file is empty"}
	}
	return nil
}

func fieldCountError(kind Kind, line int, fields []string, want int) *FormatError {
	count := fmt.Sprintf("%d fields", len(fields))
	if len(fields) == 1 {
		count = "a single field"
	}
	reason := fmt.Sprintf("line %d has %s; every line must have exactly %d fields separated by ';'",
		line, count, want)
	if len(fields) == want+1 && fields[want] == "" {
		reason = fmt.Sprintf("line %d ends with ';', which makes %d fields; every line must have exactly %d fields separated by ';'",
			line, len(fields), want)
	}
	return &FormatError{Kind: kind, Line: line, Reason: reason}
}

// quote quotes v for an error message, cut short so that a hostile value
// cannot make the message huge.
func quote(v string) string {
	const max = 40
	if utf8.RuneCountInString(v) > max {
		v = string([]rune(v)[:max]) + "…"
	}
	return fmt.Sprintf("%q", v)
}
