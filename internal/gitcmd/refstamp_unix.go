//go:build unix

package gitcmd

import (
	"os"
	"syscall"
)

// inode is the file's inode number: a file renamed over another has a new one.
func inode(st os.FileInfo) uint64 {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return uint64(sys.Ino)
	}
	return 0
}
