// Package filelock holds the advisory file locks that keep gto processes
// apart: the write lock of a repository, a mirror's lock, a watcher's
// state. A lock of the operating system dies with its process, so the lock
// of a process that died (kill -9 included) is free at once; the file only
// records the holder's pid, for messages. Where the system has no advisory
// locks (see lock_other.go) every lock is granted.
package filelock

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// TryLock takes the lock file at path (created if needed) without waiting.
// held is false, with no error, when another process (or another open file
// of this one) holds it; otherwise release gives it back.
func TryLock(path string) (release func(), held bool, err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, false, fmt.Errorf("cannot open the lock file %s: %w", path, err)
	}
	ok, err := tryLock(f)
	if err != nil || !ok {
		f.Close()
		if err != nil {
			return nil, false, fmt.Errorf("cannot lock %s: %w", path, err)
		}
		return nil, true, nil
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() {
		f.Truncate(0)
		unlockFile(f)
		f.Close()
	}, false, nil
}

// Holder names the process a lock file says holds it: "pid N", or
// "unknown pid" before it wrote its pid.
func Holder(path string) string {
	data, err := os.ReadFile(path)
	if pid, perr := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && perr == nil && pid > 0 {
		return "pid " + strconv.Itoa(pid)
	}
	return "unknown pid"
}
