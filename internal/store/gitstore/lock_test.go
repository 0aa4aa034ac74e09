//go:build unix

package gitstore

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/internal/store"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// holdLock holds the lock file at path as another process would (another
// open file of it), with pid written in it, until the test ends.
func holdLock(t *testing.T, path, pid string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	f.WriteString(pid + "\n")
	t.Cleanup(func() { f.Close() })
}

// A writer waits for another gto's write lock, says so after a second, and
// gives up after the lock timeout with the holder named; nothing is
// written.
func TestWriteLockHeldByAnother(t *testing.T) {
	t.Parallel()
	g := gittest.NewRepo(t)
	g.Commit("first", nil)
	holdLock(t, filepath.Join(g.Dir, ".git", "gto-write.lock"), "4242")
	notices := &syncBuffer{}
	s, err := Open(t.Context(), g.Dir, Options{Env: g.Env(), LockTimeout: 1500 * time.Millisecond, Notices: notices})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	called := false
	err = s.Update(t.Context(), func(store.Writer) error { called = true; return nil })
	waited := time.Since(start)
	if err == nil || called {
		t.Fatalf("Update with the lock held = %v (fn called: %v)", err, called)
	}
	if want := "another gto (pid 4242) has been writing in " + g.Dir + " for over 1.5s: gave up waiting (GTO_LOCK_TIMEOUT sets how long to wait)"; err.Error() != want {
		t.Errorf("err = %q\nwant  %q", err, want)
	}
	if waited < 1500*time.Millisecond {
		t.Errorf("gave up after %v", waited)
	}
	if got, want := notices.String(), "waiting for another gto (pid 4242) to finish writing in "+g.Dir+"…\n"; got != want {
		t.Errorf("notices %q, want %q", got, want)
	}
}

// A lock file left by a process that died holds no lock: it is taken at
// once, and says who holds it now.
func TestWriteLockOfADeadProcess(t *testing.T) {
	t.Parallel()
	g := gittest.NewRepo(t)
	g.Commit("first", nil)
	path := filepath.Join(g.Dir, ".git", "gto-write.lock")
	if err := os.WriteFile(path, []byte("999999\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	notices := &syncBuffer{}
	s, err := Open(t.Context(), g.Dir, Options{Env: g.Env(), LockTimeout: time.Second, Notices: notices})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Update(t.Context(), func(store.Writer) error {
		data, _ := os.ReadFile(path)
		if strings.TrimSpace(string(data)) != strconv.Itoa(os.Getpid()) {
			t.Errorf("the lock file says %q while we hold it", data)
		}
		return nil
	})
	if err != nil || notices.String() != "" {
		t.Errorf("Update = %v, notices %q", err, notices.String())
	}
}

// A cancelled wait for the lock stops at once.
func TestWriteLockWaitCancelled(t *testing.T) {
	t.Parallel()
	g := gittest.NewRepo(t)
	g.Commit("first", nil)
	holdLock(t, filepath.Join(g.Dir, ".git", "gto-write.lock"), "4242")
	s, err := Open(t.Context(), g.Dir, Options{Env: g.Env()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if err := s.Update(ctx, func(store.Writer) error { return nil }); err != context.DeadlineExceeded {
		t.Errorf("Update = %v, want the context's error", err)
	}
}
