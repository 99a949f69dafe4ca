// Command fairtrail records migrant workers' recruitment as events and audits it: import NDJSON events, list
// the flags raised against fair-recruitment rules, replay a worker's history, roll up audits per buyer,
// employer, agency or job order, verify the tamper-evident hash chains, and generate realistic demo data.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// failedError is a check that ran and failed (verify, rejected import): exit status 1, already reported.
type failedError struct{ msg string }

func (e failedError) Error() string { return e.msg }

const usage = `fairtrail: an event-sourced tracker of how migrant workers are recruited

Usage:
  fairtrail import   [--data DIR] [--progress auto|bar|lines|none] FILE... ('-' for stdin)
  fairtrail flags    [--data DIR] [--worker ID] [--job-order ID] [--buyer ID] [--employer ID] [--agency ID]
                     [--code PREFIX] [--as-of T] [--known-at T] [--format table|json|csv]
  fairtrail history  worker ID [--data DIR] [--as-of T] [--known-at T] [--format table|json]
  fairtrail audit    [--data DIR] [--buyer ID] [--by buyer|employer|agency|job-order] [--as-of T] [--known-at T]
                     [--format table|json|csv]
  fairtrail verify   [--data DIR] [--checkpoint FILE|URL --key VERIFIER] [--receipts FILE]
  fairtrail copy     --from DIR|URL --to DIR|URL [--batch N] [--progress lines|none]
  fairtrail serve    [--addr :8080] [--data DIR | --store URL] [--keys FILE] [--max-body N] [--max-import N]
                     [--shutdown-timeout D] [--log-format json|text]
  fairtrail keys     create --org ID --role admin|employer|agency|buyer|auditor|metrics | list | revoke KEY_ID
                     | grant --auditor ID --buyer ID | ungrant --auditor ID --buyer ID   [--data DIR] [--keys FILE]
  fairtrail log      keygen --origin NAME | checkpoint | witness --url URL --key VERIFIER --state DIR [--sign KEY]
                     [--data DIR] [--log-key FILE] [--checkpoints FILE]
  fairtrail evidence worker ID --out FILE.zip [--data DIR] [--log-key FILE] | verify FILE.zip --key VERIFIER [--witness KEY]
  fairtrail generate --workers N [--seed S] [--out FILE]
  fairtrail demo     [--workers N] [--seed S]
  fairtrail bench    [--workers N] [--seed S] [--data DIR] [--queries N] [--profile DIR] [--format text|json]

The data directory is --data, else $FAIRTRAIL_DATA, else ./fairtrail-data.
Every command that takes --data also takes --store URL (else $FAIRTRAIL_STORE) to use a KurrentDB (EventStoreDB)
server instead of the embedded store: esdb://127.0.0.1:2113?tls=false, esdb://user:password@a:2113,b:2113,c:2113
or esdb+discover://cluster.example.org:2113, passed to the client as given (TLS, credentials, cluster seeds).
copy moves a store between backends (a directory or a URL on each side), resumably, checking every hash.
Times T are RFC 3339 date-times or dates (a date means the end of that day, UTC).
Exit status: 0 success, 1 a check failed or input was rejected, 2 usage error.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := environment{getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	err := run(ctx, os.Args[1:], env)
	stop()
	os.Exit(exitCode(err, env.stderr))
}

// environment is what a command may touch of the outside world.
type environment struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func (e environment) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func exitCode(err error, stderr io.Writer) int {
	var ue usageError
	var fe failedError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "fairtrail: %v\n\n%s", err, usage)
		return 2
	case errors.As(err, &fe):
		fmt.Fprintf(stderr, "fairtrail: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "fairtrail: %v\n", err)
	return 1
}

func run(ctx context.Context, args []string, env environment) error {
	if len(args) == 0 {
		return usagef("no command given")
	}
	cmds := map[string]func(context.Context, []string, environment) error{
		"import":   runImport,
		"flags":    runFlags,
		"history":  runHistory,
		"audit":    runAudit,
		"verify":   runVerify,
		"copy":     runCopy,
		"generate": runGenerate,
		"demo":     runDemo,
		"serve":    runServe,
		"keys":     runKeys,
		"bench":    runBench,
		"log":      runLog,
		"evidence": runEvidence,
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(env.stdout, usage)
		return nil
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		return usagef("unknown command %q", args[0])
	}
	return cmd(ctx, args[1:], env)
}
