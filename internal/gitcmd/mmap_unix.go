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
// it. The object cache's mapping is never removed: strings of the process
// point into it (packed-refs' is: unmapFile).
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

// unmapFile removes a mapping of mapFile whose bytes nothing refers to any
// more (packed-refs, whose refs are copied out).
func unmapFile(data []byte) { syscall.Munmap(data) }
