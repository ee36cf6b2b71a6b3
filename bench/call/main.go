// Command call places test calls to a running hotline with SIPp: each caller streams a 1 kHz tone in
// G.711 A-law for the given time and hangs up. It is what `make call` runs for a first call.
//
//	go run ./bench/call [-to 127.0.0.1:5060] [-seconds 10] [-calls 1] [-tcp] [-from 0912345678]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"hotline/internal/sipptest"
)

func main() {
	to := flag.String("to", "127.0.0.1:5060", "the hotline's SIP address")
	seconds := flag.Int("seconds", 10, "how long each call talks")
	calls := flag.Int("calls", 1, "how many calls (all at once)")
	tcp := flag.Bool("tcp", false, "use TCP instead of UDP")
	from := flag.String("from", "0912345678", "the caller's number")
	flag.Parse()

	dir, err := os.MkdirTemp("", "hotline-call-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	tone, err := sipptest.ToneFile(dir, 1000, "a", 1)
	if err != nil {
		fail(err)
	}
	scen, err := sipptest.Caller{Stream: tone, Talk: time.Duration(*seconds) * time.Second}.Write(dir)
	if err != nil {
		fail(err)
	}
	fmt.Fprintf(os.Stderr, "calling %s: %d call(s) of %d s from %s, streaming a 1 kHz tone...\n", *to, *calls, *seconds, *from)
	res, err := sipptest.Run{Scenario: scen, Target: *to, TCP: *tcp, Calls: *calls, Caller: *from, Dir: dir,
		Timeout: time.Duration(*seconds)*time.Second + time.Minute}.Exec(context.Background())
	if err != nil {
		fail(err)
	}
	if res.Exit != 0 {
		fmt.Fprintln(os.Stderr, res.Output)
		fail(fmt.Errorf("%d call(s) failed: is `make run` running, and is %s its SIP address?", res.Failed, *to))
	}
	fmt.Fprintf(os.Stderr, "%d call(s) done. See them: curl -s -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8080/api/v1/calls (TOKEN from bin/hotline token create --role admin --name me)\n", res.Successful)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "call:", err)
	os.Exit(1)
}
