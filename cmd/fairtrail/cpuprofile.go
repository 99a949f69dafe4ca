package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// cpuProfileEnv names a file the process writes a CPU profile of its whole run into (for `go tool pprof`): how
// the benchmark profiles the commands it runs as child processes, and how an operator profiles one command.
const cpuProfileEnv = "FAIRTRAIL_CPUPROFILE"

// startCPUProfile starts the CPU profile $FAIRTRAIL_CPUPROFILE asks for; stop ends and writes it. Without the
// variable both do nothing.
func startCPUProfile(getenv func(string) string) (stop func() error, err error) {
	path := getenv(cpuProfileEnv)
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cpuProfileEnv, err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", cpuProfileEnv, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("%s: %w", cpuProfileEnv, err)
		}
		return nil
	}, nil
}
