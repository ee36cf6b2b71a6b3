// Package media moves a call's audio: RTP sessions on pion/rtp, the RTP port pool, G.711 A-law and µ-law,
// RFC 4733 DTMF, prompts, and the pacer that sends every call's 20 ms frames. It knows nothing of SIP.
//
// # The packet path
//
// Each Session owns one UDP port pair. A goroutine per session reads the caller's RTP, latches the
// caller's real source address (symmetric RTP), decodes G.711 into a reused buffer and hands the samples to
// the call's Recorder at the position their RTP timestamps give; telephone-event packets go to a
// DTMFDetector. One Pacer, for all sessions of the process, wakes every 20 ms on an absolute schedule and
// sends each session's next frame from its Player, writing the same frame to the Recorder's other channel.
// Nothing on this path allocates, logs above Debug, or touches the disk or the database.
//
// # Lifecycle
//
// The owner (telephony) creates a PortPool and a Pacer at start; Pacer.Start and Pacer.Stop are called by
// cmd. Sessions are made with NewSession, started with Start once the call is answered, and ended with
// Close, which releases their ports. All exported methods are safe for concurrent use unless their doc says
// otherwise.
package media
