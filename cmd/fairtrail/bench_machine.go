package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// describeMachine names the machine bench runs on: CPUs, memory, CPU model, Go version and GOMAXPROCS.
func describeMachine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
				model = strings.TrimSpace(value)
				break
			}
		}
	}
	mem := "memory unknown"
	if kb := procFieldKB("/proc/meminfo", "MemTotal"); kb > 0 {
		mem = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
	}
	return fmt.Sprintf("%d CPUs (%s), %s, %s %s/%s, GOMAXPROCS %d", runtime.NumCPU(), model, mem, runtime.Version(),
		runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0))
}

// cpuTicks is what the CPUs of the machine did, from /proc/stat, and what this process and its children used,
// from /proc/self/stat, in clock ticks (all zero where there is no /proc).
type cpuTicks struct{ busy, total, own int64 }

func readCPUTicks() cpuTicks {
	var t cpuTicks
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
		for i := 1; i < len(f) && i <= 8; i++ {
			v, _ := strconv.ParseInt(f[i], 10, 64)
			t.total += v
			if i != 4 && i != 5 {
				t.busy += v
			}
		}
	}
	t.own = procStatTicks("/proc/self/stat", 11, 14) // utime, stime, cutime, cstime
	return t
}

// procStatTicks sums fields from through to of a /proc/PID/stat file, CPU times in clock ticks; 0 where there
// is no such file. The fields count from 0 after the parenthesised command name: the state, the 3rd field, is
// 0, so utime, stime, cutime and cstime, the 14th to 17th, are 11 to 14.
func procStatTicks(file string, from, to int) int64 {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	_, rest, ok := strings.Cut(string(b), ") ")
	if !ok {
		return 0
	}
	f := strings.Fields(rest)
	var ticks int64
	for i := from; i <= to && i < len(f); i++ {
		v, _ := strconv.ParseInt(f[i], 10, 64)
		ticks += v
	}
	return ticks
}

// othersBusyPercent is how busy other processes kept the machine's CPUs between two readings, in percent of
// all its CPU time: 0 on a quiet machine.
func othersBusyPercent(from, to cpuTicks) float64 {
	total := to.total - from.total
	if total <= 0 {
		return 0
	}
	others := (to.busy - from.busy) - (to.own - from.own)
	return max(0, 100*float64(others)/float64(total))
}

// procFieldKB reads a "Name:   123 kB" line of a /proc file; 0 when absent.
func procFieldKB(file, field string) int64 {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		name, value, ok := strings.Cut(line, ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0
		}
		return kb
	}
	return 0
}

// procIOBytes reads a figure of a process's I/O (read_bytes: what it had read from disk, not the page cache)
// from /proc/PID/io, in bytes (its figures carry no unit); 0 where there is no such file.
func procIOBytes(pid int, field string) int64 {
	return procFieldKB(fmt.Sprintf("/proc/%d/io", pid), field)
}
