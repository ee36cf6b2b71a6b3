//go:build !linux

package recordings

import "os"

// datasync flushes f to stable storage; systems without fdatasync get a full fsync.
func datasync(f *os.File) error {
	return f.Sync()
}
