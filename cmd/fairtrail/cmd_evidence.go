package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
	"github.com/fairtrail/fairtrail/eventstore/evidence"
)

func newEvidenceCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "evidence",
		Short: "Make a worker's evidence bundle, or verify one offline",
		Example: `  fairtrail evidence worker w-000042 --out w-000042.zip
  fairtrail evidence verify w-000042.zip --key operator.pub`,
		Args: cobra.ArbitraryArgs,
		RunE: noSubcommand("evidence", "usage: fairtrail evidence worker ID --out FILE.zip | verify FILE.zip --key VERIFIER"),
	}
	cmd.AddCommand(newEvidenceWorkerCmd(env), newEvidenceVerifyCmd(env))
	return cmd
}

// evidenceOptions are evidence worker's parsed options.
type evidenceOptions struct {
	sf       storeFlags
	files    logFiles
	workerID string
	out      string
}

func newEvidenceWorkerCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "worker ID --out FILE.zip",
		Short: "Write a worker's evidence bundle, under a checkpoint signed now if the log has grown",
		Long: "The bundle holds the worker's events with their metadata and those its judgement used, an inclusion\n" +
			"proof of each under a signed checkpoint, the report and flags as judged now, and a signed manifest.",
		Example: "  fairtrail evidence worker w-000042 --out w-000042.zip",
		Args:    cobra.ExactArgs(1),
	}
	o := evidenceOptions{sf: registerStore(cmd.Flags(), env)}
	o.files = registerLogFiles(cmd.Flags(), env, o.sf.data)
	cmd.Flags().StringVar(&o.out, "out", "", "the bundle to write (a .zip)")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if o.out == "" {
			return usagef("evidence worker: --out FILE.zip is required")
		}
		o.workerID = pos[0]
		return evidenceWorker(cmd.Context(), o, env)
	}
	return cmd
}

// evidenceWorker writes a worker's evidence bundle, signing a checkpoint first when the latest kept does not
// cover the log.
func evidenceWorker(ctx context.Context, o evidenceOptions, env environment) error {
	key, verifier, err := checkpoint.LoadKey(o.files.keyPath())
	if err != nil {
		return err
	}
	j, err := checkpoint.OpenJournal(o.files.journalPath())
	if err != nil {
		return err
	}
	s, l, err := openLog(o.sf, "evidence")
	if err != nil {
		return err
	}
	defer s.Close()
	if _, _, _, err := (checkpoint.Signer{Log: l, Key: key, Journal: j}).SignIfGrown(ctx); err != nil {
		return err
	}
	latest, _, err := j.Latest()
	if err != nil {
		return err
	}
	var b bytes.Buffer
	src := evidence.Source{Store: s, Log: l, Checkpoint: latest.Signed(), Signer: key, Verifier: verifier}
	err = evidence.Make(ctx, src, o.workerID, time.Now().UTC(), &b)
	if errors.Is(err, evidence.ErrNoWorker) {
		return failedError{fmt.Sprintf("no worker %q in %s", o.workerID, o.sf)}
	}
	if err != nil {
		return err
	}
	if err := os.WriteFile(o.out, b.Bytes(), 0o640); err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	fmt.Fprintf(env.stdout, "wrote %s: worker %s under the checkpoint of %d events\n", o.out, o.workerID, latest.Size)
	return nil
}

// evidenceVerifyOptions are evidence verify's parsed options.
type evidenceVerifyOptions struct {
	file, key string
	witnesses []string
}

func newEvidenceVerifyCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "verify FILE.zip --key VERIFIER",
		Short:   "Check an evidence bundle offline: signatures, proofs, chains, and the flags re-judged",
		Example: "  fairtrail evidence verify w-000042.zip --key operator.pub --witness witness.pub",
		Args:    cobra.ExactArgs(1),
	}
	var o evidenceVerifyOptions
	cmd.Flags().StringVar(&o.key, "key", "", "the log operator's verifier key, or a file holding it")
	cmd.Flags().StringArrayVar(&o.witnesses, "witness", nil, "a witness's verifier key whose cosignature to check (repeatable)")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if o.key == "" {
			return usagef("evidence verify: --key VERIFIER is required")
		}
		o.file = pos[0]
		return evidenceVerify(o, env)
	}
	return cmd
}

// evidenceVerify checks a bundle offline: exit 1, saying what failed, when it does not verify.
func evidenceVerify(o evidenceVerifyOptions, env environment) error {
	v, err := checkpoint.ParseVerifier(o.key)
	if err != nil {
		return usagef("evidence verify: --key: %v", err)
	}
	var ws []note.Verifier
	for _, w := range o.witnesses {
		wv, err := checkpoint.CosignatureVerifier(w)
		if err != nil {
			return usagef("evidence verify: --witness: %v", err)
		}
		ws = append(ws, wv)
	}
	b, err := os.ReadFile(o.file)
	if err != nil {
		return fmt.Errorf("evidence verify: %w", err)
	}
	sum, err := evidence.Verify(b, v, ws...)
	if errors.Is(err, evidence.ErrFailed) {
		return failedError{fmt.Sprintf("%s: %v", o.file, err)}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s verifies: worker %s, %d events in the log of %s at %d leaves, %d flags re-judged and equal",
		o.file, sum.WorkerID, sum.Events, sum.Origin, sum.TreeSize, sum.Flags)
	if len(sum.Cosigned) > 0 {
		fmt.Fprintf(env.stdout, "; cosigned by %v", sum.Cosigned)
	}
	fmt.Fprintln(env.stdout)
	return nil
}
