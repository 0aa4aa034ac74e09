package cli_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/tagname"
)

// clones is a bare origin holding m@v1.0.0, and clones of it.
type clones struct {
	t      *testing.T
	origin *gittest.Repo
	first  *gittest.Repo // sets things up; its environment runs every clone
	dirs   []string
}

func newClones(t *testing.T, n int) *clones {
	t.Helper()
	c := &clones{t: t, origin: gittest.NewBare(t), first: gittest.NewRepo(t)}
	commit := c.first.Commit("first", nil)
	c.first.Tag("m@v1.0.0", commit, "Registering artifact m version v1.0.0")
	c.first.AddRemote("origin", c.origin.Dir)
	c.first.Git("push", "-q", "origin", "main", "--tags")
	for i := range n {
		dir := filepath.Join(t.TempDir(), "clone"+strconv.Itoa(i))
		c.first.Git("clone", "-q", c.origin.Dir, dir)
		c.dirs = append(c.dirs, dir)
	}
	return c
}

// run runs gto in clone i's folder, in a process of its own.
func (c *clones) start(i int, args ...string) (*exec.Cmd, *strings.Builder) {
	gto, err := exec.LookPath("gto")
	if err != nil {
		c.t.Fatalf("gto is not in PATH (TestMain puts it there): %v", err)
	}
	cmd := exec.Command(gto, args...)
	cmd.Dir = c.dirs[i]
	// Each process dates its tags itself (no GIT_COMMITTER_DATE), so that
	// two clones never write the very same tag object.
	for _, kv := range c.first.Env() {
		if !strings.HasPrefix(kv, "GIT_COMMITTER_DATE=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	stderr := &strings.Builder{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	return cmd, stderr
}

// originCounters checks that no two assignment tags of m on origin share a
// counter, and returns how many there are.
func (c *clones) originCounters() int {
	c.t.Helper()
	seen := map[int]string{}
	for _, name := range strings.Fields(c.origin.Git("tag", "--list", "m#*")) {
		p, _ := tagname.Parse(name)
		if other, dup := seen[p.Counter]; dup {
			c.t.Errorf("%s and %s share counter #%d on origin", other, name, p.Counter)
		}
		seen[p.Counter] = name
	}
	return len(seen)
}

// Three clones push assignments at the same moment, round after round:
// half of the rounds to the same stage, half each to its own. Every
// command succeeds, every event reaches origin, no two tags share a
// counter (counters are linearizable on origin: SPEC §5).
// GTO_STRESS_CLONES_ROUNDS sets the rounds (default 2).
func TestClonesPushAtOnce(t *testing.T) {
	t.Parallel()
	rounds := 2
	if v := os.Getenv("GTO_STRESS_CLONES_ROUNDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("GTO_STRESS_CLONES_ROUNDS=%q: want a positive number", v)
		}
		rounds = n
	}
	c := newClones(t, 3)
	start := time.Now()
	for round := range rounds {
		type proc struct {
			cmd    *exec.Cmd
			stderr *strings.Builder
		}
		var procs []proc
		for i := range c.dirs {
			stage := "prod"
			if round%2 == 1 {
				stage = fmt.Sprintf("own%d", i)
			}
			cmd, stderr := c.start(i, "assign", "m", "--version", "v1.0.0", "--stage", stage, "--force", "--push",
				"-m", fmt.Sprintf("clone %d, round %d", i, round))
			procs = append(procs, proc{cmd, stderr})
		}
		for i, p := range procs {
			if err := p.cmd.Wait(); err != nil {
				t.Fatalf("round %d: clone %d: %v\n%s", round, i, err, p.stderr)
			}
		}
	}
	if n := c.originCounters(); n != 3*rounds {
		t.Errorf("origin has %d assignments, want %d", n, 3*rounds)
	}
	t.Logf("%d rounds of 3 clones in %v", rounds, time.Since(start).Round(time.Millisecond))
}

// Two clones register the same version at the same moment: exactly one
// tag reaches origin, and the one that lost is told a command that makes
// it agree with origin, which works.
func TestClonesRegisterTheSameVersion(t *testing.T) {
	t.Parallel()
	c := newClones(t, 2)
	for i, dir := range c.dirs { // a commit of its own in each clone
		c.first.Git("-C", dir, "commit", "-q", "--allow-empty", "-m", "clone "+strconv.Itoa(i))
	}
	var wg sync.WaitGroup
	errs, stderrs := make([]error, 2), make([]*strings.Builder, 2)
	for i := range c.dirs {
		cmd, stderr := c.start(i, "register", "m", "--version", "v2.0.0", "--push")
		stderrs[i] = stderr
		wg.Go(func() { errs[i] = cmd.Wait() })
	}
	wg.Wait()
	won := slices.IndexFunc(errs, func(err error) bool { return err == nil })
	lost := 1 - won
	if won < 0 || errs[lost] == nil {
		t.Fatalf("exit errors %v: want one success, one failure\n%s\n%s", errs, stderrs[0], stderrs[1])
	}
	if got := strings.Fields(c.origin.Git("tag", "--list", "m@v2.0.0")); len(got) != 1 {
		t.Fatalf("origin's m@v2.0.0: %q", got)
	}
	msg := stderrs[lost].String()
	if !strings.Contains(msg, `already has a different tag "m@v2.0.0"`) || strings.Count(msg, "\n") != 1 {
		t.Fatalf("the loser's error: %q", msg)
	}
	take := msg[strings.Index(msg, "`")+1 : strings.LastIndex(msg, "`")]
	sh := exec.Command("sh", "-c", take)
	sh.Dir, sh.Env = c.dirs[lost], c.first.Env()
	if out, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("the advice %q fails: %v\n%s", take, err, out)
	}
	theirs := c.origin.Git("rev-parse", "m@v2.0.0")
	if mine := c.first.Git("-C", c.dirs[lost], "rev-parse", "m@v2.0.0"); mine != theirs {
		t.Errorf("after the advice the loser has %s, origin %s", mine, theirs)
	}
}

// kill -9 at a random moment of a write that changes several tags leaves
// all of the change or none of it, and nothing that stops the next write.
func TestKilledWritesAreAllOrNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		args  []string
		setup func(r *gittest.Repo)
		full  []string // the tags when the write happened; before: none of them
	}{
		{"deprecate --delete", []string{"deprecate", "m", "--delete"}, func(r *gittest.Repo) {
			commit := r.Commit("first", nil)
			for _, tag := range []string{"m@v1.0.0", "m#dev#1", "m#prod#2", "m#prod!#3", "m#qa#4"} {
				r.Tag(tag, commit, "a tag")
			}
		}, nil},
		{"assign REF", []string{"assign", "m", "HEAD", "--stage", "prod"}, func(r *gittest.Repo) {
			r.Commit("first", nil)
		}, []string{"m#prod#1", "m@v0.0.1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for round := range 10 {
				r := gittest.NewRepo(t)
				tc.setup(r)
				before := tagList(r)
				gto, _ := exec.LookPath("gto")
				cmd := exec.Command(gto, tc.args...)
				cmd.Dir, cmd.Env = r.Dir, r.Env()
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Duration(rand.N(60)) * time.Millisecond) // the write takes about that long
				cmd.Process.Signal(syscall.SIGKILL)
				cmd.Wait()
				waitForGit(t, r)
				after := tagList(r)
				if !slices.Equal(after, before) && !slices.Equal(after, tc.full) {
					t.Errorf("round %d: after kill -9 the tags are %q: neither %q nor %q", round, after, before, tc.full)
				}
				if code, stderr, _ := runGTO(t, r, r.Dir, nil, "register", "next"); code != 0 {
					t.Errorf("round %d: the next write fails: %s", round, stderr)
				}
			}
		})
	}
}

// waitForGit waits until no git process of a killed gto still works in r:
// its ref transaction, once begun, is git's to finish.
func waitForGit(t *testing.T, r *gittest.Repo) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		locks, _ := filepath.Glob(filepath.Join(r.Dir, ".git", "refs", "tags", "*.lock"))
		packed, _ := filepath.Glob(filepath.Join(r.Dir, ".git", "packed-refs.lock"))
		if len(locks)+len(packed) == 0 {
			time.Sleep(50 * time.Millisecond) // a git that has not taken its locks yet
			return
		}
	}
	t.Fatal("git's ref locks stay after the kill")
}
