package sipptest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"
)

// Codec is an audio codec a scenario offers.
type Codec struct {
	PT   int
	Name string // "PCMA", "PCMU", "G729"
}

// The codecs the scenarios use.
var (
	PCMA = Codec{8, "PCMA"}
	PCMU = Codec{0, "PCMU"}
	G729 = Codec{18, "G729"}
)

// Caller describes a calling scenario: INVITE, ACK, talk, BYE.
type Caller struct {
	Offer []Codec // in offer order; default PCMA
	// Stream is a raw G.711 file (see ToneFile) streamed in a loop from the ACK to the BYE with the first
	// offered codec's payload type; "" streams nothing.
	Stream string
	Talk   time.Duration // from the ACK to the BYE
	// ExpectCodec fails the call unless the 200 OK's SDP names this codec ("" checks nothing).
	ExpectCodec string
	// Key, when set ('0'-'9'), is pressed right after the ACK: RFC 4733 events from the pcap files SIPp's
	// package ships (without Stream: a phone sends its audio and its keys from one port).
	Key byte
}

// keyFiles is where Debian's sip-tester keeps its RFC 4733 key presses.
const keyFiles = "/usr/share/sip-tester"

// Write renders the caller scenario into dir and returns its path.
func (c Caller) Write(dir string) (string, error) {
	if len(c.Offer) == 0 {
		c.Offer = []Codec{PCMA}
	}
	if strings.Contains(c.Stream, ",") {
		return "", fmt.Errorf("stream file %q: SIPp cannot stream a path with a comma", c.Stream)
	}
	if c.Key != 0 && (c.Key < '0' || c.Key > '9' || c.Stream != "") {
		return "", fmt.Errorf("key %q: a digit, and no Stream with it", c.Key)
	}
	return render(dir, "caller", c)
}

// Waiter is a caller that streams Stream (if set) after the ACK and then waits up to Wait for the
// hotline's BYE, which it answers 200: for calls the hotline ends (RTP timeout, shutdown).
type Waiter struct {
	Stream string
	Wait   time.Duration
}

// Write renders the waiting caller into dir and returns its path.
func (w Waiter) Write(dir string) (string, error) { return render(dir, "waiter", w) }

// The fixed scenarios, for WriteScenario.
const (
	// Canceller sends CANCEL after the 180 Ringing and expects 200 for it and 487 for the INVITE.
	Canceller = "canceller"
	// Refused offers only G.729 and expects 488 Not Acceptable Here.
	Refused = "refused"
	// Holder puts the hotline on hold with a re-INVITE (a=sendonly; the answer must say a=recvonly),
	// takes it off hold (a=sendrecv), then hangs up.
	Holder = "holder"
)

// Operator is an operator's phone: it registers as Ext with digest authentication, answers the calls the
// hotline rings it with (an out-of-call scenario of the same SIPp, so on the port it registered from)
// streaming Stream (a raw G.711 file in Codec's law), and unregisters after Stay.
type Operator struct {
	Ext, Password string
	Codec         Codec // offered in the answer; default PCMA
	Stream        string
	Stay          time.Duration
	// Talk, when set, makes the operator hang up this long after answering; otherwise it waits for BYE.
	Talk time.Duration
	// Ring is how long the phone rings (180) before answering; Decline answers 486 instead; NoAnswer
	// rings until the hotline CANCELs.
	Ring     time.Duration
	Decline  bool
	NoAnswer bool
	// ExpectCaller fails an incoming call unless its From names this number.
	ExpectCaller string
	// Hold puts the caller on hold a second after answering (re-INVITE a=sendonly) and back a second later.
	Hold bool
}

// ManyOperators writes a CSV of n operators (extensions from first, password "password-<ext>") for an Operator
// whose Ext is "" (the scenario then takes the extension from [field0] and its digest credentials, which SIPp
// cannot build from a field, whole from [field1]), and returns its path and the extensions.
func ManyOperators(dir string, first, n int) (string, []string, error) {
	var b strings.Builder
	b.WriteString("SEQUENTIAL\n")
	exts := make([]string, n)
	for i := range exts {
		exts[i] = fmt.Sprint(first + i)
		fmt.Fprintf(&b, "%s;[authentication username=%s password=password-%s]\n", exts[i], exts[i], exts[i])
	}
	path := filepath.Join(dir, "operators.csv")
	return path, exts, os.WriteFile(path, []byte(b.String()), 0o644)
}

// Write renders the operator's two scenarios (the registration and the answering) into dir.
func (o Operator) Write(dir string) (register, answer string, err error) {
	if o.Ext == "" {
		o.Ext = "[field0]"
	}
	if o.Codec.Name == "" {
		o.Codec = PCMA
	}
	if register, err = render(dir, "operator-register", o); err != nil {
		return "", "", err
	}
	if o.Ext == "[field0]" {
		o.Ext = "operator" // SIPp's out-of-call scenarios cannot read injection files
	}
	answer, err = render(dir, "operator-answer", o)
	return register, answer, err
}

// Pickup is an operator dialling *8 from the phone to take the longest-waiting caller: it authenticates
// the INVITE with digest, streams Stream and hangs up after Talk.
type Pickup struct {
	Ext, Password string
	Stream        string
	Talk          time.Duration
}

// Write renders the pickup scenario into dir.
func (p Pickup) Write(dir string) (string, error) { return render(dir, "pickup", p) }

// WriteScenario writes a fixed scenario (Canceller, Refused, Holder) into dir.
func WriteScenario(dir, name string) (string, error) { return render(dir, name, nil) }

func render(dir, name string, data any) (string, error) {
	var b bytes.Buffer
	if err := scenarios.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, name+"-*.xml")
	if err != nil {
		return "", err
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		f.Close()
		return "", err
	}
	return filepath.Clean(f.Name()), f.Close()
}

// invite is what the "invite" block needs: a first INVITE or a re-INVITE (CSeq > 1) with an offer.
type invite struct {
	CSeq      int
	Port      string // "[media_port]" or "[rtpstream_audio_port]"
	Offer     []Codec
	Direction string
}

func first(port string, offer []Codec) invite {
	return invite{CSeq: 1, Port: port, Offer: offer, Direction: "sendrecv"}
}

var scenarios = template.Must(template.New("").Funcs(template.FuncMap{
	"first": first,
	"reinvite": func(cseq int, dir string) invite {
		return invite{CSeq: cseq, Port: "[media_port]", Offer: []Codec{PCMA}, Direction: dir}
	},
	"ms":      func(d time.Duration) int64 { return d.Milliseconds() },
	"keyFile": func(k byte) string { return fmt.Sprintf("%s/dtmf_2833_%c.pcap", keyFiles, k) },
	"pcma":    func() []Codec { return []Codec{PCMA} },
	"hold": func(o Operator, cseq int, dir, want string) map[string]any {
		return map[string]any{"Ext": o.Ext, "Codec": o.Codec, "CSeq": cseq, "Dir": dir, "Want": want}
	},
	"reg": func(o any, cseq, expires int, auth string) map[string]any {
		var ext, password string
		switch o := o.(type) {
		case Operator:
			ext, password = o.Ext, o.Password
		case Pickup:
			ext, password = o.Ext, o.Password
		}
		a := ""
		switch {
		case auth != "" && ext == "[field0]":
			a = "[field1]" // ManyOperators' CSV holds the whole keyword
		case auth != "":
			a = fmt.Sprintf("[authentication username=%s password=%s]", ext, password)
		}
		return map[string]any{"Ext": ext, "CSeq": cseq, "Expires": expires, "Auth": a}
	},
	"g729": func() []Codec { return []Codec{G729} },
}).Parse(`
{{- define "head"}}<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="{{.}}">
{{- end}}

{{- define "dialog"}}
      From: "Nguyen Van An" <sip:[caller]@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
{{- end}}

{{- define "contact"}}
      Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
{{- end}}

{{- define "invite"}}
  <send retrans="500">
    <![CDATA[
      INVITE {{if eq .CSeq 1}}sip:[service]@[remote_ip]:[remote_port]{{else}}[next_url]{{end}} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
{{- template "dialog"}}
      CSeq: {{.CSeq}} INVITE
{{- if gt .CSeq 1}}
      [routes]
{{- end}}
{{- template "contact"}}
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 53655765 {{.CSeq}} IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio {{.Port}} RTP/AVP{{range .Offer}} {{.PT}}{{end}} 101
{{- range .Offer}}
      a=rtpmap:{{.PT}} {{.Name}}/8000
{{- end}}
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-16
      a=ptime:20
      a={{.Direction}}
    ]]>
  </send>
  <recv response="100" optional="true"/>
{{- end}}

{{- define "ack"}}
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
{{- template "dialog"}}
      CSeq: {{.}} ACK
      [routes]
{{- template "contact"}}
      Content-Length: 0

    ]]>
  </send>
{{- end}}

{{- define "ack-error"}}
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
{{- template "dialog"}}
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
{{- end}}

{{- define "bye"}}
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
{{- template "dialog"}}
      CSeq: {{.}} BYE
      [routes]
{{- template "contact"}}
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" crlf="true"/>
{{- end}}

{{- define "answered"}}
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true" rrs="true">
{{- if .}}
    <action>
      <ereg regexp="a=rtpmap:[0-9]+ {{.}}/8000" search_in="body" check_it="true" assign_to="codec"/>
    </action>
{{- end}}
  </recv>
{{- end}}

{{- define "caller"}}{{template "head" "hotline caller"}}
{{- template "invite" (first "[rtpstream_audio_port]" .Offer)}}
{{- template "answered" .ExpectCodec}}
{{- template "ack" 1}}
{{- if .Stream}}
  <nop><action><exec rtp_stream="{{.Stream}},-1,{{(index .Offer 0).PT}}"/></action></nop>
{{- end}}
{{- if .Key}}
  <nop><action><exec play_pcap_audio="{{keyFile .Key}}"/></action></nop>
{{- end}}
  <pause milliseconds="{{ms .Talk}}"/>
{{- if .Stream}}
  <nop><action><exec rtp_stream="pause"/></action></nop>
{{- end}}
{{- template "bye" 2}}
{{- if .ExpectCodec}}
  <Reference variables="codec"/>
{{- end}}
  <ResponseTimeRepartition value="10, 20, 50, 100, 200, 500, 1000"/>
</scenario>
{{end}}

{{- define "pickup-invite"}}
  <send retrans="500">
    <![CDATA[
      INVITE sip:*8@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{{.Ext}}@[remote_ip]>;tag=[call_number]
      To: <sip:*8@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: {{.CSeq}} INVITE
      Contact: <sip:{{.Ext}}@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
{{- if .Auth}}
      {{.Auth}}
{{- end}}
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=operator 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [rtpstream_audio_port] RTP/AVP 8 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
      a=ptime:20
    ]]>
  </send>
{{- end}}

{{- define "pickup"}}{{template "head" "hotline operator dialling *8"}}
{{- template "pickup-invite" (reg . 1 0 "")}}
  <recv response="100" optional="true"/>
  <recv response="401" auth="true"/>
  <send>
    <![CDATA[
      ACK sip:*8@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      From: <sip:{{.Ext}}@[remote_ip]>;tag=[call_number]
      To: <sip:*8@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
{{- template "pickup-invite" (reg . 2 0 "auth")}}
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{{.Ext}}@[remote_ip]>;tag=[call_number]
      To: <sip:*8@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 ACK
      [routes]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
{{- if .Stream}}
  <nop><action><exec rtp_stream="{{.Stream}},-1,8"/></action></nop>
{{- end}}
  <pause milliseconds="{{ms .Talk}}"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{{.Ext}}@[remote_ip]>;tag=[call_number]
      To: <sip:*8@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 3 BYE
      [routes]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" crlf="true"/>
</scenario>
{{end}}

{{- define "waiter"}}{{template "head" "hotline caller waiting for the hotline's BYE"}}
{{- template "invite" (first "[rtpstream_audio_port]" pcma)}}
{{- template "answered" ""}}
{{- template "ack" 1}}
{{- if .Stream}}
  <nop><action><exec rtp_stream="{{.Stream}},-1,8"/></action></nop>
{{- end}}
  <recv request="BYE" timeout="{{ms .Wait}}"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
{{- template "contact"}}
      Content-Length: 0

    ]]>
  </send>
{{- if .Stream}}
  <nop><action><exec rtp_stream="pause"/></action></nop>
{{- end}}
</scenario>
{{end}}

{{- define "canceller"}}{{template "head" "hotline caller who cancels"}}
{{- template "invite" (first "[media_port]" pcma)}}
  <recv response="180"/>
  <send>
    <![CDATA[
      CANCEL sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      From: "Nguyen Van An" <sip:[caller]@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 CANCEL
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
  <recv response="487"/>
{{- template "ack-error"}}
</scenario>
{{end}}

{{- define "refused"}}{{template "head" "hotline caller without G.711"}}
{{- template "invite" (first "[media_port]" g729)}}
  <recv response="488"/>
{{- template "ack-error"}}
</scenario>
{{end}}

{{- define "register"}}
  <send retrans="500">
    <![CDATA[
      REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{{.Ext}}@[remote_ip]>;tag=[call_number]
      To: <sip:{{.Ext}}@[remote_ip]>
      Call-ID: [call_id]
      CSeq: {{.CSeq}} REGISTER
      Contact: <sip:{{.Ext}}@[local_ip]:[local_port];transport=[transport]>
      Expires: {{.Expires}}
      Max-Forwards: 70
      User-Agent: SIPp operator
{{- if .Auth}}
      {{.Auth}}
{{- end}}
      Content-Length: 0

    ]]>
  </send>
{{- end}}

{{- define "operator-register"}}{{template "head" "hotline operator registering"}}
{{- template "register" (reg . 1 3600 "")}}
  <recv response="401" auth="true"/>
{{- template "register" (reg . 2 3600 "auth")}}
  <recv response="200"/>
  <pause milliseconds="{{ms .Stay}}"/>
{{- template "register" (reg . 3 0 "")}}
  <recv response="401" auth="true"/>
{{- template "register" (reg . 4 0 "auth")}}
  <recv response="200"/>
</scenario>
{{end}}

{{- define "phone-reinvite"}}
  <send retrans="500">
    <![CDATA[
      INVITE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-[call_id]-{{.CSeq}}
      From: <sip:{{.Ext}}@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
      To:[$caller]
      Call-ID: [call_id]
      CSeq: {{.CSeq}} INVITE
      Contact: <sip:{{.Ext}}@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=operator 1 {{.CSeq}} IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [rtpstream_audio_port] RTP/AVP {{.Codec.PT}} 101
      a=rtpmap:{{.Codec.PT}} {{.Codec.Name}}/8000
      a=rtpmap:101 telephone-event/8000
      a={{.Dir}}
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="200">
    <action><ereg regexp="a={{.Want}}" search_in="body" check_it="true" assign_to="hold{{.CSeq}}"/></action>
  </recv>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-[call_id]-{{.CSeq}}-ack
      From: <sip:{{.Ext}}@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
      To:[$caller]
      Call-ID: [call_id]
      CSeq: {{.CSeq}} ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
{{- end}}

{{- /* In out-of-call scenarios SIPp's [call_number] and [branch] are the same for every call: the BYE's
branch is made from the Call-ID so that each BYE is a transaction of its own. */}}
{{- define "operator-answer"}}{{template "head" "hotline operator answering"}}
  <recv request="INVITE" crlf="true" rrs="true">
    <action>
      <ereg regexp="CSeq: *([0-9]+)" search_in="msg" assign_to="cseqline,cseq"/>
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="caller"/>
{{- if .ExpectCaller}}
      <ereg regexp="From:[^\r\n]*sip:{{.ExpectCaller}}@" search_in="msg" check_it="true" assign_to="from"/>
{{- end}}
    </action>
  </recv>
  <send>
    <![CDATA[
      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:{{.Ext}}@[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
{{- if .Ring}}
  <pause milliseconds="{{ms .Ring}}"/>
{{- end}}
{{- if .NoAnswer}}
  <recv request="CANCEL"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <send>
    <![CDATA[
      SIP/2.0 487 Request Terminated
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      CSeq: [$cseq] INVITE
      Content-Length: 0

    ]]>
  </send>
  <recv request="ACK"/>
{{- else if .Decline}}
  <send>
    <![CDATA[
      SIP/2.0 486 Busy Here
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <recv request="ACK"/>
{{- else}}
  <send retrans="500">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:{{.Ext}}@[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=operator 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [rtpstream_audio_port] RTP/AVP {{.Codec.PT}} 101
      a=rtpmap:{{.Codec.PT}} {{.Codec.Name}}/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-16
      a=ptime:20
    ]]>
  </send>
  <recv request="ACK" rtd="true" crlf="true"/>
{{- if .Stream}}
  <nop><action><exec rtp_stream="{{.Stream}},-1,{{.Codec.PT}}"/></action></nop>
{{- end}}
{{- if .Hold}}
  <pause milliseconds="1000"/>
{{- template "phone-reinvite" (hold . 2 "sendonly" "recvonly")}}
  <pause milliseconds="1500"/>
{{- template "phone-reinvite" (hold . 3 "sendrecv" "sendrecv")}}
{{- end}}
{{- if .Talk}}
  <pause milliseconds="{{ms .Talk}}"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-[call_id]-bye
      From: <sip:{{.Ext}}@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
      To:[$caller]
      Call-ID: [call_id]
      CSeq: 1 BYE
      Contact: <sip:{{.Ext}}@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
{{- else}}
  <recv request="BYE"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
{{- end}}
{{- if .Stream}}
  <nop><action><exec rtp_stream="pause"/></action></nop>
{{- end}}
{{- end}}
  <Reference variables="cseqline,cseq,caller{{if .ExpectCaller}},from{{end}}{{if .Hold}},hold2,hold3{{end}}"/>
</scenario>
{{end}}

{{- define "holder"}}{{template "head" "hotline caller who holds"}}
{{- template "invite" (first "[media_port]" pcma)}}
{{- template "answered" ""}}
{{- template "ack" 1}}
  <pause milliseconds="500"/>
{{- template "invite" (reinvite 2 "sendonly")}}
  <recv response="200">
    <action><ereg regexp="a=recvonly" search_in="body" check_it="true" assign_to="held"/></action>
  </recv>
{{- template "ack" 2}}
  <pause milliseconds="500"/>
{{- template "invite" (reinvite 3 "sendrecv")}}
  <recv response="200">
    <action><ereg regexp="a=sendrecv" search_in="body" check_it="true" assign_to="resumed"/></action>
  </recv>
{{- template "ack" 3}}
  <pause milliseconds="500"/>
{{- template "bye" 4}}
  <Reference variables="held,resumed"/>
</scenario>
{{end}}
`))
