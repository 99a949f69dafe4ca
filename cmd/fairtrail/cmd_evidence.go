package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
	"github.com/fairtrail/fairtrail/eventstore/evidence"
)

const evidenceUsage = "evidence: usage: fairtrail evidence worker ID --out FILE.zip | verify FILE.zip --key VERIFIER [--witness KEY]"

func runEvidence(ctx context.Context, args []string, env environment) error {
	if len(args) == 0 {
		return usagef(evidenceUsage)
	}
	switch args[0] {
	case "worker":
		return runEvidenceWorker(ctx, args[1:], env)
	case "verify":
		return runEvidenceVerify(args[1:], env)
	}
	return usagef("evidence: unknown subcommand %q; %s", args[0], evidenceUsage)
}

// evidenceOptions are evidence worker's parsed options.
type evidenceOptions struct {
	sf       storeFlags
	files    logFiles
	workerID string
	out      string
}

func runEvidenceWorker(ctx context.Context, args []string, env environment) error {
	fs := newFlagSet("evidence worker")
	o := evidenceOptions{sf: registerStore(fs, env)}
	o.files = registerLogFiles(fs, env, o.sf.data)
	fs.StringVar(&o.out, "out", "", "the bundle to write (a .zip)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || o.out == "" {
		return usagef("evidence worker: usage: fairtrail evidence worker ID --out FILE.zip")
	}
	o.workerID = pos[0]
	return evidenceWorker(ctx, o, env)
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
	s, err := o.sf.open(true)
	if err != nil {
		return err
	}
	defer s.Close()
	l, ok := s.(eventstore.Log)
	if !ok {
		return fmt.Errorf("evidence: the store %s keeps no log", o.sf)
	}
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

func runEvidenceVerify(args []string, env environment) error {
	fs := newFlagSet("evidence verify")
	var o evidenceVerifyOptions
	fs.StringVar(&o.key, "key", "", "the log operator's verifier key, or a file holding it")
	fs.Func("witness", "a witness's verifier key whose cosignature to check (repeatable)", func(v string) error {
		o.witnesses = append(o.witnesses, v)
		return nil
	})
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || o.key == "" {
		return usagef("evidence verify: usage: fairtrail evidence verify FILE.zip --key VERIFIER")
	}
	o.file = pos[0]
	return evidenceVerify(o, env)
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
