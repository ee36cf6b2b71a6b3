package recordings

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// Storage is where recordings are written. Names are slash-separated paths relative to the storage's
// root, such as "2026/11/29/<id>.wav.part". The recorder uses nothing else of the file system, so other
// stores (S3-compatible object storage) can be added behind it.
type Storage interface {
	// Create makes a new, empty file and the folders above it; it fails if the file exists.
	Create(name string) (File, error)
	// Rename gives a finished file its final name, durably: once it returns, a crash keeps the new name.
	Rename(oldname, newname string) error
	// Remove deletes a file.
	Remove(name string) error
}

// File is a recording being written.
type File interface {
	io.WriterAt
	io.ReaderAt
	// Truncate sets the file's length, cutting it or extending it with zeros.
	Truncate(size int64) error
	// Sync makes what was written durable, together with the file's name (fdatasync for local files).
	Sync() error
	Close() error
}

// LocalDir is a Storage on a local folder. Every name is resolved inside the folder: names that climb out
// of it, through ".." or symbolic links, are refused. Safe for concurrent use.
type LocalDir struct {
	root *os.Root
}

var (
	_ Storage = (*LocalDir)(nil)
	_ File    = (*localFile)(nil)
)

// OpenLocalDir opens the folder dir as a Storage, creating it if missing. Close releases it.
func OpenLocalDir(dir string) (*LocalDir, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create recordings folder: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open recordings folder: %w", err)
	}
	return &LocalDir{root: root}, nil
}

// Close releases the folder. Files already open stay usable.
func (d *LocalDir) Close() error {
	return d.root.Close()
}

// Create makes a new file name and the folders above it. Nothing is synced here: the first Sync of the
// file syncs its folder and the folders that were created for it.
func (d *LocalDir) Create(name string) (File, error) {
	if !fs.ValidPath(name) || name == "." {
		return nil, fmt.Errorf("create %q: %w", name, ErrBadPath)
	}
	dir := path.Dir(name)
	// The folder of the file, then each folder created for it, has a new entry to make durable.
	dirty := []string{dir}
	made, err := d.mkdirs(dir)
	if err != nil {
		return nil, err
	}
	for _, m := range made {
		dirty = append(dirty, path.Dir(m))
	}
	f, err := d.root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return nil, fmt.Errorf("create recording file: %w", err)
	}
	return &localFile{File: f, root: d.root, dirty: dirty}, nil
}

// mkdirs creates dir and its missing parents, returning the folders it created.
func (d *LocalDir) mkdirs(dir string) ([]string, error) {
	if dir == "." {
		return nil, nil
	}
	var made []string
	for i := 0; i <= len(dir); i++ {
		if i < len(dir) && dir[i] != '/' {
			continue
		}
		err := d.root.Mkdir(dir[:i], 0o750)
		switch {
		case err == nil:
			made = append(made, dir[:i])
		case errors.Is(err, fs.ErrExist):
		default:
			return nil, fmt.Errorf("create recordings folder: %w", err)
		}
	}
	return made, nil
}

// Rename moves oldname to newname (replacing it) and syncs the folders holding them.
func (d *LocalDir) Rename(oldname, newname string) error {
	if err := d.root.Rename(oldname, newname); err != nil {
		return fmt.Errorf("rename recording: %w", err)
	}
	if err := syncDir(d.root, path.Dir(newname)); err != nil {
		return err
	}
	if path.Dir(oldname) != path.Dir(newname) {
		return syncDir(d.root, path.Dir(oldname))
	}
	return nil
}

// Remove deletes name.
func (d *LocalDir) Remove(name string) error {
	if err := d.root.Remove(name); err != nil {
		return fmt.Errorf("remove recording: %w", err)
	}
	return nil
}

// Open opens a finished recording for reading. The name must be a relative path ending in ".wav" that
// stays inside the folder, and it must be a regular file.
func (d *LocalDir) Open(name string) (*os.File, error) {
	if !fs.ValidPath(name) || !strings.HasSuffix(name, wavExt) || strings.Contains(name, `\`) {
		return nil, fmt.Errorf("open %q: %w", name, ErrBadPath)
	}
	f, err := d.root.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open recording: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open recording: %w", err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("open %q: %w", name, ErrBadPath)
	}
	return f, nil
}

// localFile is a File of a LocalDir.
type localFile struct {
	*os.File
	root *os.Root
	// dirty lists the folders whose new entries the next Sync makes durable.
	dirty []string
}

// Sync flushes the file's data with fdatasync, and on the first call the folders that received new entries.
func (f *localFile) Sync() error {
	if err := datasync(f.File); err != nil {
		return fmt.Errorf("sync recording: %w", err)
	}
	for len(f.dirty) > 0 {
		if err := syncDir(f.root, f.dirty[0]); err != nil {
			return err
		}
		f.dirty = f.dirty[1:]
	}
	return nil
}

// syncDir fsyncs the folder dir of root, making the entries created or renamed in it durable.
func syncDir(root *os.Root, dir string) error {
	d, err := root.Open(dir)
	if err != nil {
		return fmt.Errorf("sync folder: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync folder %s: %w", dir, err)
	}
	return nil
}
