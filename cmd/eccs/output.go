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

// print writes v in the output format: JSON of v itself, CSV of r with its header line, or a
// table of r; single (one record) prints the table as "field: value" lines.
func (a *app) print(cmd *cobra.Command, v any, r rows, single bool) error {
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
	if single {
		return writeFields(a.stdout, r)
	}
	return writeTable(a.stdout, r)
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

// writeFields writes each record as "field: value" lines, records separated by a blank line.
func writeFields(w io.Writer, r rows) error {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	for i, row := range r.cells {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		for j, h := range r.header {
			if j < len(row) && row[j] != "" {
				fmt.Fprintf(tw, "%s:\t%s\n", h, row[j])
			}
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
