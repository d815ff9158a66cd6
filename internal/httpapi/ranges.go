package httpapi

import (
	"strconv"
	"strings"
)

// maxRanges bounds how many ranges one request may ask for; more is ignored, as multipart
// answers to hundreds of tiny ranges cost the server far more than the client.
const maxRanges = 16

// canonicalRange parses a Range header value (RFC 9110 §14.1.2) and returns it in the exact
// form http.ServeContent understands ("bytes=0-9,20-"), or ok false when it is malformed or
// asks for too many ranges: such a header is ignored and the whole file sent, as RFC 9110
// §14.2 allows (ServeContent would answer it 416 in plain text). Whether the ranges overlap
// the file is left to ServeContent, after the conditional headers.
func canonicalRange(header string) (canonical string, ok bool) {
	unit, set, found := strings.Cut(header, "=")
	if !found || !strings.EqualFold(strings.Trim(unit, " \t"), "bytes") {
		return "", false
	}
	specs := strings.Split(set, ",")
	if len(specs) > maxRanges {
		return "", false
	}
	out := make([]string, 0, len(specs))
	for _, spec := range specs {
		first, last, found := strings.Cut(strings.Trim(spec, " \t"), "-")
		if !found {
			return "", false
		}
		first, last = strings.Trim(first, " \t"), strings.Trim(last, " \t")
		switch {
		case first == "": // the last N bytes
			n, ok := parseBytePos(last)
			if !ok {
				return "", false
			}
			if n == 0 {
				continue // "the last 0 bytes" selects nothing (RFC 9110); ServeContent would send 0 bytes with 206
			}
		case last == "": // from first to the end
			if _, ok := parseBytePos(first); !ok {
				return "", false
			}
		default:
			start, ok1 := parseBytePos(first)
			end, ok2 := parseBytePos(last)
			if !ok1 || !ok2 || end < start {
				return "", false
			}
		}
		out = append(out, first+"-"+last)
	}
	if len(out) == 0 {
		out = append(out, noByte) // only empty suffixes: unsatisfiable
	}
	return "bytes=" + strings.Join(out, ","), true
}

// noByte is a range that starts past the end of any file: ServeContent answers it 416.
const noByte = "999999999999999999-"

// parseBytePos parses a non-negative decimal of at most 18 digits (no sign, no overflow).
func parseBytePos(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
