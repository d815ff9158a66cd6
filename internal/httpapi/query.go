package httpapi

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/eccs"
)

// maxLimit is the largest page a list returns.
const maxLimit = 1000

// queryParams returns the query-string parameters of r; 400/28 when the query string cannot
// be decoded (a bad %-escape, a ';'): r.URL.Query would drop such a pair silently, and a
// parameter the caller sent would count as absent.
func queryParams(r *http.Request) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, fail(http.StatusBadRequest, api.CodeInvalidQueryParameter,
			"The query string cannot be decoded: write each parameter as name=value, joined by '&', with '%%' followed by two hexadecimal digits.")
	}
	return q, nil
}

// queryValue returns a query parameter: present reports whether it was sent. A parameter sent
// with an empty value ("?limit=") is present but empty, and answered 400/27 by the callers
// that need a value. A parameter sent twice, or holding invalid UTF-8 or a control character,
// is 400/28.
func queryValue(q url.Values, name string) (value string, present bool, err error) {
	values, present := q[name]
	if !present {
		return "", false, nil
	}
	if len(values) > 1 {
		return "", true, fail(http.StatusBadRequest, api.CodeInvalidQueryParameter,
			"The query-string parameter %s is given more than once; give it once.", name)
	}
	if !printable(values[0]) {
		return "", true, fail(http.StatusBadRequest, api.CodeInvalidQueryParameter,
			"One or more query-string parameters contain invalid values: %s holds invalid UTF-8 or a control character.", name)
	}
	return values[0], true, nil
}

// printable reports whether s is valid UTF-8 without control characters.
func printable(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// pageParam reads the limit and offset parameters. Without limit, the page holds
// defaultLimit items (0: all of them). limit is 1 to 1000 and offset 0 or more, otherwise
// 400/28; an empty value is 400/27.
func pageParam(q url.Values, defaultLimit int) (eccs.Page, error) {
	page := eccs.Page{Limit: defaultLimit}
	for _, p := range []struct {
		name     string
		min, max int
		dst      *int
	}{
		{"limit", 1, maxLimit, &page.Limit},
		{"offset", 0, 1 << 30, &page.Offset},
	} {
		v, present, err := queryValue(q, p.name)
		if err != nil {
			return eccs.Page{}, err
		}
		if !present {
			continue
		}
		if v == "" {
			return eccs.Page{}, fail(http.StatusBadRequest, api.CodeMissingQueryParameter,
				"The query-string parameter %s has no value; give a number from %d to %d, or leave it out.", p.name, p.min, p.max)
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < p.min || n > p.max {
			return eccs.Page{}, fail(http.StatusBadRequest, api.CodeInvalidQueryParameter,
				"One or more query-string parameters contain invalid values: %s must be a whole number from %d to %d, not %q.", p.name, p.min, p.max, truncate(v, 40))
		}
		*p.dst = n
	}
	return page, nil
}

// setCounts writes the list headers: how many items match, and how many this answer holds.
func setCounts(w http.ResponseWriter, total, count int) {
	h := w.Header()
	h.Set(api.HeaderTotalCount, strconv.Itoa(total))
	h.Set(api.HeaderResultCount, strconv.Itoa(count))
}

// reads wraps a handler of the customer API whose operation reads the query-string
// parameters known (none when empty): any other parameter is ignored, as the real gateway
// ignores it, but the answer says so in a Warning, because a misspelt "limt" silently giving
// ten documents is a mistake its caller wants to hear of.
func reads(h handlerFunc, known ...string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if r.URL.RawQuery != "" {
			warnUnknownParams(w, r.URL.RawQuery, known)
		}
		return h(w, r)
	}
}

// warnUnknownParams adds a Warning naming the parameters of rawQuery not in known, with the
// known one a misspelt name likely meant.
func warnUnknownParams(w http.ResponseWriter, rawQuery string, known []string) {
	q, _ := url.ParseQuery(rawQuery) // a query that cannot be decoded is answered where it is read
	var unknown []string
	for name := range q {
		if !slices.Contains(known, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return
	}
	slices.Sort(unknown)
	var named []string
	for _, name := range unknown[:min(len(unknown), 5)] {
		n := strconv.Quote(truncate(name, 40))
		if near := closest(name, known); near != "" {
			n += " (did you mean " + near + "?)"
		}
		named = append(named, n)
	}
	if len(unknown) > 5 {
		named = append(named, "…")
	}
	takes := "this operation takes none"
	if len(known) > 0 {
		takes = "this operation reads " + strings.Join(known, ", ")
	}
	what := "The query-string parameter " + named[0] + " was ignored"
	if len(unknown) > 1 {
		what = "The query-string parameters " + strings.Join(named, ", ") + " were ignored"
	}
	warn(w, what+": "+takes+".")
}

// closest returns the name of known that name likely misspells: one at most two edits away
// (letters added, removed, changed or swapped, case aside), or "".
func closest(name string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if d := editDistance(strings.ToLower(name), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance of a and b (bytes): the edits of the
// Levenshtein distance, plus the swap of two neighbours.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64 // no parameter name is that long: not a misspelling
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
