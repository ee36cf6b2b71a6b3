// Package media moves a call's audio: RTP sessions on pion/rtp, the RTP port pool, G.711 A-law and µ-law,
// RFC 4733 DTMF, prompts, and the pacer that sends every call's 20 ms frames. It knows nothing of SIP.
//
// # The packet path
//
// Each Session owns one UDP port pair. One Pacer, for all sessions of the process, wakes every 20 ms on an
// absolute schedule and, for each session in turn, takes the datagrams waiting on its socket in one
// non-blocking recvmmsg, sends its next frame from its Player, and advances its Recorder. So a packet costs
// its system call and nothing else: no goroutine per call, no wake-up per packet. The caller's packets
// latch the caller's real source address (symmetric RTP), are decoded from G.711 into a reused buffer and
// handed to the Recorder at the position their RTP timestamps give; telephone-event packets go to a
// DTMFDetector. What was sent goes to the Recorder's other channel. Nothing on this path allocates, logs
// above Debug, or touches the disk or the database.
//
// # Lifecycle
//
// The owner (telephony) creates a PortPool and a Pacer at start; Pacer.Start and Pacer.Stop are called by
// cmd. Sessions are made with NewSession, started with Start once the call is answered, and ended with
// Close, which releases their ports. All exported methods are safe for concurrent use unless their doc says
// otherwise.
package media
