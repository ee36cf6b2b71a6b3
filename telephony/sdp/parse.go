package sdp

import (
	"bytes"
	"net/netip"
	"strings"
)

// Limits Parse enforces on a body.
const (
	// MaxSize is the largest body Parse accepts, in bytes.
	MaxSize = 64 << 10
	// MaxLineLength is the longest line Parse accepts, in bytes, without the
	// line ending.
	MaxLineLength = 4096
	// MaxMedia is the most m= sections Parse accepts.
	MaxMedia = 64
	// MaxFormats is the most formats Parse accepts on one m= line.
	MaxFormats = 64
)

// Parse parses an SDP body (RFC 4566). Lines may end in CRLF or LF; empty
// lines are skipped; lines of unknown types and attributes that do not
// concern G.711 offer/answer are ignored. The body must start with v=0 and
// carry an o= line, and every media section with a port other than 0 must
// have a connection address (its own c= or the session's). Connection
// addresses must be IP addresses of the family c= names.
//
// Every error wraps ErrMalformed and names the line it was found on.
func Parse(b []byte) (*Session, error) {
	if len(b) > MaxSize {
		return nil, errTooLarge
	}
	p := parser{s: &Session{}}
	for n := 1; len(b) > 0; n++ {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if err := p.line(n, line); err != nil {
			return nil, err
		}
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return p.s, nil
}

// parser holds what Parse knows between lines.
type parser struct {
	s *Session

	version bool // v= seen
	origin  bool // o= seen
	name    bool // s= seen
	timing  bool // t= seen

	sessDir    Direction
	sessDirSet bool
	sessPtime  int

	// Per media section, parallel to s.Media.
	media []mediaState
}

// mediaState is what the parser tracks about one m= section besides Media.
type mediaState struct {
	line   int // line number of the m= line
	dirSet bool
	ptime  int
	rtp    bool
	mapped [2]uint64 // payload types that an a=rtpmap has described
}

// cur returns the media section being parsed, or nil at session level.
func (p *parser) cur() (*Media, *mediaState) {
	if len(p.s.Media) == 0 {
		return nil, nil
	}
	i := len(p.s.Media) - 1
	return &p.s.Media[i], &p.media[i]
}

func (p *parser) line(n int, line []byte) error {
	if len(line) > MaxLineLength {
		return lineError(errLineTooLong, n)
	}
	if len(line) == 0 {
		return nil
	}
	if bytes.IndexByte(line, 0) >= 0 || bytes.IndexByte(line, '\r') >= 0 {
		return lineError(errBadChar, n)
	}
	if len(line) < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z' {
		return lineError(errBadLine, n)
	}
	typ, val := line[0], string(line[2:])
	if !p.version {
		if typ != 'v' {
			return lineError(errNoVersion, n)
		}
		if val != "0" {
			return tokenError(errBadVersion, n, val)
		}
		p.version = true
		return nil
	}
	m, ms := p.cur()
	switch typ {
	case 'v':
		return lineError(errDuplicate, n)
	case 'o':
		if m != nil {
			return lineError(errMisplaced, n)
		}
		if p.origin {
			return lineError(errDuplicate, n)
		}
		p.origin = true
		return p.parseOrigin(n, val)
	case 's':
		if m != nil {
			return lineError(errMisplaced, n)
		}
		if !p.name {
			p.name = true
			p.s.Name = val
		}
	case 't':
		if m != nil {
			return lineError(errMisplaced, n)
		}
		t, err := parseTiming(n, val)
		if err != nil {
			return err
		}
		if !p.timing {
			p.timing = true
			p.s.Timing = t
		}
	case 'c':
		addr, err := parseConn(n, val)
		if err != nil {
			return err
		}
		dst := &p.s.Conn
		if m != nil {
			dst = &m.Conn
		}
		if dst.IsValid() {
			return lineError(errDuplicate, n)
		}
		*dst = addr
	case 'm':
		return p.parseMedia(n, val)
	case 'a':
		return p.parseAttribute(n, val, m, ms)
	}
	// b=, i=, u=, e=, p=, z=, k=, r= and unknown types carry nothing the
	// offer/answer needs.
	return nil
}

func (p *parser) parseOrigin(n int, val string) error {
	f, ok := fields(val, 6)
	if !ok || len(f) != 6 {
		return lineError(errBadOrigin, n)
	}
	p.s.Origin = Origin{
		Username: f[0], SessID: f[1], SessVersion: f[2],
		NetType: f[3], AddrType: f[4], Address: f[5],
	}
	return nil
}

func parseTiming(n int, val string) (Timing, error) {
	f, ok := fields(val, 2)
	if !ok || len(f) != 2 {
		return Timing{}, lineError(errBadTiming, n)
	}
	start, ok1 := parseUint(f[0], 1<<64-1)
	stop, ok2 := parseUint(f[1], 1<<64-1)
	if !ok1 || !ok2 {
		return Timing{}, lineError(errBadTiming, n)
	}
	return Timing{Start: start, Stop: stop}, nil
}

// parseConn parses a c= value: "IN IP4 <addr>[/ttl[/count]]" or
// "IN IP6 <addr>[/count]".
func parseConn(n int, val string) (netip.Addr, error) {
	f, ok := fields(val, 3)
	if !ok || len(f) != 3 || f[0] != "IN" {
		return netip.Addr{}, lineError(errBadConn, n)
	}
	host, _, _ := strings.Cut(f[2], "/")
	addr, err := netip.ParseAddr(host)
	if err != nil || addr.Zone() != "" {
		return netip.Addr{}, tokenError(errBadConn, n, host)
	}
	switch {
	case f[1] == "IP4" && addr.Is4():
	case f[1] == "IP6" && addr.Is6():
	default:
		return netip.Addr{}, tokenError(errBadConn, n, f[1]+" "+host)
	}
	return addr, nil
}

// parseMedia parses an m= value: "<media> <port>[/<count>] <proto> <fmt> ...".
func (p *parser) parseMedia(n int, val string) error {
	if len(p.s.Media) == MaxMedia {
		return lineError(errTooManyMedia, n)
	}
	f, ok := fields(val, 3+MaxFormats)
	if !ok {
		return lineError(errTooManyFormats, n)
	}
	if len(f) < 4 {
		return lineError(errBadMedia, n)
	}
	if !isToken(f[0]) || !isProto(f[2]) {
		return lineError(errBadMedia, n)
	}
	portText, count, hasCount := strings.Cut(f[1], "/")
	port, ok := parseUint(portText, 65535)
	if !ok {
		return tokenError(errBadPort, n, f[1])
	}
	if hasCount {
		if c, ok := parseUint(count, 65535); !ok || c == 0 {
			return tokenError(errBadPort, n, f[1])
		}
	}
	m := Media{Type: f[0], Port: int(port), Proto: f[2], Fmts: f[3:]}
	ms := mediaState{line: n, rtp: isRTP(m.Proto)}
	for _, tok := range m.Fmts {
		if !isToken(tok) {
			return tokenError(errBadFormat, n, tok)
		}
		if !ms.rtp {
			continue
		}
		pt, ok := parseUint(tok, 127)
		if !ok {
			return tokenError(errBadFormat, n, tok)
		}
		if indexPT(m.Formats, uint8(pt)) >= 0 {
			continue // listed twice: the first one stands
		}
		f := Format{PT: uint8(pt)}
		if strings.EqualFold(m.Type, "audio") {
			f = staticFormat(uint8(pt))
		}
		m.Formats = append(m.Formats, f)
	}
	p.s.Media = append(p.s.Media, m)
	p.media = append(p.media, ms)
	return nil
}

// parseAttribute handles the a= lines offer/answer needs: direction, ptime,
// rtpmap and fmtp.
func (p *parser) parseAttribute(n int, val string, m *Media, ms *mediaState) error {
	name, value, _ := strings.Cut(val, ":")
	if d, ok := parseDirection(name); ok {
		if m == nil {
			p.sessDir, p.sessDirSet = d, true
		} else {
			m.Direction, ms.dirSet = d, true
		}
		return nil
	}
	switch name {
	case "ptime":
		ms2, ok := parsePtime(value)
		if !ok {
			return tokenError(errBadPtime, n, value)
		}
		if m == nil {
			p.sessPtime = ms2
		} else {
			ms.ptime = ms2
		}
	case "rtpmap":
		if m == nil || !ms.rtp {
			return nil
		}
		return parseRtpmap(n, value, m, ms)
	case "fmtp":
		if m == nil || !ms.rtp {
			return nil
		}
		return parseFmtp(n, value, m)
	}
	return nil
}

// parsePtime accepts a positive number of milliseconds, with an optional
// fraction (RFC 8866 allows one), which is dropped.
func parsePtime(v string) (int, bool) {
	whole, frac, hasFrac := strings.Cut(v, ".")
	if hasFrac {
		if _, ok := parseUint(frac, 1<<64-1); !ok {
			return 0, false
		}
	}
	ms, ok := parseUint(whole, 65535)
	if !ok || ms == 0 {
		return 0, false
	}
	return int(ms), true
}

// parseRtpmap parses "<pt> <name>/<rate>[/<channels>]" and applies it to the
// listed payload type; the first map of a payload type stands, and a map for
// a payload type the m= line does not list is checked and dropped.
func parseRtpmap(n int, value string, m *Media, ms *mediaState) error {
	ptText, enc, ok := strings.Cut(value, " ")
	if !ok {
		return lineError(errBadRtpmap, n)
	}
	pt, ok := parseUint(ptText, 127)
	if !ok {
		return tokenError(errBadRtpmap, n, ptText)
	}
	enc = strings.TrimSpace(enc)
	name, rest, ok := strings.Cut(enc, "/")
	if !ok || !isToken(name) {
		return tokenError(errBadRtpmap, n, enc)
	}
	rateText, chText, hasCh := strings.Cut(rest, "/")
	rate, ok := parseUint(rateText, 1<<31-1)
	if !ok || rate == 0 {
		return tokenError(errBadRtpmap, n, enc)
	}
	channels := uint64(0)
	if strings.EqualFold(m.Type, "audio") {
		channels = 1
	}
	if hasCh {
		channels, ok = parseUint(chText, 255)
		if !ok || channels == 0 {
			return tokenError(errBadRtpmap, n, enc)
		}
	}
	i := indexPT(m.Formats, uint8(pt))
	if i < 0 || ms.mapped[pt>>6]&(1<<(pt&63)) != 0 {
		return nil
	}
	ms.mapped[pt>>6] |= 1 << (pt & 63)
	f := &m.Formats[i]
	f.Name, f.Rate, f.Channels = name, int(rate), int(channels)
	return nil
}

// parseFmtp parses "<pt> <parameters>" and keeps the parameters of a listed
// payload type.
func parseFmtp(n int, value string, m *Media) error {
	ptText, params, _ := strings.Cut(value, " ")
	pt, ok := parseUint(ptText, 127)
	if !ok {
		return tokenError(errBadFmtp, n, ptText)
	}
	if i := indexPT(m.Formats, uint8(pt)); i >= 0 && m.Formats[i].Fmtp == "" {
		m.Formats[i].Fmtp = strings.TrimSpace(params)
	}
	return nil
}

// finish checks what can only be checked at the end and fills in the
// inherited direction and ptime.
func (p *parser) finish() error {
	if !p.version {
		return lineError(errNoVersion, 1)
	}
	if !p.origin {
		return errNoOrigin
	}
	for i := range p.s.Media {
		m, ms := &p.s.Media[i], &p.media[i]
		if m.Port != 0 && !m.Conn.IsValid() && !p.s.Conn.IsValid() {
			return lineError(errNoConn, ms.line)
		}
		if !ms.dirSet {
			m.Direction = SendRecv
			if p.sessDirSet {
				m.Direction = p.sessDir
			}
		}
		m.Ptime = ms.ptime
		if m.Ptime == 0 {
			m.Ptime = p.sessPtime
		}
	}
	return nil
}

// indexPT returns the index of payload type pt in fs, or -1.
func indexPT(fs []Format, pt uint8) int {
	for i := range fs {
		if fs[i].PT == pt {
			return i
		}
	}
	return -1
}

// fields splits s at runs of spaces and tabs. It reports false, without
// allocating for them, when there are more than max fields.
func fields(s string, max int) ([]string, bool) {
	n := 0
	for i := 0; i < len(s); {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i == len(s) {
			break
		}
		n++
		for i < len(s) && !isSpace(s[i]) {
			i++
		}
	}
	if n > max {
		return nil, false
	}
	out := make([]string, 0, n)
	for i := 0; i < len(s); {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		start := i
		for i < len(s) && !isSpace(s[i]) {
			i++
		}
		if i > start {
			out = append(out, s[start:i])
		}
	}
	return out, true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

// parseUint parses a decimal number of digits only (no sign, no spaces) that
// is at most max.
func parseUint(s string, max uint64) (uint64, bool) {
	if s == "" || len(s) > 20 {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if d > max || v > (max-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// isToken reports whether s is an RFC 4566 token: visible ASCII except the
// separators (),/:;<=>?@[\] and the double quote.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]`, c) >= 0 {
			return false
		}
	}
	return true
}

// isProto reports whether s is tokens joined by slashes ("RTP/AVP").
func isProto(s string) bool {
	for {
		tok, rest, more := strings.Cut(s, "/")
		if !isToken(tok) {
			return false
		}
		if !more {
			return true
		}
		s = rest
	}
}
