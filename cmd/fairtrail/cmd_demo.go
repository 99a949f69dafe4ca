package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/projections"
)

// newDemoCmd generates a dataset, imports it into a data directory and prints the audit.
func newDemoCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Generate a dataset, import it and print what fairtrail finds",
		Long: "demo generates a realistic synthetic dataset, imports it into an embedded store and prints the flags\n" +
			"raised and the audit per buyer. The store is temporary unless --data names a directory to keep it in,\n" +
			"which the other commands can then query.",
		Example: "  fairtrail demo\n  fairtrail demo --data ./demo-data && fairtrail flags --data ./demo-data --worker w-000042",
	}
	workers := cmd.Flags().Int("workers", 2000, "number of workers to generate, 1 to 1000000")
	seed := cmd.Flags().Int64("seed", 1, "random seed: the same seed gives the same dataset")
	keep := cmd.Flags().String("data", "", "keep the store in this directory, which must not hold one yet "+
		"(default: a temporary directory, removed at the end)")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if err := noArgs(cmd, pos); err != nil {
			return err
		}
		if *workers < 1 || *workers > 1_000_000 {
			return usagef("demo: --workers must be between 1 and 1000000")
		}
		return demo(cmd.Context(), *workers, *seed, *keep, env)
	}
	return cmd
}

// demo generates the dataset in a temporary directory and imports it into keep, or, when keep is empty, into
// that temporary directory.
func demo(ctx context.Context, workers int, seed int64, keep string, env environment) error {
	if keep != "" {
		if _, err := os.Stat(filepath.Join(keep, "events.log")); err == nil {
			return failedError{fmt.Sprintf("demo: %s already holds a store: give a new or empty directory", keep)}
		}
	}
	tmp, err := os.MkdirTemp("", "fairtrail-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	file := filepath.Join(tmp, "events.ndjson")
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	start := time.Now()
	n, err := generate(f, workers, seed)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Generated %d events for %d workers (seed %d) in %s.\n", n, workers, seed, since(start))
	dataDir := keep
	if dataDir == "" {
		dataDir = filepath.Join(tmp, "data")
	}
	if err := demoImport(ctx, file, dataDir, env); err != nil {
		return err
	}
	v, err := replay(ctx, storeFlags{data: &dataDir, url: new(string), env: env}, timeFlags{})
	if err != nil {
		return err
	}
	return printDemo(env, v, keep)
}

func demoImport(ctx context.Context, file, dataDir string, env environment) error {
	s, err := embedded.Open(dataDir, embedded.Options{Logger: env.logger()})
	if err != nil {
		return err
	}
	defer s.Close()
	in, err := os.Open(file)
	if err != nil {
		return err
	}
	defer in.Close()
	start := time.Now()
	rep, err := eventstore.Import(ctx, s, in, eventstore.ImportOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Imported %d events durably into %s in %s.\n\n", rep.Appended, dataDir, since(start))
	return nil
}

// printDemo prints the flags and the audit, and the next commands to try: on the kept store, or, when the
// store was temporary, how to keep one.
func printDemo(env environment, v *projections.View, keep string) error {
	width := tableWidth(env, false)
	flags := v.Flags(projections.FlagQuery{})
	counts := map[string]int{}
	for _, f := range flags {
		counts[f.Code]++
	}
	fmt.Fprintf(env.stdout, "Flags raised: %d\n", len(flags))
	t := newTable("CODE", "FLAGS")
	t.indent = "  "
	for _, c := range domain.FlagCodes {
		t.add(c, strconv.Itoa(counts[c]))
	}
	if err := t.write(env.stdout, width); err != nil {
		return err
	}
	rows, err := v.Audit(projections.AuditQuery{By: projections.ByBuyer})
	if err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, "\nAudit by buyer:")
	if err := printAudit(env.stdout, rows, "table", width); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout)
	later := time.Now().UTC().AddDate(0, 6, 0).Format(time.DateOnly)
	if keep == "" {
		say(env.stdout, width, "The store was temporary and is gone. To keep one and query it, run fairtrail demo --data DIR; "+
			"then, for example, fairtrail flags --data DIR --as-of "+later+" shows the reimbursements that fall overdue "+
			"(repayment_days after the tracker learned of a fee, which for this import is today).")
		return nil
	}
	fmt.Fprintf(env.stdout, "The store is kept in %s. Next:\n", keep)
	fmt.Fprintf(env.stdout, "  fairtrail flags --data %s --as-of %s   # with the reimbursements overdue by then\n", keep, later)
	for _, c := range []string{"history worker w-000001", "audit --by agency", "verify"} {
		fmt.Fprintf(env.stdout, "  fairtrail %s --data %s\n", c, keep)
	}
	return nil
}

func since(t time.Time) string { return time.Since(t).Round(time.Millisecond).String() }
