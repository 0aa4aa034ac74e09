//go:build !unix

package filelock

import "os"

// tryLock always succeeds where advisory file locks are not available: two
// gto processes must then not write to one repository, or use one cache,
// at once (a watcher keeps its state file to itself the same way).
func tryLock(f *os.File) (bool, error) { return true, nil }

func unlockFile(f *os.File) {}
