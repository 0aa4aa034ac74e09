package gitstore

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
)

func TestMirrorName(t *testing.T) {
	t.Parallel()
	a, b := MirrorName("https://github.com/org/repo.git"), MirrorName("https://github.com/org/repo")
	if a == b || !strings.HasPrefix(a, "github.com-org-repo.git-") || !strings.HasSuffix(a, ".git") {
		t.Fatalf("mirror names %q %q", a, b)
	}
	if n := MirrorName("file:///" + strings.Repeat("x/", 100)); len(n) > 80 {
		t.Fatalf("mirror name too long: %q", n)
	}
}

// A store closed before any read stops its background listing of the
// remote: nothing is left running.
func TestMirrorCloseStopsTheCheck(t *testing.T) {
	bare := gittest.NewBare(t)
	clone := gittest.NewRepo(t)
	clone.Commit("first", nil)
	clone.AddRemote("origin", bare.Dir)
	clone.Git("push", "-q", "origin", "main")
	url, cache := "file://"+bare.Dir, t.TempDir()
	opts := Options{Env: clone.Env()}
	s, err := OpenMirror(context.Background(), url, cache, opts)
	if err != nil {
		t.Fatal(err)
	}
	s.Close() // the first open clones: no check
	before := runtime.NumGoroutine()
	for range 5 {
		s, err := OpenMirror(context.Background(), url, cache, opts)
		if err != nil {
			t.Fatal(err)
		}
		if s.mirror.check == nil {
			t.Fatal("no background check on an existing mirror")
		}
		s.Close()
		if s.mirror.check != nil {
			t.Fatal("Close left the check")
		}
	}
	// A stopped goroutine may still be returning when stop has seen it
	// finish (its deferred close ran): give the scheduler a moment. A
	// leak stays; a goroutine on its way out does not.
	after := runtime.NumGoroutine()
	for deadline := time.Now().Add(5 * time.Second); after > before && time.Now().Before(deadline); after = runtime.NumGoroutine() {
		time.Sleep(10 * time.Millisecond)
	}
	if after > before {
		t.Errorf("%d goroutines after 5 open/close, %d before", after, before)
	}
}
