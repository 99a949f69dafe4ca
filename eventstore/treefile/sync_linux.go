package treefile

import (
	"os"
	"syscall"
)

// syncData makes written data durable (fdatasync: the file's size is data, its times are not needed).
func syncData(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}
