package cli_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
)

// runGTO runs the real gto in dir with env added to repo's sealed
// environment, and returns its exit code, stderr and how long it took.
func runGTO(t *testing.T, repo *gittest.Repo, dir string, env []string, args ...string) (int, string, time.Duration) {
	t.Helper()
	gto, err := exec.LookPath("gto")
	if err != nil {
		t.Fatalf("gto is not in PATH (TestMain puts it there): %v", err)
	}
	cmd := exec.Command(gto, args...)
	cmd.Dir = dir
	cmd.Env = append(append(repo.Env(), "HOME="+t.TempDir()), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err = cmd.Run()
	took := time.Since(start)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stderr.String(), took
	case errors.As(err, &exit):
		return exit.ExitCode(), stderr.String(), took
	}
	t.Fatal(err)
	return 0, "", 0
}

// A remote that accepts the connection and never answers: every command
// gives up after GTO_TIMEOUT with one sentence naming it.
func TestSilentRemoteTimesOut(t *testing.T) {
	t.Parallel()
	url := gittest.SilentRemote(t)
	repo := gittest.NewRepo(t)
	code, stderr, took := runGTO(t, repo, t.TempDir(), []string{"GTO_TIMEOUT=2s"}, "show", "-r", url)
	if code != 1 || stderr != "❌ "+url+" did not answer within 2s\n" {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if took < 2*time.Second || took > 8*time.Second {
		t.Errorf("gave up after %v with GTO_TIMEOUT=2s", took)
	}
	// --timeout says the same.
	code, stderr, _ = runGTO(t, repo, t.TempDir(), nil, "show", "-r", url, "--timeout", "1s")
	if code != 1 || stderr != "❌ "+url+" did not answer within 1s\n" {
		t.Errorf("--timeout 1s: exit %d, stderr %q", code, stderr)
	}
}

// A push to a silent origin gives up after the timeout; the local tag is
// kept (SPEC §5) and the write lock released.
func TestSilentOriginOnPush(t *testing.T) {
	t.Parallel()
	url := gittest.SilentRemote(t)
	repo := gittest.NewRepo(t)
	repo.Commit("first", nil)
	repo.AddRemote("origin", url)
	code, stderr, took := runGTO(t, repo, repo.Dir, []string{"GTO_TIMEOUT=2s"}, "register", "m", "--push")
	want := "❌ Pushing to origin failed (origin (" + url + ") did not answer within 2s); the local repository keeps the change: run `git push origin m@v0.0.1` once the remote accepts it\n"
	if code != 1 || stderr != want || took > 8*time.Second {
		t.Errorf("exit %d after %v, stderr %q\nwant %q", code, took, stderr, want)
	}
	if tags := tagList(repo); len(tags) != 1 || tags[0] != "m@v0.0.1" {
		t.Errorf("tags %q", tags)
	}
	if code, stderr, _ := runGTO(t, repo, repo.Dir, []string{"GTO_LOCK_TIMEOUT=1s"}, "register", "n"); code != 0 {
		t.Errorf("the next writer: exit %d, %q", code, stderr)
	}
}

// A writer that meets another gto's write lock says so after a second,
// and gives up after GTO_LOCK_TIMEOUT; bad durations are refused.
func TestWriteLockHeld(t *testing.T) {
	t.Parallel()
	repo := gittest.NewRepo(t)
	repo.Commit("first", nil)
	f, err := os.OpenFile(filepath.Join(repo.Dir, ".git", "gto-write.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	f.WriteString("4242\n")
	code, stderr, _ := runGTO(t, repo, repo.Dir, []string{"GTO_LOCK_TIMEOUT=1500ms"}, "register", "m")
	want := "waiting for another gto (pid 4242) to finish writing in " + repo.Dir + "…\n" +
		"❌ Another gto (pid 4242) has been writing in " + repo.Dir + " for over 1.5s: gave up waiting (GTO_LOCK_TIMEOUT sets how long to wait)\n"
	if code != 1 || stderr != want {
		t.Errorf("exit %d, stderr %q\nwant %q", code, stderr, want)
	}
	if tags := tagList(repo); len(tags) != 0 {
		t.Errorf("tags %q", tags)
	}
	code, stderr, _ = runGTO(t, repo, repo.Dir, []string{"GTO_LOCK_TIMEOUT=soon"}, "register", "m")
	if code != 1 || stderr != "❌ GTO_LOCK_TIMEOUT must be a duration such as 30s or 2m, got \"soon\"\n" {
		t.Errorf("a bad GTO_LOCK_TIMEOUT: exit %d, stderr %q", code, stderr)
	}
}
