//go:build !linux

package treefile

import "os"

// syncData makes written data durable.
func syncData(f *os.File) error { return f.Sync() }
