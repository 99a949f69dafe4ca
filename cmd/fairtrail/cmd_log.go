package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
)

const logUsage = "log: usage: fairtrail log keygen --origin NAME | checkpoint | witness --url URL --key VERIFIER --state DIR [--sign KEY]"

// logFiles are the operator's signing key and checkpoint journal, by default in the data directory.
type logFiles struct {
	key, journal *string
	data         *string
}

func registerLogFiles(fs *flag.FlagSet, env environment, data *string) logFiles {
	return logFiles{
		key: fs.String("log-key", env.getenv("FAIRTRAIL_LOG_KEY"),
			"the log's signing key (default $FAIRTRAIL_LOG_KEY, else log.key in the data directory)"),
		journal: fs.String("checkpoints", env.getenv("FAIRTRAIL_CHECKPOINTS"),
			"the append-only file of signed checkpoints (default $FAIRTRAIL_CHECKPOINTS, else checkpoints.ndjson in the data directory)"),
		data: data,
	}
}

func (lf logFiles) keyPath() string {
	if *lf.key != "" {
		return *lf.key
	}
	return filepath.Join(*lf.data, "log.key")
}

func (lf logFiles) journalPath() string {
	if *lf.journal != "" {
		return *lf.journal
	}
	return filepath.Join(*lf.data, "checkpoints.ndjson")
}

func runLog(ctx context.Context, args []string, env environment) error {
	if len(args) == 0 {
		return usagef(logUsage)
	}
	switch args[0] {
	case "keygen":
		return runLogKeygen(args[1:], env)
	case "checkpoint":
		return runLogCheckpoint(ctx, args[1:], env)
	case "witness":
		return runLogWitness(ctx, args[1:], env)
	}
	return usagef("log: unknown subcommand %q; %s", args[0], logUsage)
}

// keygenOptions are log keygen's parsed options.
type keygenOptions struct{ origin, keyFile string }

func runLogKeygen(args []string, env environment) error {
	fs := newFlagSet("log keygen")
	sf := registerStore(fs, env)
	lf := registerLogFiles(fs, env, sf.data)
	origin := fs.String("origin", "", "the log's name, e.g. fairtrail.example.org/log")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("log keygen", pos); err != nil {
		return err
	}
	if *origin == "" {
		return usagef("log keygen: --origin NAME is required")
	}
	return logKeygen(keygenOptions{origin: *origin, keyFile: lf.keyPath()}, env)
}

// logKeygen writes the operator's signing key (mode 0600) and prints its verifier key.
func logKeygen(o keygenOptions, env environment) error {
	skey, vkey, err := checkpoint.GenerateKey(o.origin)
	if errors.Is(err, checkpoint.ErrKey) {
		return usagef("log keygen: --origin: %v", err)
	}
	if err != nil {
		return err
	}
	if err := checkpoint.WriteKey(o.keyFile, skey); err != nil {
		return err
	}
	fmt.Fprintf(env.stderr, "signing key written to %s (keep it secret); its verifier key, for auditors and witnesses:\n", o.keyFile)
	fmt.Fprintln(env.stdout, vkey)
	return nil
}

// checkpointOptions are log checkpoint's parsed options.
type checkpointOptions struct {
	sf               storeFlags
	keyFile, journal string
}

func runLogCheckpoint(ctx context.Context, args []string, env environment) error {
	fs := newFlagSet("log checkpoint")
	sf := registerStore(fs, env)
	lf := registerLogFiles(fs, env, sf.data)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("log checkpoint", pos); err != nil {
		return err
	}
	return logCheckpoint(ctx, checkpointOptions{sf: sf, keyFile: lf.keyPath(), journal: lf.journalPath()}, env)
}

// logCheckpoint signs the log's head into the journal (unless a checkpoint of that size is kept already) and
// prints the signed note.
func logCheckpoint(ctx context.Context, o checkpointOptions, env environment) error {
	key, err := checkpoint.LoadSigner(o.keyFile)
	if err != nil {
		return err
	}
	j, err := checkpoint.OpenJournal(o.journal)
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
		return fmt.Errorf("log checkpoint: the store %s keeps no log", o.sf)
	}
	c, signed, added, err := checkpoint.Signer{Log: l, Key: key, Journal: j}.SignIfGrown(ctx)
	if err != nil {
		return err
	}
	if c.Size == 0 {
		return failedError{"log checkpoint: the log is empty; nothing to sign"}
	}
	if !added {
		fmt.Fprintf(env.stderr, "the log has not grown since the checkpoint of %d kept in %s:\n", c.Size, o.journal)
	}
	_, err = env.stdout.Write(signed)
	return err
}

// witnessOptions are log witness's parsed options.
type witnessOptions struct {
	url, key, state, sign, apiKey string
}

func runLogWitness(ctx context.Context, args []string, env environment) error {
	fs := newFlagSet("log witness")
	var o witnessOptions
	fs.StringVar(&o.url, "url", "", "the fairtrail API's address, e.g. https://fairtrail.example.org")
	fs.StringVar(&o.key, "key", "", "the operator's verifier key, or a file holding it")
	fs.StringVar(&o.state, "state", "", "directory where the witness keeps the last checkpoint it accepted")
	fs.StringVar(&o.sign, "sign", "", "the witness's signing key file: post a cosignature of each checkpoint accepted")
	fs.StringVar(&o.apiKey, "api-key", env.getenv("FAIRTRAIL_API_KEY"), "API key to read the log (default $FAIRTRAIL_API_KEY)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("log witness", pos); err != nil {
		return err
	}
	if o.url == "" || o.key == "" || o.state == "" {
		return usagef("log witness: --url, --key and --state are required")
	}
	return logWitness(ctx, o, env)
}
