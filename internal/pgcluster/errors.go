package pgcluster

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrNoBinaries means no usable PostgreSQL server binaries were found.
	ErrNoBinaries = errors.New("no PostgreSQL server binaries (initdb, pg_ctl, postgres) found on PATH or in /usr/lib/postgresql/*/bin; install them with: apt-get install -y postgresql")

	// ErrSocketPathTooLong means the unix socket path under the data directory
	// would exceed what the operating system accepts.
	ErrSocketPathTooLong = errors.New("socket path too long")

	// ErrUnreachable means the user the server runs as cannot traverse a
	// directory above the cluster and it could not be granted.
	ErrUnreachable = errors.New("cluster directory unreachable")

	// ErrStart means the server did not start; the error carries the last
	// lines of the server log.
	ErrStart = errors.New("postgresql did not start")
)

// versionError says that the binaries of the major version an existing
// cluster needs are missing. It matches ErrNoBinaries with errors.Is.
type versionError struct {
	dir   string
	major int
	found []int
}

func (e *versionError) Error() string {
	found := "no PostgreSQL binaries were"
	if len(e.found) > 0 {
		found = "only PostgreSQL " + strings.Trim(fmt.Sprint(e.found), "[]") + " binaries were"
	}
	return fmt.Sprintf("the cluster in %s was made by PostgreSQL %d but %s found; install its binaries with: apt-get install -y postgresql-%d",
		e.dir, e.major, found, e.major)
}

func (e *versionError) Is(target error) bool { return target == ErrNoBinaries }
