// The model: doc/wire.md §3 to §5 and doc/decisions.md, as functions of the world.

package isolation_test

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/eccs/eccs/api"
)

// wantRoles is doc/wire.md §5: an administrator sees the contracts whose billing account AND offer
// are both in its perimeter, with manager everywhere; a client sees the contracts its person is
// declared on, with the roles it was given. ok is false when the account may not see the
// contract, or there is no such contract (ids compare exactly: case matters).
func (w *world) wantRoles(a *account, contractID string) (roles roleSet, ok bool) {
	c := w.contracts[contractID]
	if c == nil {
		return roleSet{}, false
	}
	if a.admin {
		if slices.Contains(a.billingAccounts, c.baID) && slices.Contains(a.offers, c.offerID) {
			return managerEverywhere, true
		}
		return roleSet{}, false
	}
	r, declared := c.users[a.person]
	return r, declared && r.contracts != roleNone
}

// wantContracts is the ids of the contracts a may see, sorted by id (byte order).
func (w *world) wantContracts(a *account) []string {
	var ids []string
	for _, id := range w.contractIDs {
		if _, ok := w.wantRoles(a, id); ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// parseRoles is the model of a "roles" object (doc/decisions.md, "Roles" and "A declaration
// always grants…"): the highest role listed on a section counts, an empty or absent list is
// no role, and a declared user has at least visitor on the contracts section.
func parseRoles(raw map[string][]string) roleSet {
	best := func(names []string) role {
		r := roleNone
		for _, n := range names {
			switch n {
			case api.RoleManager:
				r = roleManager
			case api.RoleVisitor:
				r = max(r, roleVisitor)
			}
		}
		return r
	}
	return roleSet{
		contracts: max(best(raw["contracts"]), roleVisitor),
		documents: best(raw["documents"]),
		users:     best(raw["users"]),
	}
}

// wantDocuments is the documents of contractID that the documents role may see among types
// (nil: every type), sorted by period, then creation time, newest first. doc/wire.md §4 leaves
// ties open; the stores break them by id, descending (sqlstore's Documents), which keeps pages
// stable.
func (w *world) wantDocuments(contractID string, role role, types []string) []string {
	var docs []*document
	for _, id := range w.docIDs {
		d := w.documents[id]
		t, _ := documentTypeOf(d.docType)
		if d.contractID == contractID && role >= t.role && (types == nil || slices.Contains(types, d.docType)) {
			docs = append(docs, d)
		}
	}
	slices.SortFunc(docs, func(a, b *document) int {
		if c := strings.Compare(b.period, a.period); c != 0 {
			return c
		}
		if c := b.createdAt.Compare(a.createdAt); c != 0 {
			return c
		}
		return strings.Compare(b.id, a.id)
	})
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.id
	}
	return ids
}

// page is the page of ids that limit and offset select (limit 0: all).
func page(ids []string, limit, offset int) []string {
	if offset >= len(ids) {
		return []string{}
	}
	ids = ids[offset:]
	if limit > 0 && limit < len(ids) {
		ids = ids[:limit]
	}
	return ids
}

// paging is the model of the limit and offset parameters (doc/wire.md §4, doc/decisions.md
// "Query parameters"): limit 1 to 1000, offset 0 or more, checked in that order; an empty
// value is 400/27, any other bad value 400/28.
func paging(q url.Values, defaultLimit int) (limit, offset int, failure prediction) {
	limit = defaultLimit
	for _, p := range []struct {
		name     string
		min, max int
		dst      *int
	}{{"limit", 1, 1000, &limit}, {"offset", 0, 1 << 30, &offset}} {
		vs, present := q[p.name]
		if !present {
			continue
		}
		if vs[0] == "" {
			return 0, 0, prediction{status: 400, code: api.CodeMissingQueryParameter}
		}
		n, err := strconv.Atoi(vs[0])
		if err != nil || n < p.min || n > p.max {
			return 0, 0, prediction{status: 400, code: api.CodeInvalidQueryParameter}
		}
		*p.dst = n
	}
	return limit, offset, prediction{}
}

// orderedID is the shape of the numbers of contracts ordered here (doc/wire.md §4).
var orderedID = regexp.MustCompile(`^OCB[0-9]{7}$`)
