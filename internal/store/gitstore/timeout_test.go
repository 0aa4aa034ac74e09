package gitstore

import (
	"errors"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/internal/store"
)

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
	url := gittest.SilentRemote(t)
	g := gittest.NewRepo(t)
	start := time.Now()
	_, err := OpenMirror(t.Context(), url, t.TempDir(), Options{Env: g.Env(), Timeout: testTimeout})
	checkTimeout(t, "OpenMirror", err, time.Since(start), url)
}

// Pushing to an origin that never answers gives up after the timeout and
// releases the write lock: the next writer does not wait.
func TestTimeoutPushing(t *testing.T) {
	t.Parallel()
	url := gittest.SilentRemote(t)
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
