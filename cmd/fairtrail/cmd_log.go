package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
)

// logFiles are the operator's signing key and checkpoint journal, by default in the data directory.
type logFiles struct {
	key, journal *string
	data         *string
}

func registerLogFiles(fs *pflag.FlagSet, env environment, data *string) logFiles {
	return logFiles{
		key: fs.String("log-key", env.getenv("FAIRTRAIL_LOG_KEY"),
			"the log's signing key ($FAIRTRAIL_LOG_KEY; default log.key in the data directory)"),
		journal: fs.String("checkpoints", env.getenv("FAIRTRAIL_CHECKPOINTS"),
			"the append-only file of signed checkpoints ($FAIRTRAIL_CHECKPOINTS; default checkpoints.ndjson in the data directory)"),
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

func newLogCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "log",
		Short: "Sign the log's checkpoints, and witness another operator's",
		Long: "Every stored event is a leaf of one append-only Merkle tree (spec section 6). The operator signs its\n" +
			"head as checkpoints that auditors keep and witnesses cosign; verify --checkpoint holds the log to them.",
		Example: `  fairtrail log keygen --origin fairtrail.example.org/log > operator.pub
  fairtrail log checkpoint > checkpoint.txt
  fairtrail log witness --url https://fairtrail.example.org --key operator.pub --state ~/.fairtrail-witness`,
		Args: cobra.ArbitraryArgs,
		RunE: noSubcommand("log", "usage: fairtrail log keygen | checkpoint | witness"),
	}
	cmd.AddCommand(newLogKeygenCmd(env), newLogCheckpointCmd(env), newLogWitnessCmd(env))
	return cmd
}

func newLogKeygenCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "keygen --origin NAME",
		Short:   "Write the log's signing key (mode 0600) and print its verifier key",
		Example: "  fairtrail log keygen --origin fairtrail.example.org/log > operator.pub",
	}
	sf := registerStore(cmd.Flags(), env)
	lf := registerLogFiles(cmd.Flags(), env, sf.data)
	origin := cmd.Flags().String("origin", "", "the log's name, e.g. fairtrail.example.org/log")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if err := noArgs(cmd, pos); err != nil {
			return err
		}
		if *origin == "" {
			return usagef("log keygen: --origin NAME is required")
		}
		return logKeygen(keygenOptions{origin: *origin, keyFile: lf.keyPath()}, env)
	}
	return cmd
}

// keygenOptions are log keygen's parsed options.
type keygenOptions struct{ origin, keyFile string }

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

func newLogCheckpointCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "checkpoint",
		Short:   "Sign the log's current head and keep it in the checkpoints file",
		Example: "  fairtrail log checkpoint > checkpoint.txt",
	}
	sf := registerStore(cmd.Flags(), env)
	lf := registerLogFiles(cmd.Flags(), env, sf.data)
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if err := noArgs(cmd, pos); err != nil {
			return err
		}
		return logCheckpoint(cmd.Context(), checkpointOptions{sf: sf, keyFile: lf.keyPath(), journal: lf.journalPath()}, env)
	}
	return cmd
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
	s, l, err := openLog(o.sf, "log checkpoint")
	if err != nil {
		return err
	}
	defer s.Close()
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

func newLogWitnessCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "witness --url URL --key OPERATOR_VERIFIER --state DIR [--sign WITNESS_KEY]",
		Short: "Check that a log's latest checkpoint extends the one kept, keep it, and cosign it",
		Long: "witness fetches the latest checkpoint, demands a consistency proof from the one it kept in --state, and\n" +
			"refuses (exit 1, saying why) a smaller tree, another root at the same size or a proof that fails. With\n" +
			"--sign it posts its cosignature (C2SP tlog-cosignature). Run it from cron.",
		Example: "  fairtrail log witness --url https://fairtrail.example.org --key operator.pub --state ~/.fairtrail-witness --sign witness.key",
	}
	var o witnessOptions
	fs := cmd.Flags()
	fs.StringVar(&o.url, "url", "", "the fairtrail API's address, e.g. https://fairtrail.example.org")
	fs.StringVar(&o.key, "key", "", "the operator's verifier key, or a file holding it")
	fs.StringVar(&o.state, "state", "", "directory where the witness keeps the last checkpoint it accepted")
	fs.StringVar(&o.sign, "sign", "", "the witness's signing key file: post a cosignature of each checkpoint accepted")
	fs.StringVar(&o.apiKey, "api-key", env.getenv("FAIRTRAIL_API_KEY"), "API key to read the log ($FAIRTRAIL_API_KEY)")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if err := noArgs(cmd, pos); err != nil {
			return err
		}
		if o.url == "" || o.key == "" || o.state == "" {
			return usagef("log witness: --url, --key and --state are required")
		}
		return logWitness(cmd.Context(), o, env)
	}
	return cmd
}

// openLog opens the store read-only with its Merkle log; cmd names the command in the error of a store that
// keeps none. The caller closes the store.
func openLog(sf storeFlags, cmd string) (eventstore.Store, eventstore.Log, error) {
	s, err := sf.open(true)
	if err != nil {
		return nil, nil, err
	}
	l, ok := s.(eventstore.Log)
	if !ok {
		s.Close()
		return nil, nil, fmt.Errorf("%s: the store %s keeps no log", cmd, sf)
	}
	return s, l, nil
}
