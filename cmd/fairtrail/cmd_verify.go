package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/fairtrail/fairtrail/eventstore"
)

func newVerifyCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Recompute every hash chain, and hold the log to a kept checkpoint and receipts",
		Example: `  fairtrail verify
  fairtrail verify --checkpoint checkpoint.txt --key fairtrail.example.org/log+1a2b3c4d+AX...
  fairtrail verify --checkpoint https://fairtrail.example.org/v1/log/checkpoint --key operator.pub
  fairtrail verify --receipts receipts.ndjson
  fairtrail verify --store 'kurrentdb://127.0.0.1:2113?tls=false'`,
	}
	o := verifyOptions{sf: registerStore(cmd.Flags(), env)}
	fs := cmd.Flags()
	fs.StringVar(&o.checkpoint, "checkpoint", "", "a signed checkpoint kept earlier (a file, or an http(s) URL) to hold the log to")
	fs.StringVar(&o.key, "key", "", "the operator's verifier key (or a file holding it), for --checkpoint")
	fs.StringVar(&o.receipts, "receipts", "", "an NDJSON file of receipts (import --receipts) whose events must be unchanged")
	fs.StringVar(&o.apiKey, "api-key", env.getenv("FAIRTRAIL_API_KEY"), "API key for a --checkpoint URL ($FAIRTRAIL_API_KEY)")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if err := noArgs(cmd, pos); err != nil {
			return err
		}
		if (o.checkpoint == "") != (o.key == "") {
			return usagef("verify: --checkpoint and --key go together")
		}
		return verify(cmd.Context(), o, env)
	}
	return cmd
}

// verifyOptions are verify's parsed options.
type verifyOptions struct {
	sf storeFlags
	// checkpoint (a file or URL) and key (the operator's verifier key) hold the log to a kept checkpoint;
	// receipts (an NDJSON file) checks writers' receipts.
	checkpoint, key, receipts, apiKey string
}

// verify checks every hash chain, then the checkpoint and the receipts when given.
func verify(ctx context.Context, o verifyOptions, env environment) error {
	s, err := o.sf.open(true)
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := eventstore.Verify(ctx, s)
	if err != nil {
		return err
	}
	if q, _ := filepath.Glob(filepath.Join(*o.sf.data, "quarantine-*.bin")); *o.sf.url == "" && len(q) > 0 {
		fmt.Fprintf(env.stderr, "warning: %d quarantine file(s) hold a damaged last record cut from the log at open "+
			"(a crash during a write, or tampering): %v\n", len(q), q)
	}
	var failed []string
	if rep.Bad != nil {
		failed = append(failed, fmt.Sprintf("verify failed after %d good events: %s", rep.Events, rep.Bad))
	} else {
		fmt.Fprintf(env.stdout, "verified %d events in %d streams: every hash chain holds\n", rep.Events, rep.Streams)
	}
	if o.checkpoint != "" {
		msg, err := verifyCheckpoint(ctx, s, o, env)
		if err != nil {
			return err
		}
		failed = append(failed, msg...)
	}
	if o.receipts != "" {
		msg, err := verifyReceipts(ctx, s, o.receipts, env)
		if err != nil {
			return err
		}
		failed = append(failed, msg...)
	}
	if len(failed) > 0 {
		return failedError{joinLines(failed)}
	}
	return nil
}
