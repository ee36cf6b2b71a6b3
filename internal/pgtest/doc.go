// Package pgtest gives tests a real PostgreSQL database of their own.
//
// The server is the one named by HOTLINE_TEST_DATABASE_URL when that is set
// (its user must be allowed to create and drop databases), otherwise a
// throwaway cluster that this package starts with the same code as the
// embedded default ([hotline/internal/pgcluster]), in a temporary directory,
// once per test binary, on the first call to [NewDatabase]. Every test gets a
// fresh, empty database (CREATE DATABASE … TEMPLATE template0), dropped when
// the test ends.
//
// # Use
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		t.Parallel()
//		pool := pgtest.NewPool(t)
//		…
//	}
//
// [Main] runs the tests, stops the throwaway cluster, and then fails the
// binary if goroutines leaked (go.uber.org/goleak). A package that uses
// NewDatabase must use Main, or the throwaway cluster would outlive the tests.
//
// # Concurrency
//
// NewDatabase and NewPool are safe for concurrent use by parallel tests.
package pgtest
