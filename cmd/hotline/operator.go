package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/queue"
	"hotline/queue/queuepg"
)

// The operator verbs: accounts of the call-desk operators, who sign in to SIP with extension and password.

var extPattern = regexp.MustCompile(`^[0-9]{2,10}$`)

func operatorSettings(verb string, flags ...string) func() *settings {
	return func() *settings {
		s := newSettings("operator " + verb)
		dbSettings(s)
		s.add("", "HOTLINE_SIP_REALM", "hotline", "SIP digest realm operators sign in to (as in hotline serve)")
		for _, f := range flags {
			switch f {
			case "ext":
				s.add("ext", "HOTLINE_OPERATOR_EXT", "", "the operator's extension, 2 to 10 digits (e.g. 1001)")
			case "name":
				s.add("name", "HOTLINE_OPERATOR_NAME", "", "the operator's name")
			case "password":
				s.add("password", "HOTLINE_OPERATOR_PASSWORD", "", "the SIP password, at least 8 characters; - reads it from stdin")
			}
		}
		return s
	}
}

// withPool opens the database for an admin verb and runs f on it.
func withPool(ctx context.Context, s *settings, f func(*pgxpool.Pool) error) error {
	level, format, err := readLog(s)
	if err != nil {
		return err
	}
	log := newLogger(max(level, levelQuiet), format)
	db, err := openDatabase(ctx, s.str("HOTLINE_DATABASE_URL"), s.str("HOTLINE_DATA_DIR"), 2, log)
	if err != nil {
		return err
	}
	defer db.close(context.WithoutCancel(ctx))
	return f(db.pool)
}

// withStore opens the database and runs f with the queue's store.
func withStore(ctx context.Context, s *settings, f func(*queuepg.Store) error) error {
	return withPool(ctx, s, func(pool *pgxpool.Pool) error { return f(queuepg.New(pool)) })
}

func runOperatorAdd(ctx context.Context, s *settings, stdout, stderr io.Writer) error {
	ext, name, password := s.str("HOTLINE_OPERATOR_EXT"), strings.TrimSpace(s.str("HOTLINE_OPERATOR_NAME")), s.str("HOTLINE_OPERATOR_PASSWORD")
	if !extPattern.MatchString(ext) {
		return usageError{errors.New("--ext: give the operator's extension, 2 to 10 digits (e.g. --ext 1001)")}
	}
	if name == "" || len(name) > 200 {
		return usageError{errors.New(`--name: give the operator's name (e.g. --name "Nguyễn Thị Lan")`)}
	}
	if password == "-" {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return usageError{errors.New("--password -: no password on stdin")}
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if len(password) < 8 || password == ext {
		return usageError{errors.New("--password: give a SIP password of at least 8 characters, not the extension (SIP ports are attacked by password guessers)")}
	}
	return withStore(ctx, s, func(st *queuepg.Store) error {
		err := st.AddOperator(ctx, ext, name, password, s.str("HOTLINE_SIP_REALM"), time.Now())
		if errors.Is(err, queue.ErrOperatorExists) {
			return fmt.Errorf("operator %s exists already: remove it first (hotline operator remove --ext %s) to set a new password", ext, ext)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "hotline operator add: operator %s (%s) can now register sip:%s@<hotline> with the password\n", ext, name, ext)
		fmt.Fprintf(stdout, "%s\t%s\n", ext, name)
		return nil
	})
}

func runOperatorList(ctx context.Context, s *settings, stdout, stderr io.Writer) error {
	return withStore(ctx, s, func(st *queuepg.Store) error {
		now := time.Now()
		agents, err := st.Agents(ctx, startOfDay(now), now)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(w, "EXT\tNAME\tSTATE\tREGISTERED\tCALLS TODAY")
		for _, a := range agents {
			state := string(a.State)
			if a.Reason != "" {
				state += " (" + a.Reason + ")"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%v\t%d\n", a.Ext, a.Name, state, a.Registered, a.CallsToday)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "hotline operator list: %d operator(s)\n", len(agents))
		return nil
	})
}

func runOperatorRemove(ctx context.Context, s *settings, stdout, stderr io.Writer) error {
	ext := s.str("HOTLINE_OPERATOR_EXT")
	if !extPattern.MatchString(ext) {
		return usageError{errors.New("--ext: give the extension of the operator to remove (e.g. --ext 1001)")}
	}
	return withStore(ctx, s, func(st *queuepg.Store) error {
		err := st.RemoveOperator(ctx, ext)
		if errors.Is(err, queue.ErrUnknownOperator) {
			return fmt.Errorf("no operator has extension %s (see hotline operator list)", ext)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "hotline operator remove: operator %s removed; its phones can no longer register\n", ext)
		return nil
	})
}

// startOfDay is midnight in Vietnam of the day of t.
func startOfDay(t time.Time) time.Time {
	y, m, d := t.In(vietnam).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, vietnam)
}
