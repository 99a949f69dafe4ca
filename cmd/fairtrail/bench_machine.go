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
	if b, err := os.ReadFile("/proc/self/stat"); err == nil {
		// Fields after the parenthesised command name: state is the 3rd field, utime, stime, cutime, cstime the
		// 14th to 17th.
		if _, rest, ok := strings.Cut(string(b), ") "); ok {
			f := strings.Fields(rest)
			for i := 11; i <= 14 && i < len(f); i++ {
				v, _ := strconv.ParseInt(f[i], 10, 64)
				t.own += v
			}
		}
	}
	return t
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
