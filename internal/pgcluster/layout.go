package pgcluster

import (
	"fmt"
	"path/filepath"
	"strings"
)

// maxSocketPath is the longest unix socket path accepted. The kernel's limit
// (sun_path) is 108 bytes including the terminating NUL; staying at 100 keeps
// a margin for other clients' conventions.
const maxSocketPath = 100

// socketName is the server's socket file for the default port.
const socketName = ".s.PGSQL.5432"

// layout names the files of one data directory.
type layout struct {
	data   string // the data directory, absolute
	pg     string // the cluster's data directory (PGDATA)
	init   string // where a new cluster is initialised before it is renamed to pg
	run    string // the socket directory
	socket string // the server's socket
	log    string // the server log
	lock   string // the coordination lock
}

func newLayout(dataDir string) (layout, error) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return layout{}, fmt.Errorf("data directory %q: %w", dataDir, err)
	}
	l := layout{
		data: abs,
		pg:   filepath.Join(abs, "pg"),
		init: filepath.Join(abs, "pg.init"),
		run:  filepath.Join(abs, "run"),
		log:  filepath.Join(abs, "pg.log"),
		lock: filepath.Join(abs, "pg.lock"),
	}
	l.socket = filepath.Join(l.run, socketName)
	if len(l.socket) > maxSocketPath {
		return layout{}, fmt.Errorf("%w: the database socket %s would be %d bytes, over the limit of %d; choose a shorter HOTLINE_DATA_DIR",
			ErrSocketPathTooLong, l.socket, len(l.socket), maxSocketPath)
	}
	if strings.ContainsAny(abs, "\"\n\r\x00") {
		return layout{}, fmt.Errorf("data directory %q: a path with a double quote or a line break cannot hold a PostgreSQL cluster; choose another HOTLINE_DATA_DIR", abs)
	}
	return l, nil
}
