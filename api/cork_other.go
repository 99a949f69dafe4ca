//go:build !linux

package api

import "net"

// setCork does nothing where TCP_CORK is not known: answers are written as net/http writes them.
func setCork(*net.TCPConn, bool) bool { return false }
