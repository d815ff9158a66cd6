package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/adminclient"
)

// The commands of access: customer-space accounts, their API keys, and developer
// applications. Secrets the server issues (keys, client secrets) go to stdout once, and
// nowhere else.

func (a *adminCLI) accountsCmd() *cobra.Command {
	var in admin.NewAccount
	var billingAccounts, offers string
	var issueKey, invite bool
	var key admin.KeyRequest
	var language string
	var create *cobra.Command
	create = a.command("create", "Create a customer-space account: a client, or an administrator with a perimeter; optionally its API key",
		`  eccsd admin accounts create --type client --email claire.martin@acme.example --last-name Martin --first-name Claire
  eccsd admin accounts create --type administrator --email nadia.rousseau@acme.example --last-name Rousseau \
      --first-name Nadia --billing-accounts 20451001,20451002 --offers FE,CAV --issue-key --claim-link
  eccsd admin accounts create --type client --email paul.girard@acme.example --last-name Girard --first-name Paul --invite --language en
  acct=$(eccsd admin accounts create --email jane.doe@acme.example --last-name Doe --first-name Jane --output id)`,
		cobra.NoArgs, func(ctx context.Context, c *adminclient.Client, _ []string) error {
			if !issueKey {
				for _, name := range []string{"claim-link", "key-ttl", "claim-ttl"} {
					if create.Flags().Changed(name) {
						return usageError{fmt.Errorf("--%s tunes the key of --issue-key: add --issue-key, or issue the key later with `eccsd admin keys issue ACCOUNT`", name)}
					}
				}
			} else {
				in.IssueKey = &key
			}
			if invite {
				in.Invite = &admin.InvitationRequest{Language: language}
			} else if create.Flags().Changed("language") {
				return usageError{fmt.Errorf("--language goes with --invite: add --invite, or invite later with `eccsd admin accounts invite ACCOUNT --language %s`", language)}
			}
			if create.Flags().Changed("billing-accounts") || create.Flags().Changed("offers") || in.Type == admin.AccountAdministrator {
				in.Perimeter = &admin.Perimeter{BillingAccountIDs: splitList(billingAccounts), OfferIDs: splitList(offers)}
			}
			out, err := c.CreateAccount(ctx, in)
			if err != nil {
				return err
			}
			if err := a.printAccount(out); err != nil {
				return err
			}
			a.notices(out.Notices)
			return nil
		})
	f := create.Flags()
	f.StringVar(&in.Type, "type", admin.AccountClient, "account type: client or administrator")
	personFlags(create, &in.Person, "")
	f.StringVar(&in.Login, "login", "", "login, when the person's identity is new (default: made from their name)")
	f.StringVar(&billingAccounts, "billing-accounts", "", "administrator's perimeter: comma-separated billing account ids")
	f.StringVar(&offers, "offers", "", "administrator's perimeter: comma-separated offer codes")
	f.BoolVar(&issueKey, "issue-key", false, "issue the account's API key at once, printed after the account (once), or as a claim link with --claim-link")
	f.BoolVar(&key.ClaimLink, "claim-link", false, "with --issue-key: answer a one-time link that reveals the key, instead of the key")
	f.StringVar(&key.TTL, "key-ttl", "", "with --issue-key: lifetime of the key, such as 17520h or 365d (default: two years)")
	f.StringVar(&key.ClaimTTL, "claim-ttl", "", "with --issue-key --claim-link: lifetime of the claim link, such as 24h (default 24h)")
	f.BoolVar(&invite, "invite", false, "invite the holder, by mail, to choose their password for the web space (not with --issue-key)")
	f.StringVar(&language, "language", "", "with --invite: the language of the person's mails, fr or en (default: theirs, or fr)")
	shownOnce(create, a, "key", "add --claim-link, or use --output json", func() bool { return issueKey && !key.ClaimLink })

	var inviteLanguage string
	inviteCmd := a.command("invite ACCOUNT", "Invite an account's holder, by mail, to choose their password for the web space (ACCOUNT: its id, or its holder's e-mail or login)",
		`  eccsd admin accounts invite q2w3e4r5t6y7u8i9
  eccsd admin accounts invite claire.martin@acme.example --language en`,
		exactArgs("ACCOUNT"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.InviteAccount(ctx, args[0], admin.InvitationRequest{Language: inviteLanguage})
			if err != nil {
				return err
			}
			return a.print(out, func(w io.Writer) { invitationFields(w, out) })
		})
	inviteCmd.Flags().StringVar(&inviteLanguage, "language", "", "the language of the person's mails, fr or en (default: theirs, or fr)")

	var page adminclient.Page
	list := a.command("list", "List accounts", `  eccsd admin accounts list`,
		cobra.NoArgs, func(ctx context.Context, c *adminclient.Client, _ []string) error {
			out, err := c.Accounts(ctx, page)
			if err != nil {
				return err
			}
			return printList(a, out, page, "ID\tTYPE\tLOGIN\tNAME\tEMAIL\tPERIMETER", func(acct admin.Account) []string {
				return []string{acct.ID, acct.Type, acct.Identity.Login, acct.Identity.FirstName + " " + acct.Identity.LastName, acct.Identity.Email, orDash(perimeterText(acct.Perimeter))}
			})
		})
	pageFlags(list, &page)

	show := a.command("show ACCOUNT", "Show an account, named by its id or its holder's e-mail or login",
		`  eccsd admin accounts show q2w3e4r5t6y7u8i9
  eccsd admin accounts show nadia.rousseau@acme.example
  eccsd admin accounts show nadia.rousseau.admin`,
		exactArgs("ACCOUNT"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.Account(ctx, args[0])
			if err != nil {
				return err
			}
			return a.printAccount(out)
		})

	var pba, poffers string
	perimeter := a.command("perimeter ACCOUNT --billing-accounts IDS --offers CODES", "Replace an administrator account's perimeter (ACCOUNT: its id, or its holder's e-mail or login)",
		`  eccsd admin accounts perimeter q2w3e4r5t6y7u8i9 --billing-accounts 20451001 --offers FE,CAV
  eccsd admin accounts perimeter nadia.rousseau@acme.example --billing-accounts 20451001,20451002 --offers FE`,
		exactArgs("ACCOUNT"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.SetPerimeter(ctx, args[0], admin.Perimeter{BillingAccountIDs: splitList(pba), OfferIDs: splitList(poffers)})
			if err != nil {
				return err
			}
			return a.printAccount(out)
		})
	perimeter.Flags().StringVar(&pba, "billing-accounts", "", "comma-separated billing account ids")
	perimeter.Flags().StringVar(&poffers, "offers", "", "comma-separated offer codes")

	return a.apiGroup("accounts", "Create, list and show customer-space accounts; set an administrator's perimeter",
		`An account is what an API key authenticates. A client account sees the contracts its person is
declared on; an administrator account sees every contract whose billing account AND offer are
in its perimeter.

Commands that take an ACCOUNT take its id, or the e-mail address or login of the person who
holds it (when that person holds several accounts, the server names them: use the id).`,
		`  eccsd admin accounts create --type administrator --email nadia.rousseau@acme.example --last-name Rousseau --first-name Nadia --billing-accounts 20451001 --offers FE --issue-key --claim-link
  eccsd admin accounts show nadia.rousseau@acme.example`, create, list, show, perimeter, inviteCmd)
}

func perimeterText(p *admin.Perimeter) string {
	if p == nil {
		return ""
	}
	return "billing accounts " + orDash(strings.Join(p.BillingAccountIDs, ",")) + "; offers " + orDash(strings.Join(p.OfferIDs, ","))
}

// printAccount prints an account and, when it was created with its key, the key as `keys
// issue` prints it, after the account.
func (a *adminCLI) printAccount(acct admin.Account) error {
	id := acct.Identity
	fieldsOf := func(w io.Writer) {
		fields(w, "ID", acct.ID, "Type", acct.Type, "Identity", id.ID, "Login", id.Login, "Name", strings.TrimSpace(id.Civility+" "+id.FirstName+" "+id.LastName),
			"E-mail", id.Email, "Perimeter", perimeterText(acct.Perimeter), "Created", when(acct.CreatedAt), "Updated", when(acct.UpdatedAt))
	}
	if acct.Invitation != nil {
		return a.print(acct, func(w io.Writer) {
			fieldsOf(w)
			fmt.Fprintln(w)
			invitationFields(w, *acct.Invitation)
		})
	}
	if acct.IssuedKey == nil {
		return a.print(acct, fieldsOf)
	}
	k := *acct.IssuedKey
	return a.printIssued(acct, func(w io.Writer) {
		fieldsOf(w)
		fmt.Fprintln(w)
		keyFields(w, k.APIKey)
	}, issuedSecret{what: "key", label: "API key", value: k.Key, claim: k.Claim})
}

// keyRequestFlags adds the flags of a new key: lifetime and claim link.
func keyRequestFlags(cmd *cobra.Command, in *admin.KeyRequest) {
	cmd.Flags().StringVar(&in.TTL, "ttl", "", "lifetime of the key, such as 17520h or 365d (default: two years)")
	cmd.Flags().BoolVar(&in.ClaimLink, "claim-link", false, "answer a one-time link that reveals the key, instead of the key")
	cmd.Flags().StringVar(&in.ClaimTTL, "claim-ttl", "", "lifetime of the claim link, such as 24h (default 24h)")
}

func (a *adminCLI) keysCmd() *cobra.Command {
	var req admin.KeyRequest
	issue := a.command("issue ACCOUNT", "Issue an API key to an account (its id, or its holder's e-mail or login): printed once, or as a one-time claim link",
		`  eccsd admin keys issue q2w3e4r5t6y7u8i9
  eccsd admin keys issue nadia.rousseau@acme.example --claim-link
  eccsd admin keys issue nadia.rousseau.admin --ttl 8760h --claim-link --claim-ttl 48h`,
		exactArgs("ACCOUNT"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.IssueKey(ctx, args[0], req)
			if err != nil {
				return err
			}
			return a.printIssuedKey(out)
		})
	keyRequestFlags(issue, &req)
	shownOnce(issue, a, "key", "add --claim-link, or use --output json", func() bool { return !req.ClaimLink })

	var filter adminclient.KeyFilter
	list := a.command("list", "List API keys (never the keys themselves)",
		`  eccsd admin keys list --account q2w3e4r5t6y7u8i9 --include-inactive
  eccsd admin keys list --account nadia.rousseau@acme.example --output id`,
		cobra.NoArgs, func(ctx context.Context, c *adminclient.Client, _ []string) error {
			out, err := c.Keys(ctx, filter)
			if err != nil {
				return err
			}
			return a.printKeys(out, filter.Page)
		})
	list.Flags().StringVar(&filter.AccountID, "account", "", "only the keys of this ACCOUNT: its id, or its holder's e-mail or login")
	list.Flags().BoolVar(&filter.IncludeInactive, "include-inactive", false, "list revoked and expired keys too")
	pageFlags(list, &filter.Page)

	var within string
	var expPage adminclient.Page
	expiring := a.command("expiring --within 30d", "List the active keys of every account that expire soon",
		`  eccsd admin keys expiring --within 30d
  eccsd admin keys expiring --within 720h --output json | jq -r '.items[].accountId'`,
		cobra.NoArgs, func(ctx context.Context, c *adminclient.Client, _ []string) error {
			out, err := c.Keys(ctx, adminclient.KeyFilter{ExpiringWithin: within, Page: expPage})
			if err != nil {
				return err
			}
			return a.printKeys(out, expPage)
		})
	expiring.Flags().StringVar(&within, "within", "30d", "delay, such as 30d or 720h")
	pageFlags(expiring, &expPage)

	show := a.command("show ID", "Show an API key's metadata", `  eccsd admin keys show a1s2d3f4g5h6j7k8`,
		exactArgs("ID"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.Key(ctx, args[0])
			if err != nil {
				return err
			}
			return a.printKey(out)
		})

	revoke := a.command("revoke ID", "Revoke an API key at once", `  eccsd admin keys revoke a1s2d3f4g5h6j7k8`,
		exactArgs("ID"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.RevokeKey(ctx, args[0])
			if err != nil {
				return err
			}
			return a.printKey(out)
		})

	var rot admin.KeyRotation
	rotate := a.command("rotate ID", "Issue a new key for the same account; the old one works for --overlap, then stops",
		`  eccsd admin keys rotate a1s2d3f4g5h6j7k8 --overlap 24h
  eccsd admin keys rotate a1s2d3f4g5h6j7k8 --claim-link`,
		exactArgs("ID"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.RotateKey(ctx, args[0], rot)
			if err != nil {
				return err
			}
			return a.printIssuedKey(out)
		})
	rotate.Flags().StringVar(&rot.Overlap, "overlap", "", "how long the old key keeps working, such as 24h (default: not at all)")
	keyRequestFlags(rotate, &rot.KeyRequest)
	shownOnce(rotate, a, "key", "add --claim-link, or use --output json", func() bool { return !rot.ClaimLink })

	return a.apiGroup("keys", "Issue, list, revoke and rotate API keys",
		`API keys authenticate customer-space accounts (X-API-Key). A new key is shown once, on
standard output, or given as a one-time claim link to send to its holder. An ACCOUNT is its id,
or the e-mail address or login of the person who holds it.`,
		`  eccsd admin keys issue nadia.rousseau@acme.example --claim-link
  eccsd admin keys expiring --within 30d`, issue, list, expiring, show, revoke, rotate)
}

func keyState(k admin.APIKey) string {
	if !k.RevokedAt.IsZero() {
		return "revoked " + when(k.RevokedAt)
	}
	return "active"
}

func (a *adminCLI) printKeys(list admin.List[admin.APIKey], p adminclient.Page) error {
	return printList(a, list, p, "ID\tACCOUNT\tPREFIX\tCREATED\tEXPIRES\tSTATE\tLAST USED", func(k admin.APIKey) []string {
		return []string{k.ID, k.AccountID, k.Prefix, when(k.CreatedAt), when(k.ExpiresAt), keyState(k), orDash(when(k.LastUsedAt))}
	})
}

func (a *adminCLI) printKey(k admin.APIKey) error {
	return a.print(k, func(w io.Writer) {
		fields(w, "ID", k.ID, "Account", k.AccountID, "Prefix", k.Prefix, "Created", when(k.CreatedAt), "Expires", when(k.ExpiresAt),
			"State", keyState(k), "Last used", when(k.LastUsedAt), "Last used from", k.LastUsedFrom)
	})
}

// printIssuedKey prints a new key (once, to stdout) or its claim link, after the key's
// metadata.
func (a *adminCLI) printIssuedKey(k admin.IssuedKey) error {
	return a.printIssued(k, func(w io.Writer) { keyFields(w, k.APIKey) }, issuedSecret{what: "key", label: "API key", value: k.Key, claim: k.Claim})
}

// keyFields writes the metadata of a key just issued.
func keyFields(w io.Writer, k admin.APIKey) {
	fields(w, "Key id", k.ID, "Account", k.AccountID, "Prefix", k.Prefix, "Expires", when(k.ExpiresAt))
}

// issuedSecret is a secret the server issued with an object: in clear, shown once, or as the
// one-time claim link that reveals it.
type issuedSecret struct {
	what  string // what the notes call it: "key", "client secret"
	label string // its label in the table: "API key", "Client secret"
	value string // "" when it is given as a claim link
	claim *admin.Claim
}

// printIssued prints v, an object that comes with an issued secret, as every command that issues
// one does: in the table, the object's fields (object) first, then the secret or "Claim link"
// and "Link expires"; on stderr, how the secret is handed over. With --output id, the object's
// id alone on stdout, and the claim link on stderr.
func (a *adminCLI) printIssued(v any, object func(w io.Writer), s issuedSecret) error {
	err := a.print(v, func(w io.Writer) {
		object(w)
		fields(w, s.label, s.value)
		if s.claim != nil {
			fields(w, "Claim link", s.claim.URL, "Link expires", when(s.claim.ExpiresAt))
		}
	})
	switch {
	case err != nil:
	case a.output == outputTable:
		a.secretHint(s.value != "", s.claim, s.what)
	case a.output == outputID:
		a.claimToStderr(s.claim, s.what)
	}
	return err
}

// claimToStderr writes, with --output id, the claim link the id alone would hide: stdout holds
// the id for the script, the link reaches the operator.
func (a *adminCLI) claimToStderr(claim *admin.Claim, what string) {
	if claim != nil {
		fmt.Fprintf(a.e.stderr, "Claim link (it reveals the %s once, until %s): %s\n", what, when(claim.ExpiresAt), claim.URL)
	}
}

// secretHint tells, on stderr, how an issued secret is handed over; it never repeats it.
func (a *adminCLI) secretHint(inClear bool, claim *admin.Claim, what string) {
	switch {
	case inClear:
		fmt.Fprintf(a.e.stderr, "The %s above is shown once: store it now, it cannot be shown again.\n", what)
	case claim != nil:
		fmt.Fprintf(a.e.stderr, "Send the claim link to its holder: it reveals the %s once, until %s.\n", what, when(claim.ExpiresAt))
	}
}

func (a *adminCLI) appsCmd() *cobra.Command {
	create := a.appsCreateCmd()

	var page adminclient.Page
	list := a.command("list", "List applications", `  eccsd admin apps list`,
		cobra.NoArgs, func(ctx context.Context, c *adminclient.Client, _ []string) error {
			out, err := c.Applications(ctx, page)
			if err != nil {
				return err
			}
			return printList(a, out, page, "ID\tCLIENT ID\tNAME\tSTATUS\tSUBSCRIPTION\tTERMS ACCEPTED", func(app admin.Application) []string {
				return []string{app.ID, app.ClientID, app.Name, app.Status, app.Subscription, orDash(when(app.TermsAcceptedAt))}
			})
		})
	pageFlags(list, &page)

	show := a.command("show ID", "Show an application", `  eccsd admin apps show z1x2c3v4b5n6m7l8`,
		exactArgs("ID"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.Application(ctx, args[0])
			if err != nil {
				return err
			}
			return a.printApp(out)
		})

	subscription := a.command("subscription ID STATE", "Set an application's subscription: pending, approved, rejected or suspended",
		`  eccsd admin apps subscription z1x2c3v4b5n6m7l8 suspended`,
		exactArgs("ID", "STATE"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.SetSubscription(ctx, args[0], args[1])
			if err != nil {
				return err
			}
			return a.printApp(out)
		})

	var by string
	terms := a.command("terms ID --accepted-by NAME", "Record who accepted the API's terms of use for an application",
		`  eccsd admin apps terms z1x2c3v4b5n6m7l8 --accepted-by "Claire Martin"`,
		exactArgs("ID"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.AcceptTerms(ctx, args[0], by)
			if err != nil {
				return err
			}
			return a.printApp(out)
		})
	terms.Flags().StringVar(&by, "accepted-by", "", "who accepted them")

	rotate := a.appsRotateSecretCmd()

	children := append([]*cobra.Command{create, list, show}, a.appsMoveCmds()...)
	children = append(children, subscription, terms, rotate)
	return a.apiGroup("apps", "Register developer applications; approve, reject, suspend, block, activate or delete them",
		`An application gets access tokens with its client id and secret. Its calls succeed when it is
active, its subscription approved and the API's terms of use accepted.`,
		`  eccsd admin apps create --name "Acme dashboard" --approve --accept-terms-by "Claire Martin"
  eccsd admin apps suspend z1x2c3v4b5n6m7l8`, children...)
}

// appsCreateCmd is eccsd admin apps create: it registers an application and, with
// --accept-terms-by, records its terms in a second call.
func (a *adminCLI) appsCreateCmd() *cobra.Command {
	var in admin.NewApplication
	var approve bool
	var termsBy string
	create := a.command("create --name NAME", "Register a developer application: its client secret is printed once, or given as a claim link",
		`  eccsd admin apps create --name "Acme billing dashboard"
  eccsd admin apps create --name "Acme billing dashboard" --approve --accept-terms-by "Claire Martin" --claim-link`,
		cobra.NoArgs, func(ctx context.Context, c *adminclient.Client, _ []string) error {
			if approve {
				if in.Subscription != "" && in.Subscription != admin.SubscriptionApproved {
					return usageError{fmt.Errorf("--approve and --subscription %s disagree", in.Subscription)}
				}
				in.Subscription = admin.SubscriptionApproved
			}
			out, err := c.CreateApplication(ctx, in)
			if err != nil {
				return err
			}
			var termsErr error
			if termsBy != "" {
				// A second call: if it fails, the application exists all the same, and its
				// secret must still be printed.
				app, err := c.AcceptTerms(ctx, out.Application.ID, termsBy)
				if err == nil {
					out.Application = app
				}
				termsErr = err
			}
			if err := a.printIssuedApp(out); err != nil {
				return err
			}
			if termsErr != nil {
				return fmt.Errorf("application %s was created, but its terms were not recorded (retry with `eccsd admin apps terms %s --accepted-by …`): %w", out.Application.ID, out.Application.ID, termsErr)
			}
			return nil
		})
	f := create.Flags()
	f.StringVar(&in.Name, "name", "", "application name")
	f.StringVar(&in.Subscription, "subscription", "", "subscription: pending (default) or approved")
	f.BoolVar(&approve, "approve", false, "approve its subscription at once (same as --subscription approved)")
	f.StringVar(&termsBy, "accept-terms-by", "", "record that this person accepted the API's terms of use")
	f.BoolVar(&in.ClaimLink, "claim-link", false, "answer a one-time link that reveals the client secret, instead of the secret")
	f.StringVar(&in.ClaimTTL, "claim-ttl", "", "lifetime of the claim link, such as 24h (default 24h)")
	shownOnce(create, a, "client secret", "add --claim-link, or use --output json", func() bool { return !in.ClaimLink })
	return create
}

// appsMoveCmds are the commands of the moves an operator makes on an application (approve,
// reject, suspend, block, activate, delete): one call each.
func (a *adminCLI) appsMoveCmds() []*cobra.Command {
	moves := []struct {
		use, short string
		do         func(ctx context.Context, c *adminclient.Client, id string) (admin.Application, error)
	}{
		{"approve", "Approve an application's subscription to the API", func(ctx context.Context, c *adminclient.Client, id string) (admin.Application, error) {
			return c.SetSubscription(ctx, id, admin.SubscriptionApproved)
		}},
		{"reject", "Reject an application's subscription: its calls are refused (403/50)", func(ctx context.Context, c *adminclient.Client, id string) (admin.Application, error) {
			return c.SetSubscription(ctx, id, admin.SubscriptionRejected)
		}},
		{"suspend", "Suspend an application: it gets no token, and its tokens are refused", func(ctx context.Context, c *adminclient.Client, id string) (admin.Application, error) {
			return c.SetApplicationStatus(ctx, id, admin.StatusSuspended)
		}},
		{"block", "Block an application: its calls are refused (403/51)", func(ctx context.Context, c *adminclient.Client, id string) (admin.Application, error) {
			return c.SetApplicationStatus(ctx, id, admin.StatusBlocked)
		}},
		{"activate", "Make a suspended or blocked application active again", func(ctx context.Context, c *adminclient.Client, id string) (admin.Application, error) {
			return c.SetApplicationStatus(ctx, id, admin.StatusActive)
		}},
		{"delete", "Delete an application for good", func(ctx context.Context, c *adminclient.Client, id string) (admin.Application, error) {
			return c.DeleteApplication(ctx, id)
		}},
	}
	var moveCmds []*cobra.Command
	for _, m := range moves {
		moveCmds = append(moveCmds, a.command(m.use+" ID", m.short, "  eccsd admin apps "+m.use+" z1x2c3v4b5n6m7l8",
			exactArgs("ID"), func(ctx context.Context, c *adminclient.Client, args []string) error {
				out, err := m.do(ctx, c, args[0])
				if err != nil {
					return err
				}
				return a.printApp(out)
			}))
	}
	return moveCmds
}

// appsRotateSecretCmd is eccsd admin apps rotate-secret.
func (a *adminCLI) appsRotateSecretCmd() *cobra.Command {
	var rot admin.SecretRotation
	rotate := a.command("rotate-secret ID", "Give an application a new client secret; the previous one works for --overlap",
		`  eccsd admin apps rotate-secret z1x2c3v4b5n6m7l8 --overlap 24h`,
		exactArgs("ID"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.RotateClientSecret(ctx, args[0], rot)
			if err != nil {
				return err
			}
			return a.printIssuedApp(out)
		})
	rotate.Flags().StringVar(&rot.Overlap, "overlap", "", "how long the previous secret keeps working, such as 24h (default: not at all)")
	rotate.Flags().BoolVar(&rot.ClaimLink, "claim-link", false, "answer a one-time link that reveals the secret, instead of the secret")
	rotate.Flags().StringVar(&rot.ClaimTTL, "claim-ttl", "", "lifetime of the claim link (default 24h)")
	shownOnce(rotate, a, "client secret", "add --claim-link, or use --output json", func() bool { return !rot.ClaimLink })
	return rotate
}

func (a *adminCLI) printApp(app admin.Application) error {
	return a.print(app, func(w io.Writer) { appFields(w, app) })
}

func appFields(w io.Writer, app admin.Application) {
	terms := ""
	if !app.TermsAcceptedAt.IsZero() {
		terms = when(app.TermsAcceptedAt) + " by " + app.TermsAcceptedBy
	}
	fields(w, "ID", app.ID, "Client id", app.ClientID, "Name", app.Name, "Status", app.Status, "Subscription", app.Subscription,
		"Terms accepted", terms, "Previous secret until", when(app.PreviousSecretExpiresAt), "Created", when(app.CreatedAt), "Updated", when(app.UpdatedAt))
}

// printIssuedApp prints an application with its new client secret (once, to stdout) or its
// claim link, after the application; then, on stderr, what the server noticed (a rotation
// during another's overlap ends the secret that overlap kept).
func (a *adminCLI) printIssuedApp(out admin.IssuedApplication) error {
	err := a.printIssued(out, func(w io.Writer) { appFields(w, out.Application) },
		issuedSecret{what: "client secret", label: "Client secret", value: out.ClientSecret, claim: out.Claim})
	if err == nil {
		a.notices(out.Notices)
	}
	return err
}

// invitationFields prints an invitation: what was sent to whom, never the link.
func invitationFields(w io.Writer, inv admin.Invitation) {
	fields(w, "Invited", inv.Email, "Account", inv.AccountID, "Language", inv.Language, "Link", inv.LinkID+" (sent by mail)",
		"Expires", when(inv.ExpiresAt))
}
