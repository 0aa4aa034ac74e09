package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gto-dev/gto/tagname"
)

// stressWriters is how many gto processes write at once.
const stressWriters = 16

// TestStressConcurrentWriters starts real gto processes (this test binary
// under the name gto, see TestMain) in parallel on one repository, round
// after round:
//
//   - 16 processes register the same version at once (at four commits):
//     exactly one succeeds, the others fail with a one-sentence error;
//   - 16 processes assign stages to that version at once (four of them per
//     stage, with --force): all succeed, each with its own tag and counter.
//
// After each round `gto history --json` and the tags must hold every event
// exactly once, with distinct counters 1..N. GTO_STRESS_ROUNDS sets the
// number of rounds (default 2, a second or two).
func TestStressConcurrentWriters(t *testing.T) {
	// Its own repository, HOME and environment for its processes: it runs
	// alongside the scripts.
	t.Parallel()
	rounds := 2
	if v := os.Getenv("GTO_STRESS_ROUNDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("GTO_STRESS_ROUNDS=%q: want a positive number", v)
		}
		rounds = n
	}
	gto, err := exec.LookPath("gto")
	if err != nil {
		t.Fatalf("gto is not in PATH (TestMain puts it there): %v", err)
	}
	s := newStressRepo(t, gto)
	refused := regexp.MustCompile(`^(waiting for another gto \(pid [0-9]+\) to finish writing in .*…\n)?❌ (Version v[0-9.]+ of artifact "model" is already registered at commit [0-9a-f]{7}|Artifact "model" is already registered at commit [0-9a-f]{7} with version v[0-9.]+: use --force to do it anyway)\n$`)
	counters := 0
	for round := 1; round <= rounds; round++ {
		var commits []string // four new commits: four processes per commit
		for i := 0; i < 4; i++ {
			s.git("commit", "-q", "--allow-empty", "-m", fmt.Sprintf("round %d commit %d", round, i))
			commits = append(commits, strings.TrimSpace(s.git("rev-parse", "HEAD")))
		}
		start := time.Now()
		version := fmt.Sprintf("v%d.0.0", round)
		results := s.parallel(func(i int) []string {
			return []string{"register", "model", commits[i%len(commits)], "--version", version}
		})
		won := 0
		for i, r := range results {
			switch {
			case r.err == nil:
				won++
			case !refused.MatchString(r.stderr):
				t.Fatalf("round %d: register %d failed with an unexpected error: %v\n%s", round, i, r.err, r.stderr)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d processes registered %s, want exactly 1", round, won, version)
		}
		registered := time.Since(start)

		results = s.parallel(func(i int) []string {
			return []string{"assign", "model", "--version", version, "--stage", fmt.Sprintf("s%d", i%4), "--force"}
		})
		for i, r := range results {
			if r.err != nil {
				t.Fatalf("round %d: assign %d failed: %v\n%s", round, i, r.err, r.stderr)
			}
		}
		counters += stressWriters
		s.check(round, counters)
		t.Logf("round %d: 16 registrations of %s in %v (1 won), 16 assignments in %v; counters 1..%d",
			round, version, registered.Round(time.Millisecond), (time.Since(start) - registered).Round(time.Millisecond), counters)
	}
}

type stressRepo struct {
	t   *testing.T
	dir string
	gto string
	env []string
}

func newStressRepo(t *testing.T, gto string) *stressRepo {
	dir := t.TempDir()
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte("[user]\n\tname = Stress\n\temail = stress@example.com\n[tag]\n\tgpgSign = false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "GTO_") {
			env = append(env, kv)
		}
	}
	env = append(env, "HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GTO_EMOJIS=true")
	s := &stressRepo{t: t, dir: dir, gto: gto, env: env}
	s.git("init", "-q", "-b", "main")
	s.git("commit", "-q", "--allow-empty", "-m", "first")
	return s
}

func (s *stressRepo) git(args ...string) string {
	s.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = s.dir, s.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

type stressResult struct {
	stderr string
	err    error
}

// parallel runs stressWriters gto processes at once, process i with the
// arguments args(i), and waits for all of them.
func (s *stressRepo) parallel(args func(i int) []string) []stressResult {
	results := make([]stressResult, stressWriters)
	cmds := make([]*exec.Cmd, stressWriters)
	stderrs := make([]bytes.Buffer, stressWriters)
	for i := range cmds {
		cmd := exec.Command(s.gto, args(i)...)
		cmd.Dir, cmd.Env, cmd.Stderr = s.dir, s.env, &stderrs[i]
		cmds[i] = cmd
	}
	var wg sync.WaitGroup
	for i, cmd := range cmds {
		if err := cmd.Start(); err != nil {
			s.t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := cmd.Wait()
			results[i] = stressResult{stderr: stderrs[i].String(), err: err}
		}()
	}
	wg.Wait()
	return results
}

// check verifies that every event is in the history exactly once and that
// the counters are exactly 1..counters.
func (s *stressRepo) check(round, counters int) {
	s.t.Helper()
	cmd := exec.Command(s.gto, "history", "model", "--json")
	cmd.Dir, cmd.Env = s.dir, s.env
	out, err := cmd.Output()
	if err != nil {
		s.t.Fatalf("gto history: %v", err)
	}
	var events []struct {
		Event, Version, Ref string
	}
	if err := json.Unmarshal(out, &events); err != nil {
		s.t.Fatal(err)
	}
	refs := map[string]int{}
	registrations, assignments := map[string]int{}, 0
	for _, e := range events {
		refs[e.Ref]++
		switch e.Event {
		case "registration":
			registrations[e.Version]++
		case "assignment":
			assignments++
		}
	}
	for ref, n := range refs {
		if n > 1 && !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(ref) {
			s.t.Errorf("round %d: %s appears %d times in the history", round, ref, n)
		}
	}
	if len(registrations) != round {
		s.t.Errorf("round %d: registrations %v, want one per round", round, registrations)
	}
	for v, n := range registrations {
		if n != 1 {
			s.t.Errorf("round %d: version %s registered %d times", round, v, n)
		}
	}
	if assignments != counters {
		s.t.Errorf("round %d: %d assignments in the history, want %d", round, assignments, counters)
	}
	seen := map[int]string{}
	for _, name := range strings.Fields(s.git("tag", "--list", "model#*")) {
		p, ok := tagname.Parse(name)
		if !ok || p.Counter < 1 || p.Counter > counters {
			s.t.Errorf("round %d: tag %s has a counter outside 1..%d", round, name, counters)
			continue
		}
		if other, dup := seen[p.Counter]; dup {
			s.t.Errorf("round %d: counter #%d used by %s and %s", round, p.Counter, other, name)
		}
		seen[p.Counter] = name
	}
	if len(seen) != counters {
		s.t.Errorf("round %d: %d distinct counters, want %d", round, len(seen), counters)
	}
}
