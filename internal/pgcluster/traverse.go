package pgcluster

import (
	"context"
	"fmt"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
)

// ensureTraversable makes sure the account can reach target: every ancestor
// directory it cannot traverse is granted traversal (execute, not listing) for
// that one user with setfacl. It does nothing when no user switch happens.
//
// A root user who clones into /root (mode 0700) has the data directory under
// a directory no other user may enter; without this the server would fail
// deep inside initdb with a permission error.
func ensureTraversable(ctx context.Context, log *slog.Logger, a account, target string) error {
	if !a.asRoot() {
		return nil
	}
	parent := filepath.Dir(target)
	if canTraverse(ctx, a, parent) {
		return nil
	}
	setfacl, _ := exec.LookPath("setfacl")
	// Walk from the root down: when a directory fails while all above it
	// pass, the directory itself is what blocks.
	for _, dir := range ancestors(parent) {
		if canTraverse(ctx, a, dir) {
			continue
		}
		if setfacl == "" {
			return fmt.Errorf("%w: user %s, which runs PostgreSQL, cannot traverse %s to reach %s; install acl (apt-get install -y acl) so hotline can grant it traversal, or set HOTLINE_DATA_DIR to a directory outside %s",
				ErrUnreachable, a.name, dir, target, dir)
		}
		out, err := exec.CommandContext(ctx, setfacl, "-m", "u:"+a.name+":--x", dir).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%w: user %s, which runs PostgreSQL, cannot traverse %s and setfacl failed (%v: %s); set HOTLINE_DATA_DIR to a directory outside %s",
				ErrUnreachable, a.name, dir, err, strings.TrimSpace(string(out)), dir)
		}
		log.InfoContext(ctx, "granted one user traversal (not listing) of a directory so PostgreSQL can reach its data",
			"dir", dir, "user", a.name, "acl", "u:"+a.name+":--x")
		if !canTraverse(ctx, a, dir) {
			return fmt.Errorf("%w: user %s still cannot traverse %s after setfacl (does the file system support ACLs?); set HOTLINE_DATA_DIR to a directory outside %s",
				ErrUnreachable, a.name, dir, dir)
		}
	}
	return nil
}

// canTraverse asks the kernel, as the account, whether dir can be searched.
// This honours modes, groups and ACLs alike.
func canTraverse(ctx context.Context, a account, dir string) bool {
	return a.command(ctx, "test", "-x", dir).Run() == nil
}

// ancestors returns dir and every directory above it, from "/" down.
func ancestors(dir string) []string {
	var out []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		out = append(out, d)
		if d == filepath.Dir(d) {
			break
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
