//go:build !unix

package embedded

import "os"

// mapFile reads a whole file (no mmap on this platform); release does nothing.
func mapFile(path string) ([]byte, func() error, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return data, func() error { return nil }, nil
}
