package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/eccs/eccs/api"
)

func (a *app) tokenCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "token",
		Short: "Print an access token (for curl)",
		Long: `Print the access token of the profile's application. It is the token the other commands use:
reused until it expires, then a new one is fetched. --output json prints the token endpoint's
answer (token_type, access_token, expires_in: the seconds left).`,
		Example: `  curl -H "Authorization: Bearer $(eccs token)" -H "X-API-Key: $ECCS_API_KEY" \
    https://api.orange.com/cloud/b2b/v1/contracts
  eccs token --output json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, _, err := a.client()
			if err != nil {
				return err
			}
			t, err := c.AccessToken(cmd.Context())
			if err != nil {
				return err
			}
			tok := api.Token{TokenType: api.TokenType, AccessToken: t.Value}
			if !t.Expiry.IsZero() {
				tok.ExpiresIn = int(time.Until(t.Expiry).Seconds())
			}
			if f, _ := a.format(cmd); f == outputTable {
				fmt.Fprintln(a.stdout, t.Value)
				return nil
			}
			return a.printRecord(cmd, tok, rows{header: []string{"token_type", "access_token", "expires_in"},
				cells: [][]string{{tok.TokenType, tok.AccessToken, strconv.Itoa(tok.ExpiresIn)}}}, nil)
		},
	}
}

func (a *app) meCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "me",
		Short: "Show the account, API key and application of the profile",
		Long: `Show who the credentials are: the account the API key names (its perimeter, or the contracts
it is declared on with its roles), the key's expiry and last use, and the application behind
the token. /me is an eccs extension: the real gateway answers 404.`,
		Example: `  eccs me
  eccs me --output json | jq .apiKey.expiresAt`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, _, err := a.client()
			if err != nil {
				return err
			}
			me, err := c.Me(cmd.Context())
			if err != nil {
				return err
			}
			return a.printRecord(cmd, me, meRows(me), meFields(me))
		},
	}
}

func (a *app) contractsCommand() *cobra.Command {
	return group(&cobra.Command{
		Use:     "contracts",
		Aliases: []string{"contract"},
		Short:   "List, show and order contracts",
		Example: `  eccs contracts list
  eccs contract show OCB0000001
  eccs contracts create --billing-account 20451001 --offer FE --name web \
    --support-level BSC --referent-last-name Doe --referent-first-name Jane --referent-email jane.doe@example.com`,
	}, a.contractsListCommand(), a.contractShowCommand(), a.contractsCreateCommand())
}

func (a *app) contractsListCommand() *cobra.Command {
	var pageSize int
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the contracts the account sees",
		Long: `List the contracts the API key's account sees, sorted by number, in one call as the real API
answers. --page-size N fetches them N at a time instead (limit and offset, an eccs extension),
for very large perimeters.`,
		Example: `  eccs contracts list
  eccs contracts list --output csv > contracts.csv
  eccs contracts list --output json | jq -r '.[].id'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, _, err := a.client()
			if err != nil {
				return err
			}
			var list []api.Contract
			if pageSize > 0 {
				for ct, err := range c.AllContracts(cmd.Context(), pageSize) {
					if err != nil {
						return err
					}
					list = append(list, ct)
				}
			} else if list, err = c.Contracts(cmd.Context()); err != nil {
				return err
			}
			if list == nil {
				list = []api.Contract{}
			}
			if f, _ := a.format(cmd); f == outputTable {
				return writeTable(a.stdout, contractTable(list))
			}
			return a.print(cmd, list, contractRows(list...))
		},
	}
	cmd.Flags().IntVar(&pageSize, "page-size", 0, "fetch the contracts this many at a time (1 to 1000; default: all in one call)")
	return cmd
}

func (a *app) contractShowCommand() *cobra.Command {
	var contract string
	cmd := &cobra.Command{
		Use:     "show [CONTRACT]",
		Aliases: []string{"get"},
		Short:   "Show a contract",
		Long:    `Show a contract: the one given, else --contract, ECCS_CONTRACT_ID or the profile's.`,
		Example: `  eccs contract show OCB0000001
  eccs contract show --output json`,
		Args:              maxArgs(1, "one contract number"),
		ValidArgsFunction: a.contractArgCompletion,
		RunE: func(cmd *cobra.Command, args []string) error {
			given, err := contractGiven(cmd, args, contract)
			if err != nil {
				return err
			}
			c, s, err := a.client()
			if err != nil {
				return err
			}
			id, err := a.contract(cmd, given, s)
			if err != nil {
				return err
			}
			ct, err := c.Contract(cmd.Context(), id)
			if err != nil {
				return aboutContract(id, err)
			}
			return a.printRecord(cmd, ct, contractRows(ct), contractFields(ct))
		},
	}
	a.contractFlag(cmd, &contract)
	return cmd
}

// contractFlag adds --contract, completed from the API.
func (a *app) contractFlag(cmd *cobra.Command, v *string) {
	cmd.Flags().StringVarP(v, "contract", "c", "", "contract number (default: ECCS_CONTRACT_ID, else the profile's)")
	cmd.RegisterFlagCompletionFunc("contract", a.completeContracts)
}

func (a *app) contractsCreateCommand() *cobra.Command {
	var fromJSON string
	var o api.ContractOrder
	var refs []string
	cmd := &cobra.Command{
		Use:     "create",
		Aliases: []string{"order"},
		Short:   "Order a new contract (administrator accounts)",
		Long: `Order a new contract and print its number. Administrator accounts only, within their
perimeter (billing accounts and offers). The fields are those of POST /contract, under the
names 'eccsd admin contracts create' gives them; --from-json reads them from a file ("-" for
stdin), in the wire's names, and the flags given override the file's.`,
		Example: `  eccs contracts create --billing-account 20451001 --offer FE --name web-shop \
    --support-level BSC --referent-last-name Doe --referent-first-name Jane --referent-email jane.doe@example.com
  eccs contracts create --from-json order.json --name web-shop-2 --reference-ext PO-2024-117`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			order := api.ContractOrder{}
			if fromJSON != "" {
				if err := a.readJSON(fromJSON, &order); err != nil {
					return err
				}
			}
			if flagChanged(cmd, "reference-ext") {
				if len(refs) > 3 {
					return usagef(cmd, "--reference-ext given %d times: a contract has at most 3 external references", len(refs))
				}
				ext := append(slices.Clone(refs), "", "", "")
				order.ReferenceExt1, order.ReferenceExt2, order.ReferenceExt3 = ext[0], ext[1], ext[2]
			}
			overrideFlags(cmd, map[string]*string{
				"billing-account": &order.BillingAccountID, "offer": &order.OfferCode, "name": &order.ContractName,
				"support-level": &order.SupportLevel, "referent-civility": &order.ReferentCivility, "referent-last-name": &order.ReferentName,
				"referent-first-name": &order.ReferentFirstName, "referent-email": &order.ReferentMail,
				"referent-fix-phone": &order.ReferentFixPhone, "referent-mobile-phone": &order.ReferentMobilePhone,
				"reference-ext1": &order.ReferenceExt1, "reference-ext2": &order.ReferenceExt2, "reference-ext3": &order.ReferenceExt3,
			})
			if err := checkRequired(cmd, fromJSON, []required{
				{"billing-account", "billingAccountId", order.BillingAccountID}, {"offer", "offerCode", order.OfferCode},
				{"name", "contractName", order.ContractName}, {"support-level", "supportLevel", order.SupportLevel},
				{"referent-last-name", "referentName", order.ReferentName}, {"referent-first-name", "referentFirstName", order.ReferentFirstName},
				{"referent-email", "referentMail", order.ReferentMail},
			}); err != nil {
				return err
			}
			c, _, err := a.client()
			if err != nil {
				return err
			}
			id, err := c.OrderContract(cmd.Context(), order)
			if err != nil {
				return err
			}
			return a.printRecord(cmd, api.ContractCreated{ID: id}, rows{header: []string{"id"}, cells: [][]string{{id}}}, []field{{"ID", id}})
		},
	}
	f := cmd.Flags()
	f.StringVar(&fromJSON, "from-json", "", `read the order from a JSON file ("-" for stdin)`)
	f.StringVar(&o.BillingAccountID, "billing-account", "", "billing account id (required)")
	f.StringVar(&o.OfferCode, "offer", "", "offer code, such as FE (required)")
	f.StringVar(&o.ContractName, "name", "", "name of the contract (required)")
	f.StringVar(&o.SupportLevel, "support-level", "", "support level, such as BSC (required)")
	f.StringVar(&o.ReferentCivility, "referent-civility", "", "referent's civility (M, Mme, Mr, Mrs, Ms)")
	f.StringVar(&o.ReferentName, "referent-last-name", "", "referent's last name (required)")
	f.StringVar(&o.ReferentFirstName, "referent-first-name", "", "referent's first name (required)")
	f.StringVar(&o.ReferentMail, "referent-email", "", "referent's e-mail address (required)")
	f.StringVar(&o.ReferentFixPhone, "referent-fix-phone", "", "referent's landline")
	f.StringVar(&o.ReferentMobilePhone, "referent-mobile-phone", "", "referent's mobile phone")
	f.StringArrayVar(&refs, "reference-ext", nil, "free reference of yours: purchase order, cost centre… (repeat up to 3 times)")
	// The wire's names, as earlier versions spelt the flags.
	for name, old := range map[string]string{
		"billing-account": "billing-account-id", "offer": "offer-code", "name": "contract-name",
		"referent-last-name": "referent-name", "referent-email": "referent-mail",
	} {
		alias(cmd, name, old)
	}
	for i, ext := range []*string{&o.ReferenceExt1, &o.ReferenceExt2, &o.ReferenceExt3} {
		name := fmt.Sprintf("reference-ext%d", i+1)
		f.StringVar(ext, name, "", fmt.Sprintf("the external reference number %d alone", i+1))
		f.MarkHidden(name)
	}
	return cmd
}

// required is a value a command cannot do without: its flag, its name in a --from-json file,
// and the value it ended with.
type required struct{ flag, member, value string }

// checkRequired names, in one usage error, the flags whose values are missing, before any
// request: the server would name the wire's fields instead. What a value must look like is
// left to the server.
func checkRequired(cmd *cobra.Command, fromJSON string, values []required) error {
	var flags, members []string
	for _, r := range values {
		if r.value == "" {
			flags, members = append(flags, "--"+r.flag), append(members, r.member)
		}
	}
	switch {
	case len(flags) == 0:
		return nil
	case fromJSON == "-":
		return usagef(cmd, "missing %s (or %s in the JSON of standard input)", strings.Join(flags, ", "), strings.Join(members, ", "))
	case fromJSON != "":
		return usagef(cmd, "missing %s (or %s in %s)", strings.Join(flags, ", "), strings.Join(members, ", "), fromJSON)
	}
	return usagef(cmd, "missing %s", strings.Join(flags, ", "))
}

// overrideFlags copies the value of every flag the user set (under its name or an alias)
// into its destination.
func overrideFlags(cmd *cobra.Command, dst map[string]*string) {
	for name, p := range dst {
		if flagChanged(cmd, name) {
			*p, _ = cmd.Flags().GetString(name)
		}
	}
}

// readJSON decodes a JSON file ("-": stdin) into v, refusing unknown members.
func (a *app) readJSON(path string, v any) error {
	var r io.Reader = a.in
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

func (a *app) usersCommand() *cobra.Command {
	return group(&cobra.Command{
		Use:     "users",
		Aliases: []string{"user"},
		Short:   "Declare users on contracts",
		Example: `  eccs users add -c OCB0000001 --login john.doe --email john.doe@example.com --last-name Doe \
    --first-name John --roles contracts=visitor,documents=manager`,
	}, a.usersAddCommand())
}

var sections = []string{"contracts", "documents", "users"}

func (a *app) usersAddCommand() *cobra.Command {
	var fromJSON, contract string
	var roles []string
	var u api.User
	cmd := &cobra.Command{
		Use:     "add [CONTRACT]",
		Aliases: []string{"declare"},
		Short:   "Declare a user on a contract",
		Long: `Declare a user on a contract (the one given, else --contract, ECCS_CONTRACT_ID or the
profile's), with a role per section: --roles SECTION=ROLE,SECTION=ROLE (or repeated; sections
contracts, documents, users; roles manager, visitor). Needs manager on the contract's users.
When the e-mail address already belongs to someone, that person's login is kept: the answer
shows it. --from-json reads the user from a file ("-" for stdin); flags override it.`,
		Example: `  eccs users add -c OCB0000001 --login john.doe --email john.doe@example.com --last-name Doe \
    --first-name John --civility M --roles contracts=visitor,documents=manager
  eccs users add OCB0000001 --from-json user.json --output json`,
		Args:              maxArgs(1, "one contract number"),
		ValidArgsFunction: a.contractArgCompletion,
		RunE: func(cmd *cobra.Command, args []string) error {
			given, err := contractGiven(cmd, args, contract)
			if err != nil {
				return err
			}
			user := api.User{}
			if fromJSON != "" {
				if err := a.readJSON(fromJSON, &user); err != nil {
					return err
				}
			}
			overrideFlags(cmd, map[string]*string{
				"civility": &user.Civility, "last-name": &user.LastName, "first-name": &user.FirstName, "email": &user.Email,
				"login": &user.Login, "fix-phone": &user.FixPhone, "mobile-phone": &user.MobilePhone,
			})
			if len(roles) > 0 {
				user.Roles = api.Roles{}
			}
			for _, list := range roles {
				for r := range strings.SplitSeq(list, ",") {
					if r = strings.TrimSpace(r); r == "" {
						continue
					}
					section, role, ok := strings.Cut(r, "=")
					if !ok || (role != api.RoleManager && role != api.RoleVisitor) {
						return usagef(cmd, "--roles %q: want SECTION=ROLE, such as contracts=visitor (roles: manager, visitor)", r)
					}
					switch section {
					case "contracts":
						user.Roles.Contracts = append(user.Roles.Contracts, role)
					case "documents":
						user.Roles.Documents = append(user.Roles.Documents, role)
					case "users":
						user.Roles.Users = append(user.Roles.Users, role)
					default:
						return usagef(cmd, "--roles %q: the sections are %s", r, strings.Join(sections, ", "))
					}
				}
			}
			c, s, err := a.client()
			if err != nil {
				return err
			}
			id, err := a.contract(cmd, given, s)
			if err != nil {
				return err
			}
			out, err := c.DeclareUser(cmd.Context(), id, user)
			if err != nil {
				return aboutContract(id, err)
			}
			return a.printRecord(cmd, out, userRows(out), userFields(out))
		},
	}
	a.contractFlag(cmd, &contract)
	f := cmd.Flags()
	f.StringVar(&fromJSON, "from-json", "", `read the user from a JSON file ("-" for stdin)`)
	f.StringVar(&u.Login, "login", "", "login, 8 to 64 of A-Z a-z 0-9 . _ - (required)")
	f.StringVar(&u.Email, "email", "", "e-mail address (required)")
	f.StringVar(&u.LastName, "last-name", "", "last name (required)")
	f.StringVar(&u.FirstName, "first-name", "", "first name (required)")
	f.StringVar(&u.Civility, "civility", "", "civility (M, Mme, Mr, Mrs, Ms)")
	f.StringVar(&u.FixPhone, "fix-phone", "", "landline")
	f.StringVar(&u.MobilePhone, "mobile-phone", "", "mobile phone")
	f.StringArrayVar(&roles, "roles", nil, "roles per section: contracts=visitor,documents=manager (or repeat the flag)")
	alias(cmd, "roles", "role")
	cmd.RegisterFlagCompletionFunc("roles", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, s := range sections {
			out = append(out, s+"="+api.RoleVisitor, s+"="+api.RoleManager)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}
