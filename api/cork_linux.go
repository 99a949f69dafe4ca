//go:build linux

package api

import (
	"net"
	"syscall"
)

// setCork sets or clears TCP_CORK on tc: while it is set, the kernel sends only full segments. It reports
// whether it could.
func setCork(tc *net.TCPConn, on bool) bool {
	if tc == nil {
		return false
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return false
	}
	v := 0
	if on {
		v = 1
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK, v)
	}); err != nil {
		return false
	}
	return serr == nil
}
