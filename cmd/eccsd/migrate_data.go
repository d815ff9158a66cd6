package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/sqlstore"
)

// newMigrateDataCmd is `eccsd admin migrate-data`: it copies a whole deployment from one
// database and document store to another (SQLite and files to PostgreSQL and S3, typically),
// working on the databases directly, as the server is meant to be stopped meanwhile.
func newMigrateDataCmd(e env) *cobra.Command {
	var from, to, blobFrom, blobTo string
	cmd := &cobra.Command{
		Use:   "migrate-data --from URL --to URL [--blob-from URL --blob-to URL]",
		Short: "Copy everything from one database and document store to another, and verify it",
		Long: `Copy every row of one eccs database to another (SQLite or PostgreSQL, either way), then the
document files from one store to another (local files or S3), and verify the result: row counts
and checksums of every table, and the SHA-256 of every document file.

It works on the databases directly: stop the servers first (new changes made during the copy
would be missed). The destination is migrated to the current schema first. Rows and files the
destination already has are kept, so the command can be run again after an interruption.`,
		Example: `  eccsd admin migrate-data --from sqlite:///var/lib/eccs/eccs.db --to postgres://eccs@db/eccs \
      --blob-from file:///var/lib/eccs/documents --blob-to 's3://eccs-documents?endpoint=https://s3.example.com&region=eu-west-3'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := bindEnv(cmd.Flags(), e.getenv); err != nil {
				return err
			}
			if from == "" || to == "" || (blobFrom == "") != (blobTo == "") {
				return usageError{errors.New("give --from and --to, and --blob-from with --blob-to to copy the document files too")}
			}
			return migrateData(cmd.Context(), e.stdout, from, to, blobFrom, blobTo)
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "URL of the database to copy")
	f.StringVar(&to, "to", "", "URL of the database to copy into (migrated first)")
	f.StringVar(&blobFrom, "blob-from", "", "URL of the document store to copy")
	f.StringVar(&blobTo, "blob-to", "", "URL of the document store to copy into")
	documentEnv(f)
	return cmd
}

func migrateData(ctx context.Context, out io.Writer, from, to, blobFrom, blobTo string) error {
	src, err := openDatabase(ctx, from, false)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	defer src.Close()
	if pending, err := src.PendingMigrations(ctx); err != nil {
		return fmt.Errorf("source: %w", err)
	} else if len(pending) > 0 {
		return fmt.Errorf("the source schema is not up to date (pending: %v): run `eccsd migrate` on it first", pending)
	}
	dst, err := openDatabase(ctx, to, true)
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	defer dst.Close()
	if _, err := dst.Migrate(ctx); err != nil {
		return fmt.Errorf("destination: %w", err)
	}

	counts, err := sqlstore.CopyRows(ctx, src.DB(), dst.DB())
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tSOURCE\tCOPIED\tDESTINATION")
	for _, c := range counts {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", c.Table, c.Source, c.Inserted, c.Dest)
	}
	tw.Flush()

	srcSums, err := sqlstore.Checksums(ctx, src.DB())
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	dstSums, err := sqlstore.Checksums(ctx, dst.DB())
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	var differ []string
	for t, sum := range srcSums {
		if dstSums[t] != sum {
			differ = append(differ, fmt.Sprintf("%s (source %s, destination %s)", t, sum, dstSums[t]))
		}
	}
	sort.Strings(differ)
	if len(differ) > 0 {
		return fmt.Errorf("the destination differs from the source in %d table(s), did it hold other data? %v", len(differ), differ)
	}
	fmt.Fprintf(out, "every table verified: same rows, same checksums\n")

	if blobFrom == "" {
		return nil
	}
	srcBlobs, err := openBlobs(ctx, blobFrom)
	if err != nil {
		return fmt.Errorf("source documents: %w", err)
	}
	dstBlobs, err := openBlobs(ctx, blobTo)
	if err != nil {
		return fmt.Errorf("destination documents: %w", err)
	}
	copied, kept, err := copyDocuments(ctx, dst.DB(), srcBlobs, dstBlobs)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "document files: %d copied, %d already there, every one verified (size and SHA-256)\n", copied, kept)
	return nil
}

// copyDocuments copies the bytes of every document the database lists from src to dst, unless
// dst has them already, and checks each against its recorded size and SHA-256.
func copyDocuments(ctx context.Context, db *sql.DB, src, dst eccs.BlobStore) (copied, kept int, err error) {
	refs, err := sqlstore.BlobRefs(ctx, db)
	if err != nil {
		return 0, 0, err
	}
	for _, ref := range refs {
		if b, err := dst.Open(ctx, ref.Key); err == nil {
			verr := verifyBlob(b, ref)
			b.Close()
			if verr != nil {
				return copied, kept, fmt.Errorf("the destination already holds other bytes for document %s: %w", ref.DocumentID, verr)
			}
			kept++
			continue
		} else if !eccs.IsNotFound(err) {
			return copied, kept, fmt.Errorf("destination documents: %w", err)
		}
		b, err := src.Open(ctx, ref.Key)
		if err != nil {
			return copied, kept, fmt.Errorf("source documents: document %s: %w", ref.DocumentID, err)
		}
		size, sum, err := dst.Put(ctx, ref.Key, b, b.Size())
		b.Close()
		if err == nil && (size != ref.Size || sum != ref.SHA256) {
			err = fmt.Errorf("copied %d bytes with SHA-256 %s, the database says %d and %s", size, sum, ref.Size, ref.SHA256)
			dst.Delete(context.WithoutCancel(ctx), ref.Key)
		}
		if err != nil {
			return copied, kept, fmt.Errorf("copy document %s: %w", ref.DocumentID, err)
		}
		copied++
	}
	return copied, kept, nil
}

// verifyBlob reads b whole and checks it against ref.
func verifyBlob(b eccs.Blob, ref sqlstore.BlobRef) error {
	h := sha256.New()
	n, err := io.Copy(h, b)
	if err != nil {
		return err
	}
	if sum := hex.EncodeToString(h.Sum(nil)); n != ref.Size || sum != ref.SHA256 {
		return fmt.Errorf("%d bytes with SHA-256 %s, the database says %d and %s", n, sum, ref.Size, ref.SHA256)
	}
	return nil
}
