package httpapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func rangeList(n int) string {
	specs := make([]string, n)
	for i := range specs {
		specs[i] = fmt.Sprintf("%d-%d", 2*i, 2*i)
	}
	return "bytes=" + strings.Join(specs, ",")
}

// TestCanonicalRange: a well-formed Range is rewritten in the exact form ServeContent knows;
// anything else is ignored ("" below).
func TestCanonicalRange(t *testing.T) {
	tests := []struct{ name, header, want string }{
		{"a first range", "bytes=0-9", "bytes=0-9"},
		{"an open range", "bytes=10-", "bytes=10-"},
		{"a suffix", "bytes=-10", "bytes=-10"},
		{"an empty suffix selects nothing: unsatisfiable", "bytes=-0", "bytes=999999999999999999-"},
		{"an empty suffix among good ranges is dropped", "bytes=-0,0-9", "bytes=0-9"},
		{"two ranges", "bytes=0-9,20-29", "bytes=0-9,20-29"},
		{"the unit in capitals (RFC 9110: case-insensitive)", "BYTES=0-9", "bytes=0-9"},
		{"spaces and tabs around ranges (RFC 9110 OWS)", "bytes= 0 - 9 ,\t20-29 ", "bytes=0-9,20-29"},
		{"a space before =", "bytes =0-9", "bytes=0-9"},
		{"leading zeros", "bytes=000-009", "bytes=000-009"},
		{"16 ranges", rangeList(16), rangeList(16)},
		{"18-digit positions", "bytes=0-999999999999999999", "bytes=0-999999999999999999"},
		{"17 ranges", rangeList(17), ""},
		{"no =", "bytes", ""},
		{"empty", "", ""},
		{"another unit", "items=0-9", ""},
		{"a unit with bytes as prefix", "bytesx=0-9", ""},
		{"no range", "bytes=", ""},
		{"an empty range after a good one", "bytes=0-9,", ""},
		{"a range without -", "bytes=5", ""},
		{"a lone -", "bytes=-", ""},
		{"two dashes", "bytes=0-1-2", ""},
		{"a negative suffix", "bytes=--10", ""},
		{"a signed position", "bytes=+1-5", ""},
		{"hexadecimal", "bytes=0x10-", ""},
		{"an inverted range", "bytes=5-2", ""},
		{"an inverted range among good ones", "bytes=0-9,5-2", ""},
		{"19 digits", "bytes=1000000000000000000-", ""},
		{"a no-break space is not whitespace", "bytes=\u00a00-9", ""},
		{"a vertical tab is not whitespace", "bytes=0-9\v", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := canonicalRange(tt.header)
			if ok != (tt.want != "") || got != tt.want {
				t.Fatalf("canonicalRange(%q) = %q, %v; want %q", tt.header, got, ok, tt.want)
			}
			if ok {
				if problem := serveContentAccepts(got, 100); problem != "" {
					t.Fatal(problem)
				}
			}
		})
	}
}

// serveContentAccepts returns what is wrong when http.ServeContent, given the canonical header
// for a file of size bytes, answers anything but 206, 200 or 416 (the last one being a
// well-formed range outside the file, which the handler turns into the envelope).
func serveContentAccepts(canonical string, size int64) string {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Range", canonical)
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Type", "application/octet-stream") // no sniffing
	http.ServeContent(rec, req, "", time.Time{}, strings.NewReader(strings.Repeat("x", int(size))))
	switch rec.Code {
	case http.StatusPartialContent, http.StatusOK:
		return ""
	case http.StatusRequestedRangeNotSatisfiable:
		if strings.Contains(rec.Body.String(), "failed to overlap") {
			return ""
		}
	}
	return fmt.Sprintf("ServeContent answers %d %q to canonical %q", rec.Code, rec.Body.String(), canonical)
}

func FuzzCanonicalRange(f *testing.F) {
	for _, seed := range []string{
		"bytes=0-0", "bytes=-1", "bytes=0-", "bytes=1-,2-,3-", "bytes=0-0,0-0", "bytes=9223372036854775807-",
		"bytes=-9223372036854775807", "bytes=\t0-1\t", "bytes=0-1,\r\n2-3", "bytes=,0-1", "bytes==0-1",
		"bytes=0--1", "bytes=ﬀ-1", "BYTES = 0-1", rangeList(16),
	} {
		f.Add(seed, int64(10))
	}
	f.Fuzz(func(t *testing.T, header string, size int64) {
		if size < 0 {
			size = -(size + 1)
		}
		size %= 1 << 16
		canonical, ok := canonicalRange(header)
		if !ok {
			return
		}
		if again, ok := canonicalRange(canonical); !ok || again != canonical {
			t.Fatalf("canonical form %q of %q is not stable: %q", canonical, header, again)
		}
		if problem := serveContentAccepts(canonical, size); problem != "" {
			t.Fatal(problem)
		}
	})
}
