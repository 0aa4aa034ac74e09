package watch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/registry"
	. "github.com/gto-dev/gto/watch"
	"github.com/gto-dev/gto/watch/watchtest"
)

const secret = "s3cret-for-tests"

// syncBuffer is a log shared by the watcher's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fixture is a repository with one commit, and the options of a watcher
// of it that looks every 10ms and retries after 5ms.
func fixture(t *testing.T) (*gittest.Repo, string, Options) {
	g := gittest.NewRepo(t)
	c := g.Commit("first", nil)
	env := g.Env()
	lookup := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		lookup[k] = v
	}
	return g, c, Options{
		Repo:      registry.Options{Repo: g.Dir, GitEnv: env, Getenv: func(k string) (string, bool) { v, ok := lookup[k]; return v, ok }},
		StateFile: filepath.Join(t.TempDir(), "state.json"),
		Interval:  10 * time.Millisecond, Backoff: 5 * time.Millisecond, Timeout: 5 * time.Second,
	}
}

// run runs the watcher until stop is called, which returns Run's error.
func run(t *testing.T, opts Options) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	looked := make(chan struct{}, 1)
	opts.Looked = func() {
		select {
		case looked <- struct{}{}:
		default:
		}
	}
	go func() { done <- Run(ctx, opts) }()
	select { // the first look is the baseline: wait for it
	case <-looked:
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	return func() error {
		cancel()
		return <-done
	}
}

func readState(t *testing.T, path string) *State {
	t.Helper()
	st, err := ReadState(path)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestWebhookRetriedWithBackoff(t *testing.T) {
	t.Parallel()
	g, c, opts := fixture(t)
	rc := watchtest.New(t, secret, func(id string, n int) int {
		if n <= 3 {
			return 500
		}
		return 200
	})
	var log syncBuffer
	opts.Log, opts.MaxAttempts = &log, 5
	opts.Targets = []Target{Webhook(rc.URL, secret, nil)}
	stop := run(t, opts)
	g.Tag("m@v1.0.0", c, "Registering artifact m version v1.0.0")
	rc.Wait(1, 30*time.Second)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	text := log.String()
	for _, want := range []string{
		"failed registration m@v1.0.0 to webhook " + rc.URL + " (attempt 1 of 5): HTTP 500 Internal Server Error; retrying in 5ms",
		"(attempt 2 of 5): HTTP 500 Internal Server Error; retrying in 10ms",
		"(attempt 3 of 5): HTTP 500 Internal Server Error; retrying in 20ms",
		"delivered registration m@v1.0.0 to webhook " + rc.URL + " (attempt 4,",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("log lacks %q:\n%s", want, text)
		}
	}
	if strings.Count(text, "\n") != 4 || rc.Bad() != 0 || len(rc.Counts()) != 1 {
		t.Errorf("%d bad signatures, deliveries %v, log:\n%s", rc.Bad(), rc.Counts(), text)
	}
	st := readState(t, opts.StateFile)
	if q := st.Targets["webhook "+rc.URL]; len(q.Queue) != 0 || len(q.Dead) != 0 {
		t.Errorf("state after delivery: %+v", q)
	}
}

func TestExecFailingIsParked(t *testing.T) {
	t.Parallel()
	g, c, opts := fixture(t)
	out := filepath.Join(t.TempDir(), "out")
	var log syncBuffer
	opts.Log, opts.JSONLog, opts.MaxAttempts = &log, true, 3
	failing := Exec(`echo "$GTO_EVENT $GTO_NAME $GTO_VERSION $GTO_STAGE $GTO_TAG" >>`+out+`; cat >>`+out+`; echo broken >&2; exit 3`, os.Environ())
	opts.Targets = []Target{failing}
	stop := run(t, opts)
	g.Tag("m#prod#1", c, "Assigning stage prod to artifact m version "+c)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if st, err := ReadState(opts.StateFile); err == nil && st.Targets[failing.Key()] != nil && len(st.Targets[failing.Key()].Dead) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not parked after 30s:\n%s", log.String())
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	dead := readState(t, opts.StateFile).Targets[failing.Key()].Dead[0]
	if dead.Tag != "m#prod#1" || dead.Attempts != 3 || dead.Error != "exit status 3: broken" {
		t.Errorf("dead letter %+v", dead)
	}
	data, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 6 || lines[0] != "assignment m "+c+" prod m#prod#1" || !strings.Contains(lines[1], `"ref":"m#prod#1"`) {
		t.Errorf("the command got:\n%s", data)
	}
	var levels []string
	for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var rec struct{ Msg, Level string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		levels = append(levels, rec.Msg+"/"+rec.Level)
	}
	if strings.Join(levels, " ") != "retry/warn retry/warn parked/error" {
		t.Errorf("log: %v", levels)
	}
}

// SIGTERM (the end of Run's context) lets the delivery in flight finish
// and saves its outcome.
func TestStopFinishesTheDeliveryInFlight(t *testing.T) {
	t.Parallel()
	g, c, opts := fixture(t)
	inFlight, release := make(chan struct{}), make(chan struct{})
	rc := watchtest.New(t, secret, func(string, int) int {
		close(inFlight)
		<-release
		return 200
	})
	opts.Targets = []Target{Webhook(rc.URL, secret, nil)}
	stop := run(t, opts)
	g.Tag("m@v1.0.0", c, "r")
	<-inFlight
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	time.Sleep(20 * time.Millisecond) // stop has cancelled; the delivery still waits
	close(release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if q := readState(t, opts.StateFile).Targets["webhook "+rc.URL].Queue; len(q) != 0 {
		t.Errorf("queue after stop: %d items", len(q))
	}
}

func TestFilterAndState(t *testing.T) {
	t.Parallel()
	f := Filter{Names: []string{"nlp/*"}, Stages: []string{"prod"}, Kinds: []string{"assignment"}}
	for _, c := range []struct {
		e    registry.Event
		want bool
	}{
		{registry.Event{Kind: "assignment", Artifact: "nlp/bert", Stage: "prod"}, true},
		{registry.Event{Kind: "assignment", Artifact: "cv/bert", Stage: "prod"}, false},
		{registry.Event{Kind: "assignment", Artifact: "nlp/bert", Stage: "dev"}, false},
		{registry.Event{Kind: "registration", Artifact: "nlp/bert"}, false},
	} {
		if got := f.Match(&c.e); got != c.want {
			t.Errorf("%+v: %v", c.e, got)
		}
	}
	if err := (Filter{Names: []string{"["}}).Check(); err == nil {
		t.Error("a malformed glob passed")
	}
	if err := (Filter{Kinds: []string{"push"}}).Check(); err == nil {
		t.Error("an unknown kind passed")
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{"), 0o644)
	if _, err := ReadState(bad); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("damaged state: %v", err)
	}
	old := filepath.Join(dir, "old.json")
	os.WriteFile(old, []byte(`{"version": 9}`), 0o644)
	if _, err := ReadState(old); err == nil || !strings.Contains(err.Error(), "version 9") {
		t.Errorf("other version: %v", err)
	}
	if err := Run(context.Background(), Options{StateFile: bad}); err != ErrNoTargets {
		t.Errorf("no targets: %v", err)
	}
	if err := Run(context.Background(), Options{StateFile: bad, Targets: []Target{Exec("true", nil)}}); err == nil {
		t.Error("a damaged state file was read")
	}
	if got := DefaultStateFile("/cache", "/home/me/models"); got != "/cache/watch/home-me-models-"+got[len("/cache/watch/home-me-models-"):] || !strings.HasSuffix(got, ".json") {
		t.Errorf("default state file %s", got)
	}
}

// TestSecondWatcherOfOneState checks that a watcher holds its state: a
// second one on the same file fails at once and changes nothing, and the
// state is free again when the first stops.
func TestSecondWatcherOfOneState(t *testing.T) {
	t.Parallel()
	_, _, opts := fixture(t)
	opts.Targets = []Target{Exec("true", nil)}
	stop := run(t, opts)
	before, err := os.ReadFile(opts.StateFile)
	if err != nil {
		t.Fatal(err)
	}
	err = Run(context.Background(), opts)
	if !errors.Is(err, ErrStateInUse) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("second watcher: %v, want ErrStateInUse naming this process", err)
	}
	if after, _ := os.ReadFile(opts.StateFile); string(after) != string(before) {
		t.Error("the second watcher changed the state")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	run(t, opts)() // free again
}

// A state of version 1 (the tags seen inside it) is taken over: the tags
// it had seen are not delivered again, a new one is, and the state is
// saved as version 2 with the tags seen beside it.
func TestVersion1StateTakenOver(t *testing.T) {
	t.Parallel()
	g, c, opts := fixture(t)
	g.Tag("m@v1.0.0", c, "Registering artifact m version v1.0.0")
	object := strings.TrimSpace(g.Git("rev-parse", "refs/tags/m@v1.0.0"))
	v1 := fmt.Sprintf(`{"version": 1, "source": %q, "cursor": "", "known": {"m@v1.0.0": %q}, "targets": {}}`, g.Dir, object)
	if err := os.WriteFile(opts.StateFile, []byte(v1), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	opts.Targets = []Target{Exec(`echo "$GTO_TAG" >>`+out, os.Environ())}
	stop := run(t, opts)
	g.Tag("m@v2.0.0", c, "Registering artifact m version v2.0.0")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if data, _ := os.ReadFile(out); strings.Contains(string(data), "m@v2.0.0") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("m@v2.0.0 not delivered in 30s")
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(out); string(data) != "m@v2.0.0\n" {
		t.Errorf("delivered %q, want only the new tag", data)
	}
	st := readState(t, opts.StateFile)
	main, _ := os.ReadFile(opts.StateFile)
	if st.Version != 2 || st.KnownSerial < 1 || len(st.Known) != 2 || strings.Contains(string(main), object) {
		t.Errorf("state after: version %d, serial %d, %d tags seen; %s", st.Version, st.KnownSerial, len(st.Known), main)
	}
}

// A state whose folder cannot be made stops the watcher at once, with
// nothing written.
func TestStateFolderCannotBeMade(t *testing.T) {
	t.Parallel()
	_, _, opts := fixture(t)
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	opts.StateFile = filepath.Join(file, "watch", "state.json")
	opts.Targets = []Target{Exec("true", nil)}
	if err := Run(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "cannot create the folder of the watch state") {
		t.Fatalf("Run with a state under a file: %v", err)
	}
}
