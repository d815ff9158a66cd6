package main

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/adminclient"
)

// The commands of people: a person's own data (e-mail, login, name, phones), which every
// customer that declares them starts from. Customers' own records of them are not changed.

// personUpdateFlags are the flags of `people update`, in the order of admin.PersonUpdate.
var personUpdateFlags = []string{"email", "login", "civility", "last-name", "first-name", "fix-phone", "mobile-phone"}

func (a *adminCLI) peopleCmd() *cobra.Command {
	show := a.command("show PERSON", "Show a person's own data, by their identity id or e-mail address",
		`  eccsd admin people show claire.martin@acme.example
  eccsd admin people show k3j5h2g4f6d8s0a1`,
		exactArgs("PERSON"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.Person(ctx, args[0])
			if err != nil {
				return err
			}
			return a.printPerson(out)
		})

	var p admin.Identity
	var update *cobra.Command
	update = a.command("update PERSON", "Correct a person's own data; only the flags given change",
		`  eccsd admin people update claire.martin@acme.example --last-name Martin-Dupont
  eccsd admin people update claire.martin@acme.example --email claire.martin@acme-group.example
  eccsd admin people update k3j5h2g4f6d8s0a1 --fix-phone ""          # removes it`,
		exactArgs("PERSON"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			u := admin.PersonUpdate{
				Email: changed(update, "email", p.Email), Login: changed(update, "login", p.Login),
				Civility: changed(update, "civility", p.Civility), LastName: changed(update, "last-name", p.LastName),
				FirstName: changed(update, "first-name", p.FirstName), FixPhone: changed(update, "fix-phone", p.FixPhone),
				MobilePhone: changed(update, "mobile-phone", p.MobilePhone),
			}
			if u == (admin.PersonUpdate{}) {
				return usageError{errors.New("nothing to change: give at least one of --" + strings.Join(personUpdateFlags, ", --"))}
			}
			out, err := c.UpdatePerson(ctx, args[0], u)
			if err != nil {
				return err
			}
			return a.printPerson(out)
		})
	f := update.Flags()
	f.StringVar(&p.Email, "email", "", "new e-mail address (no other person may have it)")
	f.StringVar(&p.Login, "login", "", "new login (8 to 64 of A-Z a-z 0-9 . _ -; no other person may have it)")
	f.StringVar(&p.Civility, "civility", "", `new civility: M, Mr, Mrs, Ms, Miss, Mme, Mlle or Dr ("" removes it)`)
	f.StringVar(&p.LastName, "last-name", "", "new last name")
	f.StringVar(&p.FirstName, "first-name", "", "new first name")
	f.StringVar(&p.FixPhone, "fix-phone", "", `new landline phone number ("" removes it)`)
	f.StringVar(&p.MobilePhone, "mobile-phone", "", `new mobile phone number ("" removes it)`)

	return a.apiGroup("people", "Show and correct a person's own data, by identity id or e-mail",
		`A person (an identity) is known once, by their e-mail address: contracts, users and accounts
that name the same e-mail share them, and keep the person's own data as it was first given.
When later data differs, the server says so in a notice; "people update" corrects it. PERSON is
the identity id or the e-mail address. Each customer's own record of the person is left as it
is.`,
		`  eccsd admin people show claire.martin@acme.example
  eccsd admin people update claire.martin@acme.example --mobile-phone "+33 6 11 22 33 44"`, show, update)
}

func (a *adminCLI) printPerson(p admin.Identity) error {
	return a.print(p, func(w io.Writer) {
		fields(w, "Identity", p.ID, "Login", p.Login, "Name", strings.TrimSpace(p.Civility+" "+p.FirstName+" "+p.LastName),
			"E-mail", p.Email, "Landline", p.FixPhone, "Mobile", p.MobilePhone)
	})
}
