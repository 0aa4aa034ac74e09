package cli_test

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/watch/watchtest"
)

const watchSecret = "a-secret-of-the-tests"

// watcher is a `gto watch` process delivering to a receiver.
type watcher struct {
	t      *testing.T
	repo   *gittest.Repo
	state  string
	url    string
	cmd    *exec.Cmd
	stderr *strings.Builder
}

// start starts the watcher and waits until it has taken its first look
// (its state file exists).
func (w *watcher) start() {
	w.t.Helper()
	gto, err := exec.LookPath("gto")
	if err != nil {
		w.t.Fatalf("gto is not in PATH (TestMain puts it there): %v", err)
	}
	w.cmd = exec.Command(gto, "watch", "--webhook", w.url, "--interval", "20ms", "--backoff", "10ms", "--state", w.state)
	w.cmd.Dir = w.repo.Dir
	w.cmd.Env = append(w.repo.Env(), "GTO_WEBHOOK_SECRET="+watchSecret)
	w.stderr = &strings.Builder{}
	w.cmd.Stderr = w.stderr
	if err := w.cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(w.state); err == nil {
			return
		}
		if time.Now().After(deadline) {
			w.cmd.Process.Kill()
			w.cmd.Wait()
			w.t.Fatalf("gto watch wrote no state in 30s: %s", w.stderr)
		}
	}
}

// stop sends SIGTERM and expects exit 0.
func (w *watcher) stop() {
	w.t.Helper()
	w.cmd.Process.Signal(syscall.SIGTERM)
	if err := w.cmd.Wait(); err != nil {
		w.t.Fatalf("gto watch after SIGTERM: %v\n%s", err, w.stderr)
	}
}

// writeTags makes count tags w<writer>-<i>@v1.0.0 with git itself, one
// after the other.
func writeTags(repo *gittest.Repo, writer, count int) error {
	for i := range count {
		name := fmt.Sprintf("w%d-%03d@v1.0.0", writer, i)
		cmd := exec.Command("git", "-C", repo.Dir, "-c", "tag.gpgSign=false", "tag", "-a", "-m", "Registering "+name, name, "HEAD")
		cmd.Env = repo.Env()
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v: %s", name, err, out)
		}
	}
	return nil
}

func newWatchRepo(t *testing.T) (*gittest.Repo, *watchtest.Receiver, *watcher) {
	repo := gittest.NewRepo(t)
	repo.Commit("first", nil)
	rc := watchtest.New(t, watchSecret, nil)
	return repo, rc, &watcher{t: t, repo: repo, state: filepath.Join(t.TempDir(), "state.json"), url: rc.URL}
}

// 200 tags from 4 concurrent writers: 200 deliveries, each signed, each
// writer's tags in the order they were made.
func TestWatchDeliversConcurrentWrites(t *testing.T) {
	t.Parallel()
	repo, rc, w := newWatchRepo(t)
	w.start()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for writer := range 4 {
		wg.Go(func() { errs <- writeTags(repo, writer, 50) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rc.WaitDistinct(200, 60*time.Second)
	w.stop()
	counts := rc.Counts()
	if rc.Bad() != 0 || len(counts) != 200 {
		t.Fatalf("%d bad deliveries, %d events", rc.Bad(), len(counts))
	}
	for id, n := range counts {
		if n != 1 {
			t.Errorf("event %s delivered %d times", id, n)
		}
	}
	checkWriterOrder(t, rc.Order())
	if lines := strings.Count(w.stderr.String(), "delivered registration "); lines != 200 {
		t.Errorf("%d delivery lines in the log", lines)
	}
}

// checkWriterOrder checks that each writer's tags came in the order made.
func checkWriterOrder(t *testing.T, order []string) {
	t.Helper()
	last := map[string]string{}
	for _, tag := range order {
		writer := tag[:strings.IndexByte(tag, '-')]
		if tag < last[writer] {
			t.Fatalf("%s delivered after %s", tag, last[writer])
		}
		last[writer] = tag
	}
}

// kill -9 at 10 random moments while 200 tags are made, starting the
// watcher again each time: every event is delivered, and no more
// duplicates than kills.
func TestWatchSurvivesKill9(t *testing.T) {
	t.Parallel()
	repo, rc, w := newWatchRepo(t)
	w.start()
	written := make(chan error, 1)
	go func() { written <- writeTags(repo, 0, 200) }()
	rnd := rand.New(rand.NewPCG(13, 9))
	const kills = 10
	for range kills {
		time.Sleep(time.Duration(10+rnd.IntN(60)) * time.Millisecond)
		w.cmd.Process.Signal(syscall.SIGKILL)
		w.cmd.Wait()
		w.start()
	}
	if err := <-written; err != nil {
		t.Fatal(err)
	}
	rc.WaitDistinct(200, 60*time.Second)
	w.stop()
	counts := rc.Counts()
	total := 0
	for _, n := range counts {
		total += n
	}
	if len(counts) != 200 || rc.Bad() != 0 || total-200 > kills {
		t.Fatalf("%d events, %d deliveries (%d repeated), %d bad", len(counts), total, total-200, rc.Bad())
	}
	t.Logf("%d deliveries of 200 events over %d kills", total, kills)
	if left, _ := filepath.Glob(w.state + ".*.tmp"); len(left) != 0 {
		t.Errorf("temporary state files left: %v", left)
	}
	order := rc.Order()
	slices.Sort(order)
	if order = slices.Compact(order); len(order) != 200 {
		t.Errorf("%d distinct tags delivered", len(order))
	}
}

// gto events --follow on a remote (a file:// bare repository) whose tags
// change: new tags, then a tag deleted on the remote, reported once;
// SIGTERM ends it with exit 0.
func TestEventsFollowRemote(t *testing.T) {
	t.Parallel()
	bare := gittest.NewBare(t)
	clone := gittest.NewRepo(t)
	c := clone.Commit("first", nil)
	clone.AddRemote("origin", bare.Dir)
	clone.Tag("m@v1.0.0", c, "Registering artifact m version v1.0.0")
	clone.Git("push", "-q", "origin", "main", "--tags")
	gto, err := exec.LookPath("gto")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gto, "events", "--follow", "--interval", "20ms", "-r", "file://"+bare.Dir, "--cache-dir", t.TempDir())
	cmd.Env = clone.Env()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func(want string) {
		t.Helper()
		select {
		case line := <-lines:
			if !strings.Contains(line, want) {
				t.Fatalf("line %s, want %s", line, want)
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("no line with %s after 30s: %s", want, stderr.String())
		}
	}
	next(`"event":"registration","timestamp":"2022-01-01T01:02:00+00:00","artifact":"m"`)
	clone.Tag("m#prod#1", c, "Assigning stage prod to artifact m version v1.0.0")
	clone.Git("push", "-q", "origin", "--tags")
	next(`"event":"assignment",`)
	clone.Git("push", "-q", "origin", ":refs/tags/m@v1.0.0")
	next(`"event":"deleted",`)
	time.Sleep(100 * time.Millisecond) // a few more looks, which must print nothing
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("after SIGTERM: %v: %s", err, stderr.String())
	}
	for line := range lines {
		t.Errorf("more output: %s", line)
	}
}

// A second watcher of the same state file fails at once, names the first,
// and leaves the first delivering.
func TestWatchRefusesASharedState(t *testing.T) {
	t.Parallel()
	repo, rc, w := newWatchRepo(t)
	w.start()
	second := exec.Command("gto", "watch", "--webhook", w.url, "--state", w.state)
	second.Dir, second.Env = repo.Dir, append(repo.Env(), "GTO_WEBHOOK_SECRET="+watchSecret)
	out, err := second.CombinedOutput()
	if code := second.ProcessState.ExitCode(); err == nil || code != 1 {
		t.Fatalf("second watcher: exit %d (%v), want 1:\n%s", code, err, out)
	}
	want := fmt.Sprintf("another watcher (pid %d) uses %s; give each watcher its own state (--state FILE)", w.cmd.Process.Pid, w.state)
	if !strings.Contains(string(out), want) || strings.Count(string(out), "\n") != 1 {
		t.Errorf("second watcher said %q, want one line with %q", out, want)
	}
	if err := writeTags(repo, 0, 1); err != nil {
		t.Fatal(err)
	}
	rc.WaitDistinct(1, 30*time.Second)
	w.stop()
}
