package docformat

import "bytes"

// Internals that the external tests check against.
var (
	LineAmount    = lineAmount
	Money         = money
	IsCommaNumber = isCommaNumber
)

// ScanBillingSheet runs the worksheet scanner of CheckBillingXLSX on raw
// sheet XML, so that the fuzzer can reach it without the ZIP layer.
func ScanBillingSheet(xml []byte) error {
	return scanBillingSheet(bytes.NewReader(xml))
}
