package server

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync"
)

// spool is a document rendered once, when first asked for, into a
// temporary file that every request then reads: the whole journal's JSON
// is tens of megabytes at 50,000 tags and hundreds at 500,000, which the
// server would otherwise keep on its heap for as long as the views live.
// The file is removed at once where the system allows it (it lives on
// while open); it is closed, and removed elsewhere, once the spool is
// collected.
type spool struct {
	once sync.Once
	f    *os.File
	size int64
	err  error
}

// serve answers the document (rendered by write on first use) with its
// Content-Length; any number of requests may read it at once. It reports
// false, having written nothing, when the document could not be spooled
// (no temporary directory): the caller then renders it itself.
func (sp *spool) serve(w http.ResponseWriter, write func(io.Writer) error) bool {
	sp.once.Do(func() {
		sp.f, sp.size, sp.err = spoolFile(write)
		if sp.err == nil {
			runtime.AddCleanup(sp, closeSpool, sp.f)
		}
	})
	if sp.err != nil {
		return false
	}
	w.Header().Set("Content-Length", strconv.FormatInt(sp.size, 10))
	io.Copy(w, io.NewSectionReader(sp.f, 0, sp.size))
	runtime.KeepAlive(sp) // the file stays open until the copy is done
	return true
}

func spoolFile(write func(io.Writer) error) (*os.File, int64, error) {
	f, err := os.CreateTemp("", "gto-serve-*.json")
	if err != nil {
		return nil, 0, err
	}
	os.Remove(f.Name()) // where an open file can be removed; else closeSpool does
	w := bufio.NewWriterSize(f, 256<<10)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	var size int64
	if err == nil {
		size, err = f.Seek(0, io.SeekCurrent)
	}
	if err != nil {
		closeSpool(f)
		return nil, 0, err
	}
	return f, size, nil
}

func closeSpool(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}
