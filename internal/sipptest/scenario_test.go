package sipptest

import (
	"encoding/xml"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// Every scenario renders to well-formed XML that SIPp can load (the end-to-end tests run them).
func TestScenariosRender(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := map[string]func() (string, error){
		"caller": func() (string, error) {
			return Caller{Offer: []Codec{PCMU, PCMA}, Stream: "/tmp/t.alaw", Talk: time.Second, ExpectCodec: "PCMA"}.Write(dir)
		},
		"waiter": func() (string, error) { return Waiter{Stream: "/tmp/t.alaw", Wait: time.Second}.Write(dir) },
		"pickup": func() (string, error) { return Pickup{Ext: "1001", Password: "pw", Talk: time.Second}.Write(dir) },
		"operator": func() (string, error) {
			r, a, err := Operator{Ext: "1001", Password: "pw", Stream: "/tmp/t.alaw", Talk: time.Second, ExpectCaller: "0912"}.Write(dir)
			if err == nil {
				_, err = os.Stat(r)
			}
			return a, err
		},
		"operator no answer": func() (string, error) {
			_, a, err := Operator{Ext: "1001", Password: "pw", NoAnswer: true}.Write(dir)
			return a, err
		},
		"operator declines": func() (string, error) {
			_, a, err := Operator{Ext: "1001", Password: "pw", Decline: true}.Write(dir)
			return a, err
		},
	}
	for _, name := range []string{Canceller, Refused, Holder} {
		write[name] = func() (string, error) { return WriteScenario(dir, name) }
	}
	for name, w := range write {
		path, err := w()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(strings.NewReader(string(b)))
		d.Strict = true
		d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil } // the text is ASCII
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v\n%s", name, err, b)
			}
		}
		for _, msg := range strings.Split(string(b), "<![CDATA[")[1:] {
			head, _, _ := strings.Cut(strings.TrimLeft(msg, "\n"), "\n\n")
			if !strings.Contains(head, "Content-Length:") {
				t.Errorf("%s: a blank line ends a message's headers before Content-Length:\n%s", name, head)
			}
		}
	}
	if _, err := (Caller{Stream: "/a,b/t.alaw"}).Write(dir); err == nil {
		t.Error("a stream path with a comma was accepted")
	}
}
