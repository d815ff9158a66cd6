package conformance

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/eccs/eccs/api"
)

// sentRequestID is the X-OAPI-Request-Id the suite sends once, to see that the server does
// not take it.
const sentRequestID = "eccs-conformance-client-sent-request-id"

// requestIDChecks checks X-OAPI-Request-Id on every answer the checks above received (the
// informational checks' answers come later and are not counted).
func (r *runner) requestIDChecks() {
	var echoed *exchange
	if r.token != "" {
		q := r.resource("/contracts", "")
		q.header[api.HeaderRequestID] = []string{sentRequestID}
		echoed = r.do(q)
	}
	answers := slices.Clone(r.answers)

	r.check("every answer carries X-OAPI-Request-Id, errors and the token endpoint included", "doc/wire.md §0, §7.2.3", func(v *verdict) {
		if len(answers) == 0 {
			v.cannot("the server gave no answer")
			return
		}
		var missing []string
		for _, ex := range answers {
			if ex.requestID() == "" {
				missing = append(missing, fmt.Sprintf("%s (%d)", ex.label, ex.status))
			}
		}
		if len(missing) > 0 {
			v.fail(nil, "expected an %s header on all %d answers, got none on %d: %s", api.HeaderRequestID, len(answers), len(missing), listSome(missing, 5))
		}
	})

	r.check("X-OAPI-Request-Id differs on every answer", "doc/wire.md §0, §7.2.3", func(v *verdict) {
		seen := map[string]string{}
		for _, ex := range answers {
			id := ex.requestID()
			if id == "" {
				continue
			}
			if first, dup := seen[id]; dup {
				v.fail(nil, "expected a fresh id on every answer, got %s on %s and on %s", id, first, ex.label)
				continue
			}
			seen[id] = ex.label
		}
		if len(seen) < 2 && len(v.problems) == 0 {
			v.cannot("fewer than two answers carried an %s header", api.HeaderRequestID)
		}
	})

	r.check("X-OAPI-Request-Id sent by the client is not taken", "doc/wire.md §0, §7.7 #2", func(v *verdict) {
		if !r.haveToken(v) {
			return
		}
		switch id := echoed.requestID(); {
		case echoed.err != nil:
			v.fail(echoed, "expected an answer, got %s", echoed.got())
		case id == "":
			v.fail(echoed, "expected an %s header of the server's own, got none", api.HeaderRequestID)
		case id == sentRequestID:
			v.fail(echoed, "expected an id of the server's own, got the one the request sent (%s)", sentRequestID)
		}
	})
}

// extensionChecks checks eccs extensions; the real gateway need not pass them.
func (r *runner) extensionChecks() {
	r.extension("X-Total-Count and X-Result-Count on lists", func(v *verdict) {
		if !r.haveContracts(v) {
			return
		}
		wantCounts(v, r.contractsEx, len(r.contracts), len(r.contracts), true)
		if !haveList(v, r.docsLimit3) || !haveList(v, r.docsAll) {
			return
		}
		all := len(r.docsAll.items)
		wantCounts(v, r.docsLimit3.ex, len(r.docsLimit3.items), all, all < largeLimit)
	})

	r.extension("GET /documents?documentType=consumptionRatedReports (the correct spelling) is an alias", func(v *verdict) {
		if !r.haveContract(v) || !haveList(v, r.consumption) {
			return
		}
		l := r.documents(v, url.Values{"documentType": {"consumptionRatedReports"}})
		if l.why != "" {
			return
		}
		wantType(v, l, api.DocumentConsumptionRatedReports)
		if !slices.Equal(sortedIDs(l.items), sortedIDs(r.consumption.items)) {
			v.fail(l.ex, "expected the %d documents of documentType=%s, got %d", len(r.consumption.items), api.DocumentConsumptionRatedReports, len(l.items))
		}
	})

	r.extension("GET /me → 200, the account of the API key", func(v *verdict) {
		if !r.haveToken(v) {
			return
		}
		ex := r.do(r.resource("/me", ""))
		body, ok := v.wantJSON(ex, http.StatusOK)
		if !ok {
			return
		}
		for _, path := range [][]string{{"account", "id"}, {"account", "type"}} {
			if p := stringMember(body, true, path...); p != "" {
				v.fail(ex, "%s", p)
			}
		}
	})

	r.extension("document file: a strong ETag; If-None-Match → 304", func(v *verdict) {
		if !r.haveContract(v) {
			return
		}
		if r.file == nil {
			v.cannot("%s", r.fileWhy)
			return
		}
		etag := r.file.ex.header.Get("ETag")
		if etag == "" || strings.HasPrefix(etag, "W/") || !strings.HasPrefix(etag, `"`) {
			v.fail(r.file.ex, "expected a strong ETag, got %q", etag)
			return
		}
		ex := r.download(r.file.id, "", "If-None-Match", etag)
		if v.wantStatus(ex, http.StatusNotModified) && len(ex.body) > 0 {
			v.fail(ex, "expected no body on a 304, got %d bytes", len(ex.body))
		}
	})

	r.extension("document file: Range → 206 with the bytes asked for", func(v *verdict) {
		if !r.haveContract(v) {
			return
		}
		if r.file == nil {
			v.cannot("%s", r.fileWhy)
			return
		}
		whole := r.file.ex.body
		end := min(len(whole), 10) - 1
		ex := r.download(r.file.id, "", "Range", fmt.Sprintf("bytes=0-%d", end))
		if !v.wantStatus(ex, http.StatusPartialContent) {
			return
		}
		if want := fmt.Sprintf("bytes 0-%d/%d", end, len(whole)); ex.header.Get("Content-Range") != want {
			v.fail(ex, "expected Content-Range %q, got %q", want, ex.header.Get("Content-Range"))
		}
		if !bytes.Equal(ex.body, whole[:end+1]) {
			v.fail(ex, "expected the first %d bytes of the file, got %d other bytes", end+1, len(ex.body))
		}
	})
}

// wantCounts records a problem unless ex carries X-Result-Count = count and X-Total-Count =
// total (at least total when exact is false).
func wantCounts(v *verdict, ex *exchange, count, total int, exact bool) {
	if got := ex.header.Get(api.HeaderResultCount); got != strconv.Itoa(count) {
		v.fail(ex, "expected %s: %d, got %q", api.HeaderResultCount, count, got)
	}
	got := ex.header.Get(api.HeaderTotalCount)
	n, err := strconv.Atoi(got)
	switch {
	case err != nil:
		v.fail(ex, "expected %s: %d, got %q", api.HeaderTotalCount, total, got)
	case exact && n != total:
		v.fail(ex, "expected %s: %d, got %d", api.HeaderTotalCount, total, n)
	case !exact && n < total:
		v.fail(ex, "expected %s of at least %d, got %d", api.HeaderTotalCount, total, n)
	}
}

// listSome joins the first n items, saying how many more there are.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}
