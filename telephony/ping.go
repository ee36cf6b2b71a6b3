package telephony

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// Ping sends OPTIONS to a registered phone (to its Contact, through the address its REGISTER came from)
// and tells whether it answered: a phone that does not is not offered calls.
func (s *Server) Ping(ctx context.Context, contact string, source netip.AddrPort, transport string) error {
	uri := sip.Uri{}
	if err := sip.ParseUri(contact, &uri); err != nil {
		return fmt.Errorf("contact %q: %w", contact, err)
	}
	req := sip.NewRequest(sip.OPTIONS, uri)
	req.SetTransport(strings.ToUpper(transport))
	req.SetDestination(source.String())
	local := s.cfg.PublicIP
	if !local.IsValid() {
		local = s.local.toward(source.Addr())
	}
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: "hotline", Host: local.String()}, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: uri, Params: sip.NewParams()})
	res, err := s.client.Do(ctx, req)
	if err != nil {
		return err
	}
	// Any answer, even 405 or 481, shows the phone is there.
	_ = res
	return nil
}
