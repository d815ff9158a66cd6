package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/eccs/eccs/conformance"
)

// checkJSON is a conformance check in --output json.
type checkJSON struct {
	Name          string `json:"name"`
	Ref           string `json:"ref"`
	Passed        bool   `json:"passed"`
	Informational bool   `json:"informational"`
	Detail        string `json:"detail,omitempty"`
}

// reportJSON is a conformance report in --output json.
type reportJSON struct {
	BaseURL string      `json:"baseUrl"`
	Checks  []checkJSON `json:"checks"`
	Failed  int         `json:"failed"`
}

func (a *app) conformanceCommand() *cobra.Command {
	var contract string
	cmd := &cobra.Command{
		Use:   "conformance",
		Short: "Check that a server answers as the real API does",
		Long: `Run a read-only suite of compatibility checks against a server (the profile's, or --base-url):
the token endpoint, the gateway's error envelope and headers, lists, documents and downloads,
as real client programs rely on them. It never orders a contract nor declares a user, and asks
for few tokens. Checks of eccs extensions are informational: reported, not counted.

Exit code 0 when every counted check passed, 2 when one failed, 1 when the suite could not run.`,
		Example: `  eccs conformance --base-url http://127.0.0.1:8080
  eccs conformance --profile prod --contract OCB0001234
  eccs conformance --output json | jq '.checks[] | select(.passed | not)'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := a.format(cmd)
			if err != nil {
				return err
			}
			s, err := a.settings()
			if err != nil {
				return err
			}
			if s.ClientID == "" || s.ClientSecret == "" || s.APIKey == "" {
				return fmt.Errorf("no credentials: run 'eccs login' (or set ECCS_CLIENT_ID, ECCS_CLIENT_SECRET and ECCS_API_KEY)")
			}
			if contract == "" {
				contract = s.Contract
			}
			report := conformance.Run(cmd.Context(), conformance.Config{
				BaseURL: s.BaseURL, ClientID: s.ClientID, ClientSecret: s.ClientSecret, APIKey: s.APIKey, ContractID: contract,
				HTTPClient: a.httpClient,
			})
			if err := cmd.Context().Err(); err != nil {
				return err
			}
			switch format {
			case outputTable:
				if err := report.WriteText(a.stdout); err != nil {
					return err
				}
			case outputJSON:
				out := reportJSON{BaseURL: report.BaseURL, Checks: []checkJSON{}, Failed: report.Failed()}
				for _, c := range report.Checks {
					out.Checks = append(out.Checks, checkJSON{Name: c.Name, Ref: c.Ref, Passed: c.Passed, Informational: c.Informational, Detail: c.Detail})
				}
				if err := writeJSON(a.stdout, out); err != nil {
					return err
				}
			case outputCSV:
				r := rows{header: []string{"name", "ref", "passed", "informational", "detail"}}
				for _, c := range report.Checks {
					r.cells = append(r.cells, []string{c.Name, c.Ref, strconv.FormatBool(c.Passed), strconv.FormatBool(c.Informational), c.Detail})
				}
				if err := writeCSV(a.stdout, r); err != nil {
					return err
				}
			}
			if n := report.Failed(); n > 0 {
				return &exitError{code: exitRefused, msg: fmt.Sprintf("%s of %d failed", plural(n, "conformance check"), len(report.Checks))}
			}
			return nil
		},
	}
	a.contractFlag(cmd, &contract)
	return cmd
}
