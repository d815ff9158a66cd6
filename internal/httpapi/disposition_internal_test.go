package httpapi

import (
	"mime"
	"strings"
	"testing"
)

// Content-Disposition names every stored file name so that RFC 6266 parsers read it back, with
// an ASCII fallback that no client decodes differently.
func TestContentDispositionNamesEveryFileExactly(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"OCB0000001_202605_bills.xlsx", `attachment; filename="OCB0000001_202605_bills.xlsx"`},
		{"facture mai.pdf", `attachment; filename="facture mai.pdf"`},
		{"100% cloud.csv", `attachment; filename="100% cloud.csv"`}, // '%' without two hex digits
		{"report%41.csv", `attachment; filename="report_41.csv"; filename*=UTF-8''report%2541.csv`},
		{"relevé été.pdf", `attachment; filename="relev_ _t_.pdf"; filename*=UTF-8''relev%C3%A9%20%C3%A9t%C3%A9.pdf`},
		{"l'été=chaud.pdf", `attachment; filename="l'_t_=chaud.pdf"; filename*=UTF-8''l%27%C3%A9t%C3%A9%3Dchaud.pdf`},
		{"a(b)*c,d:e@f.csv", `attachment; filename="a(b)*c,d:e@f.csv"`},
		{"café(1)*.csv", `attachment; filename="caf_(1)*.csv"; filename*=UTF-8''caf%C3%A9%281%29%2A.csv`},
	} {
		got := contentDisposition(tc.name)
		if got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.name, got, tc.want)
		}
		disposition, params, err := mime.ParseMediaType(got)
		if err != nil || disposition != "attachment" || params["filename"] != tc.name {
			t.Errorf("%q: parsed back as %q %q, %v", tc.name, disposition, params, err)
		}
		if _, after, ok := strings.Cut(got, "filename*="); ok && strings.ContainsAny(after[len("UTF-8''"):], "'=()*,;") {
			t.Errorf("%q: filename* %q holds a character RFC 8187 wants escaped", tc.name, after)
		}
		fallback := strings.SplitN(got, `"`, 3)[1]
		if strings.Contains(got, "filename*") && strings.Contains(fallback, "%") {
			t.Errorf("%q: the fallback %q holds '%%'", tc.name, fallback)
		}
	}
}
