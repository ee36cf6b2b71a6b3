// Package pgcluster runs a private PostgreSQL cluster from the machine's own
// binaries: the embedded default database of Hotline when no database URL is
// configured.
//
// # What it owns
//
// Everything under a data directory that belongs to PostgreSQL:
//
//	<dataDir>/pg        the cluster (initdb'd on first use, superuser "hotline")
//	<dataDir>/pg.init   a cluster being initialised (renamed to pg when complete)
//	<dataDir>/run       the socket directory (the server listens on no TCP port)
//	<dataDir>/pg.log    the server log
//	<dataDir>/pg.lock   the flock that coordinates the hotline processes using pg
//
// The binaries (initdb, pg_ctl, postgres) are found on PATH or in
// /usr/lib/postgresql/*/bin, newest major version first; an existing cluster is
// always run by the major version that made it. When the process runs as root
// the server runs as an unprivileged user (the "postgres" system user, else a
// "hotline" system user created on first use), and every ancestor directory
// that user cannot traverse is granted traversal with setfacl.
//
// # Lifecycle
//
// [Open] makes sure the cluster exists and is running, starting it or joining
// the server another process already runs, and returns a [Cluster]. The caller
// connects with [Cluster.URL] and calls [Cluster.Close] when done: Close stops
// the server (pg_ctl stop -m fast) only when no other process still uses it.
// Processes coordinate through flock on pg.lock: exclusive while deciding to
// start or stop the server, shared while using it. A postmaster.pid left by a
// server killed with SIGKILL is recognised and removed; processes this package
// did not start are never signalled.
//
//	c, err := pgcluster.Open(ctx, "/var/lib/hotline", log)
//	if err != nil {
//		return err
//	}
//	defer c.Close(context.WithoutCancel(ctx))
//	pool, err := pgxpool.New(ctx, c.URL())
//
// [OpenWith] and [Options.Throwaway] run a cluster for tests: the same code,
// with durability traded for speed.
//
// # Concurrency
//
// A Cluster is safe for concurrent use; Close may be called more than once.
// Open may be called concurrently, from one process or many, on one data
// directory.
package pgcluster
