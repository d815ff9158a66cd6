package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/adminclient"
)

func (a *adminCLI) contractsCmd() *cobra.Command {
	create := a.contractsCreateCmd()

	var filter adminclient.ContractFilter
	list := a.command("list", "List contracts, filtered by customer, billing account or offer",
		`  eccsd admin contracts list --customer C1000001 --offer FE`,
		cobra.NoArgs, func(ctx context.Context, c *adminclient.Client, _ []string) error {
			out, err := c.Contracts(ctx, filter)
			if err != nil {
				return err
			}
			return printList(a, out, filter.Page, "ID\tNAME\tCUSTOMER\tOFFER\tBILLING ACCOUNT\tSUPPORT\tREFERENT\tSTATE", func(c admin.Contract) []string {
				return []string{c.ID, c.Name, c.CustomerID, c.OfferID, c.BillingAccountID, c.SupportLevel, c.Referent.Email, contractState(c)}
			})
		})
	list.Flags().StringVar(&filter.CustomerID, "customer", "", "only this customer's contracts")
	list.Flags().StringVar(&filter.BillingAccountID, "billing-account", "", "only the contracts billed to this account")
	list.Flags().StringVar(&filter.OfferID, "offer", "", "only the contracts of this offer")
	pageFlags(list, &filter.Page)

	show := a.command("show CONTRACT", "Show a contract", `  eccsd admin contracts show OCB0000001
  eccsd admin contracts show -c OCB0000001`,
		exactArgs("CONTRACT"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.Contract(ctx, args[0])
			if err != nil {
				return err
			}
			return a.printContract(out)
		})

	update := a.contractsUpdateCmd()

	closeCmd := a.command("close CONTRACT", "Close a contract: it stays visible, read-only", `  eccsd admin contracts close OCB0000004`,
		exactArgs("CONTRACT"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.CloseContract(ctx, args[0])
			if err != nil {
				return err
			}
			return a.printContract(out)
		})

	var change admin.ReferentChange
	referent := a.command("referent CONTRACT --email EMAIL", "Make a user declared on the contract its referent",
		`  eccsd admin contracts referent OCB0000001 --email paul.durand@acme.example --remove-previous`,
		exactArgs("CONTRACT"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.ChangeReferent(ctx, args[0], change)
			if err != nil {
				return err
			}
			return a.printContract(out)
		})
	referent.Flags().StringVar(&change.Email, "email", "", "e-mail of the new referent, already declared on the contract")
	referent.Flags().BoolVar(&change.RemovePrevious, "remove-previous", false, "remove the previous referent from the contract")

	return a.apiGroup("contracts", "Create, list, show, update and close contracts; change their referent",
		"Contracts tie a customer's billing account to an offer; their users and documents hang off them.",
		`  eccsd admin contracts create --name ACME-PROD --offer FE --billing-account 20451001 --referent-email claire.martin@acme.example --referent-last-name Martin --referent-first-name Claire
  eccsd admin contracts list --customer C1000001`, create, list, contractFlag(show), contractFlag(update), contractFlag(closeCmd), contractFlag(referent))
}

// contractsCreateCmd is eccsd admin contracts create.
func (a *adminCLI) contractsCreateCmd() *cobra.Command {
	var in admin.NewContract
	var createdAt string
	var customer admin.Customer
	var create *cobra.Command
	create = a.command("create", "Create a contract, with its referent declared as manager everywhere; and its customer and billing account when new",
		`  eccsd admin contracts create --name ACME-PROD --offer FE --billing-account 20451001 \
      --referent-email claire.martin@acme.example --referent-last-name Martin --referent-first-name Claire
  eccsd admin contracts create --name ACME-PROD --offer FE \
      --customer C1000001 --customer-name "Acme Industries SA" --segment large \
      --billing-account 20451001 --billing-account-name "Acme Industries - IT" \
      --referent-email claire.martin@acme.example --referent-last-name Martin --referent-first-name Claire
  eccsd admin contracts create --id OCB0001234 --name ACME-DR --offer CAV --billing-account 20451001 \
      --support-level GLD --referent-email sophie.bernard@acme.example --referent-last-name Bernard \
      --referent-first-name Sophie --reference-ext PO-2024-117 --created-at 2021-03-01T00:00:00Z`,
		cobra.NoArgs, func(ctx context.Context, c *adminclient.Client, _ []string) error {
			if createdAt != "" {
				t, err := time.Parse(time.RFC3339, createdAt)
				if err != nil {
					return usageError{fmt.Errorf("--created-at %q: give an RFC 3339 time such as 2021-03-01T00:00:00Z", createdAt)}
				}
				in.CreatedAt = t
			}
			if err := customerFlags(create, customer); err != nil {
				return err
			}
			if create.Flags().Changed("customer") {
				in.Customer = &customer
			}
			out, err := c.CreateContract(ctx, in)
			if err != nil {
				return err
			}
			if err := a.printContract(out); err != nil {
				return err
			}
			a.notices(out.Notices)
			return nil
		})
	f := create.Flags()
	f.StringVar(&in.ID, "id", "", "number of the new contract (default: the next OCB number)")
	f.StringVar(&in.Name, "name", "", "contract name")
	f.StringVar(&in.OfferID, "offer", "", "offer code")
	f.StringVar(&in.BillingAccountID, "billing-account", "", "billing account id")
	f.StringVar(&in.SupportLevel, "support-level", "", "support level (default: the offer's first)")
	f.StringVar(&in.ContractType, "contract-type", "", "contract type (default: the offer's)")
	f.StringVar(&in.PlatformID, "platform-id", "", "platform id, such as the tenant or vDC name")
	personFlags(create, &in.Referent, "referent-")
	f.StringVar(&in.ReferentLogin, "referent-login", "", "login of the referent when their identity is new (default: made from their name)")
	f.StringArrayVar(&in.ReferenceExt, "reference-ext", nil, "external reference (repeat up to 3 times)")
	f.StringVar(&createdAt, "created-at", "", "creation time, for contracts loaded from another system (RFC 3339)")
	f.StringVar(&customer.ID, "customer", "", "id of the billing account's customer, created when it does not exist yet (with --customer-name and --segment)")
	f.StringVar(&customer.Name, "customer-name", "", "with --customer: the customer's company name")
	f.StringVar(&customer.Segment, "segment", "", "with --customer: the customer's segment, such as large or sme")
	f.StringVar(&in.BillingAccountName, "billing-account-name", "", "with --customer: name of the billing account, created for the customer when it does not exist yet")
	return create
}

// contractsUpdateCmd is eccsd admin contracts update: only the flags given change.
func (a *adminCLI) contractsUpdateCmd() *cobra.Command {
	var name, contractType, platformID, supportLevel string
	var refs []string
	var update *cobra.Command
	update = a.command("update CONTRACT", "Change a contract's name, type, platform, support level or external references",
		`  eccsd admin contracts update OCB0000001 --support-level PRM
  eccsd admin contracts update OCB0000001 --platform-id ""          # removes it
  eccsd admin contracts update OCB0000001 --reference-ext PO-1 --reference-ext PO-2
  eccsd admin contracts update OCB0000001 --reference-ext ""        # removes them all`,
		exactArgs("CONTRACT"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			u := admin.ContractUpdate{
				Name: changed(update, "name", name), ContractType: changed(update, "contract-type", contractType),
				PlatformID: changed(update, "platform-id", platformID), SupportLevel: changed(update, "support-level", supportLevel),
			}
			if update.Flags().Changed("reference-ext") {
				u.ReferenceExt = []string{}
				if len(refs) != 1 || refs[0] != "" {
					u.ReferenceExt = refs
				}
			}
			out, err := c.UpdateContract(ctx, args[0], u)
			if err != nil {
				return err
			}
			return a.printContract(out)
		})
	update.Flags().StringVar(&name, "name", "", "new name")
	update.Flags().StringVar(&contractType, "contract-type", "", "new contract type")
	update.Flags().StringVar(&platformID, "platform-id", "", `new platform id ("" removes it)`)
	update.Flags().StringVar(&supportLevel, "support-level", "", "new support level, one the offer sells")
	update.Flags().StringArrayVar(&refs, "reference-ext", nil, `external references, replacing all of them (repeat up to 3 times; "" removes them)`)
	return update
}

// customerFlags checks the flags that onboard a customer with its contract: --customer takes
// --customer-name and --segment (the server creates the customer when it is new), and those,
// like --billing-account-name, only come with --customer.
func customerFlags(cmd *cobra.Command, c admin.Customer) error {
	given := cmd.Flags().Changed
	if !given("customer") {
		for _, name := range []string{"customer-name", "segment", "billing-account-name"} {
			if given(name) {
				return usageError{fmt.Errorf("--%s describes the customer of --customer: add --customer ID --customer-name NAME --segment SEGMENT", name)}
			}
		}
		return nil
	}
	var missing []string
	if c.ID == "" {
		return usageError{errors.New("--customer is empty: give the customer's id")}
	}
	if c.Name == "" {
		missing = append(missing, "--customer-name")
	}
	if c.Segment == "" {
		missing = append(missing, "--segment")
	}
	if len(missing) > 0 {
		return usageError{fmt.Errorf("--customer %s needs %s, which create the customer when it does not exist yet", c.ID, strings.Join(missing, " and "))}
	}
	return nil
}

func contractState(c admin.Contract) string {
	if c.ClosedAt.IsZero() {
		return "open"
	}
	return "closed"
}

func (a *adminCLI) printContract(c admin.Contract) error {
	refs := ""
	for i, r := range c.ReferenceExt {
		if i > 0 {
			refs += ", "
		}
		refs += fmt.Sprintf("%d=%s", i+1, orDash(r))
	}
	return a.print(c, func(w io.Writer) {
		fields(w, "ID", c.ID, "Name", c.Name, "State", contractState(c), "Customer", c.CustomerID+" ("+c.CustomerName+")",
			"Billing account", c.BillingAccountID, "Offer", c.OfferID+" ("+c.OfferName+")", "Contract type", c.ContractType,
			"Support level", c.SupportLevel, "Platform", c.PlatformID,
			"Referent", fmt.Sprintf("%s %s <%s> (login %s, identity %s)", c.Referent.FirstName, c.Referent.LastName, c.Referent.Email, c.Referent.Login, c.Referent.ID),
			"External references", refs, "Created", when(c.CreatedAt), "Updated", when(c.UpdatedAt), "Closed", when(c.ClosedAt))
	})
}

func (a *adminCLI) usersCmd() *cobra.Command {
	list := a.command("list CONTRACT", "List the users declared on a contract", `  eccsd admin users list OCB0000001
  eccsd admin users list -c OCB0000001`,
		exactArgs("CONTRACT"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.Users(ctx, args[0])
			if err != nil {
				return err
			}
			return printList(a, out, adminclient.Page{}, "IDENTITY\tLOGIN\tNAME\tEMAIL\tROLES", func(u admin.User) []string {
				return []string{u.ID, u.Login, u.FirstName + " " + u.LastName, u.Email, rolesText(u.Roles)}
			})
		})

	var in admin.NewUser
	var roles []string
	add := a.command("add CONTRACT", "Declare a user on a contract, with roles per section",
		`  eccsd admin users add OCB0000001 --email jane.doe@acme.example --last-name Doe --first-name Jane \
      --login jane.doe.acme --roles contracts=visitor,documents=manager,users=manager
  eccsd admin users add -c OCB0000001 --email jane.doe@acme.example --last-name Doe --first-name Jane \
      --roles contracts=visitor --roles documents=manager`,
		exactArgs("CONTRACT"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			if joined := strings.Join(roles, ","); strings.TrimSpace(joined) != "" { // without roles, the server says they are required
				r, err := parseRoles(joined, ",")
				if err != nil {
					return usageError{fmt.Errorf("--roles: %w", err)}
				}
				in.Roles = r
			}
			out, err := c.AddUser(ctx, args[0], in)
			if err != nil {
				return err
			}
			if err := a.printUser(out); err != nil {
				return err
			}
			a.notices(out.Notices)
			return nil
		})
	personFlags(add, &in.Person, "")
	add.Flags().StringVar(&in.Login, "login", "", "login, when the person's identity is new (8 to 64 of A-Z a-z 0-9 . _ -)")
	add.Flags().StringArrayVar(&roles, "roles", nil, "roles per section: contracts=visitor,documents=manager,users=manager (or repeat the flag)")

	var newRoles []string
	rolesCmd := a.command("roles CONTRACT IDENTITY --roles ROLES", "Replace a user's roles on a contract",
		`  eccsd admin users roles OCB0000001 k3j5h2g4f6d8s0a1 --roles contracts=visitor,documents=visitor`,
		exactArgs("CONTRACT", "IDENTITY"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			var change admin.RolesChange
			if joined := strings.Join(newRoles, ","); strings.TrimSpace(joined) != "" { // without roles, the server says they are required
				r, err := parseRoles(joined, ",")
				if err != nil {
					return usageError{fmt.Errorf("--roles: %w", err)}
				}
				change.Roles = r
			}
			out, err := c.SetUserRoles(ctx, args[0], args[1], change)
			if err != nil {
				return err
			}
			return a.printUser(out)
		})
	rolesCmd.Flags().StringArrayVar(&newRoles, "roles", nil, "roles per section: contracts=visitor,documents=manager,users=manager (or repeat the flag)")

	remove := a.command("remove CONTRACT IDENTITY", "Remove a user from a contract",
		`  eccsd admin users remove OCB0000001 k3j5h2g4f6d8s0a1`,
		exactArgs("CONTRACT", "IDENTITY"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			if err := c.RemoveUser(ctx, args[0], args[1]); err != nil {
				return err
			}
			fmt.Fprintf(a.e.stderr, "removed identity %s from contract %s\n", args[1], args[0])
			return nil
		})

	return a.apiGroup("users", "List, declare and remove the users of a contract; change their roles",
		`Users are identities declared on a contract with a role per section (contracts, documents,
users): "manager" or "visitor". Roles are written contracts=visitor,documents=manager.`,
		`  eccsd admin users list OCB0000001
  eccsd admin users add OCB0000001 --email jane.doe@acme.example --last-name Doe --first-name Jane --login jane.doe.acme --roles contracts=visitor,documents=manager`,
		contractFlag(list), contractFlag(add), contractFlag(rolesCmd), contractFlag(remove))
}

func (a *adminCLI) printUser(u admin.User) error {
	return a.print(u, func(w io.Writer) {
		fields(w, "Identity", u.ID, "Login", u.Login, "Name", u.FirstName+" "+u.LastName, "E-mail", u.Email, "Roles", rolesText(u.Roles))
	})
}
