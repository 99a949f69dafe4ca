// Command fairtrail records migrant workers' recruitment as events and audits it: import NDJSON events, list
// the flags raised against fair-recruitment rules, replay a worker's history, roll up audits per buyer,
// employer, agency or job order, verify the tamper-evident hash chains, and generate realistic demo data.
package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := environment{getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	limitMemory(env.getenv)
	if env.getenv("GOGC") == "" {
		keepHeapHeadroom(ctx, heapHeadroom)
	}
	stopProfile, err := startProfiles(env.getenv)
	if err == nil {
		err = run(ctx, os.Args[1:], env)
		if perr := stopProfile(); err == nil {
			err = perr
		}
	}
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
