// Package recordings writes the stereo WAV recording of every answered call, repairs the recordings a
// crash cut short, and checksums them.
//
// # Format and place
//
// One file per call, from answer to hang-up: 8 kHz, 16-bit PCM, two channels (left: the caller; right:
// everything the caller heard), time-aligned, with silence where nothing was received, so that the file
// is exactly as long as the call. It is stored at <Dir>/YYYY/MM/DD/<id>.wav, dated by the day the call
// arrived in Asia/Ho_Chi_Minh, and named <id>.wav.part until it is finished.
//
// # Writing
//
// A Writer owns the disk side of all recordings: a few disk workers and a free list of 16 KiB blocks.
// Writer.Create opens a call's file and returns its Recorder. The media layer calls Recorder.Write from
// the call's RTP reader (Left, at positions derived from RTP timestamps) and from the pacer (Right), and
// the pacer calls Recorder.Advance every 20 ms with the samples elapsed since answer. Samples stay editable
// for Config.Hold behind that position, so late and reordered packets land where they belong; then they
// are final, copied as interleaved little-endian PCM into a block, and full blocks go to a disk worker.
// Write and Advance never log or touch the disk, and they allocate nothing once the free list holds the
// blocks in flight.
//
//	rec, err := w.Create(callID, arrivedAt)
//	rec.Write(recordings.Left, pos, samples) // RTP reader
//	rec.Write(recordings.Right, now, sent)   // pacer
//	rec.Advance(now)                         // pacer
//	res, err := rec.Close(ctx, now)          // hang-up: res.Path, res.SHA256, res.Duration
//
// go-audio/wav makes the header; the PCM is written in blocks without it, as its per-sample encoder is far
// too slow for the media path.
//
// # Crashes
//
// Every Config.SyncEvery of call the worker patches the header's two size fields and fdatasyncs the file,
// so a file cut by a crash plays up to its last seconds. Close seals the file (header, fdatasync),
// hashes it with SHA-256, renames it to .wav and syncs its folder. At the next start, Repair finishes the
// .wav.part files that were left.
//
// # Concurrency and lifecycle
//
// Writer and Recorder are safe for concurrent use. The owner (cmd) runs Repair, then Writer.Start before
// the first call, and Writer.Stop after the last call has closed its recorder; Stop waits for every
// queued block. A worker's queue has no bound: a stalled disk costs memory, never the pacer's time.
// Files go through the Storage interface; LocalDir is the local folder.
package recordings
