// Package tokens keeps the HTTP API's bearer tokens in PostgreSQL: it makes them (shown once; only their
// SHA-256 is stored), finds who a presented token is, lists and revokes them. Roles are ordered
// operator < supervisor < admin; an operator token names the operator (extension) it acts as.
//
// A Store is safe for concurrent use.
package tokens

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Role is what a token may do.
type Role string

// The roles, from least to most.
const (
	Operator   Role = "operator"
	Supervisor Role = "supervisor"
	Admin      Role = "admin"
)

var rank = map[Role]int{Operator: 1, Supervisor: 2, Admin: 3}

// ParseRole reads a role's name.
func ParseRole(s string) (Role, bool) {
	r := Role(s)
	_, ok := rank[r]
	return r, ok
}

// AtLeast tells whether r may do what o may.
func (r Role) AtLeast(o Role) bool { return rank[r] >= rank[o] }

// Token is a stored token (without its secret).
type Token struct {
	ID         int64
	Name       string
	Role       Role
	Operator   string // for operator tokens
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// Errors of the store.
var (
	ErrExists          = errors.New("a token with this name exists already")
	ErrNotFound        = errors.New("no token has this name")
	ErrUnknown         = errors.New("unknown or revoked token")
	ErrUnknownOperator = errors.New("no operator has this extension")
)

// Store keeps tokens.
type Store struct{ db *pgxpool.Pool }

// New returns a store on pool.
func New(pool *pgxpool.Pool) *Store { return &Store{db: pool} }

// prefix marks the hotline's tokens, so a leaked one is recognisable (e.g. by secret scanners).
const prefix = "hl_"

func hash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// Create makes a token and returns its secret: shown this once, never stored.
func (s *Store) Create(ctx context.Context, name string, role Role, operator string) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	secret := prefix + base64.RawURLEncoding.EncodeToString(b[:])
	var op *string
	if role == Operator {
		op = &operator
	}
	_, err := s.db.Exec(ctx, `INSERT INTO api_tokens (name, role, operator, hash) VALUES ($1, $2, $3, $4)`,
		name, role, op, hash(secret))
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe) && pe.Code == "23505":
		return "", ErrExists
	case errors.As(err, &pe) && pe.Code == "23503":
		return "", ErrUnknownOperator
	case err != nil:
		return "", fmt.Errorf("create token %s: %w", name, err)
	}
	return secret, nil
}

// Find returns the token a presented secret is; ErrUnknown when it is not one.
func (s *Store) Find(ctx context.Context, secret string) (Token, error) {
	var t Token
	if !strings.HasPrefix(secret, prefix) || len(secret) > 100 {
		return t, ErrUnknown
	}
	// One round trip; last_used_at is written at most once a minute, so reads stay reads.
	var op *string
	err := s.db.QueryRow(ctx, `WITH found AS (
			SELECT id, name, role, operator, created_at, last_used_at FROM api_tokens WHERE hash = $1),
		touched AS (
			UPDATE api_tokens SET last_used_at = now() WHERE hash = $1
			AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute'))
		SELECT * FROM found`, hash(secret)).
		Scan(&t.ID, &t.Name, &t.Role, &op, &t.CreatedAt, &t.LastUsedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, ErrUnknown
	}
	if op != nil {
		t.Operator = *op
	}
	return t, err
}

// List returns every token, by name.
func (s *Store) List(ctx context.Context) ([]Token, error) {
	rows, err := s.db.Query(ctx, `SELECT id, name, role, coalesce(operator, ''), created_at, last_used_at
		FROM api_tokens ORDER BY name`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Token, error) {
		var t Token
		err := r.Scan(&t.ID, &t.Name, &t.Role, &t.Operator, &t.CreatedAt, &t.LastUsedAt)
		return t, err
	})
}

// Revoke deletes a token: it stops working at once on every node.
func (s *Store) Revoke(ctx context.Context, name string) error {
	tag, err := s.db.Exec(ctx, `DELETE FROM api_tokens WHERE name = $1`, name)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}
