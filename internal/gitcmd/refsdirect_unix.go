//go:build unix

package gitcmd

import (
	"os"
	"syscall"
)

// mapFile maps file into memory read-only, as git maps packed-refs: a
// one-artifact lookup in the 55 MB packed-refs of 500,000 tags then reads
// the few pages its binary search touches, instead of copying the whole
// file. git replaces packed-refs by renaming a new file over it, never by
// writing into it, so the mapped file does not change under the reader.
// unmap releases the mapping; the bytes must not be used after it.
func mapFile(file string) (data []byte, unmap func(), err error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := st.Size()
	if size == 0 || int64(int(size)) != size {
		data, err := os.ReadFile(file)
		return data, func() {}, err
	}
	data, err = syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		data, err := os.ReadFile(file) // a file system that cannot map
		return data, func() {}, err
	}
	return data, func() { syscall.Munmap(data) }, nil
}
