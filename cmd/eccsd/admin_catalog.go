package main

import (
	"context"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/adminclient"
)

// The commands of what operators load from their billing system: customers, billing accounts
// and offers.

func (a *adminCLI) customersCmd() *cobra.Command {
	var in admin.Customer
	create := a.command("create", "Create a customer",
		`  eccsd admin customers create --id C1000042 --name "Acme Industries SA" --segment large`,
		cobra.NoArgs, func(ctx context.Context, c *adminclient.Client, _ []string) error {
			out, err := c.CreateCustomer(ctx, in)
			if err != nil {
				return err
			}
			return a.printCustomer(out)
		})
	create.Flags().StringVar(&in.ID, "id", "", "customer id, as in your billing system")
	create.Flags().StringVar(&in.Name, "name", "", "company name")
	create.Flags().StringVar(&in.Segment, "segment", "", "segment, such as large or sme")

	var page adminclient.Page
	list := a.command("list", "List customers", `  eccsd admin customers list --limit 20`,
		cobra.NoArgs, func(ctx context.Context, c *adminclient.Client, _ []string) error {
			out, err := c.Customers(ctx, page)
			if err != nil {
				return err
			}
			return printList(a, out, page, "ID\tNAME\tSEGMENT\tCREATED", func(c admin.Customer) []string {
				return []string{c.ID, c.Name, c.Segment, when(c.CreatedAt)}
			})
		})
	pageFlags(list, &page)

	show := a.command("show ID", "Show a customer", `  eccsd admin customers show C1000042`,
		exactArgs("ID"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.Customer(ctx, args[0])
			if err != nil {
				return err
			}
			return a.printCustomer(out)
		})

	var name, segment string
	var update *cobra.Command
	update = a.command("update ID", "Change a customer's name or segment",
		`  eccsd admin customers update C1000042 --segment sme`,
		exactArgs("ID"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.UpdateCustomer(ctx, args[0], admin.CustomerUpdate{Name: changed(update, "name", name), Segment: changed(update, "segment", segment)})
			if err != nil {
				return err
			}
			return a.printCustomer(out)
		})
	update.Flags().StringVar(&name, "name", "", "new company name")
	update.Flags().StringVar(&segment, "segment", "", "new segment")

	return a.apiGroup("customers", "Create, list, show and update customers", "Customers are the companies that hold contracts, through their billing accounts.",
		`  eccsd admin customers create --id C1000042 --name "Acme Industries SA" --segment large
  eccsd admin customers list`, create, list, show, update)
}

func (a *adminCLI) printCustomer(c admin.Customer) error {
	return a.print(c, func(w io.Writer) {
		fields(w, "ID", c.ID, "Name", c.Name, "Segment", c.Segment, "Created", when(c.CreatedAt), "Updated", when(c.UpdatedAt))
	})
}

func (a *adminCLI) billingAccountsCmd() *cobra.Command {
	var in admin.BillingAccount
	create := a.command("create", "Create a billing account of a customer",
		`  eccsd admin billing-accounts create --id 20459001 --customer C1000042 --name "Acme - IT operations"`,
		cobra.NoArgs, func(ctx context.Context, c *adminclient.Client, _ []string) error {
			out, err := c.CreateBillingAccount(ctx, in)
			if err != nil {
				return err
			}
			return a.printBillingAccount(out)
		})
	create.Flags().StringVar(&in.ID, "id", "", "billing account id, as in your billing system")
	create.Flags().StringVar(&in.CustomerID, "customer", "", "id of the customer it belongs to")
	create.Flags().StringVar(&in.Name, "name", "", "name")

	var page adminclient.Page
	var customer string
	list := a.command("list", "List billing accounts, of one customer or of all",
		`  eccsd admin billing-accounts list --customer C1000042`,
		cobra.NoArgs, func(ctx context.Context, c *adminclient.Client, _ []string) error {
			out, err := c.BillingAccounts(ctx, customer, page)
			if err != nil {
				return err
			}
			return printList(a, out, page, "ID\tCUSTOMER\tNAME\tCREATED", func(b admin.BillingAccount) []string {
				return []string{b.ID, b.CustomerID, b.Name, when(b.CreatedAt)}
			})
		})
	list.Flags().StringVar(&customer, "customer", "", "only the billing accounts of this customer")
	pageFlags(list, &page)

	var name string
	rename := a.command("rename ID --name NAME", "Rename a billing account",
		`  eccsd admin billing-accounts rename 20459001 --name "Acme - Cloud operations"`,
		exactArgs("ID"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.UpdateBillingAccount(ctx, args[0], admin.BillingAccountUpdate{Name: name})
			if err != nil {
				return err
			}
			return a.printBillingAccount(out)
		})
	rename.Flags().StringVar(&name, "name", "", "new name")

	return a.apiGroup("billing-accounts", "Create, list and rename billing accounts", "A billing account is what a customer is invoiced on; each contract is billed to one.",
		`  eccsd admin billing-accounts create --id 20459001 --customer C1000042 --name "Acme - IT"
  eccsd admin billing-accounts list --customer C1000042`, create, list, rename)
}

func (a *adminCLI) printBillingAccount(b admin.BillingAccount) error {
	return a.print(b, func(w io.Writer) {
		fields(w, "ID", b.ID, "Customer", b.CustomerID, "Name", b.Name, "Created", when(b.CreatedAt), "Updated", when(b.UpdatedAt))
	})
}

func (a *adminCLI) offersCmd() *cobra.Command {
	var in admin.Offer
	var levels string
	create := a.command("create", "Create an offer",
		`  eccsd admin offers create --id FE --name "Flexible Engine" --contract-type "Public Cloud" --support-levels BSC,STD,PRM`,
		cobra.NoArgs, func(ctx context.Context, c *adminclient.Client, _ []string) error {
			in.SupportLevels = splitList(levels)
			out, err := c.CreateOffer(ctx, in)
			if err != nil {
				return err
			}
			return a.printOffer(out)
		})
	create.Flags().StringVar(&in.ID, "id", "", "offer code")
	create.Flags().StringVar(&in.Name, "name", "", "name")
	create.Flags().StringVar(&in.ContractType, "contract-type", "", "type of its contracts, such as Public Cloud")
	create.Flags().StringVar(&levels, "support-levels", "", "comma-separated support levels; the first is the default")

	list := a.command("list", "List offers", `  eccsd admin offers list --output json`,
		cobra.NoArgs, func(ctx context.Context, c *adminclient.Client, _ []string) error {
			out, err := c.Offers(ctx)
			if err != nil {
				return err
			}
			return printList(a, out, adminclient.Page{}, "ID\tNAME\tCONTRACT TYPE\tSUPPORT LEVELS", func(o admin.Offer) []string {
				return []string{o.ID, o.Name, o.ContractType, strings.Join(o.SupportLevels, ",")}
			})
		})

	var name, contractType, newLevels string
	var update *cobra.Command
	update = a.command("update ID", "Change an offer",
		`  eccsd admin offers update FE --support-levels BSC,STD,PRM,GLD`,
		exactArgs("ID"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			u := admin.OfferUpdate{Name: changed(update, "name", name), ContractType: changed(update, "contract-type", contractType)}
			if update.Flags().Changed("support-levels") {
				u.SupportLevels = splitList(newLevels)
			}
			out, err := c.UpdateOffer(ctx, args[0], u)
			if err != nil {
				return err
			}
			return a.printOffer(out)
		})
	update.Flags().StringVar(&name, "name", "", "new name")
	update.Flags().StringVar(&contractType, "contract-type", "", "new contract type")
	update.Flags().StringVar(&newLevels, "support-levels", "", "new comma-separated support levels")

	return a.apiGroup("offers", "Create, list and update offers", "An offer is a product sold under contract, with the support levels a contract may choose.",
		`  eccsd admin offers create --id FE --name "Flexible Engine" --contract-type "Public Cloud" --support-levels BSC,STD
  eccsd admin offers list`, create, list, update)
}

func (a *adminCLI) printOffer(o admin.Offer) error {
	return a.print(o, func(w io.Writer) {
		fields(w, "ID", o.ID, "Name", o.Name, "Contract type", o.ContractType, "Support levels", strings.Join(o.SupportLevels, ","),
			"Created", when(o.CreatedAt), "Updated", when(o.UpdatedAt))
	})
}
