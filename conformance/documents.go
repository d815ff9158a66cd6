package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/eccs/eccs/api"
)

// The limits of the list checks: the page size the wire promises without limit, the small
// limit real clients send, and a larger one to count what is available (C1 sends 100).
const (
	defaultLimit = 10
	smallLimit   = 3
	largeLimit   = 100
)

// documents fetches GET /documents with this query on the run's contract.
func (r *runner) documents(v *verdict, query url.Values) *docList {
	path := "/documents"
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	l := &docList{ex: r.do(r.resource(path, r.contractID))}
	items, ok := v.wantArray(l.ex)
	if ok {
		l.items = items
	} else {
		l.why = fmt.Sprintf("%s did not answer a JSON array (see its check)", l.ex.label)
	}
	return l
}

// haveList records that the check cannot run without the list l.
func haveList(v *verdict, l *docList) bool {
	if l == nil {
		v.cannot("the list it needs was not fetched")
		return false
	}
	if l.why != "" {
		v.cannot("%s", l.why)
		return false
	}
	return true
}

func (r *runner) documentChecks() {
	r.check("GET /documents → 200 and a bare JSON array", "doc/wire.md §4, §7.3.3, §8 #2", func(v *verdict) {
		if r.haveContract(v) {
			r.docsDefault = r.documents(v, nil)
		}
	})

	r.check(fmt.Sprintf("GET /documents: at most %d documents without limit", defaultLimit), "doc/wire.md §4, §7.3.3", func(v *verdict) {
		if !r.haveContract(v) || !haveList(v, r.docsDefault) {
			return
		}
		if n := len(r.docsDefault.items); n > defaultLimit {
			v.fail(r.docsDefault.ex, "expected at most %d documents, got %d", defaultLimit, n)
		}
	})

	r.check(fmt.Sprintf("GET /documents?limit=%d → exactly min(%d, available) documents", smallLimit, smallLimit), "doc/wire.md §4, §7.3.3, §8 #5", func(v *verdict) {
		if !r.haveContract(v) {
			return
		}
		r.docsAll = r.documents(v, url.Values{"limit": {fmt.Sprint(largeLimit)}})
		r.docsLimit3 = r.documents(v, url.Values{"limit": {fmt.Sprint(smallLimit)}})
		if r.docsAll.why != "" || r.docsLimit3.why != "" {
			return
		}
		available := len(r.docsAll.items)
		want := min(smallLimit, available)
		if got := len(r.docsLimit3.items); got != want {
			v.fail(r.docsLimit3.ex, "expected exactly %d documents (min(%d, %d available with limit=%d)), got %d",
				want, smallLimit, available, largeLimit, got)
		}
	})

	r.check("GET /documents: sorted by period, newest first", "doc/wire.md §4, §7.3.3, §8 #5", func(v *verdict) {
		lists := r.someLists(v)
		for _, l := range lists {
			first, n := "", 0
			for i := 1; i < len(l.items); i++ {
				prev, _ := member(l.items[i-1], "period")
				cur, _ := member(l.items[i], "period")
				p, ok1 := prev.(string)
				c, ok2 := cur.(string)
				if ok1 && ok2 && c > p {
					if n == 0 {
						first = fmt.Sprintf("documents[%d] (period %s) after documents[%d] (period %s)", i, c, i-1, p)
					}
					n++
				}
			}
			if n > 0 {
				v.fail(l.ex, "expected newest first (period descending), got %s (%d inversions in all)", first, n)
			}
		}
	})

	r.check("GET /documents: period is YYYYMM", "doc/wire.md §4, §7.4.2, §8 #9", func(v *verdict) {
		r.eachDocument(v, func(ex *exchange, i int, d any) {
			p, _ := member(d, "period")
			if s, ok := p.(string); !ok || !isPeriod(s) {
				v.fail(ex, "documents[%d] (%s): expected period YYYYMM such as \"202108\", got %s", i, idOf(d), describe(p))
			}
		})
	})

	r.check("GET /documents: amount is a JSON number", "doc/wire.md §0, §4, §7.3.3", func(v *verdict) {
		r.eachDocument(v, func(ex *exchange, i int, d any) {
			if a, present := member(d, "amount"); !present {
				v.fail(ex, "documents[%d] (%s): expected amount, a JSON number, got none", i, idOf(d))
			} else if _, ok := a.(json.Number); !ok {
				v.fail(ex, "documents[%d] (%s): expected amount to be a JSON number, got %s", i, idOf(d), describe(a))
			}
		})
	})

	r.check("GET /documents: id, filename, currency and documentType are strings, dates RFC 3339", "doc/wire.md §0, §4", func(v *verdict) {
		r.eachDocument(v, func(ex *exchange, i int, d any) {
			if _, ok := d.(map[string]any); !ok {
				v.fail(ex, "documents[%d]: expected a document object, got %s", i, describe(d))
				return
			}
			for _, name := range []string{"id", "filename", "currency", "documentType"} {
				if p := stringMember(d, true, name); p != "" {
					v.fail(ex, "documents[%d] (%s): %s", i, idOf(d), p)
				}
			}
			for _, p := range dateProblems(d) {
				v.fail(ex, "documents[%d] (%s): %s", i, idOf(d), p)
			}
		})
	})

	r.check("GET /documents?documentType=bills → a bare array of bills", "doc/wire.md §4, §7.4.1", func(v *verdict) {
		if r.haveContract(v) {
			r.bills = r.documents(v, url.Values{"documentType": {api.DocumentBills}})
			wantType(v, r.bills, api.DocumentBills)
		}
	})

	r.check("GET /documents?documentType=comsumptionRatedReports (the wire's spelling) → a bare array", "doc/wire.md §4, §7.4.1, §8 #10", func(v *verdict) {
		if r.haveContract(v) {
			r.consumption = r.documents(v, url.Values{"documentType": {api.DocumentConsumptionRatedReports}})
			wantType(v, r.consumption, api.DocumentConsumptionRatedReports)
		}
	})

	r.check(`GET /documents?documentType=toto (unknown) → 200 {"documents": null}`, "doc/wire.md §4, §7.3.3, §8 #3", func(v *verdict) {
		if !r.haveContract(v) {
			return
		}
		ex := r.do(r.resource("/documents?documentType=toto", r.contractID))
		body, ok := v.wantJSON(ex, http.StatusOK)
		if !ok {
			return
		}
		if d, present := member(body, "documents"); !present || d != nil {
			v.fail(ex, "expected the object {\"documents\": null}, got %s", snippet(ex.body))
		}
	})

	r.check("GET /documents?documentType= (empty) → the list without documentType", "doc/wire.md §4, §7.3.3, §8 #12", func(v *verdict) {
		if !r.haveContract(v) || !haveList(v, r.docsDefault) {
			return
		}
		l := r.documents(v, url.Values{"documentType": {""}})
		if l.why == "" && !slices.Equal(sortedIDs(l.items), sortedIDs(r.docsDefault.items)) {
			v.fail(l.ex, "expected the %d documents GET /documents lists, got %d: %s", len(r.docsDefault.items), len(l.items), snippet(l.ex.body))
		}
	})
}

// someLists returns the lists the item checks look at: the larger list, and the default one.
func (r *runner) someLists(v *verdict) []*docList {
	if !r.haveContract(v) {
		return nil
	}
	var out []*docList
	for _, l := range []*docList{r.docsAll, r.docsDefault} {
		if l != nil && l.why == "" {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		haveList(v, r.docsDefault)
	}
	return out
}

// eachDocument calls f on every document of the larger list (or of the default list when
// the larger one failed).
func (r *runner) eachDocument(v *verdict, f func(ex *exchange, i int, d any)) {
	lists := r.someLists(v)
	if len(lists) == 0 {
		return
	}
	l := lists[0]
	for i, d := range l.items {
		f(l.ex, i, d)
	}
}

// wantType records a problem unless every document of l has this documentType.
func wantType(v *verdict, l *docList, docType string) {
	if l.why != "" {
		return
	}
	for i, d := range l.items {
		if t, _ := member(d, "documentType"); t != docType {
			v.fail(l.ex, "documents[%d] (%s): expected documentType %q, got %s", i, idOf(d), docType, describe(t))
		}
	}
}

// isPeriod reports whether s is YYYYMM with a month from 01 to 12.
func isPeriod(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	m := s[4:]
	return m >= "01" && m <= "12"
}

// sortedIDs returns the ids of a list, sorted.
func sortedIDs(items []any) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, idOf(it))
	}
	slices.Sort(out)
	return out
}
