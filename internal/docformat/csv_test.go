package docformat_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/eccs/eccs/internal/docformat"
)

func TestWriteConsumptionCSVFollowsTheClientLayout(t *testing.T) {
	numeric := map[int]bool{13: true, 15: true, 16: true, 17: true, 18: true, 23: true, 24: true}
	for name, st := range statements() {
		t.Run(name, func(t *testing.T) {
			b := write(t, docformat.ConsumptionCSV, st)
			if !utf8.Valid(b) || bytes.ContainsAny(b, "\r\"\x00") {
				t.Fatal("the file is not plain UTF-8 with LF line ends and no quotes")
			}
			ls := lines(t, b)
			if ls[0] != docformat.ConsumptionHeader || len(strings.Split(ls[0], ";")) != 27 {
				t.Fatalf("header = %q", ls[0])
			}
			if len(ls) != 1+len(st.Lines) {
				t.Fatalf("%d lines for %d statement lines", len(ls), len(st.Lines))
			}
			var total int64
			for i, line := range ls[1:] {
				f := strings.Split(line, ";")
				if len(f) != 27 {
					t.Fatalf("line %d has %d fields: %q", i+2, len(f), line)
				}
				for c := range numeric {
					if strings.Contains(f[c], ".") || (f[c] != "" && !strings.Contains(f[c], ",")) {
						t.Errorf("line %d column %d %q has no decimal comma", i+2, c, f[c])
					}
				}
				l := st.Lines[i]
				if f[3] != l.ServiceID || f[10] != l.ResourceID || f[19] != st.Currency || f[0] != l.BillingMode {
					t.Errorf("line %d does not match statement line %+v: %q", i+2, l, line)
				}
				if got := parseFixed(t, f[13], ',', 4); got != int64(l.Quantity) {
					t.Errorf("line %d Quantity %q, want %v", i+2, f[13], l.Quantity)
				}
				subs := strings.Join(f[20:], "")
				if (l.Subscription == nil) != (subs == "") {
					t.Errorf("line %d: Subs* columns %q for subscription %v", i+2, f[20:], l.Subscription)
				}
				total += parseFixed(t, f[18], ',', 2)
			}
			if total != st.Total() {
				t.Errorf("DiscountedAmount adds up to %d, Total() is %d", total, st.Total())
			}
			if err := docformat.CheckConsumptionCSV(bytes.NewReader(b)); err != nil {
				t.Errorf("the checker rejects the written file: %v", err)
			}
		})
	}
}

func TestWriteUsageCSVMatchesTheConsumptionLines(t *testing.T) {
	for name, st := range statements() {
		t.Run(name, func(t *testing.T) {
			b := write(t, docformat.UsageCSV, st)
			ls := lines(t, b)
			if ls[0] != docformat.UsageHeader {
				t.Fatalf("header = %q", ls[0])
			}
			type key struct{ resource, service string }
			sums := map[key]int64{}
			first, last := st.Period.Day(1).Format(time.DateOnly), st.Period.Day(st.Through).Format(time.DateOnly)
			prev := ""
			for i, line := range ls[1:] {
				f := strings.Split(line, ";")
				if len(f) != 9 {
					t.Fatalf("line %d has %d fields", i+2, len(f))
				}
				if f[0] < first || f[0] > last || f[0] < prev {
					t.Fatalf("line %d date %s is outside %s to %s or out of order", i+2, f[0], first, last)
				}
				prev = f[0]
				sums[key{f[6], f[1]}] += parseFixed(t, f[7], ',', 4)
			}
			want := map[key]int64{}
			for _, l := range st.Lines {
				want[key{l.ResourceID, l.ServiceID}] += int64(l.Quantity)
			}
			if len(sums) != len(want) {
				t.Errorf("%d resource charges in the usage report, %d in the statement", len(sums), len(want))
			}
			for k, q := range want {
				if sums[k] != q {
					t.Errorf("%v: usage adds up to %d, consumption says %d", k, sums[k], q)
				}
			}
			if err := docformat.CheckUsageCSV(bytes.NewReader(b)); err != nil {
				t.Errorf("the checker rejects the written file: %v", err)
			}
		})
	}
}

func TestWritersRefuseAnInvalidStatement(t *testing.T) {
	good := docformat.Generate(params("v", docformat.OfferFlexibleEngine, 2025, time.March, 0))
	tests := []struct {
		name   string
		break_ func(st *docformat.Statement)
		want   string
	}{
		{"SemicolonInCustomerName", func(st *docformat.Statement) { st.CustomerName = "A;B" }, "CustomerName"},
		{"NewlineInTags", func(st *docformat.Statement) { st.Lines[2].Tags = "a\nb" }, "line 3"},
		{"WrongAmount", func(st *docformat.Statement) { st.Lines[0].Amount++ }, "Amount"},
		{"WrongDiscountedAmount", func(st *docformat.Statement) { st.Lines[1].DiscountedAmount-- }, "DiscountedAmount"},
		{"LowercaseCurrency", func(st *docformat.Statement) { st.Currency = "eur" }, "currency"},
		{"ThroughPastMonthEnd", func(st *docformat.Statement) { st.Through = 32 }, "through day 32"},
		{"LineAfterThrough", func(st *docformat.Statement) { st.Through = 10 }, "not inside"},
	}
	for _, tt := range tests {
		for _, k := range []docformat.Kind{docformat.ConsumptionCSV, docformat.BillingXLSX, docformat.InvoicePDF, docformat.UsageCSV} {
			t.Run(tt.name+"/"+strings.ReplaceAll(k.String(), " ", ""), func(t *testing.T) {
				st := good
				st.Lines = append([]docformat.Line(nil), good.Lines...)
				tt.break_(&st)
				var b bytes.Buffer
				err := k.Write(&b, st, docformat.DefaultInvoice(st))
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("error = %v, want one mentioning %q", err, tt.want)
				}
				if b.Len() != 0 {
					t.Errorf("%d bytes written despite the error", b.Len())
				}
			})
		}
	}
}

// goodConsumption is a small valid consumption CSV built by hand, so that
// each rejection case below differs from it by one thing.
func goodConsumption() string {
	pay := "Pay-per-use;2024-03-01;2024-03-31;FE-ECS;OCB0001234;France;eu-west-0;ECS;Compute;s3.large.2 Linux;" +
		"id-1;eu-west-0_prod;env=prod;744,0000;Hour;0,0840;62,50;3,13;59,37;EUR;;;;;;;"
	ri := "Reserved Instance;2024-03-01;2024-03-31;FE-ECS;OCB0001234;France;eu-west-0;ECS;Compute;s3.large.2 Linux;" +
		"id-2;eu-west-0_prod;;744,0000;Hour;0,0336;25,00;0,00;25,00;EUR;Partial Upfront;2024-01-01;2024-12-31;221,44;210,37;s3.large.2;1 year"
	return docformat.ConsumptionHeader + "\n" + pay + "\n" + ri + "\n"
}

func TestCheckConsumptionCSV(t *testing.T) {
	good := goodConsumption()
	ls := strings.Split(strings.TrimSuffix(good, "\n"), "\n")
	replaceField := func(line, field int, v string) string {
		out := append([]string(nil), ls...)
		f := strings.Split(out[line-1], ";")
		f[field] = v
		out[line-1] = strings.Join(f, ";")
		return strings.Join(out, "\n") + "\n"
	}
	tests := []struct {
		name     string
		file     string
		wantLine int
		want     string // the exact message; "" means accepted
	}{
		{"AcceptsTheGoodFile", good, 0, ""},
		{"AcceptsCRLF", strings.ReplaceAll(good, "\n", "\r\n"), 0, ""},
		{"AcceptsNoFinalLineEnd", strings.TrimSuffix(good, "\n"), 0, ""},
		{"AcceptsHeaderOnly", docformat.ConsumptionHeader + "\n", 0, ""},
		{"AcceptsByteOrderMark", "\ufeff" + good, 0, ""},
		{"AcceptsIntegerAmount", replaceField(2, 16, "62"), 0, ""},
		{"AcceptsNegativeAmount", replaceField(2, 17, "-3,13"), 0, ""},
		{"RejectsEmptyFile", "", 0, "the file is empty"},
		{"RejectsTwentySixFields", good + strings.Repeat("x;", 25) + "x\n", 4,
			"line 4 has 26 fields; every line must have exactly 27 fields separated by ';'"},
		{"RejectsTrailingSeparator", strings.Replace(good, "1 year\n", "1 year;\n", 1), 3,
			"line 3 ends with ';', which makes 28 fields; every line must have exactly 27 fields separated by ';'"},
		{"RejectsFooterLine", good + "Total;;;87,50\n", 4,
			"line 4 has 4 fields; every line must have exactly 27 fields separated by ';'"},
		{"RejectsShortHeader", strings.Replace(good, ";SubsDuration", "", 1), 1,
			"line 1 has 26 fields; every line must have exactly 27 fields separated by ';'"},
		{"RejectsBlankLine", good + "\n", 4, "line 4 is empty; the file must not contain blank lines"},
		{"RejectsBlankLineInside", strings.Replace(good, "\n", "\n\n", 1), 2, "line 2 is empty; the file must not contain blank lines"},
		{"RejectsNULByte", strings.Replace(good, "env=prod", "env=\x00prod", 1), 2, "line 2 contains a NUL byte"},
		{"RejectsInvalidUTF8", strings.Replace(good, "Compute", "Comp\xe9te", 2), 2, "line 2 is not valid UTF-8"},
		{"RejectsLatin1Header", strings.Replace(good, "Tags", "\xe9tiquettes", 1), 1, "line 1 is not valid UTF-8"},
		{"RejectsDotDecimal", replaceField(3, 16, "12.5"), 3, `line 3 column Amount "12.5" is not a number with a decimal comma`},
		{"RejectsThousandsSeparator", replaceField(2, 13, "1 744,0000"), 2, `line 2 column Quantity "1 744,0000" is not a number with a decimal comma`},
		{"RejectsEmptyUnitPrice", replaceField(2, 15, ""), 2, "line 2 column UnitPrice is empty; it must hold a number with a decimal comma"},
		{"RejectsTextInVolumeDiscount", replaceField(2, 17, "none"), 2, `line 2 column VolumeDiscount "none" is not a number with a decimal comma`},
		{"RejectsDotInSubsUpfront", replaceField(3, 23, "221.44"), 3, `line 3 column SubsUpfront "221.44" is not a number with a decimal comma`},
		{"RejectsQuotes", replaceField(2, 9, `"s3.large.2"`), 2, "line 2 contains a double quote; values must not be quoted"},
		{"RejectsBareCarriageReturn", replaceField(2, 12, "env\rprod"), 2, "line 2 contains a carriage return that does not end the line"},
		{"RejectsVeryLongLine", good + strings.Repeat("x", docformat.MaxLineLength+1) + "\n", 4,
			"line 4 is longer than 65536 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRejection(t, docformat.CheckConsumptionCSV(strings.NewReader(tt.file)), docformat.ConsumptionCSV, tt.wantLine, tt.want)
		})
	}
}

func TestCheckUsageCSV(t *testing.T) {
	good := docformat.UsageHeader + "\n" +
		"2024-03-01;FE-ECS;ECS;eu-west-0;Compute;s3.large.2 Linux;id-1;24,0000;Hour\n" +
		"2024-03-02;FE-ECS;ECS;eu-west-0;Compute;s3.large.2 Linux;id-1;24,0000;Hour\n"
	tests := []struct {
		name     string
		file     string
		wantLine int
		want     string
	}{
		{"AcceptsTheGoodFile", good, 0, ""},
		{"AcceptsAnotherLayout", "Day;Resource;Quantity\n2024-03-01;vm-1;3,5\n", 0, ""},
		{"AcceptsHeaderOnly", docformat.UsageHeader + "\n", 0, ""},
		{"RejectsEmptyFile", "", 0, "the file is empty"},
		{"RejectsOneColumnHeader", "Date Quantity\n2024-03-01 3\n", 1, "line 1 (the header) has a single field; the columns must be separated by ';'"},
		{"RejectsUnnamedColumn", "Date;;Quantity\n", 1, "line 1 (the header) has no name for column 2"},
		{"RejectsMissingField", good + "2024-03-03;FE-ECS;ECS;eu-west-0;Compute;id-1;24,0000;Hour\n", 4,
			"line 4 has 8 fields; every line must have exactly 9 fields separated by ';'"},
		{"RejectsTrailingSeparator", strings.Replace(good, "Hour\n", "Hour;\n", 1), 2,
			"line 2 ends with ';', which makes 10 fields; every line must have exactly 9 fields separated by ';'"},
		{"RejectsDotDecimal", strings.Replace(good, "24,0000", "24.0", 1), 2, `line 2 column Quantity "24.0" is not a number with a decimal comma`},
		{"RejectsBadDate", strings.Replace(good, "2024-03-02", "02/03/2024", 1), 3, `line 3 column Date "02/03/2024" is not a date of the form YYYY-MM-DD`},
		{"RejectsNULByte", good + "\x00\n", 4, "line 4 contains a NUL byte"},
		{"RejectsInvalidUTF8", strings.Replace(good, "Linux", "Lin\xffux", 1), 2, "line 2 is not valid UTF-8"},
		{"RejectsBlankLine", good + "\n", 4, "line 4 is empty; the file must not contain blank lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRejection(t, docformat.CheckUsageCSV(strings.NewReader(tt.file)), docformat.UsageCSV, tt.wantLine, tt.want)
		})
	}
}

// checkRejection checks that err is nil when want is empty, and otherwise a
// *FormatError of kind k on line wantLine with exactly the message want.
func checkRejection(t *testing.T, err error, k docformat.Kind, wantLine int, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("rejected: %v", err)
		}
		return
	}
	var fe *docformat.FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("error = %v (%T), want a *FormatError", err, err)
	}
	if fe.Error() != want || fe.Line != wantLine || fe.Kind != k {
		t.Errorf("got %v line %d: %q\nwant %v line %d: %q", fe.Kind, fe.Line, fe.Error(), k, wantLine, want)
	}
}

// failingReader returns some bytes, then an error.
type failingReader struct{ r io.Reader }

var errDisk = errors.New("disk on fire")

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, errDisk
	}
	return n, err
}

func TestCheckCSVReportsReadErrorsApart(t *testing.T) {
	for name, check := range map[string]func(io.Reader) error{
		"Consumption": docformat.CheckConsumptionCSV,
		"Usage":       docformat.CheckUsageCSV,
	} {
		t.Run(name, func(t *testing.T) {
			err := check(&failingReader{strings.NewReader(goodConsumption())})
			var fe *docformat.FormatError
			if !errors.Is(err, errDisk) || errors.As(err, &fe) {
				t.Errorf("error = %v, want the reader's error and no *FormatError", err)
			}
		})
	}
}

func TestCheckCSVRejectsAFileTooLarge(t *testing.T) {
	// Long valid lines keep the line count, and so the test's time, low.
	f := strings.Split(strings.Split(goodConsumption(), "\n")[1], ";")
	f[12] = strings.Repeat("t", 60_000)
	line := strings.Join(f, ";") + "\n"
	n := docformat.MaxCSVSize/len(line) + 2
	r := io.MultiReader(strings.NewReader(docformat.ConsumptionHeader+"\n"), &repeatReader{line: line, n: n})
	var fe *docformat.FormatError
	if err := docformat.CheckConsumptionCSV(r); !errors.As(err, &fe) || !strings.Contains(fe.Reason, "larger than") {
		t.Errorf("error = %v, want a rejection for size", err)
	}
}

// repeatReader yields line n times without holding the whole file.
type repeatReader struct {
	line string
	n    int
	rest string
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.rest == "" {
		if r.n == 0 {
			return 0, io.EOF
		}
		r.n--
		r.rest = r.line
	}
	n := copy(p, r.rest)
	r.rest = r.rest[n:]
	return n, nil
}
