package telephony

import (
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"
)

// Listen is one SIP listener.
type Listen struct {
	Network string // "udp" or "tcp"
	Addr    string // host:port
}

// ParseListen reads a list such as "udp:0.0.0.0:5060,tcp:0.0.0.0:5060".
func ParseListen(s string) ([]Listen, error) {
	var out []Listen
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		network, addr, ok := strings.Cut(part, ":")
		if !ok || (network != "udp" && network != "tcp") {
			return nil, fmt.Errorf("%q: want udp:HOST:PORT or tcp:HOST:PORT", part)
		}
		if _, err := netip.ParseAddrPort(addr); err != nil {
			return nil, fmt.Errorf("%q: want udp:HOST:PORT or tcp:HOST:PORT with an IP address: %v", part, err)
		}
		out = append(out, Listen{Network: network, Addr: addr})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no listener: want e.g. udp:0.0.0.0:5060,tcp:0.0.0.0:5060")
	}
	return out, nil
}

// Config is the SIP front end's configuration. Zero values take the documented defaults.
type Config struct {
	Listen   []Listen
	PublicIP netip.Addr // put in SDP and Contact; zero: the local address the request arrived on
	// MaxMessage bounds a SIP message over UDP and TCP (default 64 KiB).
	MaxMessage int
	// TCPIdle closes a TCP connection that sends nothing for this long (default 30 s).
	TCPIdle time.Duration
	// MaxTCPPerSource bounds the TCP connections one address may hold open (default 32).
	MaxTCPPerSource int
	// MaxCalls bounds the calls in progress; MaxCallsPerSource those from one source address.
	// Beyond them INVITEs get 503 (defaults 1000 and 300).
	MaxCalls          int
	MaxCallsPerSource int
	// RTPTimeout ends a call whose caller sends no RTP for this long (default 60 s; negative: never).
	RTPTimeout time.Duration
	UserAgent  string
	// Registry, when set, lets operators REGISTER with digest authentication in Realm (default "hotline");
	// NonceKey signs the digest nonces (every node of one hotline must share it; default: random).
	Registry Registry
	Realm    string
	NonceKey []byte
	// DigestAlgorithms orders the 401's challenges (default MD5, SHA-256: many phones, and SIPp, take the
	// first challenge whether they support it or not; put SHA-256 first when every phone supports RFC 8760).
	DigestAlgorithms []string
	Log              *slog.Logger
}

func (c *Config) setDefaults() {
	if c.MaxMessage == 0 {
		c.MaxMessage = 64 << 10
	}
	if c.TCPIdle == 0 {
		c.TCPIdle = 30 * time.Second
	}
	if c.MaxTCPPerSource == 0 {
		c.MaxTCPPerSource = 32
	}
	if c.MaxCalls == 0 {
		c.MaxCalls = 1000
	}
	if c.MaxCallsPerSource == 0 {
		c.MaxCallsPerSource = 300
	}
	if c.RTPTimeout == 0 {
		c.RTPTimeout = 60 * time.Second
	}
	if c.UserAgent == "" {
		c.UserAgent = "hotline"
	}
	if c.Realm == "" {
		c.Realm = "hotline"
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
}

func (c *Config) validate() error {
	switch {
	case len(c.Listen) == 0:
		return fmt.Errorf("Listen: at least one listener is needed")
	case c.MaxMessage < 1024 || c.MaxMessage > 65536:
		return fmt.Errorf("MaxMessage %d: want 1024 to 65536 bytes", c.MaxMessage)
	case c.TCPIdle < time.Second:
		return fmt.Errorf("TCPIdle %s: want at least 1s", c.TCPIdle)
	case c.MaxCalls < 1:
		return fmt.Errorf("MaxCalls %d: want at least 1", c.MaxCalls)
	case c.MaxCallsPerSource < 1:
		return fmt.Errorf("MaxCallsPerSource %d: want at least 1", c.MaxCallsPerSource)
	case c.MaxTCPPerSource < 1:
		return fmt.Errorf("MaxTCPPerSource %d: want at least 1", c.MaxTCPPerSource)
	}
	return nil
}
