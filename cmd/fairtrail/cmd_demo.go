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

// newDemoCmd generates a dataset, imports it into a temporary data directory and prints the audit.
func newDemoCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "demo",
		Short:   "Generate a dataset, import it and print what fairtrail finds",
		Example: "  fairtrail demo\n  fairtrail demo --workers 500 --seed 7",
	}
	workers := cmd.Flags().Int("workers", 2000, "number of workers to generate, 1 to 1000000")
	seed := cmd.Flags().Int64("seed", 1, "random seed: the same seed gives the same dataset")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if err := noArgs(cmd, pos); err != nil {
			return err
		}
		if *workers < 1 || *workers > 1_000_000 {
			return usagef("demo: --workers must be between 1 and 1000000")
		}
		return demo(cmd.Context(), *workers, *seed, env)
	}
	return cmd
}

func demo(ctx context.Context, workers int, seed int64, env environment) error {
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
	dataDir := filepath.Join(tmp, "data")
	if err := demoImport(ctx, file, dataDir, env); err != nil {
		return err
	}
	v, err := replay(ctx, storeFlags{data: &dataDir, url: new(string), env: env}, timeFlags{})
	if err != nil {
		return err
	}
	return printDemo(env, v)
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

func printDemo(env environment, v *projections.View) error {
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
	if err := t.write(env.stdout, tableWidth(env, false)); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, "(Reimbursements fall overdue repayment_days after the tracker learned of a fee, which for this\n"+
		"import is today: see them with fairtrail flags --as-of a date some months ahead.)")
	rows, err := v.Audit(projections.AuditQuery{By: projections.ByBuyer})
	if err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, "\nAudit by buyer:")
	if err := printAudit(env.stdout, rows, "table", tableWidth(env, false)); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, "\nNext: fairtrail import FILE, then fairtrail flags / history worker ID / audit --by agency / verify.")
	return nil
}

func since(t time.Time) string { return time.Since(t).Round(time.Millisecond).String() }
