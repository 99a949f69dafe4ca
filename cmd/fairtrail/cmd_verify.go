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
		Short: "Recompute every hash chain and name the first event that does not match",
		Example: `  fairtrail verify
  fairtrail verify --store 'kurrentdb://127.0.0.1:2113?tls=false'`,
	}
	sf := registerStore(cmd.Flags(), env)
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if err := noArgs(cmd, pos); err != nil {
			return err
		}
		return verify(cmd.Context(), sf, env)
	}
	return cmd
}

func verify(ctx context.Context, sf storeFlags, env environment) error {
	s, err := sf.open(true)
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := eventstore.Verify(ctx, s)
	if err != nil {
		return err
	}
	if q, _ := filepath.Glob(filepath.Join(*sf.data, "quarantine-*.bin")); *sf.url == "" && len(q) > 0 {
		fmt.Fprintf(env.stderr, "warning: %d quarantine file(s) hold a damaged last record cut from the log at open "+
			"(a crash during a write, or tampering): %v\n", len(q), q)
	}
	if rep.Bad != nil {
		return failedError{fmt.Sprintf("verify failed after %d good events: %s", rep.Events, rep.Bad)}
	}
	fmt.Fprintf(env.stdout, "verified %d events in %d streams: every hash chain holds\n", rep.Events, rep.Streams)
	return nil
}
