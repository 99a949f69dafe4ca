package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
)

// profiler writes a CPU profile of each measured phase, and heap profiles, into dir (nothing when dir is
// empty), for `go tool pprof -top`.
type profiler struct{ dir string }

// phase runs fn, CPU-profiled into dir/NAME.cpu.pprof.
func (p profiler) phase(name string, fn func() error) error {
	if p.dir == "" {
		return fn()
	}
	f, err := os.Create(filepath.Join(p.dir, name+".cpu.pprof"))
	if err != nil {
		return fmt.Errorf("bench: profile: %w", err)
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return fmt.Errorf("bench: profile %s: %w", name, err)
	}
	err = fn()
	pprof.StopCPUProfile()
	return err
}

// heap writes the live heap (after a collection) to dir/NAME.heap.pprof.
func (p profiler) heap(name string) error {
	if p.dir == "" {
		return nil
	}
	f, err := os.Create(filepath.Join(p.dir, name+".heap.pprof"))
	if err != nil {
		return fmt.Errorf("bench: profile: %w", err)
	}
	defer f.Close()
	runtime.GC()
	return pprof.Lookup("heap").WriteTo(f, 0)
}
