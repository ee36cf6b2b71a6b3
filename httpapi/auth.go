package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"hotline/internal/tokens"
)

// Tokens tells who presents a bearer token.
type Tokens interface {
	Find(ctx context.Context, secret string) (tokens.Token, error)
}

type tokenKey struct{}

// who is the token a request was signed with (set by authed for every /api/ route).
func who(r *http.Request) tokens.Token {
	t, _ := r.Context().Value(tokenKey{}).(tokens.Token)
	return t
}

// route serves pattern to tokens of role min or higher: no or an unknown token → 401, a lower role → 403.
func (s *Server) route(pattern string, min tokens.Role, h http.HandlerFunc) {
	s.mux.Handle(pattern, s.authed(min, h))
}

func (s *Server) authed(min tokens.Role, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, secret, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="hotline"`)
			writeError(w, http.StatusUnauthorized,
				"sign in: send the header Authorization: Bearer <token> (an administrator makes tokens with hotline token create)")
			return
		}
		tok, err := s.cfg.Tokens.Find(r.Context(), strings.TrimSpace(secret))
		if errors.Is(err, tokens.ErrUnknown) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="hotline", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "this token is unknown or revoked: ask an administrator for a new one")
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !tok.Role.AtLeast(min) {
			writeError(w, http.StatusForbidden, "a "+string(tok.Role)+" token may not do this: it needs the "+string(min)+" role")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), tokenKey{}, tok)))
	})
}

// forbidden is a request the token's role or operator may not make (403).
type forbidden struct{ msg string }

func (e forbidden) Error() string { return e.msg }

// mayActFor tells whether the request may act for operator ext: supervisors for anyone, operators for
// themselves.
func mayActFor(r *http.Request, ext string) error {
	t := who(r)
	if t.Role.AtLeast(tokens.Supervisor) || t.Operator == ext {
		return nil
	}
	return forbidden{"an operator token may act only for its own extension (" + t.Operator + ")"}
}
