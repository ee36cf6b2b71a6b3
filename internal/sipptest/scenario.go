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

// Caller describes a calling scenario.
type Caller struct {
	Offer []Codec // in offer order
	// Stream is a raw G.711 file (see ToneFile) streamed in a loop from the ACK to the BYE with the first
	// offered codec's payload type; "" streams nothing.
	Stream string
	Talk   time.Duration // from the ACK to the BYE
	// ExpectCodec fails the call unless the 200 OK's SDP names this codec ("" checks nothing).
	ExpectCodec string
}

var callerTmpl = template.Must(template.New("caller").Parse(`<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="hotline caller">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Nguyen Van An" <sip:[caller]@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [rtpstream_audio_port] RTP/AVP{{range .Offer}} {{.PT}}{{end}} 101
{{- range .Offer}}
      a=rtpmap:{{.PT}} {{.Name}}/8000{{end}}
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-16
      a=ptime:20
      a=sendrecv
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true" rrs="true">
{{- if .ExpectCodec}}
    <action>
      <ereg regexp="a=rtpmap:[0-9]+ {{.ExpectCodec}}/8000" search_in="body" check_it="true" assign_to="codec"/>
    </action>
{{- end}}
  </recv>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Nguyen Van An" <sip:[caller]@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      [routes]
      Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
{{- if .Stream}}
  <nop><action><exec rtp_stream="{{.Stream}},-1,{{(index .Offer 0).PT}}"/></action></nop>
{{- end}}
  <pause milliseconds="{{.TalkMS}}"/>
{{- if .Stream}}
  <nop><action><exec rtp_stream="pause"/></action></nop>
{{- end}}
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Nguyen Van An" <sip:[caller]@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      [routes]
      Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" crlf="true"/>
{{- if .ExpectCodec}}
  <Reference variables="codec"/>
{{- end}}
  <ResponseTimeRepartition value="10, 20, 50, 100, 200, 500, 1000"/>
</scenario>
`))

// Write renders the caller scenario into dir and returns its path.
func (c Caller) Write(dir string) (string, error) {
	if len(c.Offer) == 0 {
		c.Offer = []Codec{PCMA}
	}
	if strings.Contains(c.Stream, ",") {
		return "", fmt.Errorf("stream file %q: SIPp cannot stream a path with a comma", c.Stream)
	}
	var b bytes.Buffer
	err := callerTmpl.Execute(&b, struct {
		Caller
		TalkMS int64
	}{c, c.Talk.Milliseconds()})
	if err != nil {
		return "", err
	}
	return writeFile(dir, "caller", b.Bytes())
}

func writeFile(dir, name string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, name+"-*.xml")
	if err != nil {
		return "", err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return "", err
	}
	return filepath.Clean(f.Name()), f.Close()
}

// Canceller is a caller that sends CANCEL after the 180 Ringing and expects 200 for it and 487 for the
// INVITE.
const Canceller = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="hotline caller who cancels">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8
      a=rtpmap:8 PCMA/8000
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180"/>
  <send>
    <![CDATA[
      CANCEL sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 CANCEL
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
  <recv response="487"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
</scenario>
`

// Refused is a caller offering only G.729 that expects 488 Not Acceptable Here.
const Refused = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="hotline caller without G.711">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 18
      a=rtpmap:18 G729/8000
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="488"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
</scenario>
`

// WriteScenario writes a fixed scenario (Canceller, Refused) into dir.
func WriteScenario(dir, name, xml string) (string, error) {
	return writeFile(dir, name, []byte(xml))
}

// Waiter is a caller that streams Stream (if set) after the ACK and then waits up to Wait for the
// hotline's BYE, which it answers 200: for calls the hotline ends (RTP timeout, shutdown).
type Waiter struct {
	Stream string
	Wait   time.Duration
}

var waiterTmpl = template.Must(template.New("waiter").Parse(`<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="hotline caller waiting for the hotline's BYE">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [rtpstream_audio_port] RTP/AVP 8
      a=rtpmap:8 PCMA/8000
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      [routes]
      Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
{{- if .Stream}}
  <nop><action><exec rtp_stream="{{.Stream}},-1,8"/></action></nop>
{{- end}}
  <recv request="BYE" timeout="{{.WaitMS}}"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
{{- if .Stream}}
  <nop><action><exec rtp_stream="pause"/></action></nop>
{{- end}}
</scenario>
`))

// Write renders the waiting caller into dir and returns its path.
func (w Waiter) Write(dir string) (string, error) {
	var b bytes.Buffer
	if err := waiterTmpl.Execute(&b, struct {
		Waiter
		WaitMS int64
	}{w, w.Wait.Milliseconds()}); err != nil {
		return "", err
	}
	return writeFile(dir, "waiter", b.Bytes())
}

// Holder is a caller that puts the hotline on hold with a re-INVITE (a=sendonly; the answer must say
// a=recvonly), takes it off hold (a=sendrecv), then hangs up.
const Holder = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="hotline caller who holds">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8
      a=rtpmap:8 PCMA/8000
      a=sendrecv
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      [routes]
      Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="500"/>
  <send retrans="500">
    <![CDATA[
      INVITE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 INVITE
      [routes]
      Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 1 2 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8
      a=rtpmap:8 PCMA/8000
      a=sendonly
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="200">
    <action>
      <ereg regexp="a=recvonly" search_in="body" check_it="true" assign_to="held"/>
    </action>
  </recv>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 ACK
      [routes]
      Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="500"/>
  <send retrans="500">
    <![CDATA[
      INVITE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 3 INVITE
      [routes]
      Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 1 3 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8
      a=rtpmap:8 PCMA/8000
      a=sendrecv
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="200">
    <action>
      <ereg regexp="a=sendrecv" search_in="body" check_it="true" assign_to="resumed"/>
    </action>
  </recv>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 3 ACK
      [routes]
      Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="500"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 4 BYE
      [routes]
      Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" crlf="true"/>
  <Reference variables="held,resumed"/>
</scenario>
`
