package devseed

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/eccs/eccs/internal/eccs"
)

// Credentials is what a developer or a script needs to call the dev server; dev mode writes
// it to <data-dir>/dev-credentials.json.
type Credentials struct {
	BaseURL      string  `json:"baseUrl"`  // the host, as https://api.orange.com is for the real API
	TokenURL     string  `json:"tokenUrl"` // BaseURL + /oauth/v3/token
	APIURL       string  `json:"apiUrl"`   // BaseURL + /cloud/b2b/v1
	ClientID     string  `json:"clientId"`
	ClientSecret string  `json:"clientSecret"`
	APIKeys      APIKeys `json:"apiKeys"`
	// BillingAccountID, OfferCode and SupportLevel are values the administrator account may
	// use to order a contract.
	BillingAccountID string `json:"billingAccountId"`
	OfferCode        string `json:"offerCode"`
	SupportLevel     string `json:"supportLevel"`
	// SampleContractID is visible to both accounts, with manager on its documents.
	SampleContractID string `json:"sampleContractId"`
	// SampleDocumentID is the latest bill of the sample contract.
	SampleDocumentID string `json:"sampleDocumentId"`
	// Contracts lists, per account, the contracts it sees, and all contracts.
	Contracts ContractIDs `json:"contracts"`
	// OtherApplications are demo applications in the states the API refuses, by state.
	OtherApplications map[string]AppCredentials `json:"otherApplications"`
	// AdminURL is the admin API (ECCS_ADMIN_URL of `eccsd admin`); AdminToken an operator
	// token for it (ECCS_ADMIN_TOKEN).
	AdminURL   string `json:"adminUrl"`
	AdminToken string `json:"adminToken"`
	// WebURL is the customers' web space; People the demo people who sign in to it.
	WebURL string   `json:"webUrl"`
	People []Person `json:"people"`
}

// APIKeys are the demo API keys, by account type.
type APIKeys struct {
	Client        string `json:"client"`
	Administrator string `json:"administrator"`
}

// ContractIDs lists contract numbers by who sees them.
type ContractIDs struct {
	Client        []string `json:"client"`
	Administrator []string `json:"administrator"`
	All           []string `json:"all"`
}

// AppCredentials are an application's client credentials.
type AppCredentials struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

// credentials builds the Credentials of a seeded store.
func credentials(ctx context.Context, store eccs.Store, urls URLs) (Credentials, error) {
	base := strings.TrimRight(urls.Public, "/")
	c := Credentials{
		BaseURL: base, TokenURL: base + "/oauth/v3/token", APIURL: base + "/cloud/b2b/v1",
		ClientID: ClientID, ClientSecret: ClientSecret,
		APIKeys:          APIKeys{Client: ClientAPIKey, Administrator: AdministratorKey},
		BillingAccountID: BillingAccountID, OfferCode: OfferCode, SupportLevel: SupportLevel,
		SampleContractID:  SampleContractID,
		OtherApplications: map[string]AppCredentials{},
		AdminURL:          strings.TrimRight(urls.Admin, "/") + "/admin/v1",
		AdminToken:        OperatorToken,
		WebURL:            strings.TrimRight(urls.Web, "/"),
		People:            demoPeople,
	}
	if c.WebURL == "" {
		c.WebURL = base
	}
	states := []string{"pending", "termsNotAccepted", "suspended", "blocked"}
	for i, a := range otherApplications {
		c.OtherApplications[states[i]] = AppCredentials{ClientID: a.clientID, ClientSecret: fmt.Sprintf(demoSecretTemplate, i+2)}
	}
	for i := range contracts {
		c.Contracts.All = append(c.Contracts.All, fmt.Sprintf("OCB%07d", i+1))
	}
	c.Contracts.Client = []string{"OCB0000001", "OCB0000002", "OCB0000003"}
	c.Contracts.Administrator = []string{"OCB0000001", "OCB0000002"}
	docs, _, err := store.Documents(ctx, eccs.DocumentFilter{ContractID: SampleContractID, Types: []eccs.DocumentType{eccs.TypeBills}, Page: eccs.Page{Limit: 1}})
	if err != nil {
		return Credentials{}, fmt.Errorf("find the sample document: %w", err)
	}
	if len(docs) == 0 {
		return Credentials{}, fmt.Errorf("the sample contract %s has no bill", SampleContractID)
	}
	c.SampleDocumentID = docs[0].ID
	return c, nil
}

// WriteFile writes the credentials as JSON to path, readable by its owner only.
func (c Credentials) WriteFile(path string) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write dev credentials: %w", err)
	}
	return os.Chmod(path, 0o600) // WriteFile keeps the mode of a file that was already there
}

// PrintWelcome writes the credentials and ready-to-paste curl commands for the guide's four
// examples. eccsd is the command that runs the server's program where the user is, such as
// "eccsd" or "go run ./cmd/eccsd": the banner shows how to operate it with that.
func (c Credentials) PrintWelcome(w io.Writer, dataDir, eccsd string) {
	fmt.Fprint(w, "\neccs dev server: the Cloud Store Customer Space API with demo data (loopback only).\n\n")
	// The values start in one column, each after its label; what describes a value follows it.
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, l := range [][2]string{
		{"Token endpoint", c.TokenURL},
		{"API base", c.APIURL},
		{"Client ID", c.ClientID},
		{"Client secret", c.ClientSecret},
		{"API key (client)", c.APIKeys.Client + " (client account, sees " + strings.Join(c.Contracts.Client, " ") + ")"},
		{"API key (admin)", c.APIKeys.Administrator + " (administrator account, sees " + strings.Join(c.Contracts.Administrator, " ") + ")"},
		{"Admin API", c.AdminURL + " (operator token " + c.AdminToken + ")"},
		{"Web space", c.WebURL + "/"},
		{"Credentials file", filepath.Join(dataDir, "dev-credentials.json")},
	} {
		fmt.Fprintf(tw, "  %s\t%s\n", l[0], l[1])
	}
	for _, p := range c.People {
		line := p.Email + " / " + p.Password + " (" + p.Account + " account"
		if p.TOTPSecret != "" {
			line += ", TOTP secret " + p.TOTPSecret
		}
		fmt.Fprintf(tw, "  %s\t%s\n", "Sign in ("+p.Account+")", line+")")
	}
	tw.Flush()
	fmt.Fprintf(w, `
Operate it: ECCS_ADMIN_URL=%s ECCS_ADMIN_TOKEN=%s %s admin contracts list

Paste these to follow the getting-started guide:

# Get an access token (valid for expires_in seconds; reuse it until the API answers 401 with code 42)
TOKEN=$(curl -s -u '%s:%s' -d grant_type=client_credentials %s | sed -E 's/.*"access_token": *"([^"]+)".*/\1/')

# Example 1: the details of a contract
curl -X GET \
-H "Authorization: Bearer $TOKEN" \
-H "X-API-Key: %s" \
-H "X-ECCS-Contract-Id: %s" \
-H "Accept: application/json" \
"%s/contract"

# Example 2: the documents of a contract, then one document's file
curl -X GET \
-H "Authorization: Bearer $TOKEN" \
-H "X-API-Key: %s" \
-H "X-ECCS-Contract-Id: %s" \
-H "Accept: application/json" \
"%s/documents?documentType=bills&limit=3"

curl -X GET \
-H "Authorization: Bearer $TOKEN" \
-H "X-API-Key: %s" \
-H "X-ECCS-Contract-Id: %s" \
-H "Accept: application/json" \
"%s/documents/%s/file" --fail-with-body -o bill.xlsx

# Example 3: add a user on a contract
curl -X POST \
-H "Authorization: Bearer $TOKEN" \
-H "X-API-Key: %s" \
-H "Accept: application/json" \
"%s/contract/%s/user" \
--data-raw '{"civility": "M", "lastName": "Doe", "firstName": "John", "email": "john.doe@orange.com", "login": "john.doe", "fixPhone": "0102030405", "mobilePhone": "", "roles": {"contracts": ["visitor"]}}'

# Example 4: order a new contract (administrator account)
curl -X POST \
-H "Authorization: Bearer $TOKEN" \
-H "X-API-Key: %s" \
-H "Accept: application/json" \
"%s/contract/" \
--data-raw '{"billingAccountId": "%s", "offerCode": "%s", "contractName": "contractName", "supportLevel": "%s", "referentCivility": "M", "referentName": "Doe", "referentFirstName": "John", "referentMail": "john.doe@orange.com", "referentFixPhone": "0102030405", "referentMobilePhone": "0607080900", "referenceExt1": "ext1", "referenceExt2": "ext2", "referenceExt3": "ext3"}'

`,
		c.AdminURL, c.AdminToken, eccsd,
		c.ClientID, c.ClientSecret, c.TokenURL,
		c.APIKeys.Client, c.SampleContractID, c.APIURL,
		c.APIKeys.Client, c.SampleContractID, c.APIURL,
		c.APIKeys.Client, c.SampleContractID, c.APIURL, c.SampleDocumentID,
		c.APIKeys.Client, c.APIURL, c.SampleContractID,
		c.APIKeys.Administrator, c.APIURL, c.BillingAccountID, c.OfferCode, c.SupportLevel,
	)
}
