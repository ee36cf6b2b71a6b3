package recordings

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"time"
)

// Channel is one side of a stereo recording.
type Channel int

const (
	// Left carries the caller.
	Left Channel = 0
	// Right carries everything the caller heard: prompts, hold audio, the operator.
	Right Channel = 1
)

// Result describes a finished recording.
type Result struct {
	ID       string        // the call's id
	Path     string        // relative to the recordings folder, e.g. "2026/11/29/<id>.wav"
	Frames   int64         // stereo frames, 8000 per second
	Duration time.Duration // Frames at 8 kHz
	Bytes    int64         // size of the file, header included
	SHA256   string        // of the whole file, lower-case hex
	Dropped  int64         // samples refused by Write: too late (already final) or too far ahead
}

// framesDuration is the length of frames frames at 8 kHz.
func framesDuration(frames int64) time.Duration {
	return time.Duration(frames) * frameDuration
}

type recState uint8

const (
	recOpen recState = iota
	recClosed
	recAborted
)

// Recorder records one call. It keeps the last moments of the call in a ring, where samples may still be
// placed (late or reordered packets), and moves them into blocks for the disk as Advance makes them final.
// Write and Advance never log or touch the disk, and allocate only when the Writer's free list of blocks
// is empty (while it warms up, or while the disk lags). Safe for concurrent use.
type Recorder struct {
	q         *worker
	blocks    *blockPool
	disk      *diskFile
	hold      int64 // frames that stay editable behind the position given to Advance
	syncEvery int64 // frames between two header patches

	mu    sync.Mutex
	state recState
	// ring holds interleaved little-endian PCM: the frame at position p is at (p % ringFrames) * frameSize.
	// Frames before final are on their way to the disk and their slots are zero again.
	ring       []byte
	ringFrames int64
	final      int64
	blk        *block // the block being filled, nil when none
	nextSync   int64  // final position that triggers the next header patch and sync
	dropped    int64
	stopped    bool // a job was refused because the Writer stopped

	stopOnce sync.Once // closes the file of a recording whose Writer stopped first
}

// Write places samples of channel ch at position pos (the number of samples since answer, 8000 per second),
// replacing what was there. Samples that are already final (before the last Advance's position minus the
// hold) or beyond the ring (more than the hold plus 40 ms after that position) are dropped and counted in
// Result.Dropped; anything written after Close or Abort is ignored.
func (r *Recorder) Write(ch Channel, pos int64, samples []int16) {
	n := int64(len(samples))
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.state != recOpen || n == 0 {
		return
	}
	if ch != Left && ch != Right {
		r.dropped += n
		return
	}
	limit := r.final + r.ringFrames
	if pos >= limit || pos+n <= r.final {
		r.dropped += n
		return
	}
	if pos < r.final {
		skip := r.final - pos
		samples, pos, n = samples[skip:], r.final, n-skip
		r.dropped += skip
	}
	if over := pos + n - limit; over > 0 {
		samples, n = samples[:n-over], n-over
		r.dropped += over
	}
	i := pos % r.ringFrames
	first := min(n, r.ringFrames-i)
	putChannel(r.ring[i*frameSize+int64(ch)*2:], samples[:first])
	putChannel(r.ring[int64(ch)*2:], samples[first:])
}

// putChannel stores samples as little-endian 16-bit values in every frameSize-th byte pair of dst.
// Unrolled by four frames, which halves its cost.
func putChannel(dst []byte, samples []int16) {
	k := 0
	for ; k+4 <= len(samples); k += 4 {
		d, s := dst[k*frameSize:k*frameSize+3*frameSize+2], samples[k:k+4:k+4]
		binary.LittleEndian.PutUint16(d[0*frameSize:], uint16(s[0]))
		binary.LittleEndian.PutUint16(d[1*frameSize:], uint16(s[1]))
		binary.LittleEndian.PutUint16(d[2*frameSize:], uint16(s[2]))
		binary.LittleEndian.PutUint16(d[3*frameSize:], uint16(s[3]))
	}
	for ; k < len(samples); k++ {
		binary.LittleEndian.PutUint16(dst[k*frameSize:], uint16(samples[k]))
	}
}

// Advance tells the recorder that the call has reached position pos: the frames before pos minus the hold
// become final and go to the disk in blocks.
func (r *Recorder) Advance(pos int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.state != recOpen {
		return
	}
	r.finalize(min(pos-r.hold, maxFrames))
}

// finalize moves the frames before target from the ring into blocks, queueing every full block, and asks
// for a header patch and sync each syncEvery frames. Called with r.mu held.
func (r *Recorder) finalize(target int64) {
	for r.final < target {
		if r.blk == nil {
			r.blk = r.blocks.get()
			r.blk.off = headerSize + r.final*frameSize
		}
		i := r.final % r.ringFrames
		n := min(target-r.final, r.ringFrames-i, int64(blockSize-r.blk.n)/frameSize)
		src := r.ring[i*frameSize : (i+n)*frameSize]
		copy(r.blk.buf[r.blk.n:], src)
		clear(src)
		r.blk.n += int(n) * frameSize
		r.final += n
		if r.blk.n == blockSize {
			r.send(opWrite)
		}
		if r.final >= r.nextSync {
			r.send(opSync)
			r.nextSync = (r.final/r.syncEvery + 1) * r.syncEvery
		}
	}
}

// send queues the current block (if any) with operation o. Called with r.mu held.
func (r *Recorder) send(o op) {
	j := job{f: r.disk, blk: r.blk, op: o}
	r.blk = nil
	if r.stopped || !r.q.push(j) {
		r.stopped = true
		if j.blk != nil {
			r.blocks.put(j.blk)
		}
	}
}

// Close ends the recording at exactly end frames: missing frames are silence, frames after end are cut.
// It hands the rest to the disk and waits until the file is finished: header, fdatasync, SHA-256, rename
// from .wav.part to .wav, folder synced. If ctx ends first, Close returns its error and the file is still
// finished in the background; Close may be called again, and every call after the first returns the
// first's outcome.
func (r *Recorder) Close(ctx context.Context, end int64) (Result, error) {
	r.mu.Lock()
	switch r.state {
	case recAborted:
		r.mu.Unlock()
		return Result{}, fmt.Errorf("close recording %s: %w", r.disk.id, ErrAborted)
	case recOpen:
		r.state = recClosed
		end = min(max(end, 0), maxFrames)
		r.finalize(end)
		r.disk.end, r.disk.dropped = end, r.dropped
		r.send(opClose)
		r.ring = nil
	}
	stopped := r.stopped
	r.mu.Unlock()
	if stopped {
		return r.closeStopped(ctx)
	}
	select {
	case <-r.disk.done:
		return r.disk.result, r.disk.resErr
	case <-ctx.Done():
		return Result{}, fmt.Errorf("close recording %s: %w", r.disk.id, ctx.Err())
	}
}

// closeStopped closes the file of a recording whose Writer stopped before it was closed, once the worker
// has run what it had queued. The .wav.part file stays for Repair.
func (r *Recorder) closeStopped(ctx context.Context) (Result, error) {
	select {
	case <-r.q.done:
	case <-ctx.Done():
		return Result{}, fmt.Errorf("close recording %s: %w", r.disk.id, ctx.Err())
	}
	r.stopOnce.Do(func() {
		r.disk.resErr = fmt.Errorf("close recording %s: %w", r.disk.id, ErrStopped)
		r.disk.file.Close()
		close(r.disk.done)
	})
	return Result{}, r.disk.resErr
}

// Abort drops the recording of a call that ended before it was answered: its .wav.part file is removed
// by the disk worker. Abort after Close does nothing.
func (r *Recorder) Abort() {
	r.mu.Lock()
	if r.state != recOpen {
		r.mu.Unlock()
		return
	}
	r.state = recAborted
	r.ring = nil
	if r.blk != nil {
		r.blocks.put(r.blk)
		r.blk = nil
	}
	r.send(opAbort)
	stopped := r.stopped
	r.mu.Unlock()
	if stopped {
		// The Writer stopped: once its worker is idle, only the file is left to close. The .wav.part
		// file stays, as the folder is no longer open.
		<-r.q.done
		r.stopOnce.Do(func() {
			r.disk.resErr = ErrAborted
			r.disk.file.Close()
			close(r.disk.done)
		})
	}
}
