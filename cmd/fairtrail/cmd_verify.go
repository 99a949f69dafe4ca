package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/fairtrail/fairtrail/eventstore"
)

func runVerify(ctx context.Context, args []string, env environment) error {
	fs := newFlagSet("verify")
	sf := registerStore(fs, env)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("verify", pos); err != nil {
		return err
	}
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
