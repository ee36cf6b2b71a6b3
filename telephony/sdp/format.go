package sdp

import "strings"

// Encoding names the hotline negotiates.
const (
	namePCMA           = "PCMA"
	namePCMU           = "PCMU"
	nameTelephoneEvent = "telephone-event"
	g711Rate           = 8000
)

// staticAudio lists the RFC 3551 §6 static audio payload types, which count
// without an a=rtpmap line.
var staticAudio = [...]struct {
	name     string
	rate     int
	channels int
}{
	0:  {namePCMU, 8000, 1},
	3:  {"GSM", 8000, 1},
	4:  {"G723", 8000, 1},
	5:  {"DVI4", 8000, 1},
	6:  {"DVI4", 16000, 1},
	7:  {"LPC", 8000, 1},
	8:  {namePCMA, 8000, 1},
	9:  {"G722", 8000, 1},
	10: {"L16", 44100, 2},
	11: {"L16", 44100, 1},
	12: {"QCELP", 8000, 1},
	13: {"CN", 8000, 1},
	14: {"MPA", 90000, 1},
	15: {"G728", 8000, 1},
	16: {"DVI4", 11025, 1},
	17: {"DVI4", 22050, 1},
	18: {"G729", 8000, 1},
}

// staticFormat returns the format a static audio payload type stands for, or
// just the PT when it is dynamic or unassigned.
func staticFormat(pt uint8) Format {
	f := Format{PT: pt}
	if int(pt) < len(staticAudio) && staticAudio[pt].name != "" {
		s := staticAudio[pt]
		f.Name, f.Rate, f.Channels = s.name, s.rate, s.channels
	}
	return f
}

// is reports whether f is the named encoding at the given clock rate, mono.
// Encoding names are case-insensitive (RFC 4855 §3).
func (f Format) is(name string, rate int) bool {
	return strings.EqualFold(f.Name, name) && f.Rate == rate && f.Channels <= 1
}

// isRTP reports whether proto is an RTP profile, whose formats are payload
// types.
func isRTP(proto string) bool {
	return strings.Contains(strings.ToUpper(proto), "RTP/")
}
