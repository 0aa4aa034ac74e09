package registry

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/gto-dev/gto/model"
)

// DirWriter writes the files of a Get into a folder: the artifact lands
// as DIR/<base name of its path>. It writes into a temporary folder inside
// DIR and moves the result into place at Commit, so that a Get that fails
// half-way leaves nothing (DIR itself is made with the first file, and
// removed again by Abort when it was made for nothing). Every entry is
// created new (never opened through an existing file or link), folders
// only by the writer itself, and symlinks are written as links and never
// followed; an executable keeps its executable bit.
type DirWriter struct {
	dir, name, tmp string
	madeDir        string          // the first folder of dir that the writer made, "" if none
	created        map[string]bool // folders made, by output name
	buf            []byte
}

// NewDirWriter prepares to write name (the base name of the artifact's
// path) into dir; nothing is written before the first file. Errors: name
// exists in dir already.
func NewDirWriter(dir, name string) (*DirWriter, error) {
	if err := checkOutputName(name); err != nil {
		return nil, err
	}
	w := &DirWriter{dir: dir, name: name, created: map[string]bool{}}
	if err := w.free(); err != nil {
		return nil, err
	}
	return w, nil
}

// free fails when the destination exists.
func (w *DirWriter) free() error {
	dest := filepath.Join(w.dir, w.name)
	if _, err := os.Lstat(dest); err == nil {
		return &model.ConflictError{Detail: model.Detail{Msg: fmt.Sprintf("%s exists already", dest), Hint: "remove it, or write elsewhere"}}
	}
	return nil
}

// start makes dir (when missing) and the temporary folder.
func (w *DirWriter) start() error {
	for d := filepath.Clean(w.dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || filepath.Dir(d) == d {
			break
		}
		w.madeDir = d
	}
	if err := os.MkdirAll(w.dir, 0o777); err != nil {
		return fmt.Errorf("cannot create the output folder: %w", err)
	}
	tmp, err := os.MkdirTemp(w.dir, ".gto-get-")
	if err != nil {
		return fmt.Errorf("cannot write in the output folder: %w", err)
	}
	w.tmp = tmp
	return nil
}

// File writes one file; it is the Sink of a Get.
func (w *DirWriter) File(f File) error {
	if err := checkOutputName(f.Name); err != nil {
		return err
	}
	if w.tmp == "" {
		if err := w.start(); err != nil {
			return err
		}
	}
	if err := w.mkdirs(path.Dir(f.Name)); err != nil {
		return err
	}
	target := filepath.Join(w.tmp, filepath.FromSlash(f.Name))
	switch f.Kind {
	case FileDir:
		return w.mkdirs(f.Name)
	case FileSymlink:
		return os.Symlink(f.Link, target)
	}
	perm := os.FileMode(0o666)
	if f.Kind == FileExecutable {
		perm = 0o777
	}
	// O_EXCL: never through a file or a link already there.
	out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if w.buf == nil {
		w.buf = make([]byte, copyBufSize)
	}
	return errors.Join(copyChunks(out, f.Content, f.Size, w.buf), out.Close())
}

// copyChunks writes size bytes of content to out in writes of len(buf):
// the pipe from git hands them on in pieces of a few KiB, and a write per
// piece costs the file system (or the next pipe) more than the copy.
func copyChunks(out io.Writer, content io.Reader, size int64, buf []byte) error {
	for size > 0 {
		n, err := io.ReadFull(content, buf[:min(size, int64(len(buf)))])
		if _, werr := out.Write(buf[:n]); werr != nil {
			return werr
		}
		if err != nil {
			return err
		}
		size -= int64(n)
	}
	return nil
}

// copyBufSize is the size of the writes of a file's content.
const copyBufSize = 1 << 20

// mkdirs makes the folder dir (an output name) and those above it, each
// with Mkdir: one that exists and was not made here (a link, a file) is an
// error, never entered.
func (w *DirWriter) mkdirs(dir string) error {
	if dir == "." || w.created[dir] {
		return nil
	}
	if err := w.mkdirs(path.Dir(dir)); err != nil {
		return err
	}
	if err := os.Mkdir(filepath.Join(w.tmp, filepath.FromSlash(dir)), 0o777); err != nil {
		return err
	}
	w.created[dir] = true
	return nil
}

// Commit moves what was written into place as DIR/name and removes the
// temporary folder.
func (w *DirWriter) Commit() error {
	if w.tmp == "" {
		return errors.New("nothing was written")
	}
	defer os.RemoveAll(w.tmp)
	if err := w.free(); err != nil {
		return err
	}
	return os.Rename(filepath.Join(w.tmp, w.name), filepath.Join(w.dir, w.name))
}

// Abort removes what was written, and the output folder when it was made
// for it.
func (w *DirWriter) Abort() {
	if w.tmp != "" {
		os.RemoveAll(w.tmp)
	}
	if w.madeDir != "" {
		os.RemoveAll(w.madeDir)
	}
}

// Tar writes the files of a Get to w as a tar stream (gzip-compressed
// for NewTarGz), every entry dated mtime; Close ends the stream.
type Tar struct {
	gz    *gzip.Writer // nil for a plain tar
	tw    *tar.Writer
	mtime time.Time
	buf   []byte
}

// NewTar starts a plain tar stream on w.
func NewTar(w io.Writer, mtime time.Time) *Tar {
	return &Tar{tw: tar.NewWriter(w), mtime: mtime}
}

// NewTarGz starts a tar.gz stream on w.
func NewTarGz(w io.Writer, mtime time.Time) *Tar {
	gz, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	return &Tar{gz: gz, tw: tar.NewWriter(gz), mtime: mtime}
}

// File adds one file; it is the Sink of a Get.
func (t *Tar) File(f File) error {
	h := &tar.Header{Name: f.Name, ModTime: t.mtime, Mode: 0o644, Typeflag: tar.TypeReg, Size: f.Size, Format: tar.FormatPAX}
	switch f.Kind {
	case FileExecutable:
		h.Mode = 0o755
	case FileSymlink:
		h.Typeflag, h.Linkname, h.Size, h.Mode = tar.TypeSymlink, f.Link, 0, 0o777
	case FileDir:
		h.Typeflag, h.Name, h.Size, h.Mode = tar.TypeDir, f.Name+"/", 0, 0o755
	}
	if err := t.tw.WriteHeader(h); err != nil {
		return err
	}
	if h.Typeflag != tar.TypeReg {
		return nil
	}
	if t.buf == nil {
		t.buf = make([]byte, copyBufSize)
	}
	return copyChunks(t.tw, f.Content, f.Size, t.buf)
}

// Close ends the tar (and gzip) stream, not the writer under it.
func (t *Tar) Close() error {
	err := t.tw.Close()
	if t.gz != nil {
		err = errors.Join(err, t.gz.Close())
	}
	return err
}
