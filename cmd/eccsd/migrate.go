package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

func newMigrateCmd(e env) *cobra.Command {
	var databaseURL, dataDir string
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Bring the database schema up to date",
		Long: `Apply the database migrations this binary holds and the database lacks, in order, each in
its own transaction. Migrations only go forward; running migrate twice is harmless.`,
		Example: `  eccsd migrate --data-dir /var/lib/eccs
  eccsd migrate --database-url sqlite:///var/lib/eccs/eccs.db`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := bindEnv(cmd.Flags(), e.getenv); err != nil {
				return err
			}
			if databaseURL == "" {
				if err := os.MkdirAll(dataDir, 0o700); err != nil {
					return fmt.Errorf("data directory: %w", err)
				}
				databaseURL = sqliteURL(filepath.Join(dataDir, "eccs.db"))
			}
			db, err := openDatabase(cmd.Context(), databaseURL, true)
			if err != nil {
				return err
			}
			defer db.Close()
			applied, err := db.Migrate(cmd.Context())
			if err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			if len(applied) == 0 {
				fmt.Fprintln(e.stdout, "schema up to date")
				return nil
			}
			fmt.Fprintf(e.stdout, "applied %d migration(s): %s\n", len(applied), strings.Join(applied, ", "))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataDir, "data-dir", "eccs-data", "data directory (the database is <data-dir>/eccs.db unless --database-url says otherwise)")
	f.StringVar(&databaseURL, "database-url", "", "database URL (default sqlite://<data-dir>/eccs.db)")
	documentEnv(f)
	return cmd
}
