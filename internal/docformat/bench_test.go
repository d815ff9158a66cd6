package docformat_test

import (
	"io"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/docformat"
)

// BenchmarkMonthSet measures what the dev server does per contract and
// month at start-up: the whole month and a partial month generated, and
// every document written (six files). The budget is well under 50 ms.
func BenchmarkMonthSet(b *testing.B) {
	for _, offer := range []string{docformat.OfferFlexibleEngine, docformat.OfferCloudAvenue} {
		b.Run(offer, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				p := params("bench", offer, 2025, time.Month(1+i%12), 0)
				whole := docformat.Generate(p)
				p.Through = 14
				partial := docformat.Generate(p)
				for _, w := range []struct {
					k  docformat.Kind
					st docformat.Statement
				}{
					{docformat.ConsumptionCSV, whole}, {docformat.ConsumptionCSV, partial},
					{docformat.BillingXLSX, whole}, {docformat.BillingXLSX, partial},
					{docformat.InvoicePDF, whole}, {docformat.UsageCSV, whole},
				} {
					if err := w.k.Write(io.Discard, w.st, docformat.DefaultInvoice(w.st)); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

func BenchmarkWrite(b *testing.B) {
	st := docformat.Generate(params("bench", docformat.OfferFlexibleEngine, 2025, time.March, 0))
	inv := docformat.DefaultInvoice(st)
	for _, k := range []docformat.Kind{docformat.ConsumptionCSV, docformat.BillingXLSX, docformat.InvoicePDF, docformat.UsageCSV} {
		b.Run(k.String(), func(b *testing.B) {
			for b.Loop() {
				if err := k.Write(io.Discard, st, inv); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("Generate", func(b *testing.B) {
		for b.Loop() {
			docformat.Generate(params("bench", docformat.OfferFlexibleEngine, 2025, time.March, 0))
		}
	})
}

func BenchmarkCheck(b *testing.B) {
	st := docformat.Generate(params("bench", docformat.OfferFlexibleEngine, 2025, time.March, 0))
	for _, k := range []docformat.Kind{docformat.ConsumptionCSV, docformat.BillingXLSX, docformat.InvoicePDF, docformat.UsageCSV} {
		file := write(b, k, st)
		b.Run(k.String(), func(b *testing.B) {
			b.SetBytes(int64(len(file)))
			for b.Loop() {
				if err := k.CheckBytes(file); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCheckLargeBill checks a 50,000-row bill: the checker streams the
// sheet, so its memory stays flat; -benchmem shows the garbage it makes.
func BenchmarkCheckLargeBill(b *testing.B) {
	st := docformat.Generate(params("big", docformat.OfferFlexibleEngine, 2025, time.March, 0))
	base := st.Lines
	for len(st.Lines) < 50_000 {
		st.Lines = append(st.Lines, base...)
	}
	file := write(b, docformat.BillingXLSX, st)
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		if err := docformat.BillingXLSX.CheckBytes(file); err != nil {
			b.Fatal(err)
		}
	}
}
