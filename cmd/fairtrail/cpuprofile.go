package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
)

// The environment variables naming files the process writes profiles of its whole run into (for `go tool
// pprof`): how the benchmark profiles the commands it runs as child processes, and how an operator profiles one
// command. The block and mutex profiles say where goroutines waited (on channels, locks, I/O-free syscalls)
// rather than where they ran: what a server under concurrent load spends its latency on. The execution trace
// (for `go tool trace`) says when: each goroutine's runs and waits, every collection and its assists, system
// calls and the scheduler's latency, event by event: what makes one request in a hundred slower than the rest.
const (
	cpuProfileEnv   = "FAIRTRAIL_CPUPROFILE"
	blockProfileEnv = "FAIRTRAIL_BLOCKPROFILE"
	mutexProfileEnv = "FAIRTRAIL_MUTEXPROFILE"
	traceEnv        = "FAIRTRAIL_TRACE"
	// allocsProfileEnv names the file of the allocation profile: what the whole run allocated, sampled, by
	// where (go tool pprof -sample_index=alloc_space), what the collector's work is made of.
	allocsProfileEnv = "FAIRTRAIL_ALLOCSPROFILE"
)

// Sampling of the wait profiles when asked for: a blocking event of blockProfileRate nanoseconds or more is
// recorded (shorter ones by chance in proportion), and one in mutexProfileFraction contended locks.
const (
	blockProfileRate     = 10_000
	mutexProfileFraction = 5
)

// startProfiles starts the profiles the environment asks for ($FAIRTRAIL_CPUPROFILE, $FAIRTRAIL_BLOCKPROFILE,
// $FAIRTRAIL_MUTEXPROFILE, $FAIRTRAIL_ALLOCSPROFILE) and the execution trace ($FAIRTRAIL_TRACE); stop ends them
// and writes them. Without the variables both do nothing.
func startProfiles(getenv func(string) string) (stop func() error, err error) {
	stopCPU, err := startCPUProfile(getenv)
	if err != nil {
		return nil, err
	}
	stopTrace, err := startTrace(getenv)
	if err != nil {
		return nil, errors.Join(err, stopCPU())
	}
	block, mutex, allocs := getenv(blockProfileEnv), getenv(mutexProfileEnv), getenv(allocsProfileEnv)
	if block != "" {
		runtime.SetBlockProfileRate(blockProfileRate)
	}
	if mutex != "" {
		runtime.SetMutexProfileFraction(mutexProfileFraction)
	}
	return func() error {
		err := errors.Join(stopCPU(), stopTrace(), writeProfile("block", blockProfileEnv, block),
			writeProfile("mutex", mutexProfileEnv, mutex), writeProfile("allocs", allocsProfileEnv, allocs))
		runtime.SetBlockProfileRate(0)
		runtime.SetMutexProfileFraction(0)
		return err
	}, nil
}

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

// startTrace starts the execution trace $FAIRTRAIL_TRACE asks for; stop ends and writes it. Without the
// variable both do nothing.
func startTrace(getenv func(string) string) (stop func() error, err error) {
	path := getenv(traceEnv)
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", traceEnv, err)
	}
	if err := trace.Start(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", traceEnv, err)
	}
	return func() error {
		trace.Stop()
		if err := f.Close(); err != nil {
			return fmt.Errorf("%s: %w", traceEnv, err)
		}
		return nil
	}, nil
}

// writeProfile writes the runtime's profile name to path (nothing when path is empty); env names the variable
// that asked for it, in an error.
func writeProfile(name, env, path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("%s: %w", env, err)
	}
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", env, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: %w", env, err)
	}
	return nil
}
