//go:build unix

package recordings

import (
	"syscall"
	"time"
)

// processCPU returns the user and system CPU time used so far by the whole process.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
