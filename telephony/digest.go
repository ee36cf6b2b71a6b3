package telephony

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/netip"
	"strings"
	"time"

	"github.com/icholy/digest"
)

// Digest authentication (RFC 3261 §22, RFC 8760 for SHA-256). Nonces are stateless: a time and an HMAC
// over it and the client's address with a key every node shares, so any node can check a nonce another
// gave, and a nonce expires without anything being stored.

// nonceLife is how long a nonce is accepted; after it a request gets a new challenge with stale=true.
const nonceLife = 5 * time.Minute

var (
	errNoCredentials  = errors.New("no credentials")
	errStaleNonce     = errors.New("the nonce has expired")
	errBadCredentials = errors.New("wrong credentials")
)

type digester struct {
	key   []byte
	realm string
	algs  []string // the challenges' algorithms, in the order offered
	now   func() time.Time
}

func (d *digester) nonce(src netip.Addr) string {
	var b [8 + 16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(d.now().Unix()))
	copy(b[8:], d.mac(b[:8], src))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (d *digester) mac(ts []byte, src netip.Addr) []byte {
	m := hmac.New(sha256.New, d.key)
	m.Write(ts)
	m.Write(src.AsSlice())
	return m.Sum(nil)[:16]
}

// checkNonce tells whether a nonce is ours for this address, and whether it is still fresh.
func (d *digester) checkNonce(n string, src netip.Addr) (ours, fresh bool) {
	b, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil || len(b) != 24 {
		return false, false
	}
	if !hmac.Equal(b[8:], d.mac(b[:8], src)) {
		return false, false
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(b[:8])), 0)
	age := d.now().Sub(issued)
	return true, age >= -time.Minute && age <= nonceLife
}

// challenges are the WWW-Authenticate values of a 401, one per algorithm in the configured order (RFC 8760
// §2.4: a client takes the topmost it supports). Either algorithm is accepted whatever the order.
func (d *digester) challenges(src netip.Addr, stale bool) []string {
	n := d.nonce(src)
	s := ""
	if stale {
		s = ", stale=true"
	}
	out := make([]string, len(d.algs))
	for i, a := range d.algs {
		out[i] = fmt.Sprintf(`Digest realm="%s", nonce="%s", algorithm=%s, qop="auth"%s`, d.realm, n, a, s)
	}
	return out
}

// ParseDigestAlgorithms reads the order of digest challenges, e.g. "MD5,SHA-256".
func ParseDigestAlgorithms(v string) ([]string, error) {
	var out []string
	for _, a := range strings.Split(v, ",") {
		a = strings.ToUpper(strings.TrimSpace(a))
		if a != "MD5" && a != "SHA-256" {
			return nil, fmt.Errorf("%q: want MD5 and/or SHA-256", a)
		}
		out = append(out, a)
	}
	return out, nil
}

// credentials reads an Authorization header value.
func parseCredentials(v string) (*digest.Credentials, error) {
	if v == "" {
		return nil, errNoCredentials
	}
	c, err := digest.ParseCredentials(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadCredentials, err)
	}
	return c, nil
}

// verify checks credentials against the user's stored HA1 (hex of H(user:realm:password)) for the request's
// method; it returns errStaleNonce for a good signature on an old nonce (the client retries at once).
func (d *digester) verify(c *digest.Credentials, method string, src netip.Addr, ha1MD5, ha1SHA256 string) error {
	var h func() hash.Hash
	var ha1 string
	switch strings.ToUpper(c.Algorithm) {
	case "", "MD5":
		h, ha1 = md5New, ha1MD5
	case "SHA-256":
		h, ha1 = sha256New, ha1SHA256
	default:
		return fmt.Errorf("%w: algorithm %q", errBadCredentials, c.Algorithm)
	}
	ours, fresh := d.checkNonce(c.Nonce, src)
	if !ours || c.Realm != d.realm {
		return errBadCredentials
	}
	ha2 := hexHash(h, method+":"+c.URI)
	var want string
	switch c.QOP {
	case "auth":
		want = hexHash(h, fmt.Sprintf("%s:%s:%08x:%s:auth:%s", ha1, c.Nonce, c.Nc, c.Cnonce, ha2))
	case "":
		want = hexHash(h, ha1+":"+c.Nonce+":"+ha2)
	default:
		return fmt.Errorf("%w: qop %q", errBadCredentials, c.QOP)
	}
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(c.Response)), []byte(want)) != 1 {
		return errBadCredentials
	}
	if !fresh {
		return errStaleNonce
	}
	return nil
}

func hexHash(h func() hash.Hash, s string) string {
	x := h()
	x.Write([]byte(s))
	return hex.EncodeToString(x.Sum(nil))
}

func md5New() hash.Hash    { return md5.New() }
func sha256New() hash.Hash { return sha256.New() }
