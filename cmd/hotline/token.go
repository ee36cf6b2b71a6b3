package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/internal/tokens"
)

// The token verbs: bearer tokens for the HTTP API. A token is printed once, when made; only its hash is kept.

func tokenSettings(verb string, flags ...string) func() *settings {
	return func() *settings {
		s := newSettings("token " + verb)
		dbSettings(s)
		for _, f := range flags {
			switch f {
			case "name":
				s.add("name", "HOTLINE_TOKEN_NAME", "", "the token's name: who or what uses it (e.g. \"desk console\")")
			case "role":
				s.add("role", "HOTLINE_TOKEN_ROLE", "", "operator, supervisor or admin")
			case "operator":
				s.add("operator", "HOTLINE_TOKEN_OPERATOR", "", "for an operator token: the extension it acts as")
			}
		}
		return s
	}
}

func tokenName(s *settings, example string) (string, error) {
	name := strings.TrimSpace(s.str("HOTLINE_TOKEN_NAME"))
	if name == "" || len(name) > 100 {
		return "", usageError{fmt.Errorf("--name: give the token a name of 1 to 100 characters (e.g. --name %q)", example)}
	}
	return name, nil
}

func runTokenCreate(ctx context.Context, s *settings, stdout, stderr io.Writer) error {
	name, err := tokenName(s, "desk 1001")
	if err != nil {
		return err
	}
	role, ok := tokens.ParseRole(s.str("HOTLINE_TOKEN_ROLE"))
	if !ok {
		return usageError{errors.New("--role: give operator, supervisor or admin")}
	}
	op := s.str("HOTLINE_TOKEN_OPERATOR")
	switch {
	case role == tokens.Operator && !extPattern.MatchString(op):
		return usageError{errors.New("--operator: an operator token acts as an operator: give its extension (e.g. --operator 1001)")}
	case role != tokens.Operator && op != "":
		return usageError{errors.New("--operator: only operator tokens name an operator; leave it out for " + string(role) + " tokens")}
	}
	return withPool(ctx, s, func(pool *pgxpool.Pool) error {
		secret, err := tokens.New(pool).Create(ctx, name, role, op)
		switch {
		case errors.Is(err, tokens.ErrExists):
			return fmt.Errorf("a token named %q exists already: choose another name, or revoke it first (hotline token revoke --name %q)", name, name)
		case errors.Is(err, tokens.ErrUnknownOperator):
			return fmt.Errorf("no operator has extension %s: add it first (hotline operator add)", op)
		case err != nil:
			return err
		}
		fmt.Fprintf(stderr, "hotline token create: %s token %q made; it is shown this once, keep it secret (send it as Authorization: Bearer <token>)\n", role, name)
		fmt.Fprintln(stdout, secret)
		return nil
	})
}

func runTokenList(ctx context.Context, s *settings, stdout, stderr io.Writer) error {
	return withPool(ctx, s, func(pool *pgxpool.Pool) error {
		list, err := tokens.New(pool).List(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(w, "NAME\tROLE\tOPERATOR\tCREATED\tLAST USED")
		for _, t := range list {
			used := "never"
			if t.LastUsedAt != nil {
				used = t.LastUsedAt.In(vietnam).Format(time.DateTime)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", t.Name, t.Role, t.Operator, t.CreatedAt.In(vietnam).Format(time.DateTime), used)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "hotline token list: %d token(s)\n", len(list))
		return nil
	})
}

func runTokenRevoke(ctx context.Context, s *settings, stdout, stderr io.Writer) error {
	name, err := tokenName(s, "desk 1001")
	if err != nil {
		return err
	}
	return withPool(ctx, s, func(pool *pgxpool.Pool) error {
		err := tokens.New(pool).Revoke(ctx, name)
		if errors.Is(err, tokens.ErrNotFound) {
			return fmt.Errorf("no token is named %q (see hotline token list)", name)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "hotline token revoke: token %q revoked; it no longer signs in anywhere\n", name)
		return nil
	})
}
