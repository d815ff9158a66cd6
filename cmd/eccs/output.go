package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/eccs/eccs/api"
)

// The output formats.
const (
	outputTable = "table"
	outputJSON  = "json"
	outputCSV   = "csv"
)

var outputFormats = []string{outputTable, outputJSON, outputCSV}

// format returns the output format, checked.
func (a *app) format(cmd *cobra.Command) (string, error) {
	switch a.output {
	case "", outputTable:
		return outputTable, nil
	case outputJSON, outputCSV:
		return a.output, nil
	}
	return "", usagef(cmd, "--output %q: want table, json or csv", a.output)
}

// rows is a value's tabular form: a header and rows of cells.
type rows struct {
	header []string
	cells  [][]string
}

// print writes a list in the output format: JSON of v itself, CSV of r with its header line,
// or a table of r.
func (a *app) print(cmd *cobra.Command, v any, r rows) error {
	return a.printAs(cmd, v, r, func() error { return writeTable(a.stdout, r) })
}

// printAs writes v as JSON or r as CSV when the output format says so, otherwise what forPeople
// writes.
func (a *app) printAs(cmd *cobra.Command, v any, r rows, forPeople func() error) error {
	format, err := a.format(cmd)
	if err != nil {
		return err
	}
	switch format {
	case outputJSON:
		return writeJSON(a.stdout, v)
	case outputCSV:
		return writeCSV(a.stdout, r)
	}
	return forPeople()
}

// field is a value of a record with the label people read it under.
type field struct {
	label, value string
}

// printRecord writes one record in the output format: JSON of v itself, CSV of r (the wire's
// names in its header line, for scripts), or "Label: value" lines of fields for people.
func (a *app) printRecord(cmd *cobra.Command, v any, r rows, fields []field) error {
	return a.printAs(cmd, v, r, func() error { return writeFields(a.stdout, fields) })
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeCSV(w io.Writer, r rows) error {
	cw := csv.NewWriter(w)
	cw.Write(r.header)
	cw.WriteAll(r.cells)
	return cw.Error()
}

// writeTable writes aligned columns with an upper-case header.
func writeTable(w io.Writer, r rows) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := make([]string, len(r.header))
	for i, h := range r.header {
		head[i] = strings.ToUpper(h)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, row := range r.cells {
		clean := make([]string, len(row))
		for i, c := range row {
			clean[i] = strings.NewReplacer("\t", " ", "\n", " ").Replace(c)
		}
		fmt.Fprintln(tw, strings.Join(clean, "\t"))
	}
	return tw.Flush()
}

// writeFields writes "Label: value" lines, the values in one column; empty values are left
// out.
func writeFields(w io.Writer, fields []field) error {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	clean := strings.NewReplacer("\t", " ", "\n", " ")
	for _, f := range fields {
		if f.value != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", f.label, clean.Replace(f.value))
		}
	}
	return tw.Flush()
}

func wireTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func amount(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

var contractHeader = []string{"id", "name", "contractType", "offerId", "offerName", "platformId", "customerId", "customerName",
	"customerSegment", "contactLastName", "contactFirstName", "contactName", "contactEmail", "contactTitle", "createdAt", "updatedAt"}

func contractRows(list ...api.Contract) rows {
	r := rows{header: contractHeader}
	for _, c := range list {
		r.cells = append(r.cells, []string{c.ID, c.Name, c.ContractType, c.Offer.ID, c.Offer.Name, c.PlatformID, c.Customer.ID,
			c.Customer.Name, c.Customer.Segment, c.Contact.LastName, c.Contact.FirstName, c.Contact.Name, c.Contact.Email,
			c.Contact.Title, wireTime(c.CreatedAt), wireTime(c.UpdatedAt)})
	}
	return r
}

// contractTable is the short table of contracts a person reads.
func contractTable(list []api.Contract) rows {
	r := rows{header: []string{"id", "name", "offer", "customer", "type", "referent", "created"}}
	for _, c := range list {
		r.cells = append(r.cells, []string{c.ID, c.Name, c.Offer.Name, c.Customer.Name, c.ContractType, c.Contact.Name, c.CreatedAt.UTC().Format(time.DateOnly)})
	}
	return r
}

var documentHeader = []string{"id", "filename", "period", "createdAt", "updatedAt", "amount", "currency", "documentType"}

func documentRows(list []api.Document) rows {
	r := rows{header: documentHeader}
	for _, d := range list {
		r.cells = append(r.cells, []string{d.ID, d.Filename, d.Period, wireTime(d.CreatedAt), wireTime(d.UpdatedAt), amount(d.Amount), d.Currency, d.DocumentType})
	}
	return r
}

func documentTable(list []api.Document) rows {
	r := rows{header: []string{"id", "period", "type", "filename", "amount", "created"}}
	for _, d := range list {
		r.cells = append(r.cells, []string{d.ID, d.Period, d.DocumentType, d.Filename, amount(d.Amount) + " " + d.Currency, d.CreatedAt.UTC().Format(time.DateOnly)})
	}
	return r
}

// rolesText writes roles as "contracts=visitor documents=manager".
func rolesText(r api.Roles) string {
	var parts []string
	for _, s := range []struct {
		name  string
		roles []string
	}{{"contracts", r.Contracts}, {"documents", r.Documents}, {"users", r.Users}} {
		for _, role := range s.roles {
			parts = append(parts, s.name+"="+role)
		}
	}
	return strings.Join(parts, " ")
}

var userHeader = []string{"login", "email", "civility", "lastName", "firstName", "fixPhone", "mobilePhone", "roles"}

func userRows(u api.User) rows {
	return rows{header: userHeader, cells: [][]string{{u.Login, u.Email, u.Civility, u.LastName, u.FirstName, u.FixPhone, u.MobilePhone, rolesText(u.Roles)}}}
}

var meHeader = []string{"accountId", "accountType", "login", "email", "lastName", "firstName", "keyPrefix", "keyCreatedAt", "keyExpiresAt",
	"keyExpiresSoon", "keyLastUsedAt", "keyLastUsedFrom", "applicationId", "applicationName", "clientId", "subscription",
	"billingAccounts", "offers", "contracts"}

func meRows(m api.Me) rows {
	var billing, offers, contracts string
	if m.Perimeter != nil {
		billing = strings.Join(m.Perimeter.BillingAccountIDs, " ")
		offers = strings.Join(m.Perimeter.OfferIDs, " ")
	}
	var cs []string
	for _, c := range m.Contracts {
		cs = append(cs, c.ID+"("+rolesText(c.Roles)+")")
	}
	contracts = strings.Join(cs, " ")
	return rows{header: meHeader, cells: [][]string{{m.Account.ID, m.Account.Type, m.Account.Login, m.Account.Email, m.Account.LastName,
		m.Account.FirstName, m.APIKey.Prefix, wireTime(m.APIKey.CreatedAt), wireTime(m.APIKey.ExpiresAt), strconv.FormatBool(m.APIKey.ExpiresSoon),
		wireTime(m.APIKey.LastUsedAt), m.APIKey.LastUsedFrom, m.Application.ID, m.Application.Name, m.Application.ClientID,
		m.Application.Subscription, billing, offers, contracts}}}
}

// withName writes an id with its name: "FE (Flexible Engine)".
func withName(id, name string) string {
	switch {
	case name == "":
		return id
	case id == "":
		return name
	}
	return id + " (" + name + ")"
}

// person writes a person as "Mme Claire Martin <claire.martin@acme.example>".
func person(civility, firstName, lastName, email string) string {
	s := strings.Join(strings.Fields(civility+" "+firstName+" "+lastName), " ")
	if email != "" {
		s = strings.TrimSpace(s + " <" + email + ">")
	}
	return s
}

// contractFields are a contract's values as `contracts show` labels them.
func contractFields(c api.Contract) []field {
	contact := person(c.Contact.Title, c.Contact.FirstName, c.Contact.LastName, c.Contact.Email)
	if c.Contact.FirstName == "" && c.Contact.LastName == "" {
		contact = person(c.Contact.Title, c.Contact.Name, "", c.Contact.Email)
	}
	return []field{
		{"ID", c.ID}, {"Name", c.Name}, {"Contract type", c.ContractType}, {"Offer", withName(c.Offer.ID, c.Offer.Name)},
		{"Platform", c.PlatformID}, {"Customer", withName(c.Customer.ID, c.Customer.Name)}, {"Customer segment", c.Customer.Segment},
		{"Contact", contact}, {"Created", wireTime(c.CreatedAt)}, {"Updated", wireTime(c.UpdatedAt)},
	}
}

// userFields are a user's values as `users add` labels them.
func userFields(u api.User) []field {
	return []field{
		{"Login", u.Login}, {"Name", person(u.Civility, u.FirstName, u.LastName, "")}, {"E-mail", u.Email},
		{"Landline", u.FixPhone}, {"Mobile phone", u.MobilePhone}, {"Roles", rolesText(u.Roles)},
	}
}

// meFields are what `me` shows: the account, its API key, the application, and what the
// account sees.
func meFields(m api.Me) []field {
	expires := wireTime(m.APIKey.ExpiresAt)
	if m.APIKey.ExpiresSoon {
		expires += " (soon: ask for a new key)"
	}
	lastUsed := wireTime(m.APIKey.LastUsedAt)
	if lastUsed != "" && m.APIKey.LastUsedFrom != "" {
		lastUsed += " from " + m.APIKey.LastUsedFrom
	}
	f := []field{
		{"Account", m.Account.ID}, {"Type", m.Account.Type}, {"Login", m.Account.Login},
		{"Name", person("", m.Account.FirstName, m.Account.LastName, "")}, {"E-mail", m.Account.Email},
		{"Key prefix", m.APIKey.Prefix}, {"Key created", wireTime(m.APIKey.CreatedAt)}, {"Key expires", expires},
		{"Key last used", lastUsed},
		{"Application", withName(m.Application.ID, m.Application.Name)}, {"Client id", m.Application.ClientID},
		{"Subscription", m.Application.Subscription}, {"Terms accepted", wireTime(m.Application.TermsAcceptedAt)},
	}
	if m.Perimeter != nil {
		f = append(f, field{"Billing accounts", strings.Join(m.Perimeter.BillingAccountIDs, ", ")},
			field{"Offers", strings.Join(m.Perimeter.OfferIDs, ", ")})
	}
	var cs []string
	for _, c := range m.Contracts {
		cs = append(cs, c.ID+" ("+rolesText(c.Roles)+")")
	}
	return append(f, field{"Contracts", strings.Join(cs, ", ")})
}
