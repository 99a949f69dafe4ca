package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// commands lists the constructors of fairtrail's commands, in the order help shows them. A new command is a
// file with its constructor, and a line here.
func commands() []func(environment) *cobra.Command {
	return []func(environment) *cobra.Command{
		newImportCmd,
		newRatesCmd,
		newNotesCmd,
		newFlagsCmd,
		newHistoryCmd,
		newAuditCmd,
		newAgenciesCmd,
		newVerifyCmd,
		newCopyCmd,
		newServeCmd,
		newKeysCmd,
		newWorkersCmd,
		newGenerateCmd,
		newDemoCmd,
		newBenchCmd,
		newLogCmd,
		newEvidenceCmd,
	}
}

// usageError is a mistake in the command line: exit status 2. cmd is the command path its help is under.
type usageError struct{ msg, cmd string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{msg: fmt.Sprintf(format, args...)} }

// failedError is a check that ran and failed (verify, rejected import): exit status 1, already reported.
type failedError struct{ msg string }

func (e failedError) Error() string { return e.msg }

const rootLong = `fairtrail records every step of a migrant worker's recruitment as an immutable event and replays the
events to flag contract substitution, worker-paid fees and the other breaches of fair-recruitment rules.

The data directory is --data, else $FAIRTRAIL_DATA, else ./fairtrail-data. Every command that takes --data
also takes --store URL (else $FAIRTRAIL_STORE) to use a KurrentDB (EventStoreDB) server instead of the
embedded store: kurrentdb://127.0.0.1:2113?tls=false, kurrentdb://user:password@a:2113,b:2113,c:2113 or
kurrentdb+discover://cluster.example.org:2113 (esdb:// and esdb+discover:// too), passed to the client as given
(TLS, credentials, cluster seeds).

Exit status: 0 success, 1 a check failed or input was rejected, 2 usage error.`

const rootExample = `  fairtrail demo --data ./demo-data          # generate, import and audit a demo dataset
  fairtrail import events.ndjson             # validate a whole file, then store it durably
  fairtrail flags --buyer buyer-1 --code contract.
  fairtrail history worker w-000042
  fairtrail completion bash > /etc/bash_completion.d/fairtrail`

// newRoot builds the fairtrail command with every subcommand, writing to env's outputs. started is set when
// a command's own code begins to run, so that errors before it are known to be the command line's.
func newRoot(env environment, started *bool) *cobra.Command {
	root := &cobra.Command{
		Use:           "fairtrail",
		Short:         "An event-sourced tracker of how migrant workers are recruited",
		Long:          rootLong,
		Example:       rootExample,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown command %q%s", args[0], suggest(cmd, args[0]))
			}
			cmd.SetOut(env.stderr)
			cmd.Help()
			return usagef("no command given")
		},
		PersistentPreRun: func(*cobra.Command, []string) { *started = true },
	}
	root.SetIn(env.stdin)
	root.SetOut(env.stdout)
	root.SetErr(env.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{msg: err.Error()} })
	for _, c := range commands() {
		root.AddCommand(c(env))
	}
	return root
}

// run runs the command line args. Errors found before a command's code started are usage errors.
func run(ctx context.Context, args []string, env environment) error {
	started := false
	root := newRoot(env, &started)
	// Never nil: cobra parses os.Args[1:] for nil args, which under go test are the test binary's own flags
	// (TestUsageErrorsAreOneLine's case without arguments failed under go test -cpu 1).
	root.SetArgs(append([]string{}, args...))
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return nil
	}
	var ue usageError
	switch {
	case errors.As(err, &ue):
	case !started:
		ue = usageError{msg: err.Error()}
	default:
		return err
	}
	if ue.cmd == "" && cmd != nil {
		ue.cmd = cmd.CommandPath()
	}
	return ue
}

// noSubcommand is the RunE of a command that only groups subcommands: an unknown subcommand name is a usage
// error with cobra's suggestions, and none at all is a usage error saying what to give (usage).
func noSubcommand(name, usage string) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("%s: unknown subcommand %q%s", name, args[0], suggest(cmd, args[0]))
		}
		return usagef("%s: %s", name, usage)
	}
}

// suggest is cobra's "did you mean" list for an unknown subcommand name, on one line.
func suggest(cmd *cobra.Command, name string) string {
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's default, set only on its own error path
	}
	s := cmd.SuggestionsFor(name)
	if len(s) == 0 {
		return ""
	}
	return "; did you mean " + strings.Join(s, " or ") + "?"
}

// exitCode reports err on stderr, in one line, and returns the exit status it means.
func exitCode(err error, stderr io.Writer) int {
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		cmd := ue.cmd
		if cmd == "" {
			cmd = "fairtrail"
		}
		fmt.Fprintf(stderr, "fairtrail: %s (see '%s --help')\n", oneLine(ue.msg), cmd)
		return 2
	}
	fmt.Fprintf(stderr, "fairtrail: %v\n", err)
	return 1
}

// oneLine joins a message's lines, as cobra's unknown-command text spans several.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
