package console_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used, user and system: on a machine others share, a page's CPU
// time says what it costs where its wall time says how busy the machine was.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
