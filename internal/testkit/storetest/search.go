package storetest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

// testContractSearch checks ContractFilter.Search on each selection: it keeps the contracts
// for which every word of the text starts the number, the number's digits or a word of the
// name, ASCII letters without case and nothing else folded, takes LIKE wildcards literally,
// follows renames, pages the narrowed list and counts it.
func testContractSearch(t *testing.T, open func(t *testing.T) eccs.Store) {
	perimeter := func(q string, p eccs.Page) eccs.ContractFilter {
		return eccs.ContractFilter{PerimeterOf: "acct-admin", Search: q, Page: p}
	}
	declared := func(q string, p eccs.Page) eccs.ContractFilter {
		return eccs.ContractFilter{DeclaredIdentityID: "id-alice", Search: q, Page: p}
	}
	all := func(q string, p eccs.Page) eccs.ContractFilter {
		return eccs.ContractFilter{All: true, Search: q, Page: p}
	}
	for _, tc := range []listCase[eccs.ContractFilter]{
		{"perimeter search by the digits of the number", perimeter("0000005", eccs.Page{}), []string{"OCB0000005"}, 1},
		{"perimeter search by a prefix of the number", perimeter("ocb000000", eccs.Page{}), []string{"OCB0000001", "OCB0000003", "OCB0000005"}, 3},
		{"a piece inside the number is no prefix", perimeter("00005", eccs.Page{}), []string{}, 0},
		{"a piece inside a word is no prefix", all("cme", eccs.Page{}), []string{}, 0},
		{"a prefix of a later word of the name", all("backup", eccs.Page{}), []string{"OCB0000005"}, 1},
		{"every word of the search must start a term", all("acme zeta", eccs.Page{}), []string{}, 0},
		{"the words of the search match in any order", all("north acme", eccs.Page{}), []string{"OCB0000001", "OCB0000003"}, 2},
		{"a word of the name no longer there does not match", all("renamed-away", eccs.Page{}), []string{}, 0},
		{"perimeter search by name ignores ASCII case", perimeter("ACME north", eccs.Page{}), []string{"OCB0000001", "OCB0000003"}, 2},
		{"perimeter search pages the narrowed list and counts it", perimeter("acme", eccs.Page{Offset: 1, Limit: 1}), []string{"OCB0000003"}, 2},
		{"search does not reach outside the perimeter", perimeter("hosting", eccs.Page{}), []string{}, 0},
		{"declared search keeps the identity's contracts only", declared("ocb", eccs.Page{}), []string{"OCB0000002", "OCB0000004"}, 2},
		{"declared search by name", declared("zeta", eccs.Page{}), []string{"OCB0000004"}, 1},
		{"a percent sign is a literal", all("50%", eccs.Page{}), []string{"OCB0000006"}, 1},
		{"a percent sign does not match any text", all("disc%", eccs.Page{}), []string{}, 0},
		{"an underscore is a literal", all("a_b", eccs.Page{}), []string{"Z-1"}, 1},
		{"an underscore does not match any character", all("a_c", eccs.Page{}), []string{}, 0},
		{"a backslash is a literal", all(`x\y`, eccs.Page{}), []string{"a-1"}, 1},
		{"letters beyond ASCII are compared exactly", all("élan", eccs.Page{}), []string{"OCB0000007"}, 1},
		{"an upper-case accented letter does not match its lower case", all("ÉLAN", eccs.Page{}), []string{}, 0},
		{"a search nothing contains selects nothing", all("nothing like it", eccs.Page{}), []string{}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			searchWorld(t, s)
			list, total, err := s.Contracts(t.Context(), tc.filter)
			must(t, err)
			equal(t, "ids", contractIDs(list), tc.want)
			if total != tc.total {
				t.Errorf("total = %d, want %d", total, tc.total)
			}
		})
	}
}

// searchWorld is contractWorld with names to search for.
func searchWorld(t *testing.T, s eccs.Store) {
	t.Helper()
	_, all := contractWorld(t, s)
	for id, name := range map[string]string{
		"OCB0000001": "Acme North", "OCB0000003": "acme northwest", "OCB0000004": "Zeta hosting",
		"OCB0000006": "Discount 50% off", "Z-1": "plan a_b", "a-1": `path x\y`, "OCB0000007": "Globex élan",
		"OCB0000005": "Zeta backup", "OCB0000002": "Other",
	} {
		c := all[id]
		c.Name = "renamed-away " + name
		must(t, s.UpdateContract(t.Context(), c))
		c.Name = name
		must(t, s.UpdateContract(t.Context(), c))
	}
}

// testBroadContractSearch checks a search by a word that starts more terms than a store may
// gather and sort at once (thousands): it selects, orders and pages as the same search by a
// narrower word that matches the same contracts does, and a CountLimit caps its total at the
// limit plus one.
func testBroadContractSearch(t *testing.T, open func(t *testing.T) eccs.Store) {
	s := open(t)
	broadSearchWorld(t, s)
	perimeter := func(q string, p eccs.Page) eccs.ContractFilter {
		return eccs.ContractFilter{PerimeterOf: "acct-admin", Search: q, Page: p}
	}
	declared := func(q string, p eccs.Page) eccs.ContractFilter {
		return eccs.ContractFilter{DeclaredIdentityID: "id-alice", Search: q, Page: p}
	}
	all := func(q string, p eccs.Page) eccs.ContractFilter {
		return eccs.ContractFilter{All: true, Search: q, Page: p}
	}
	capped := func(q string, limit int) eccs.ContractFilter {
		f := all(q, eccs.Page{})
		f.CountLimit = limit
		return f
	}
	for _, tc := range []listCase[eccs.ContractFilter]{
		{"a broad perimeter search", perimeter("wide", eccs.Page{}), []string{"OCB0000001", "OCB0000003", "a-1"}, 3},
		{"a broad perimeter search pages in id order", perimeter("WIDE", eccs.Page{Offset: 1, Limit: 1}), []string{"OCB0000003"}, 3},
		{"a broad declared search", declared("wide", eccs.Page{}), []string{"OCB0000004", "a-1"}, 2},
		{"a broad search of all contracts", all("wide", eccs.Page{}), []string{"OCB0000001", "OCB0000003", "OCB0000004", "OCB0000006", "a-1"}, 5},
		{"a broad word with a narrower one keeps both", all("wide acme", eccs.Page{}), []string{"OCB0000001", "OCB0000003"}, 2},
		{"a broad word with a word nothing starts", all("wide qq", eccs.Page{}), []string{}, 0},
		{"a count limit reached gives the limit plus one", capped("wide", 3), []string{"OCB0000001", "OCB0000003", "OCB0000004", "OCB0000006", "a-1"}, 4},
		{"a count limit not reached gives the count", capped("wide", 5), []string{"OCB0000001", "OCB0000003", "OCB0000004", "OCB0000006", "a-1"}, 5},
		{"a count limit caps a narrow search too", capped("acme", 1), []string{"OCB0000001", "OCB0000003"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, total, err := s.Contracts(t.Context(), tc.filter)
			must(t, err)
			equal(t, "ids", contractIDs(list), tc.want)
			if total != tc.total {
				t.Errorf("total = %d, want %d", total, tc.total)
			}
			// wide4 starts a tenth of the terms wide does, in the same contracts.
			narrow := tc.filter
			narrow.Search = strings.Replace(strings.ToLower(narrow.Search), "wide", "wide4", 1)
			narrowList, narrowTotal, err := s.Contracts(t.Context(), narrow)
			must(t, err)
			equal(t, "ids of the narrow search", contractIDs(narrowList), contractIDs(list))
			if narrowTotal != total {
				t.Errorf("total of the narrow search = %d, want %d", narrowTotal, total)
			}
		})
	}
}

// broadSearchWorld is searchWorld with 500 words starting with "wide" in the names of five
// contracts (2,500 terms), OCB0000002, OCB0000005, OCB0000007 and Z-1 having none.
func broadSearchWorld(t *testing.T, s eccs.Store) {
	t.Helper()
	searchWorld(t, s)
	var wide strings.Builder
	for i := range 500 {
		fmt.Fprintf(&wide, " wide%d", i)
	}
	for _, id := range []string{"OCB0000001", "OCB0000003", "OCB0000004", "OCB0000006", "a-1"} {
		c, err := s.Contract(t.Context(), id)
		must(t, err)
		c.Name += wide.String()
		must(t, s.UpdateContract(t.Context(), c))
	}
}
