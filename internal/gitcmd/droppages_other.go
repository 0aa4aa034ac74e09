//go:build !linux

package gitcmd

// dropPages does nothing where the standard library offers no madvise
// (the pages stay until the system needs them).
func dropPages([]byte) {}
