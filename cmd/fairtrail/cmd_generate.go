package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/fairtrail/fairtrail/domain/synth"
)

// maxWorkers bounds --workers so a typo cannot fill the disk.
const maxWorkers = 10_000_000

func newGenerateCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Write a realistic synthetic dataset as NDJSON events",
		Example: `  fairtrail generate --workers 5000 --seed 7 --out events.ndjson
  fairtrail generate --workers 100 | fairtrail import -`,
	}
	fs := cmd.Flags()
	workers := fs.Int("workers", 0, fmt.Sprintf("number of workers, 1 to %d (required)", maxWorkers))
	seed := fs.Int64("seed", 1, "random seed: the same seed gives the same file")
	out := fs.String("out", "-", "output file ('-' for standard output)")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if err := noArgs(cmd, pos); err != nil {
			return err
		}
		if *workers < 1 || *workers > maxWorkers {
			return usagef("generate: --workers must be between 1 and %d", maxWorkers)
		}
		return generateTo(*out, *workers, *seed, env)
	}
	return cmd
}

func generateTo(out string, workers int, seed int64, env environment) error {
	w := env.stdout
	if out != "-" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	n, err := generate(w, workers, seed)
	if err != nil {
		return err
	}
	if out != "-" {
		fmt.Fprintf(env.stderr, "wrote %d events for %d workers to %s\n", n, workers, out)
	}
	return nil
}

func generate(w io.Writer, workers int, seed int64) (int, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	n, err := synth.Generate(bw, synth.Options{Workers: workers, Seed: seed})
	if err != nil {
		return n, fmt.Errorf("generate: %w", err)
	}
	return n, bw.Flush()
}
