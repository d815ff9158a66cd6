package docformat

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// BillingSheet is the name of the worksheet that clients open.
const BillingSheet = "Billing Report"

// Layout of the billing sheet: clients delete the first BillingHeadingRow
// rows and read every remaining row as a charge of at least
// BillingMinColumns columns.
const (
	BillingHeadingRow   = 13
	BillingFirstDataRow = 14
	BillingMinColumns   = 18
)

// billingColumns are the headings of row 13, in column order. Indexes 0, 7,
// 9 to 17 are fixed by the clients (doc/wire.md §6); the others are our choice.
var billingColumns = [...]string{
	"Reference", "BeginDate", "EndDate", "TenantLabel", "Project", "Tags", "BillingMode", "SubCategory",
	"Country", "Region", "Service", "Category", "Quantity", "Unit", "UnitPrice", "Amount",
	"VolumeDiscount", "DiscountedAmount", "IdResource",
}

// BillingColumns returns the column headings of row 13 of the billing
// sheet, in order (a new slice each time). Column 0 is the consumption
// report's ServiceID, 7 its ChargeLabel, 10 its ServiceCloud and 11 its
// CodeLabel.
func BillingColumns() []string {
	return slices.Clone(billingColumns[:])
}

// billingNumberColumns are the charge columns that must hold numbers.
var billingNumberColumns = [...]struct {
	index    int
	optional bool
}{{12, false}, {14, false}, {15, false}, {16, true}, {17, false}}

// WriteBillingXLSX writes the bill of st to w: a workbook whose only sheet
// is "Billing Report", with the title block in rows 1 to 12 (customer,
// contract, offer, period, dates covered, currency and the three totals as
// numbers), the headings of BillingColumns in row 13, and from row 14 one
// row per statement line, in order, numbers as numeric cells. Every
// timestamp inside the file comes from st.IssueTime, so one Statement always
// gives the same bytes. It returns an error, before writing anything, if st
// fails Statement.Validate, and otherwise any error of the XLSX library or
// of w.
func WriteBillingXLSX(w io.Writer, st Statement) error {
	if err := st.Validate(); err != nil {
		return fmt.Errorf("docformat: %w", err)
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := fillBillingWorkbook(f, st); err != nil {
		return fmt.Errorf("docformat: building the billing workbook: %w", err)
	}
	return f.Write(w)
}

func fillBillingWorkbook(f *excelize.File, st Statement) error {
	issued := st.IssueTime().Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:    BillingSheet + " " + st.ContractID + " " + st.Period.String(),
		Creator:  "eccs",
		Created:  issued,
		Modified: issued,
	}); err != nil {
		return err
	}
	if err := f.SetSheetName(f.GetSheetName(0), BillingSheet); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	money, err := f.NewStyle(&excelize.Style{NumFmt: 2}) // built-in "0.00"
	if err != nil {
		return err
	}
	fourDecimals := "0.0000"
	fixed4, err := f.NewStyle(&excelize.Style{CustomNumFmt: &fourDecimals})
	if err != nil {
		return err
	}
	boldMoney, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 2})
	if err != nil {
		return err
	}

	sw, err := f.NewStreamWriter(BillingSheet)
	if err != nil {
		return err
	}
	widths := []float64{22, 11, 11, 20, 18, 18, 17, 40, 9, 10, 9, 11, 12, 12, 11, 12, 15, 17, 48}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}

	title := "Billing Report"
	if st.Partial() {
		title += " (interim: consumption through " + st.Period.Day(st.Through).Format(dateLayout) + ")"
	}
	totals := st.Totals()
	label := func(s string) excelize.Cell { return excelize.Cell{StyleID: bold, Value: s} }
	amount := func(c Cents) excelize.Cell { return excelize.Cell{StyleID: boldMoney, Value: c.cellValue()} }
	titleBlock := [][]any{
		{excelize.Cell{StyleID: bold, Value: title}},
		{label("Customer"), text(st.CustomerName)},
		{label("Contract"), text(st.ContractID)},
		{label("Contract name"), text(st.ContractName)},
		{label("Offer"), text(st.OfferName)},
		{label("Period"), st.Period.String()},
		{label("From"), st.Period.Day(1).Format(dateLayout)},
		{label("To"), st.Period.Day(st.Through).Format(dateLayout)},
		{label("Currency"), st.Currency},
		{label("Total amount"), amount(totals.Amount)},
		{label("Total volume discount"), amount(totals.VolumeDiscount)},
		{label("Total discounted amount (excl. VAT)"), amount(totals.DiscountedAmount)},
	}
	for i, row := range titleBlock {
		if err := sw.SetRow(cellName(1, i+1), row); err != nil {
			return err
		}
	}

	headings := make([]any, len(billingColumns))
	for i, h := range billingColumns {
		headings[i] = label(h)
	}
	if err := sw.SetRow(cellName(1, BillingHeadingRow), headings); err != nil {
		return err
	}

	row := make([]any, len(billingColumns))
	for i, l := range st.Lines {
		row = append(row[:0],
			text(l.ServiceID), l.Begin.Format(dateLayout), l.End.Format(dateLayout), text(l.TenantLabel),
			text(l.Project), text(l.Tags), text(l.BillingMode), text(l.ChargeLabel), text(l.Country),
			text(l.Region), text(l.ServiceCloud), text(l.CodeLabel),
			excelize.Cell{StyleID: fixed4, Value: l.Quantity.cellValue()},
			text(l.BillingUnit),
			excelize.Cell{StyleID: fixed4, Value: l.UnitPrice.cellValue()},
			excelize.Cell{StyleID: money, Value: l.Amount.cellValue()},
			excelize.Cell{StyleID: money, Value: l.VolumeDiscount.cellValue()},
			excelize.Cell{StyleID: money, Value: l.DiscountedAmount.cellValue()},
			text(l.ResourceID),
		)
		if err := sw.SetRow(cellName(1, BillingFirstDataRow+i), row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// text leaves empty strings out of the sheet: an absent cell reads as
// nothing in every reader, while an empty text cell reads as "" in some.
func text(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// cellName returns the reference of a cell, "B14" for (2, 14).
func cellName(col, row int) string {
	return columnLetter(col-1) + strconv.Itoa(row)
}

// columnLetter returns the spreadsheet letter of a 0-based column index
// below 26 × 27.
func columnLetter(i int) string {
	if i < 26 {
		return string(rune('A' + i))
	}
	return string(rune('A'+i/26-1)) + string(rune('A'+i%26))
}
