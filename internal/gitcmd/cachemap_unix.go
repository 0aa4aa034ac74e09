//go:build unix

package gitcmd

import (
	"os"
	"syscall"
)

// mapFile maps the file at path read-only into memory: its pages are read
// from the page cache as they are touched, count once in RSS (not on the
// garbage-collected heap, whose target grows with what it holds), and those
// never touched (the commits of a history run, read by a show) are never
// loaded. ok is false when the file cannot be mapped; the caller then reads
// it. The mapping is never removed: strings of the process point into it.
// Files are only ever appended to or replaced by a rename, never truncated
// in place, so a mapped page always has its file behind it.
func mapFile(path string) (data []byte, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 || st.Size() != int64(int(st.Size())) {
		return nil, false
	}
	data, err = syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		return nil, false
	}
	return data, true
}

// dropPages lets the system take back the pages of data, a mapping of
// mapFile that was only read: they leave the process's RSS and come back
// from the page cache when touched again.
func dropPages(data []byte) { syscall.Madvise(data, syscall.MADV_DONTNEED) }
