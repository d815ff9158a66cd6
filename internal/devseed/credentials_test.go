package devseed

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sample are credentials as a dev server on 127.0.0.1:8080 prints them.
var sample = Credentials{
	BaseURL: "http://127.0.0.1:8080", TokenURL: "http://127.0.0.1:8080/oauth/v3/token", APIURL: "http://127.0.0.1:8080/cloud/b2b/v1",
	ClientID: ClientID, ClientSecret: ClientSecret,
	APIKeys:          APIKeys{Client: ClientAPIKey, Administrator: AdministratorKey},
	BillingAccountID: BillingAccountID, OfferCode: OfferCode, SupportLevel: SupportLevel,
	SampleContractID: SampleContractID, SampleDocumentID: "z7hb7ozglgsifret",
	Contracts: ContractIDs{Client: []string{"OCB0000001", "OCB0000002", "OCB0000003"}, Administrator: []string{"OCB0000001", "OCB0000002"}},
	AdminURL:  "http://127.0.0.1:8081/admin/v1", AdminToken: OperatorToken,
}

func TestTheWelcomeBannerAlignsItsValues(t *testing.T) {
	var b strings.Builder
	sample.PrintWelcome(&b, "eccs-data", "eccsd")
	out := b.String()
	values := map[string]string{
		"Token endpoint": sample.TokenURL, "API base": sample.APIURL, "Client ID": sample.ClientID, "Client secret": sample.ClientSecret,
		"API key (client)": sample.APIKeys.Client, "API key (admin)": sample.APIKeys.Administrator,
		"Admin API":        sample.AdminURL,
		"Credentials file": filepath.Join("eccs-data", "dev-credentials.json"),
	}
	col := -1
	seen := 0
	for _, line := range strings.Split(out, "\n") {
		for label, value := range values {
			if !strings.HasPrefix(line, "  "+label+" ") {
				continue
			}
			seen++
			at := strings.Index(line, value)
			if at < 0 {
				t.Errorf("the line of %q does not show %q: %q", label, value, line)
				continue
			}
			if rest := strings.TrimRight(line[len("  "+label):at], " "); rest != "" {
				t.Errorf("the line of %q has %q between its label and its value", label, rest)
			}
			if col >= 0 && at != col {
				t.Errorf("the value of %q starts in column %d, the one above in column %d:\n%s", label, at, col, out)
			}
			col = at
		}
	}
	if seen != len(values) {
		t.Errorf("the banner shows %d of the %d labelled values:\n%s", seen, len(values), out)
	}
}

func TestTheCurlCommandsSendAcceptWithoutATrailingSpace(t *testing.T) {
	var b strings.Builder
	sample.PrintWelcome(&b, "eccs-data", "eccsd")
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for what, text := range map[string]string{"the dev banner": b.String(), "README.md": string(readme)} {
		n := 0
		for i, line := range strings.Split(text, "\n") {
			if !strings.Contains(line, "Accept:") {
				continue
			}
			n++
			if strings.Contains(line, `"Accept: application/json "`) || !strings.Contains(line, `"Accept: application/json"`) {
				t.Errorf("%s, line %d: %s; want -H \"Accept: application/json\"", what, i+1, line)
			}
		}
		if n < 5 {
			t.Errorf("%s has %d Accept headers, want one per curl command of the tour (5)", what, n)
		}
	}
}

// The banner's command to operate the server is the one it is given: "go run ./cmd/eccsd" for
// who followed the README, which puts no eccsd on the PATH.
func TestTheWelcomeBannerOperatesTheServerWithTheCommandItIsGiven(t *testing.T) {
	for _, eccsd := range []string{"eccsd", "go run ./cmd/eccsd"} {
		var b strings.Builder
		sample.PrintWelcome(&b, "eccs-data", eccsd)
		want := "Operate it: ECCS_ADMIN_URL=" + sample.AdminURL + " ECCS_ADMIN_TOKEN=" + sample.AdminToken + " " + eccsd + " admin contracts list\n"
		if !strings.Contains(b.String(), want) {
			t.Errorf("PrintWelcome(…, %q) does not say %q:\n%s", eccsd, want, b.String())
		}
	}
}
