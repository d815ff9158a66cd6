package storetest

import (
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

// testAccountDocuments checks AccountDocuments: the documents of the contracts a perimeter
// covers, or of those an identity is declared on with enough of a contracts role, each of the
// types its documents role is given; by period; newest first; paged and counted.
func testAccountDocuments(t *testing.T, open func(t *testing.T) eccs.Store) {
	bills, invoices, usage := eccs.TypeBills, eccs.TypeInvoices, eccs.TypeConsumptionRatedReports
	every := eccs.DocumentTypes
	perimeter := func(types []eccs.DocumentType, period string, p eccs.Page) eccs.AccountDocumentFilter {
		return eccs.AccountDocumentFilter{PerimeterOf: "acct-admin", Types: types, Period: period, Page: p}
	}
	declared := func(identity string, min eccs.Role, byRole map[eccs.Role][]eccs.DocumentType) eccs.AccountDocumentFilter {
		return eccs.AccountDocumentFilter{DeclaredIdentityID: identity, MinContractsRole: min, TypesByRole: byRole}
	}
	asRoles := map[eccs.Role][]eccs.DocumentType{eccs.RoleVisitor: {usage}, eccs.RoleManager: every}
	for _, tc := range []listCase[eccs.AccountDocumentFilter]{
		{"perimeter: every period, newest first", perimeter(every, "", eccs.Page{}), []string{"d8", "d2", "d1", "d3"}, 4},
		{"perimeter: one period and type", perimeter([]eccs.DocumentType{bills}, "202601", eccs.Page{}), []string{"d1"}, 1},
		{"perimeter: two types", perimeter([]eccs.DocumentType{bills, invoices}, "202601", eccs.Page{}), []string{"d2", "d1"}, 2},
		{"perimeter: a page, counted whole", perimeter(every, "", eccs.Page{Offset: 1, Limit: 2}), []string{"d2", "d1"}, 4},
		{"perimeter: no types selects nothing", perimeter([]eccs.DocumentType{}, "", eccs.Page{}), []string{}, 0},
		{"an empty perimeter sees nothing", eccs.AccountDocumentFilter{PerimeterOf: "acct-empty", Types: every}, []string{}, 0},
		{"declared: the contracts of the identity only", declared("id-alice", eccs.RoleVisitor, asRoles), []string{"d4"}, 1},
		{"declared: each contract's documents role gives its types", declared("id-bob", eccs.RoleVisitor, asRoles), []string{"d6"}, 1},
		{"declared: a role given no types sees nothing", declared("id-bob", eccs.RoleVisitor, map[eccs.Role][]eccs.DocumentType{eccs.RoleManager: every}), []string{}, 0},
		{"declared: the least contracts role is the filter's", declared("id-bob", eccs.RoleNone, asRoles), []string{"d7", "d6"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			accountDocumentWorld(t, s)
			list, total, err := s.AccountDocuments(t.Context(), tc.filter)
			must(t, err)
			equal(t, "ids", documentIDs(list), tc.want)
			if total != tc.total {
				t.Errorf("total = %d, want %d", total, tc.total)
			}
		})
	}
	for name, f := range map[string]eccs.AccountDocumentFilter{
		"a filter with no selection is Internal":    {Types: every},
		"a filter with both selections is Internal": {PerimeterOf: "acct-admin", DeclaredIdentityID: "id-alice", Types: every},
	} {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			accountDocumentWorld(t, s)
			_, _, err := s.AccountDocuments(t.Context(), f)
			checkCode(t, err, eccs.Internal)
		})
	}
}

// accountDocumentWorld is contractWorld (perimeter of acct-admin: OCB0000001, OCB0000003,
// OCB0000005, a-1, Z-1; id-alice declared on a-1, OCB0000002, OCB0000004 as documents manager)
// with bob declared on three contracts with other roles, and documents on them.
func accountDocumentWorld(t *testing.T, s eccs.Store) {
	t.Helper()
	ctx := t.Context()
	w, _ := contractWorld(t, s)
	for id, roles := range map[string]eccs.Roles{
		"OCB0000006": {Contracts: eccs.RoleVisitor, Documents: eccs.RoleVisitor},
		"OCB0000007": {Contracts: eccs.RoleNone, Documents: eccs.RoleManager},
		"OCB0000003": {Contracts: eccs.RoleManager, Documents: eccs.RoleNone},
	} {
		d := w.declaration(id, w.bob)
		d.Roles = roles
		must(t, s.CreateDeclaration(ctx, d))
	}
	for _, d := range []eccs.Document{
		document("d1", "OCB0000003", eccs.TypeBills, "202601", 50),
		document("d2", "OCB0000001", eccs.TypeInvoices, "202601", 51),
		document("d3", "OCB0000005", eccs.TypeBills, "202512", 52),
		document("d4", "OCB0000004", eccs.TypeBills, "202601", 53),
		document("d5", "OCB0000006", eccs.TypeBills, "202601", 54),
		document("d6", "OCB0000006", eccs.TypeConsumptionRatedReports, "202601", 55),
		document("d7", "OCB0000007", eccs.TypeBills, "202601", 56),
		document("d8", "OCB0000003", eccs.TypeConsumptionRatedReports, "202601", 57),
	} {
		must(t, s.CreateDocument(ctx, d))
	}
}
