package gitstore

import (
	"context"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/internal/store"
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

// A blobless mirror fetches the blobs of one path, all in one fetch, and
// no other; the second time there is nothing to fetch.
func TestMirrorFetchBlobsOfAPath(t *testing.T) {
	t.Parallel()
	bare := gittest.NewBare(t)
	bare.Git("config", "uploadpack.allowFilter", "true")
	clone := gittest.NewRepo(t)
	c := clone.Commit("models", map[string]string{"m/a": "a\n", "m/sub/b": "b\n", "other/c": "c\n"})
	clone.AddRemote("origin", bare.Dir)
	clone.Git("push", "-q", "origin", "main")
	s, err := OpenMirror(t.Context(), "file://"+bare.Dir, t.TempDir(), Options{Env: clone.Env()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.View(t.Context(), func(rd store.Reader) error {
		for i, want := range []int{2, 0} {
			if n, err := rd.FetchBlobs(t.Context(), c, "m"); err != nil || n != want {
				t.Errorf("FetchBlobs #%d = %d, %v; want %d", i+1, n, err, want)
			}
		}
		missing, err := s.repo.MissingBlobs(t.Context(), c, "")
		if err != nil || len(missing) != 1 {
			t.Errorf("blobs still missing: %v, %v; want other/c's", missing, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The remote gone, a blob the mirror lacks cannot be had: an error,
	// not a per-blob fetch later.
	if err := os.RemoveAll(bare.Dir); err != nil {
		t.Fatal(err)
	}
	s.View(t.Context(), func(rd store.Reader) error {
		if n, err := rd.FetchBlobs(t.Context(), c, "other"); err == nil || n != 0 {
			t.Errorf("FetchBlobs from a remote that is gone = %d, %v", n, err)
		}
		return nil
	})
}
