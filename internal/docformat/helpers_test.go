package docformat_test

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/docformat"
)

// params returns the Params of a typical contract.
func params(seed, offer string, year int, month time.Month, through int) docformat.Params {
	return docformat.Params{
		Seed:         seed,
		ContractID:   "OCB0001234",
		ContractName: "Production platform",
		CustomerName: "Société Générale des Tests",
		OfferName:    offer,
		Period:       docformat.Period{Year: year, Month: month},
		Currency:     "EUR",
		Through:      through,
	}
}

// statements returns a varied set of statements: both offers, a leap
// February, a partial month, a first-day-only month.
func statements() map[string]docformat.Statement {
	return map[string]docformat.Statement{
		"FlexibleEngine":      docformat.Generate(params("a", docformat.OfferFlexibleEngine, 2024, time.March, 0)),
		"CloudAvenue":         docformat.Generate(params("a", docformat.OfferCloudAvenue, 2024, time.March, 0)),
		"LeapFebruary":        docformat.Generate(params("b", docformat.OfferFlexibleEngine, 2024, time.February, 0)),
		"PartialMonth":        docformat.Generate(params("c", docformat.OfferFlexibleEngine, 2025, time.November, 15)),
		"PartialFirstDay":     docformat.Generate(params("d", docformat.OfferCloudAvenue, 2025, time.January, 1)),
		"NoLinesAtAll":        noLines(),
		"DecemberCloudAvenue": docformat.Generate(params("e", docformat.OfferCloudAvenue, 2023, time.December, 0)),
	}
}

// noLines is a month without consumption, which must still give valid files.
func noLines() docformat.Statement {
	st := docformat.Generate(params("z", docformat.OfferFlexibleEngine, 2024, time.May, 0))
	st.Lines = nil
	return st
}

// parseFixed parses a decimal written with sep as decimal separator into an
// integer count of 10^-places units, exactly. It fails the test on anything
// else, including more than places decimals.
func parseFixed(t *testing.T, s string, sep byte, places int) int64 {
	t.Helper()
	whole, frac, _ := strings.Cut(s, string(sep))
	if len(frac) > places {
		t.Fatalf("%q has more than %d decimals", s, places)
	}
	frac += strings.Repeat("0", places-len(frac))
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || whole == "" {
		t.Fatalf("%q is not a decimal number: %v", s, err)
	}
	if neg {
		n = -n
	}
	return n
}

// lines splits a CSV file into its lines, failing if it does not end with
// exactly one LF.
func lines(t *testing.T, b []byte) []string {
	t.Helper()
	s := string(b)
	if !strings.HasSuffix(s, "\n") || strings.HasSuffix(s, "\n\n") {
		t.Fatalf("the file does not end with exactly one LF: %q", s[max(0, len(s)-20):])
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

var streamRE = regexp.MustCompile(`(?s)<<([^>]*?)>>\s*stream\r?\n(.*?)\r?\nendstream`)

// pdfText returns the page content streams of a PDF, inflated, joined.
func pdfText(t *testing.T, b []byte) string {
	t.Helper()
	var out strings.Builder
	for _, m := range streamRE.FindAllSubmatch(b, -1) {
		dict, data := m[1], m[2]
		if bytes.Contains(dict, []byte("/FlateDecode")) {
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("a PDF stream does not inflate: %v", err)
			}
			if data, err = io.ReadAll(zr); err != nil {
				t.Fatalf("a PDF stream does not inflate: %v", err)
			}
		}
		out.Write(data)
		out.WriteByte('\n')
	}
	return out.String()
}

func write(t testing.TB, k docformat.Kind, st docformat.Statement) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := k.Write(&b, st, docformat.DefaultInvoice(st)); err != nil {
		t.Fatalf("writing %v: %v", k, err)
	}
	return b.Bytes()
}
