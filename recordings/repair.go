package recordings

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"strings"
)

// Repair finishes the recordings a crash left behind. Run it at start, before any call: every
// <id>.wav.part under dir gets its header rewritten from the file's real length (data cut to whole frames;
// a file shorter than a header gets a fresh header and no frames), is synced, hashed and renamed to
// <id>.wav, with its folder synced. A file whose header is not the one this package writes is left alone
// and reported with ErrNotRecording (a header of zeros, never flushed before the crash, is rewritten).
//
// Repair returns one Result per repaired file, and the errors of the files it could not repair joined
// into one; a missing dir has nothing to repair.
func Repair(ctx context.Context, dir string, log *slog.Logger) ([]Result, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	root, err := os.OpenRoot(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("repair recordings: %w", err)
	}
	defer root.Close()

	var parts []string
	var errs []error
	walkErr := fs.WalkDir(root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, fmt.Errorf("repair recordings: %w", err))
			return nil
		}
		if d.Type().IsRegular() && strings.HasSuffix(name, wavExt+partExt) {
			parts = append(parts, name)
		}
		return ctx.Err()
	})
	if walkErr != nil {
		return nil, fmt.Errorf("repair recordings: %w", walkErr)
	}

	var results []Result
	buf := make([]byte, 64<<10)
	for _, name := range parts {
		if err := ctx.Err(); err != nil {
			errs = append(errs, fmt.Errorf("repair recordings: %w", err))
			break
		}
		res, err := repairFile(root, name, buf)
		if err != nil {
			log.Error("recording not repaired", "path", name, "err", err)
			errs = append(errs, fmt.Errorf("repair %s: %w", name, err))
			continue
		}
		log.Info("recording repaired", "call_id", res.ID, "path", res.Path, "duration", res.Duration)
		results = append(results, res)
	}
	return results, errors.Join(errs...)
}

// repairFile finishes the .wav.part file name of root; buf is scratch space for hashing.
func repairFile(root *os.Root, name string, buf []byte) (Result, error) {
	f, err := root.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return Result{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Result{}, err
	}
	size := st.Size()
	var frames int64
	if size >= headerSize {
		var h [headerSize]byte
		if _, err := f.ReadAt(h[:], 0); err != nil {
			return Result{}, fmt.Errorf("read header: %w", err)
		}
		if err := checkHeader(h[:]); err != nil && h != [headerSize]byte{} {
			return Result{}, err
		}
		frames = min((size-headerSize)/frameSize, maxFrames)
	}
	want := headerSize + frames*frameSize
	hdr, err := newHeader(frames)
	if err != nil {
		return Result{}, err
	}
	if size != want {
		if err := f.Truncate(want); err != nil {
			return Result{}, err
		}
	}
	if _, err := f.WriteAt(hdr[:], 0); err != nil {
		return Result{}, fmt.Errorf("write header: %w", err)
	}
	if err := datasync(f); err != nil {
		return Result{}, err
	}
	h := sha256.New()
	if _, err := io.CopyBuffer(h, io.NewSectionReader(f, 0, want), buf); err != nil {
		return Result{}, fmt.Errorf("hash: %w", err)
	}
	if err := f.Close(); err != nil {
		return Result{}, err
	}
	rel := strings.TrimSuffix(name, partExt)
	if err := root.Rename(name, rel); err != nil {
		return Result{}, err
	}
	if err := syncDir(root, path.Dir(rel)); err != nil {
		return Result{}, err
	}
	return Result{
		ID:       strings.TrimSuffix(path.Base(rel), wavExt),
		Path:     rel,
		Frames:   frames,
		Duration: framesDuration(frames),
		Bytes:    want,
		SHA256:   hex.EncodeToString(h.Sum(nil)),
	}, nil
}
