//go:build !unix

package gitcmd

import "os"

// inode is 0 where the platform does not say: the size and time still change.
func inode(os.FileInfo) uint64 { return 0 }
