package sdp_test

import (
	"fmt"
	"net/netip"
	"strings"

	"hotline/telephony/sdp"
)

func ExampleNegotiate() {
	offer, err := sdp.Parse([]byte("v=0\r\n" +
		"o=- 1716812345 1716812345 IN IP4 203.0.113.10\r\n" +
		"s=-\r\n" +
		"c=IN IP4 203.0.113.10\r\n" +
		"t=0 0\r\n" +
		"m=audio 17654 RTP/AVP 0 8 101\r\n" +
		"a=rtpmap:101 telephone-event/8000\r\n" +
		"a=fmtp:101 0-16\r\n"))
	if err != nil {
		fmt.Println("400:", err)
		return
	}
	choice, err := sdp.Negotiate(offer)
	if err != nil {
		fmt.Println("488:", err)
		return
	}
	fmt.Println(choice.Codec.Name, choice.DTMF.PT, choice.Remote, choice.Direction)

	answer := sdp.Answer(sdp.AnswerParams{
		Offer: offer, Choice: choice,
		Addr: netip.MustParseAddr("192.0.2.1"), Port: 20000,
		SessID: 42, Version: 1,
	})
	// Lines end in CRLF on the wire; printed here with LF.
	fmt.Print(strings.ReplaceAll(string(answer), "\r\n", "\n"))
	// Output:
	// PCMA 101 203.0.113.10:17654 sendrecv
	// v=0
	// o=hotline 42 1 IN IP4 192.0.2.1
	// s=-
	// c=IN IP4 192.0.2.1
	// t=0 0
	// m=audio 20000 RTP/AVP 8 101
	// a=rtpmap:8 PCMA/8000
	// a=rtpmap:101 telephone-event/8000
	// a=fmtp:101 0-16
	// a=ptime:20
	// a=sendrecv
}
