package recordings

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestNewWriterConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     Config
		wantErr string // a word the error must contain; empty: valid
	}{
		{name: "defaults", cfg: Config{Dir: "x"}},
		{name: "all set", cfg: Config{Dir: "x", SyncEvery: time.Second, Workers: 4, Hold: time.Second}},
		{name: "no dir", cfg: Config{}, wantErr: "Dir"},
		{name: "negative sync", cfg: Config{Dir: "x", SyncEvery: -time.Second}, wantErr: "SyncEvery"},
		{name: "sync under a sample", cfg: Config{Dir: "x", SyncEvery: time.Microsecond}, wantErr: "SyncEvery"},
		{name: "negative workers", cfg: Config{Dir: "x", Workers: -1}, wantErr: "Workers"},
		{name: "negative hold", cfg: Config{Dir: "x", Hold: -time.Millisecond}, wantErr: "Hold"},
		{name: "hold too long", cfg: Config{Dir: "x", Hold: 3 * time.Second}, wantErr: "Hold"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w, err := NewWriter(tt.cfg)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("NewWriter: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("NewWriter = %v, %v; want an error naming %s", w, err, tt.wantErr)
			}
		})
	}
}

func TestNewWriterDefaults(t *testing.T) {
	t.Parallel()
	w, err := NewWriter(Config{Dir: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if w.cfg.SyncEvery != DefaultSyncEvery || w.cfg.Workers != DefaultWorkers || w.cfg.Hold != DefaultHold || w.cfg.Log == nil {
		t.Errorf("defaults not applied: %+v", w.cfg)
	}
	if w.hold != 1600 || w.syncEvery != 40000 {
		t.Errorf("hold %d and sync %d frames, want 1600 and 40000", w.hold, w.syncEvery)
	}
}

func TestWriterLifecycle(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w, err := NewWriter(Config{Dir: filepath.Join(dir, "recordings")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Create(callID, arrivedAt); !errors.Is(err, ErrNotStarted) {
		t.Errorf("Create before Start = %v, want ErrNotStarted", err)
	}
	if _, err := w.Open("2026/11/29/" + callID + ".wav"); !errors.Is(err, ErrNotStarted) {
		t.Errorf("Open before Start = %v, want ErrNotStarted", err)
	}
	ctx := closeCtx(t)
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(ctx); err == nil {
		t.Error("second Start succeeded")
	}
	open, err := w.Create(callID, arrivedAt)
	if err != nil {
		t.Fatal(err)
	}
	open.Write(Left, 0, make([]int16, 160))
	open.Advance(1 << 16)
	unanswered, err := w.Create(testID(2), arrivedAt)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.Stop(ctx); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if _, err := w.Create(testID(1), arrivedAt); !errors.Is(err, ErrStopped) {
		t.Errorf("Create after Stop = %v, want ErrStopped", err)
	}
	if err := w.Start(ctx); !errors.Is(err, ErrStopped) {
		t.Errorf("Start after Stop = %v, want ErrStopped", err)
	}
	// A recording still open at Stop is not finished, but what was queued is on disk for Repair.
	if _, err := open.Close(ctx, 1<<16); !errors.Is(err, ErrStopped) {
		t.Errorf("Close after Stop = %v, want ErrStopped", err)
	}
	if _, err := open.Close(ctx, 1<<16); !errors.Is(err, ErrStopped) {
		t.Errorf("second Close after Stop = %v, want ErrStopped", err)
	}
	// Abort after Stop returns, but the folder is closed: the .part file stays.
	unanswered.Abort()
	if _, err := unanswered.Close(ctx, 0); !errors.Is(err, ErrAborted) {
		t.Errorf("Close after Abort = %v, want ErrAborted", err)
	}
	results, err := Repair(ctx, filepath.Join(dir, "recordings"), nil)
	if err != nil || len(results) != 2 {
		t.Fatalf("Repair = %+v, %v; want two recordings", results, err)
	}
	for _, res := range results {
		want := int64(0)
		if res.ID == callID {
			// Everything queued before Stop: all full blocks and the synced part of the last.
			want = 1<<16 - 1600 - blockFrames
		}
		if res.Frames < want {
			t.Errorf("repaired %s with %d frames, want at least %d", res.ID, res.Frames, want)
		}
	}
}

func TestWriterStopContext(t *testing.T) {
	t.Parallel()
	store := &gatedStorage{LocalDir: mustLocalDir(t, t.TempDir()), gate: make(chan struct{})}
	w := newTestWriter(t, Config{Dir: "unused"}, store)
	rec, err := w.Create(callID, arrivedAt)
	if err != nil {
		t.Fatal(err)
	}
	rec.Advance(1 << 16) // blocks queued on a worker stuck in WriteAt
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := w.Stop(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Stop with a stuck disk and a cancelled context = %v, want context.Canceled", err)
	}
	close(store.gate)
	if err := w.Stop(closeCtx(t)); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestCreateErrors(t *testing.T) {
	t.Parallel()
	w := setup(t, Config{})
	if _, err := w.Create(callID, arrivedAt); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		id   string
		want error
	}{
		{name: "same id twice", id: callID, want: fs.ErrExist},
		{name: "empty", id: "", want: ErrBadID},
		{name: "upper case", id: strings.ToUpper(callID), want: ErrBadID},
		{name: "braces", id: "{" + callID + "}", want: ErrBadID},
		{name: "urn", id: "urn:uuid:" + callID, want: ErrBadID},
		{name: "path", id: "../../../etc/passwd", want: ErrBadID},
		{name: "no dashes", id: strings.ReplaceAll(callID, "-", ""), want: ErrBadID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := w.Create(tt.id, arrivedAt); !errors.Is(err, tt.want) {
				t.Errorf("Create(%q) = %v, want %v", tt.id, err, tt.want)
			}
		})
	}
}

// TestCreatePath checks the date folders, which follow the day in Asia/Ho_Chi_Minh.
func TestCreatePath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		arrived time.Time
		want    string
	}{
		{name: "evening in UTC is the next day", arrived: time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC), want: "2027/01/01"},
		{name: "just before midnight", arrived: time.Date(2026, 3, 1, 16, 59, 59, 0, time.UTC), want: "2026/03/01"},
		{name: "other zone", arrived: time.Date(2026, 3, 1, 23, 30, 0, 0, time.FixedZone("CET", 3600)), want: "2026/03/02"},
	}
	w := setup(t, Config{})
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, err := w.Create(testID(i), tt.arrived)
			if err != nil {
				t.Fatal(err)
			}
			res, err := rec.Close(closeCtx(t), 0)
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.want + "/" + testID(i) + ".wav"; res.Path != want {
				t.Errorf("Path = %s, want %s", res.Path, want)
			}
		})
	}
}

func TestWriterOpen(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	dir := filepath.Join(base, "recordings")
	w := setup(t, Config{Dir: dir})
	rec, err := w.Create(callID, arrivedAt)
	if err != nil {
		t.Fatal(err)
	}
	res, err := rec.Close(closeCtx(t), 800)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(base, "secret.wav"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, link := range []struct{ name, target string }{
		{"out.wav", "../secret.wav"},
		{"abs.wav", filepath.Join(base, "secret.wav")},
		{"in.wav", res.Path},
	} {
		if err := os.Symlink(link.target, filepath.Join(dir, link.name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "folder.wav"), 0o750); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		rel  string
		ok   bool
	}{
		{name: "recording", rel: res.Path, ok: true},
		{name: "link inside", rel: "in.wav", ok: true},
		{name: "parent", rel: "../secret.wav"},
		{name: "parent inside the path", rel: "2026/../../secret.wav"},
		{name: "absolute", rel: filepath.Join(base, "secret.wav")},
		{name: "link out", rel: "out.wav"},
		{name: "absolute link", rel: "abs.wav"},
		{name: "part file", rel: res.Path + ".part"},
		{name: "not a wav", rel: "2026/11/29"},
		{name: "folder", rel: "folder.wav"},
		{name: "backslash", rel: `..\secret.wav`},
		{name: "empty", rel: ""},
		{name: "dot slash", rel: "./" + res.Path},
		{name: "missing", rel: "2026/11/29/" + testID(9) + ".wav"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := w.Open(tt.rel)
			if !tt.ok {
				if err == nil {
					f.Close()
					t.Fatalf("Open(%q) succeeded", tt.rel)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, err := f.Stat()
			if err != nil || st.Size() != res.Bytes {
				t.Fatalf("opened %v, %v; want the %d-byte recording", st, err, res.Bytes)
			}
		})
	}
}

// TestWriteFailure checks that a disk that fails mid-call ends in an error from Close and leaves the
// .part file for Repair.
func TestWriteFailure(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	store := &fullDisk{LocalDir: mustLocalDir(t, dir), limit: headerSize + blockSize}
	w := newTestWriter(t, Config{Dir: dir}, store)
	rec, err := w.Create(callID, arrivedAt)
	if err != nil {
		t.Fatal(err)
	}
	rec.Advance(8000 * 5)
	if _, err := rec.Close(closeCtx(t), 8000*5); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Close on a full disk = %v, want ENOSPC", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "2026", "11", "29", callID+".wav.part")); err != nil {
		t.Errorf("the .part file is gone: %v", err)
	}
}

func mustLocalDir(t testing.TB, dir string) *LocalDir {
	t.Helper()
	d, err := OpenLocalDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// newTestWriter returns a started Writer on store, stopped at the end of the test.
func newTestWriter(t testing.TB, cfg Config, store Storage) *Writer {
	t.Helper()
	w, err := NewWriter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	w.store = store
	if err := w.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := w.Stop(closeCtx(t)); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return w
}

// fullDisk is a LocalDir whose files cannot grow past limit bytes, like a full disk.
type fullDisk struct {
	*LocalDir
	limit int64
}

func (d *fullDisk) Create(name string) (File, error) {
	f, err := d.LocalDir.Create(name)
	return &fullFile{File: f, limit: d.limit}, err
}

type fullFile struct {
	File
	limit int64
}

func (f *fullFile) WriteAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.limit {
		return 0, &os.PathError{Op: "write", Path: "recording", Err: syscall.ENOSPC}
	}
	return f.File.WriteAt(p, off)
}

// gatedStorage is a LocalDir whose files' data writes wait until gate is closed, like a stalled disk.
type gatedStorage struct {
	*LocalDir
	gate chan struct{}
}

func (d *gatedStorage) Create(name string) (File, error) {
	f, err := d.LocalDir.Create(name)
	return &gatedFile{File: f, gate: d.gate}, err
}

type gatedFile struct {
	File
	gate chan struct{}
}

func (f *gatedFile) WriteAt(p []byte, off int64) (int, error) {
	if off >= headerSize {
		<-f.gate
	}
	return f.File.WriteAt(p, off)
}

var _ io.WriterAt = (*gatedFile)(nil)

// ExampleWriter records one second of a call and shows where it went.
func ExampleWriter() {
	dir, err := os.MkdirTemp("", "recordings")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	w, err := NewWriter(Config{Dir: dir})
	if err != nil {
		panic(err)
	}
	if err := w.Start(ctx); err != nil {
		panic(err)
	}
	defer w.Stop(ctx)

	arrived := time.Date(2026, 11, 29, 9, 15, 0, 0, time.UTC)
	rec, err := w.Create("5f0c3a52-1b7e-4d0a-9c43-2e8f6b1d7a90", arrived)
	if err != nil {
		panic(err)
	}
	caller := make([]int16, 160) // 20 ms of what the caller said
	heard := make([]int16, 160)  // 20 ms of what they heard
	for pos := int64(0); pos < 8000; pos += 160 {
		rec.Write(Left, pos, caller) // from the call's RTP reader
		rec.Write(Right, pos, heard) // from the pacer,
		rec.Advance(pos + 160)       // which then moves the call on
	}
	res, err := rec.Close(ctx, 8000)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Path)
	fmt.Println(res.Duration, res.Frames, res.Bytes, res.Dropped)
	// Output:
	// 2026/11/29/5f0c3a52-1b7e-4d0a-9c43-2e8f6b1d7a90.wav
	// 1s 8000 32044 0
}
