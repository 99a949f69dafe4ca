// Command kurrentdouble runs the KurrentDB wire-protocol test double (eventstore/kurrent/kurrenttest) as a
// process of its own, for cmd/fairtrail's tests only: they build it once without the race detector and start it
// as a child, so that serving the events a large test imports costs no race-instrumented CPU, while the race
// detector still watches fairtrail's client code in the test process.
//
// It listens on a loopback port and prints its connection string as the first line of its standard output.
// Then it reads commands, one a line, from its standard input: "events" prints the number of events in user
// streams (Server.Events). When its standard input ends, it stops the server and exits.
//
//	kurrentdouble [-system-every N]
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/fairtrail/fairtrail/eventstore/kurrent/kurrenttest"
)

// errUnknownCommand is returned for a line of standard input that is not a command.
var errUnknownCommand = errors.New("unknown command")

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "kurrentdouble: %v\n", err)
		os.Exit(1)
	}
}

// run serves the double with the options in args until in ends, answering in's commands on out.
func run(args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("kurrentdouble", flag.ContinueOnError)
	systemEvery := fs.Int("system-every", 0, "write a system event after every N user events (Options.SystemEvery)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *systemEvery < 0 {
		return fmt.Errorf("-system-every: %d is negative", *systemEvery)
	}
	srv, err := kurrenttest.Listen(kurrenttest.Options{SystemEvery: *systemEvery}, "")
	if err != nil {
		return err
	}
	err = serve(srv, in, out)
	if cerr := srv.Close(); cerr != nil && err == nil {
		err = cerr
	}
	return err
}

// serve prints the server's connection string, then answers the commands read from in until it ends.
func serve(srv *kurrenttest.Server, in io.Reader, out io.Writer) error {
	if _, err := fmt.Fprintln(out, srv.URL()); err != nil {
		return fmt.Errorf("print the connection string: %w", err)
	}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		switch cmd := sc.Text(); cmd {
		case "events":
			if _, err := fmt.Fprintln(out, srv.Events()); err != nil {
				return fmt.Errorf("answer %q: %w", cmd, err)
			}
		default:
			return fmt.Errorf("%q: %w", cmd, errUnknownCommand)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read commands: %w", err)
	}
	return nil
}
