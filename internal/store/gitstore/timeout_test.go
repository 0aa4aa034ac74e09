package gitstore

import (
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/internal/store"
)

// silentRemote listens on 127.0.0.1, accepts connections and never answers
// (a remote that hangs); it returns the URL of a repository there.
func silentRemote(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never read nor written
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return "http://" + ln.Addr().String() + "/registry.git"
}

const testTimeout = 2 * time.Second

// checkTimeout checks that err is the one-sentence timeout of url, and
// came about when the timeout passed (not long after).
func checkTimeout(t *testing.T, what string, err error, took time.Duration, name string) {
	t.Helper()
	if !errors.Is(err, store.ErrTimeout) {
		t.Fatalf("%s: err = %v, want ErrTimeout", what, err)
	}
	if want := name + " did not answer within 2s"; err.Error() != want {
		t.Errorf("%s: err = %q, want %q", what, err, want)
	}
	if took < testTimeout || took > testTimeout+6*time.Second {
		t.Errorf("%s took %v with a timeout of %v", what, took, testTimeout)
	}
}

// Cloning a mirror of a remote that never answers gives up after the
// timeout, with one sentence naming it.
func TestTimeoutCloningAMirror(t *testing.T) {
	t.Parallel()
	url := silentRemote(t)
	g := gittest.NewRepo(t)
	start := time.Now()
	_, err := OpenMirror(t.Context(), url, t.TempDir(), Options{Env: g.Env(), Timeout: testTimeout})
	checkTimeout(t, "OpenMirror", err, time.Since(start), url)
}

// Pushing to an origin that never answers gives up after the timeout and
// releases the write lock: the next writer does not wait.
func TestTimeoutPushing(t *testing.T) {
	t.Parallel()
	url := silentRemote(t)
	g := gittest.NewRepo(t)
	c := g.Commit("first", nil)
	g.AddRemote("origin", url)
	s, err := Open(t.Context(), g.Dir, Options{Env: g.Env(), Timeout: testTimeout, LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	err = s.Update(t.Context(), func(w store.Writer) error {
		if err := w.WriteTags(t.Context(), []store.TagRequest{{Name: "m@v0.0.1", Target: c, Message: "Registering"}}, nil); err != nil {
			return err
		}
		return w.Push(t.Context(), store.PushRequest{Create: []string{"m@v0.0.1"}})
	})
	checkTimeout(t, "Push", err, time.Since(start), "origin ("+url+")")
	other, err := Open(t.Context(), g.Dir, Options{Env: g.Env(), LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Update(t.Context(), func(store.Writer) error { return nil }); err != nil {
		t.Errorf("the write lock is still held after the timeout: %v", err)
	}
}
