package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/adminclient"
)

func (a *adminCLI) documentsCmd() *cobra.Command {
	var page adminclient.Page
	list := a.command("list CONTRACT", "List a contract's documents, newest first", `  eccsd admin documents list OCB0000001 --limit 20
  eccsd admin documents list -c OCB0000001 -n 10 --offset 10`,
		exactArgs("CONTRACT"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.Documents(ctx, args[0], page)
			if err != nil {
				return err
			}
			return printList(a, out, page, "ID\tTYPE\tPERIOD\tAMOUNT\tFILENAME\tSIZE\tCREATED", func(d admin.Document) []string {
				return []string{d.ID, d.DocumentType, d.Period, amountText(d), d.Filename, strconv.FormatInt(d.Size, 10), when(d.CreatedAt)}
			})
		})
	pageFlags(list, &page)

	var meta adminclient.DocumentMeta
	var createdAt string
	upload := a.command("upload CONTRACT FILE", "Upload a billing document; the server checks the file against its type's format",
		`  eccsd admin documents upload OCB0000001 invoice-2024-03.pdf --type invoices --period 202403 --amount 1234.56 --currency EUR
  eccsd admin documents upload OCB0000001 conso.csv --type comsumptionRatedReports --period 202403 --amount 1234.56 --currency EUR --filename OCB0000001_202403_conso.csv
  eccsd admin documents upload OCB0000001 inv.pdf --id INV-2024-000317 --type invoices --period 202403 --amount 99.00 --currency EUR`,
		exactArgs("CONTRACT", "FILE"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			if createdAt != "" {
				t, err := time.Parse(time.RFC3339, createdAt)
				if err != nil {
					return usageError{fmt.Errorf("--created-at %q: give an RFC 3339 time such as 2024-04-02T08:00:00Z", createdAt)}
				}
				meta.CreatedAt = t
			}
			f, err := openUpload(args[1])
			if err != nil {
				return err
			}
			defer f.Close()
			out, err := c.UploadDocument(ctx, args[0], meta, f)
			if err != nil {
				return err
			}
			return a.printDocument(out)
		})
	uf := upload.Flags()
	uf.StringVar(&meta.ID, "id", "", "id of the new document, such as the one another billing system gave it: 1 to 64 of A-Z a-z 0-9 . _ - (default: a new random one)")
	uf.StringVarP(&meta.Type, "type", "t", "", "document type: bills, partialBills, invoices, reports, comsumptionRatedReports or partialConsumptionRatedReports")
	uf.StringVar(&meta.Period, "period", "", "month covered, YYYYMM")
	uf.StringVar(&meta.Amount, "amount", "", "amount, with at most two decimals and a '.', such as 1234.56")
	uf.StringVar(&meta.Currency, "currency", "", "ISO 4217 currency, such as EUR")
	uf.StringVar(&meta.Filename, "filename", "", "name customers download it under (default: <contract>_<period>_<type>.<ext>)")
	uf.StringVar(&createdAt, "created-at", "", "creation time, for documents loaded from another system (RFC 3339)")

	var change adminclient.DocumentChange
	replace := a.command("replace CONTRACT DOCUMENT FILE", "Replace a document's file and, optionally, its metadata",
		`  eccsd admin documents replace OCB0000001 u7t6r5e4z3a2q1s0 invoice-2024-03-v2.pdf --amount 1250.00`,
		exactArgs("CONTRACT", "DOCUMENT", "FILE"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			f, err := openUpload(args[2])
			if err != nil {
				return err
			}
			defer f.Close()
			out, err := c.ReplaceDocument(ctx, args[0], args[1], change, f)
			if err != nil {
				return err
			}
			return a.printDocument(out)
		})
	rf := replace.Flags()
	rf.StringVar(&change.Period, "period", "", "new period, YYYYMM")
	rf.StringVar(&change.Amount, "amount", "", "new amount, such as 1234.56")
	rf.StringVar(&change.Currency, "currency", "", "new currency")
	rf.StringVar(&change.Filename, "filename", "", "new file name")

	del := a.command("delete CONTRACT DOCUMENT", "Delete a document", `  eccsd admin documents delete OCB0000001 u7t6r5e4z3a2q1s0`,
		exactArgs("CONTRACT", "DOCUMENT"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			if err := c.DeleteDocument(ctx, args[0], args[1]); err != nil {
				return err
			}
			fmt.Fprintf(a.e.stderr, "deleted document %s of contract %s\n", args[1], args[0])
			return nil
		})

	var to string
	download := a.command("download CONTRACT DOCUMENT", "Download a document's file",
		`  eccsd admin documents download OCB0000001 u7t6r5e4z3a2q1s0                 # under its own name, here
  eccsd admin documents download OCB0000001 u7t6r5e4z3a2q1s0 --file bill.xlsx
  eccsd admin documents download OCB0000001 u7t6r5e4z3a2q1s0 --file - | sha256sum`,
		exactArgs("CONTRACT", "DOCUMENT"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			return a.download(ctx, c, args[0], args[1], to)
		})
	download.Flags().StringVar(&to, "file", "", `where to write the file ("-": standard output; default: its own name in the current directory)`)

	return a.apiGroup("documents", "List, upload, replace, delete and download a contract's billing documents",
		`Documents are the billing files of a contract. Uploads stream the file; the server checks it
against the format of its type and refuses it (exit 2) with the checker's reason.`,
		`  eccsd admin documents upload OCB0000001 bill.xlsx --type bills --period 202403 --amount 1234.56 --currency EUR
  eccsd admin documents list OCB0000001`, contractFlag(list), contractFlag(upload), contractFlag(replace), contractFlag(del), contractFlag(download))
}

// amountText writes a document's amount with its currency.
func amountText(d admin.Document) string {
	return strconv.FormatFloat(d.Amount, 'f', 2, 64) + " " + d.Currency
}

func (a *adminCLI) printDocument(d admin.Document) error {
	return a.print(d, func(w io.Writer) {
		fields(w, "ID", d.ID, "Contract", d.ContractID, "Type", d.DocumentType, "Period", d.Period, "Amount", amountText(d),
			"Filename", d.Filename, "Content type", d.ContentType, "Size", strconv.FormatInt(d.Size, 10), "SHA-256", d.SHA256,
			"Created", when(d.CreatedAt), "Updated", when(d.UpdatedAt))
	})
}

// openUpload opens a file to upload; a directory or a missing file is a local error.
func openUpload(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return f, nil
}

// download writes a document's bytes to to: "-" for stdout, "" for its own name in the
// current directory. It never overwrites a file, and removes what it wrote when the download
// fails.
func (a *adminCLI) download(ctx context.Context, c *adminclient.Client, contractID, documentID, to string) error {
	f, err := c.OpenDocument(ctx, contractID, documentID)
	if err != nil {
		return err
	}
	defer f.Body.Close()
	if to == "-" {
		_, err := io.Copy(a.e.stdout, f.Body)
		return err
	}
	if to == "" {
		// The name comes from the server: keep its last element only, never a path.
		to = filepath.Base(filepath.FromSlash(strings.ReplaceAll(f.Filename, `\`, "/")))
		if to == "." || to == ".." || to == string(filepath.Separator) || to == "" {
			return errors.New("the server named no file name for this document; give one with --file")
		}
	}
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s already exists; remove it or choose another name with --file", to)
		}
		return err
	}
	n, err := io.Copy(out, f.Body)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(to)
		return fmt.Errorf("download to %s: %w", to, err)
	}
	fmt.Fprintf(a.e.stderr, "wrote %s (%d bytes)\n", to, n)
	return nil
}
