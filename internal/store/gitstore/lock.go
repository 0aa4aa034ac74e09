package gitstore

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// defaultLockTimeout is how long a store waits for a lock another process
// holds, unless Options.LockTimeout says otherwise.
const defaultLockTimeout = 2 * time.Minute

// noticeAfter is how long a store waits for a lock before it says so.
const noticeAfter = time.Second

// lock takes the lock file at path (created if needed), waiting for the
// gto process that holds it: after a second it says so on Options.Notices
// ("waiting for another gto (pid N) to finish WHAT"), and it gives up after
// Options.LockTimeout with an error naming the holder. The lock is an
// advisory lock of the operating system, which dies with its process, so
// the lock of a process that died is free at once; the file only records
// the holder's pid, for these messages.
func (s *Store) lock(ctx context.Context, path, what string) (func(), error) {
	timeout := s.opts.LockTimeout
	if timeout <= 0 {
		timeout = defaultLockTimeout
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot open the lock file %s: %w", path, err)
	}
	start, noticed := time.Now(), false
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("cannot lock %s: %w", path, err)
		}
		if ok {
			f.Truncate(0)
			f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
			return func() {
				f.Truncate(0)
				unlockFile(f)
				f.Close()
			}, nil
		}
		waited := time.Since(start)
		if !noticed && waited >= noticeAfter && s.opts.Notices != nil {
			fmt.Fprintf(s.opts.Notices, "waiting for another gto (%s) to finish %s…\n", holder(path), what)
			noticed = true
		}
		if waited >= timeout {
			f.Close()
			return nil, fmt.Errorf("another gto (%s) has been %s for over %v: gave up waiting (GTO_LOCK_TIMEOUT sets how long to wait)", holder(path), what, timeout)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// holder names the process a lock file says holds it: "pid N", or
// "unknown pid" before it wrote its pid.
func holder(path string) string {
	data, err := os.ReadFile(path)
	if pid, perr := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && perr == nil && pid > 0 {
		return "pid " + strconv.Itoa(pid)
	}
	return "unknown pid"
}
