//go:build unix

package filelock

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestTryLock(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.lock")
	release, held, err := TryLock(path)
	if err != nil || held {
		t.Fatalf("first TryLock: held=%v, %v", held, err)
	}
	if got, want := Holder(path), "pid "+strconv.Itoa(os.Getpid()); got != want {
		t.Errorf("Holder = %q, want %q", got, want)
	}
	if again, held, err := TryLock(path); err != nil || !held || again != nil {
		t.Fatalf("second TryLock while held: held=%v, %v", held, err)
	}
	release()
	if got := Holder(path); got != "unknown pid" {
		t.Errorf("Holder after release = %q", got)
	}
	release, held, err = TryLock(path)
	if err != nil || held {
		t.Fatalf("TryLock after release: held=%v, %v", held, err)
	}
	release()
}

func TestTryLockCannotOpen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing", "x.lock")
	if _, _, err := TryLock(path); err == nil || !strings.Contains(err.Error(), "cannot open the lock file") {
		t.Fatalf("TryLock in a missing folder: %v", err)
	}
}
