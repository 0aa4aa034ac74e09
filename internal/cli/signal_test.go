package cli_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
)

// blockingGit writes a git that runs the real one, except for the command
// whose arguments contain block (with spaces around it): that one writes
// the file mark and sleeps, so that a test can interrupt gto at that step.
func blockingGit(t *testing.T, block, mark string) string {
	t.Helper()
	real, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := "#!/bin/sh\ncase \" $* \" in\n*' " + block + " '*) : > '" + mark + "'; exec sleep 60;;\nesac\nexec '" + real + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// interrupt runs gto args in repo with git blocking at block, sends it
// SIGINT once the blocked step is reached, and returns its exit code and
// stderr.
func interrupt(t *testing.T, repo *gittest.Repo, block string, args ...string) (int, string) {
	t.Helper()
	gto, err := exec.LookPath("gto")
	if err != nil {
		t.Fatalf("gto is not in PATH (TestMain puts it there): %v", err)
	}
	mark := filepath.Join(t.TempDir(), "blocked")
	cmd := exec.Command(gto, args...)
	cmd.Dir = repo.Dir
	cmd.Env = append(repo.Env(), "PATH="+blockingGit(t, block, mark)+string(os.PathListSeparator)+os.Getenv("PATH"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.WaitDelay = 5 * time.Second // a gto killed leaves the blocked git holding stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(mark); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("gto never reached %q: %s", block, stderr.String())
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("gto did not stop after SIGINT: %s", stderr.String())
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("gto exited with %v after SIGINT, want a failure: %s", err, stderr.String())
	}
	return exit.ExitCode(), stderr.String()
}

func tagList(repo *gittest.Repo) []string {
	out := repo.Git("tag", "--list")
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}

// Ctrl-C while an assignment writes its second tag (the registration is
// written): the registration is deleted again, nothing is left.
func TestInterruptedWriteLeavesNothing(t *testing.T) {
	t.Parallel()
	repo := gittest.NewRepo(t)
	repo.Commit("first", nil)
	code, stderr := interrupt(t, repo, "m#prod#1", "assign", "m", "HEAD", "--stage", "prod")
	if code != 130 || !strings.HasPrefix(stderr, "❌ Interrupted: ") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if tags := tagList(repo); len(tags) != 0 {
		t.Errorf("an interrupted assignment left %q", tags)
	}
}

// Ctrl-C while the write is pushed: the local write is complete (SPEC §5:
// a failed push keeps the local tags), origin got nothing.
func TestInterruptedPushKeepsTheCompleteWrite(t *testing.T) {
	t.Parallel()
	repo := gittest.NewRepo(t)
	origin := gittest.NewBare(t)
	repo.Commit("first", nil)
	repo.AddRemote("origin", origin.Dir)
	repo.Git("push", "-q", "origin", "main")
	code, stderr := interrupt(t, repo, "push", "assign", "m", "HEAD", "--stage", "prod", "--push")
	if code != 130 || !strings.Contains(stderr, "the local repository keeps the change") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if tags := tagList(repo); !slices.Equal(tags, []string{"m#prod#1", "m@v0.0.1"}) {
		t.Errorf("local tags %q, want the complete write", tags)
	}
	if tags := tagList(origin); len(tags) != 0 {
		t.Errorf("origin got %q", tags)
	}
}

// Ctrl-C during a read of a local repository kills gto at once, as it
// would any program: it has nothing to undo, and no handler to start.
func TestInterruptedLocalReadDies(t *testing.T) {
	t.Parallel()
	repo := gittest.NewRepo(t)
	repo.Commit("first", nil)
	repo.Git("tag", "-a", "-m", "m", "m@v1.0.0")
	code, stderr := interrupt(t, repo, "--batch-command", "history", "--json")
	if code != -1 || stderr != "" {
		t.Errorf("exit %d, stderr %q; want death by the signal, silent", code, stderr)
	}
}
