//go:build unix

package gitcmd

import (
	"os"
	"syscall"
)

// sameFileSystem reports whether a and b are on one file system (git's
// discovery stops at a file system boundary).
func sameFileSystem(a, b os.FileInfo) bool {
	sa, ok1 := a.Sys().(*syscall.Stat_t)
	sb, ok2 := b.Sys().(*syscall.Stat_t)
	return ok1 && ok2 && sa.Dev == sb.Dev
}

// ownedByMe reports whether the current user owns the file (git refuses
// repositories of other users unless safe.directory says otherwise).
func ownedByMe(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid()
}
