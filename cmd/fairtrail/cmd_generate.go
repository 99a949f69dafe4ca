package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/fairtrail/fairtrail/domain/synth"
)

// maxWorkers bounds --workers so a typo cannot fill the disk.
const maxWorkers = 10_000_000

func runGenerate(ctx context.Context, args []string, env environment) error {
	fs := newFlagSet("generate")
	workers := fs.Int("workers", 0, "number of workers (required)")
	seed := fs.Int64("seed", 1, "random seed: the same seed gives the same file")
	out := fs.String("out", "-", "output file ('-' for standard output)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("generate", pos); err != nil {
		return err
	}
	if *workers < 1 || *workers > maxWorkers {
		return usagef("generate: --workers must be between 1 and %d", maxWorkers)
	}
	w := env.stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	n, err := generate(w, *workers, *seed)
	if err != nil {
		return err
	}
	if *out != "-" {
		fmt.Fprintf(env.stderr, "wrote %d events for %d workers to %s\n", n, *workers, *out)
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
