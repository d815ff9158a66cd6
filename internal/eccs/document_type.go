package eccs

// DocumentType is the kind of a billing document, spelled as on the wire.
type DocumentType string

// The document types. TypeConsumptionRatedReports keeps the wire's misspelling
// ("comsumption"): real clients depend on it.
const (
	TypeBills                          DocumentType = "bills"
	TypeInvoices                       DocumentType = "invoices"
	TypeReports                        DocumentType = "reports"
	TypePartialBills                   DocumentType = "partialBills"
	TypeConsumptionRatedReports        DocumentType = "comsumptionRatedReports"
	TypePartialConsumptionRatedReports DocumentType = "partialConsumptionRatedReports"
)

// DocumentTypes lists every document type.
var DocumentTypes = []DocumentType{
	TypeBills, TypeInvoices, TypeReports, TypePartialBills,
	TypeConsumptionRatedReports, TypePartialConsumptionRatedReports,
}

// ParseDocumentType parses a wire document type. The correct spelling
// "consumptionRatedReports" is accepted as an alias of the canonical, misspelt one.
func ParseDocumentType(s string) (DocumentType, bool) {
	if s == "consumptionRatedReports" {
		return TypeConsumptionRatedReports, true
	}
	for _, t := range DocumentTypes {
		if string(t) == s {
			return t, true
		}
	}
	return "", false
}

// RequiredRole is the role on the documents section needed to see documents of type t:
// manager for bills, invoices and partial bills (money), visitor for the reports.
func (t DocumentType) RequiredRole() Role {
	switch t {
	case TypeBills, TypeInvoices, TypePartialBills:
		return RoleManager
	}
	return RoleVisitor
}

// VisibleDocumentTypes returns the document types that role may see on the documents section.
func VisibleDocumentTypes(role Role) []DocumentType {
	var types []DocumentType
	for _, t := range DocumentTypes {
		if role != RoleNone && role >= t.RequiredRole() {
			types = append(types, t)
		}
	}
	return types
}
