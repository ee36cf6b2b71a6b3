package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"
)

// Names of the system users the server may run as when hotline runs as root.
const (
	systemUser   = "postgres" // the distribution's PostgreSQL user, used when present
	fallbackUser = "hotline"  // created when no postgres user exists
)

// account is the user the server programs run as.
type account struct {
	name     string
	uid, gid int
	// switcher is the program that switches to the user ("runuser" or
	// "setpriv" when running as root); empty when the programs run as the
	// current user.
	switcher string
}

// asRoot reports whether the process runs as root and must switch user.
func (a account) asRoot() bool { return a.switcher != "" }

// command returns a command running program as the account, with PG*
// variables of the environment removed so that only the arguments decide.
func (a account) command(ctx context.Context, program string, args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	switch {
	case !a.asRoot():
		cmd = exec.CommandContext(ctx, program, args...)
	case strings.HasSuffix(a.switcher, "setpriv"):
		full := append([]string{"--reuid=" + strconv.Itoa(a.uid), "--regid=" + strconv.Itoa(a.gid), "--init-groups", "--", program}, args...)
		cmd = exec.CommandContext(ctx, a.switcher, full...)
	default:
		full := append([]string{"-u", a.name, "--", program}, args...)
		cmd = exec.CommandContext(ctx, a.switcher, full...)
	}
	cmd.Env = serverEnv(os.Environ())
	cmd.Dir = "/"
	return cmd
}

// serverEnv drops the PG* variables (PGDATA, PGPORT, PGOPTIONS…) that would
// change what the server programs do.
func serverEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if strings.HasPrefix(kv, "PG") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// chooseAccount decides who runs the server. ownerUID is the owner of an
// existing cluster directory, or -1 when there is none yet.
func chooseAccount(ctx context.Context, log *slog.Logger, clusterDir string, ownerUID int) (account, error) {
	if os.Geteuid() != 0 {
		u, err := user.Current()
		if err != nil {
			return account{}, fmt.Errorf("current user: %w", err)
		}
		a, err := accountOf(u)
		if err != nil {
			return account{}, err
		}
		if ownerUID >= 0 && ownerUID != a.uid {
			return account{}, fmt.Errorf("the cluster %s belongs to uid %d, not to %s (uid %d): run hotline as that user or as root, or choose another HOTLINE_DATA_DIR",
				clusterDir, ownerUID, a.name, a.uid)
		}
		return a, nil
	}

	switcher, err := findSwitcher()
	if err != nil {
		return account{}, err
	}
	var u *user.User
	switch {
	case ownerUID == 0:
		return account{}, fmt.Errorf("the cluster %s belongs to root and PostgreSQL refuses to run as root: chown -R %s %s", clusterDir, systemUser, clusterDir)
	case ownerUID > 0:
		u, err = user.LookupId(strconv.Itoa(ownerUID))
		if err != nil {
			return account{}, fmt.Errorf("the cluster %s belongs to uid %d, which has no user entry: %w", clusterDir, ownerUID, err)
		}
	default:
		u, err = systemAccount(ctx, log)
		if err != nil {
			return account{}, err
		}
	}
	a, err := accountOf(u)
	if err != nil {
		return account{}, err
	}
	if a.uid == 0 {
		return account{}, fmt.Errorf("user %s has uid 0 and PostgreSQL refuses to run as root", a.name)
	}
	a.switcher = switcher
	return a, nil
}

// systemAccount returns the postgres system user, or the hotline system user,
// creating the latter when neither exists.
func systemAccount(ctx context.Context, log *slog.Logger) (*user.User, error) {
	for _, name := range []string{systemUser, fallbackUser} {
		u, err := user.Lookup(name)
		if err == nil {
			return u, nil
		}
		var unknown user.UnknownUserError
		if !errors.As(err, &unknown) {
			return nil, fmt.Errorf("look up user %s: %w", name, err)
		}
	}
	out, err := exec.CommandContext(ctx, "useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", fallbackUser).CombinedOutput()
	if u, lerr := user.Lookup(fallbackUser); lerr == nil {
		// Another process may have created it at the same moment.
		if err == nil {
			log.InfoContext(ctx, "created system user to run PostgreSQL (it refuses to run as root)", "user", fallbackUser)
		}
		return u, nil
	}
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL refuses to run as root and there is no %s user; creating user %s failed: %w: %s",
			systemUser, fallbackUser, err, strings.TrimSpace(string(out)))
	}
	return nil, fmt.Errorf("user %s was created but cannot be looked up", fallbackUser)
}

func accountOf(u *user.User) (account, error) {
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return account{}, fmt.Errorf("user %s: uid %q: %w", u.Username, u.Uid, err)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return account{}, fmt.Errorf("user %s: gid %q: %w", u.Username, u.Gid, err)
	}
	return account{name: u.Username, uid: uid, gid: gid}, nil
}

// findSwitcher returns runuser, else setpriv (both from util-linux).
func findSwitcher() (string, error) {
	for _, name := range []string{"runuser", "setpriv"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
		for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/bin", "/bin"} {
			if p := dir + "/" + name; isExecutable(p) {
				return p, nil
			}
		}
	}
	return "", errors.New("running as root, PostgreSQL must run as another user, but neither runuser nor setpriv was found; install them with: apt-get install -y util-linux")
}
