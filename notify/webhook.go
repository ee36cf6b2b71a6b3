package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// SignatureHeader is the header that carries a webhook's signature.
const SignatureHeader = "X-Hotline-Signature"

// Sign returns the value of X-Hotline-Signature for body: "sha256=" and the lowercase hex HMAC-SHA256 of
// the raw body keyed with secret.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether header is the signature of body with secret, in constant time: what a
// receiver does before it trusts a webhook.
func Verify(secret, body []byte, header string) bool {
	return hmac.Equal([]byte(header), []byte(Sign(secret, body)))
}

// maxErrorBody is how much of a failed answer's body is kept in the error.
const maxErrorBody = 4 << 10

// newHTTPClient returns the webhooks' client: its own transport, the attempt's timeout, no redirects.
func newHTTPClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Transport: http.DefaultTransport.(*http.Transport).Clone(),
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// postWebhook makes one attempt: any 2xx answer is a delivery; anything else is an error.
func postWebhook(ctx context.Context, client *http.Client, c claimed) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Target, bytes.NewReader(c.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "hotline")
	req.Header.Set("Idempotency-Key", c.Key)
	if c.Secret != "" {
		req.Header.Set(SignatureHeader, Sign([]byte(c.Secret), c.Body))
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	msg := "HTTP " + resp.Status
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		msg += " (redirects are not followed: set the webhook to the final URL)"
	}
	if b := strings.TrimSpace(string(body)); b != "" {
		msg += ": " + b
	}
	return fmt.Errorf("%s", msg)
}
