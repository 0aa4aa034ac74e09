//go:build linux

package gitcmd

import "syscall"

// dropPages lets the system take back the pages of data, a mapping of
// mapFile that was only read: they leave the process's RSS and come back
// from the page cache when touched again.
func dropPages(data []byte) { syscall.Madvise(data, syscall.MADV_DONTNEED) }
