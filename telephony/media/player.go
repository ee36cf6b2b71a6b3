package media

import "time"

// source is what a session sends: a Player's clips, or a bridged peer's audio.
type source interface {
	// next returns the frame to send at time at, as PCM (for the recording) and in codec c.
	next(c Codec, at time.Time) (pcm []int16, payload []byte)
}

// sourceBox holds a source for an atomic pointer.
type sourceBox struct{ source }

// Player is what one call hears: a list of clips played once, in order, then a clip looped until the
// player is replaced (e.g. the greeting, then hold audio). A Player is used by the pacer goroutine only,
// after it is handed to Session.Play; build a new one to change what the caller hears.
type Player struct {
	items  []*Clip
	loop   *Clip
	item   int
	frame  int
	onDone func()
}

// NewPlayer plays items once, then loop forever (loop may be nil: silence).
func NewPlayer(loop *Clip, items ...*Clip) *Player {
	return &Player{items: items, loop: loop}
}

// OnDone sets a function called once, from the pacer, when the last item has been sent; it must not block.
func (p *Player) OnDone(f func()) *Player {
	p.onDone = f
	return p
}

var silencePCM = make([]int16, FrameSamples)
var silenceA, silenceU = silence(PCMA), silence(PCMU)

func silence(c Codec) []byte {
	b := make([]byte, FrameSamples)
	if c == PCMA {
		EncodeALaw(b, silencePCM)
	} else {
		EncodeULaw(b, silencePCM)
	}
	return b
}

func silenceFrame(c Codec) ([]int16, []byte) {
	if c == PCMA {
		return silencePCM, silenceA
	}
	return silencePCM, silenceU
}

// next returns the next 20 ms frame.
func (p *Player) next(c Codec, _ time.Time) ([]int16, []byte) {
	for p.item < len(p.items) {
		clip := p.items[p.item]
		if p.frame < clip.Frames() {
			p.frame++
			return clip.frame(p.frame-1, c)
		}
		p.item++
		p.frame = 0
		if p.item == len(p.items) && p.onDone != nil {
			p.onDone()
		}
	}
	if p.loop == nil {
		return silenceFrame(c)
	}
	if p.frame >= p.loop.Frames() {
		p.frame = 0
	}
	p.frame++
	return p.loop.frame(p.frame-1, c)
}
