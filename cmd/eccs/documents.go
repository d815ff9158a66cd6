package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/client"
	"github.com/eccs/eccs/cmd/internal/progress"
)

func (a *app) documentsCommand() *cobra.Command {
	return group(&cobra.Command{
		Use:     "documents",
		Aliases: []string{"document", "docs"},
		Short:   "List and download billing documents",
		Long: `List and download the billing documents of a contract: bills, invoices, reports, partialBills,
comsumptionRatedReports (the wire's own spelling), partialConsumptionRatedReports.`,
		Example: `  eccs documents list --contract OCB0000001 --type bills
  eccs documents download --contract OCB0000001 --latest --type bills -o ~/bills`,
	}, a.documentsListCommand(), a.documentsDownloadCommand())
}

var periodRE = regexp.MustCompile(`^[0-9]{4}(0[1-9]|1[0-2])$`)

func checkPeriod(cmd *cobra.Command, p string) error {
	if p != "" && !periodRE.MatchString(p) {
		return usagef(cmd, "--period %q: want a month as YYYYMM, such as 202605", p)
	}
	return nil
}

func (a *app) documentsListCommand() *cobra.Command {
	var contract, docType, period string
	var limit, offset int
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the documents of a contract, newest first",
		Long: `List the documents of a contract, newest first (period, then creation): of one type with
--type, of one month with --period YYYYMM (the month the document covers), at most --limit of
them (default 10; 0 for all), after the first --offset of them. Types the account's role does
not show are absent. A table that is not the whole list says so on stderr, with how many there
are.`,
		Example: `  eccs documents list --contract OCB0000001
  eccs documents list -c OCB0000001 --type comsumptionRatedReports --limit 0 --output csv
  eccs documents list -c OCB0000001 --limit 10 --offset 10
  eccs documents list -c OCB0000001 --period 202605 --output json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := documentType(cmd, docType)
			if err != nil {
				return err
			}
			if err := checkPeriod(cmd, period); err != nil {
				return err
			}
			if limit < 0 {
				return usagef(cmd, "--limit %d: want 0 (all) or more", limit)
			}
			if offset < 0 {
				return usagef(cmd, "--offset %d: want 0 or more", offset)
			}
			c, s, err := a.client()
			if err != nil {
				return err
			}
			id, err := a.contract(cmd, contract, s)
			if err != nil {
				return err
			}
			// A table is for people: it says when it is not the whole list, which takes the
			// count of them all (the server's, or by paging when the period filters here).
			f, _ := a.format(cmd)
			list, total, err := listDocuments(cmd.Context(), c, id, t, period, limit, offset, f == outputTable)
			if err != nil {
				return aboutContract(id, err)
			}
			if f != outputTable {
				return a.print(cmd, list, documentRows(list))
			}
			if err := writeTable(a.stdout, documentTable(list)); err != nil {
				return err
			}
			if shown := offset + len(list); shown < total {
				// As eccsd admin's lists say it.
				fmt.Fprintf(a.stderr, "showing %d to %d of %d; use --limit 0 for all, or --offset %d\n", offset+1, shown, total, shown)
			}
			return nil
		},
	}
	a.contractFlag(cmd, &contract)
	f := cmd.Flags()
	f.StringVarP(&docType, "type", "t", "", "document type (default: every type)")
	f.StringVar(&period, "period", "", "month the documents cover, YYYYMM")
	f.IntVarP(&limit, "limit", "n", 10, "at most this many documents; 0 for all")
	f.IntVar(&offset, "offset", 0, "number of documents to skip")
	cmd.RegisterFlagCompletionFunc("type", documentTypeCompletion)
	return cmd
}

// listDocuments returns at most limit (0: every) documents of a type and period, after the
// first offset of them, and how many there are in all (-1 when it is not known). It makes one
// call when the API can filter alone, and then takes the total the server announces; else it
// pages, and when count is set it pages through them all to count them. The offset is counted
// here, not sent: the real API knows none.
func listDocuments(ctx context.Context, c *client.Client, contract, docType, period string, limit, offset int, count bool) ([]api.Document, int, error) {
	list := []api.Document{}
	if period == "" && limit > 0 && limit+offset <= client.MaxPageSize {
		docs, total, err := c.DocumentsPage(ctx, contract, client.DocumentQuery{Type: docType, Limit: limit + offset})
		if len(docs) > offset {
			list = docs[offset:]
		}
		return list, total, err
	}
	pageSize := client.MaxPageSize
	if !count && period == "" && limit > 0 {
		pageSize = min(limit+offset, client.MaxPageSize)
	}
	matched := 0
	for d, err := range c.AllDocuments(ctx, contract, docType, pageSize) {
		if err != nil {
			return nil, -1, err
		}
		if period != "" && d.Period < period {
			break // newest first: none of that period comes later
		}
		if period != "" && d.Period != period {
			continue
		}
		matched++
		if matched > offset && (limit == 0 || len(list) < limit) {
			list = append(list, d)
		}
		if !count && limit > 0 && len(list) == limit {
			break
		}
	}
	if !count {
		return list, -1, nil
	}
	return list, matched, nil
}

// downloadResult is what `documents download` prints.
type downloadResult struct {
	Path        string `json:"path"`
	DocumentID  string `json:"documentId"`
	Filename    string `json:"filename"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	Verified    bool   `json:"verified"`
	Resumed     int    `json:"resumed"`
}

func (a *app) documentsDownloadCommand() *cobra.Command {
	var contract, docType, period, dir string
	var latest, zipped, private bool
	cmd := &cobra.Command{
		Use:     "download (DOCUMENT-ID | --latest [--type TYPE] [--period YYYYMM])",
		Aliases: []string{"get"},
		Short:   "Download a document into a directory, or to standard output",
		Long: `Download a document into a directory (-o, default the current one) under the name the server
gives, and print its path. The file appears under that name only once complete and checked
against the server's SHA-256; a broken connection resumes where it stopped. It gets the mode of
any new file (0666 less the umask); --private makes it readable by its owner only (0600).
--latest takes the newest document of --type (and of --period); --zipped asks for a ZIP archive
holding the file. A progress bar shows on stderr when it is a terminal.

-o - writes the bytes to standard output instead, and nothing else: no file, no path. The
SHA-256 is still checked at the end: when it does not match, the command fails (exit 1) after
the bytes were written, so a pipeline must not trust its output then (set -o pipefail).`,
		Example: `  eccs documents download --contract OCB0000001 z7hb7ozglgsifret
  eccs documents download -c OCB0000001 --latest --type bills -o ~/bills --private
  eccs documents download -c OCB0000001 --latest --type comsumptionRatedReports --period 202605 --zipped
  eccs documents download -c OCB0000001 --latest --type reports -o - | pdftotext - -`,
		Args:              maxArgs(1, "one document id"),
		ValidArgsFunction: a.documentIDCompletion(&contract, &docType),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case latest && len(args) > 0:
				return usagef(cmd, "give a document id or --latest, not both")
			case !latest && len(args) == 0:
				return usagef(cmd, "give a document id, or --latest with --type")
			case !latest && (docType != "" || period != ""):
				return usagef(cmd, "--type and --period choose the document of --latest")
			}
			t, err := documentType(cmd, docType)
			if err != nil {
				return err
			}
			if err := checkPeriod(cmd, period); err != nil {
				return err
			}
			format, err := a.format(cmd)
			if err != nil {
				return err
			}
			toStdout := dir == "-"
			switch {
			case toStdout && format != outputTable:
				return usagef(cmd, "-o - writes the document to standard output: --output %s has no room there", format)
			case toStdout && zipped:
				return usagef(cmd, "-o - with --zipped: an archive is checked once whole, in a file; download it with -o DIR")
			case toStdout && private:
				return usagef(cmd, "-o - with --private: no file is written, standard output is yours to protect")
			case !toStdout:
				if err := checkOutputDir(cmd, dir); err != nil {
					return err
				}
			}
			c, s, err := a.client()
			if err != nil {
				return err
			}
			id, err := a.contract(cmd, contract, s)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var docID string
			if latest {
				d, err := c.LatestDocument(ctx, id, t, period)
				if err != nil {
					return aboutContract(id, err)
				}
				docID = d.ID
			} else {
				docID = args[0]
			}
			var opts []client.DownloadOption
			var bar *progress.Bar
			if a.isTerminal(a.stderr) {
				bar = progress.New(a.stderr, docID, -1, progress.Bytes)
				opts = append(opts, client.OnProgress(bar.Set))
			}
			if toStdout {
				_, err := c.DownloadDocument(ctx, id, docID, false, a.stdout, opts...)
				bar.Finish()
				return aboutContract(id, err)
			}
			if !private { // the usual mode of a new file, less the umask; the SDK's default is owner only
				opts = append(opts, client.FileMode(0o666))
			}
			path, d, err := c.DownloadToDir(ctx, id, docID, dir, zipped, opts...)
			bar.Finish()
			if err != nil {
				return aboutContract(id, err)
			}
			return a.printDownload(cmd, format, path, docID, d)
		},
	}
	a.contractFlag(cmd, &contract)
	f := cmd.Flags()
	f.BoolVar(&latest, "latest", false, "download the newest document of --type (and --period)")
	f.StringVarP(&docType, "type", "t", "", "document type, with --latest (default: any)")
	f.StringVar(&period, "period", "", "month the document covers, YYYYMM, with --latest")
	f.StringVarP(&dir, "dir", "o", ".", `directory to write the file in ("-": standard output)`)
	f.BoolVar(&zipped, "zipped", false, "download a ZIP archive holding the file")
	f.BoolVar(&private, "private", false, "make the file readable by its owner only (mode 0600)")
	cmd.RegisterFlagCompletionFunc("type", documentTypeCompletion)
	cmd.MarkFlagDirname("dir")
	return cmd
}

// documentIDCompletion completes a document id with the documents of the contract, and of the
// type, that the command's flags name.
func (a *app) documentIDCompletion(contract, docType *string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, s, err := a.client()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		id, err := a.contract(cmd, *contract, s)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), completionTimeout)
		defer cancel()
		t, _ := documentType(cmd, *docType)
		docs, err := c.Documents(ctx, id, client.DocumentQuery{Type: t, Limit: 50})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, d := range docs {
			out = append(out, d.ID+"\t"+d.Filename)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// printDownload says where a download went: its path, or, with --output json or csv, the
// whole record.
func (a *app) printDownload(cmd *cobra.Command, format, path, docID string, d client.Download) error {
	res := downloadResult{Path: path, DocumentID: docID, Filename: d.Filename, ContentType: d.ContentType,
		Size: d.Size, SHA256: d.SHA256, Verified: d.Verified, Resumed: d.Resumed}
	if format == outputTable {
		fmt.Fprintln(a.stdout, path)
		return nil
	}
	return a.printRecord(cmd, res, rows{
		header: []string{"path", "documentId", "filename", "contentType", "size", "sha256", "verified", "resumed"},
		cells: [][]string{{res.Path, res.DocumentID, res.Filename, res.ContentType, strconv.FormatInt(res.Size, 10), res.SHA256,
			strconv.FormatBool(res.Verified), strconv.Itoa(res.Resumed)}},
	}, nil)
}

// outputDirUse says what -o is, after what is wrong with the one given.
const outputDirUse = "-o (--dir) names the directory the file is saved in, under the name the server gives (create it first), or - for standard output"

// checkOutputDir checks that the directory of -o exists; it creates none, as a mistyped path
// must not leave a new directory behind.
func checkOutputDir(cmd *cobra.Command, dir string) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR): // ENOTDIR: a file on the way
		return usagef(cmd, "-o %s: no such directory; %s", dir, outputDirUse)
	case err != nil:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is said already
		}
		return fmt.Errorf("-o %s: %w", dir, err)
	case !info.IsDir():
		return usagef(cmd, "-o %s: a file, not a directory; %s", dir, outputDirUse)
	}
	return nil
}
