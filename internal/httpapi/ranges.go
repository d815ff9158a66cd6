package httpapi

import (
	"strconv"
	"strings"
)

// rangeVerdict says what to do with a Range header before http.ServeContent sees it.
type rangeVerdict int

const (
	rangeServe         rangeVerdict = iota // well formed and satisfiable: let ServeContent answer 206
	rangeIgnored                           // malformed or abusive: ignore it and send the whole file
	rangeUnsatisfiable                     // well formed, but no range overlaps the file: 416
)

// maxRanges bounds how many ranges one request may ask for; more is ignored, as multipart
// answers to hundreds of tiny ranges cost the server far more than the client.
const maxRanges = 16

// checkRange classifies a Range header value for a file of size bytes (RFC 9110 §14.1.2).
// ServeContent would answer a malformed header 416 in plain text; we ignore it instead, as RFC
// 9110 allows, and answer an unsatisfiable one 416 in the gateway envelope.
func checkRange(header string, size int64) rangeVerdict {
	unit, set, ok := strings.Cut(header, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		return rangeIgnored
	}
	specs := strings.Split(set, ",")
	if len(specs) > maxRanges {
		return rangeIgnored
	}
	satisfiable := false
	for _, spec := range specs {
		spec = strings.TrimSpace(spec)
		first, last, ok := strings.Cut(spec, "-")
		if !ok {
			return rangeIgnored
		}
		first, last = strings.TrimSpace(first), strings.TrimSpace(last)
		if first == "" { // suffix range: the last N bytes
			n, ok := parseBytePos(last)
			if !ok {
				return rangeIgnored
			}
			if n > 0 && size > 0 {
				satisfiable = true
			}
			continue
		}
		start, ok := parseBytePos(first)
		if !ok {
			return rangeIgnored
		}
		if last != "" {
			end, ok := parseBytePos(last)
			if !ok || end < start {
				return rangeIgnored
			}
		}
		if start < size {
			satisfiable = true
		}
	}
	if !satisfiable {
		return rangeUnsatisfiable
	}
	return rangeServe
}

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
