package gitstore

import (
	"context"
	"fmt"
	"time"

	"github.com/gto-dev/gto/internal/filelock"
)

// defaultLockTimeout is how long a store waits for a lock another process
// holds, unless Options.LockTimeout says otherwise.
const defaultLockTimeout = 2 * time.Minute

// noticeAfter is how long a store waits for a lock before it says so.
const noticeAfter = time.Second

// lock takes the lock file at path (created if needed), waiting for the
// gto process that holds it: after a second it says so on Options.Notices
// ("waiting for another gto (pid N) to finish WHAT"), and it gives up after
// Options.LockTimeout with an error naming the holder (see filelock: the
// lock of a process that died is free at once).
func (s *Store) lock(ctx context.Context, path, what string) (func(), error) {
	timeout := s.opts.LockTimeout
	if timeout <= 0 {
		timeout = defaultLockTimeout
	}
	start, noticed := time.Now(), false
	for {
		release, held, err := filelock.TryLock(path)
		if err != nil {
			return nil, err
		}
		if !held {
			return release, nil
		}
		waited := time.Since(start)
		if !noticed && waited >= noticeAfter && s.opts.Notices != nil {
			fmt.Fprintf(s.opts.Notices, "waiting for another gto (%s) to finish %s…\n", filelock.Holder(path), what)
			noticed = true
		}
		if waited >= timeout {
			return nil, fmt.Errorf("another gto (%s) has been %s for over %v: gave up waiting (GTO_LOCK_TIMEOUT sets how long to wait)", filelock.Holder(path), what, timeout)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
