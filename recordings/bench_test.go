package recordings

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

const minuteSteps = 60 * sampleRate / packet // 20 ms packets in a call-minute

// BenchmarkRecorder measures the media path of one 20 ms step: the caller's packet, the pacer's packet
// and Advance. Every minute of call the recording is closed and a new one created, off the clock.
func BenchmarkRecorder(b *testing.B) {
	w := setup(b, Config{})
	left := fillTone(make([]int16, packet), callerHz, 0)
	right := fillTone(make([]int16, packet), heardHz, 0)
	calls := 0
	create := func() *Recorder {
		rec, err := w.Create(testID(calls), arrivedAt)
		if err != nil {
			b.Fatal(err)
		}
		calls++
		return rec
	}
	finish := func(rec *Recorder, end int64) {
		res, err := rec.Close(closeCtx(b), end)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.Remove(filepath.Join(w.cfg.Dir, filepath.FromSlash(res.Path))); err != nil {
			b.Fatal(err)
		}
	}
	rec := create()
	var pos int64
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if pos == minuteSteps*packet {
			b.StopTimer()
			finish(rec, pos)
			rec, pos = create(), 0
			b.StartTimer()
		}
		rec.Write(Left, pos, left)
		rec.Write(Right, pos, right)
		rec.Advance(pos + packet)
		pos += packet
	}
	b.StopTimer()
	finish(rec, pos)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)*minuteSteps, "ns/call-minute")
}

// BenchmarkRecorderMinute measures a whole one-minute call: Create, 3000 steps, Close (header, fdatasync,
// SHA-256, rename), including the disk workers. cpu-ns/call-minute is the CPU time of the whole process
// (all goroutines, garbage collection included; removing the file between calls excluded), to compare
// with the server's budget of 0.08 s per call-minute.
func BenchmarkRecorderMinute(b *testing.B) {
	w := setup(b, Config{})
	left := fillTone(make([]int16, packet), callerHz, 0)
	right := fillTone(make([]int16, packet), heardHz, 0)
	ctx := closeCtx(b)
	b.ReportAllocs()
	cpu := processCPU()
	b.ResetTimer()
	for i := range b.N {
		rec, err := w.Create(testID(i), arrivedAt)
		if err != nil {
			b.Fatal(err)
		}
		for s := range int64(minuteSteps) {
			pos := s * packet
			rec.Write(Left, pos, left)
			rec.Write(Right, pos, right)
			rec.Advance(pos + packet)
		}
		res, err := rec.Close(ctx, minuteSteps*packet)
		if err != nil {
			b.Fatal(err)
		}
		if res.Duration != time.Minute {
			b.Fatalf("recorded %v, want a minute", res.Duration)
		}
		b.StopTimer()
		removing := processCPU()
		if err := os.Remove(filepath.Join(w.cfg.Dir, filepath.FromSlash(res.Path))); err != nil {
			b.Fatal(err)
		}
		cpu += processCPU() - removing
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/call-minute")
	if used := processCPU() - cpu; cpu > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/call-minute")
	}
}
