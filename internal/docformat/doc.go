// Package docformat writes and checks the billing document files of doc/wire.md §6.
//
// There are four file formats, one per [Kind]:
//
//   - [ConsumptionCSV], for the document types comsumptionRatedReports and
//     partialConsumptionRatedReports: the rated consumption report, which
//     client scripts split naively on ';'. One header line ([ConsumptionHeader]),
//     then one line per charge; exactly 27 fields on every line, decimal
//     comma, UTF-8, LF line ends, no footer. Subs* columns are empty on
//     pay-per-use lines and filled on reserved-instance lines.
//
//   - [BillingXLSX], for bills and partialBills: a workbook with one sheet
//     named "Billing Report". Rows 1 to 12 hold a title block (customer,
//     contract, period, currency, totals), row 13 the headings of
//     [BillingColumns], and every row from 14 on is one charge, with nothing
//     below. The charges are the consumption lines one to one, in the same
//     order, so every total of the bill equals the consumption report's.
//
//   - [InvoicePDF], for invoices: an invoice with one line per service
//     (ServiceCloud), the total excluding VAT, VAT at [VATPercent] % and the
//     total including VAT.
//
//   - [UsageCSV], for reports: our own layout, as no public file shows the
//     real one. ';' separator, one header line ([UsageHeader]), decimal comma,
//     these columns:
//
//     Date;ServiceID;ServiceCloud;Region;CodeLabel;ChargeLabel;IdResource;Quantity;BillingUnit
//
//     Each consumption line is spread over the days it covers, one row per
//     day (Date is that day), so the Quantity of a line's rows adds up
//     exactly to the Quantity of the consumption line. The other columns
//     repeat the consumption line's.
//
// [Generate] makes a deterministic, realistic [Statement] for one contract
// and month. The writers turn a Statement into files; the checkers (also
// reachable through [Kind.Check]) validate untrusted uploaded files and
// report a rejection as a [FormatError].
//
// Money is exact: amounts are [Cents], quantities and unit prices [Fixed4]
// (ten-thousandths). No float64 ever holds money, except at the very edge of
// the XLSX writer, where a numeric cell is written as the shortest decimal
// text of its value, which is exact.
package docformat
