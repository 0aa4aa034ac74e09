package registry

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/tagname"
)

// twoClones is a bare origin with two clones that do not see each other's
// tags until they push.
type twoClones struct {
	t      *testing.T
	origin *gittest.Repo
	a      *gittest.Repo
	b      string // the second clone's work tree
	commit string
}

func newTwoClones(t *testing.T) *twoClones {
	origin := gittest.NewBare(t)
	a := gittest.NewRepo(t)
	commit := a.Commit("first", nil)
	a.AddRemote("origin", origin.Dir)
	a.Git("push", "-q", "origin", "main")
	b := filepath.Join(t.TempDir(), "b")
	a.Git("clone", "-q", origin.Dir, b)
	return &twoClones{t: t, origin: origin, a: a, b: b, commit: commit}
}

func (c *twoClones) open(dir string) *Registry {
	c.t.Helper()
	r, err := Open(context.Background(), sealedAt(c.a, dir))
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { r.Close() })
	return r
}

// originTags lists origin's tags of artifact m.
func (c *twoClones) originTags() []string {
	out := c.origin.Git("tag", "--list", "m@*", "m#*")
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}

func TestPushRenumbersTakenCounters(t *testing.T) {
	t.Parallel()
	c := newTwoClones(t)
	ctx := context.Background()
	ra, rb := c.open(c.a.Dir), c.open(c.b)
	if _, err := ra.Register(ctx, RegisterOptions{Name: "m", Ref: c.commit, Version: "v1.0.0", Push: true}); err != nil {
		t.Fatal(err)
	}
	c.a.Git("-C", c.b, "fetch", "-q", "origin", "--tags")
	// Both clones write without seeing each other's tags, alternating:
	// a writes and pushes, then b (stale) writes the same counter.
	want := 0
	for round := 0; round < 4; round++ {
		for _, r := range []*Registry{ra, rb} {
			stage := []string{"prod", "dev"}[round%2] // same stage: same tag names
			if r == rb && round >= 2 {
				stage = "qa" // another stage: same counter, another name
			}
			c.a.Tick() // distinct dates: otherwise both clones write identical tag objects
			res, err := r.Assign(ctx, AssignOptions{Name: "m", Version: "v1.0.0", Stage: stage, Force: true, Push: true})
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			want++
			if !res.Pushed || len(res.Created) != 1 {
				t.Fatalf("round %d: %+v", round, res)
			}
			if r == rb && len(res.Renumbered) != 1 {
				t.Errorf("round %d: the stale clone did not renumber: %+v", round, res)
			}
			for _, n := range res.Renumbered {
				if n.To != res.Created[0].Name {
					t.Errorf("renumbered to %s but created %s", n.To, res.Created[0].Name)
				}
			}
		}
	}
	// Every event once on origin, counters 1..want.
	var counters []int
	for _, name := range c.originTags() {
		p, _ := tagname.Parse(name)
		if p.Action == tagname.ActionAssign {
			counters = append(counters, p.Counter)
		}
	}
	slices.Sort(counters)
	for i, n := range counters {
		if n != i+1 {
			t.Fatalf("origin's counters %v, want 1..%d", counters, want)
		}
	}
	if len(counters) != want {
		t.Fatalf("origin has %d assignments, want %d", len(counters), want)
	}
	// b fetched what it lacked while renumbering: both clones agree with
	// origin once a has fetched too, and neither has a duplicate counter.
	c.a.Git("fetch", "-q", "origin", "--tags")
	for _, dir := range []string{c.a.Dir, c.b} {
		out := c.a.Git("-C", dir, "tag", "--list", "m@*", "m#*")
		if got := strings.Split(out, "\n"); !slices.Equal(got, c.originTags()) {
			t.Errorf("%s has tags %q, origin %q", dir, got, c.originTags())
		}
		rep, err := c.open(dir).Doctor(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) > 0 {
			t.Errorf("%s: doctor: %+v", dir, rep.Problems)
		}
	}
}

// assignVersionTaken has a register and push v1.0.0 of m at a new commit,
// then b register v1.0.0 at its own commit and assign it prod in one
// pushed command, which must fail with ErrConflict.
func (c *twoClones) assignVersionTaken(counter model.CounterMode) (*WriteResult, error) {
	c.t.Helper()
	ctx := context.Background()
	ra, rb := c.open(c.a.Dir), c.open(c.b)
	c.a.Commit("second", nil)
	c.a.Git("push", "-q", "origin", "main")
	if _, err := ra.Register(ctx, RegisterOptions{Name: "m", Version: "v1.0.0", Ref: "HEAD", Push: true}); err != nil {
		c.t.Fatal(err)
	}
	c.a.Tick()
	res, err := rb.Assign(ctx, AssignOptions{Name: "m", Ref: "HEAD", NewVersion: "v1.0.0", Stage: "prod", Counter: counter, Push: true})
	if !errors.Is(err, ErrConflict) {
		c.t.Fatalf("err = %v, want ErrConflict", err)
	}
	return res, err
}

func TestPushVersionTakenKeepsLocalTags(t *testing.T) {
	t.Parallel()
	c := newTwoClones(t)
	res, err := c.assignVersionTaken(model.CounterAuto)
	if res != nil && len(res.Created) > 0 {
		t.Errorf("result still lists created tags: %+v", res)
	}
	for _, want := range []string{`"m@v1.0.0"`, `"m#prod#1"`, "nothing was pushed", "kept, contradicting origin", "register again"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if got := c.originTags(); !slices.Equal(got, []string{"m@v1.0.0"}) {
		t.Errorf("origin tags %q", got)
	}
	tags := func() string {
		return c.a.Git("-C", c.b, "for-each-ref", "--format=%(refname:short) %(*objectname)", "refs/tags/") + "\n"
	}
	// b keeps what it wrote (SPEC §5: the local tag is kept)...
	bHead := strings.TrimSpace(c.a.Git("-C", c.b, "rev-parse", "HEAD"))
	if want := fmt.Sprintf("m#prod#1 %s\nm@v1.0.0 %s\n", bHead, bHead); tags() != want {
		t.Errorf("b's tags %q, want %q", tags(), want)
	}
	// ...and the command the error gives makes it agree with origin.
	msg := err.Error()
	take := msg[strings.Index(msg, "`")+1 : strings.LastIndex(msg, "`")]
	sh := exec.Command("sh", "-c", "cd \"$0\" && "+take, c.b)
	sh.Env = c.a.Env()
	if out, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", take, err, out)
	}
	if want := fmt.Sprintf("m@v1.0.0 %s\n", c.a.Git("rev-parse", "HEAD")); tags() != want {
		t.Errorf("after %s: b's tags %q, want %q", take, tags(), want)
	}
}

// A remote that cannot take an atomic push gets the tags one by one: when
// it refuses the registration (another clone registered that version) but
// takes the assignment (a simple tag: no listing of origin before the
// push), the error says which tag reached origin, and the local tags stay.
func TestPushVersionTakenNonAtomic(t *testing.T) {
	t.Parallel()
	c := newTwoClones(t)
	c.origin.Git("config", "receive.advertiseAtomic", "false")
	_, err := c.assignVersionTaken(model.CounterNever)
	for _, want := range []string{`"m#prod" reached origin`, `the local tag "m@v1.0.0" is kept`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if got := c.originTags(); !slices.Equal(got, []string{"m#prod", "m@v1.0.0"}) {
		t.Errorf("origin tags %q", got)
	}
}

// With a counted tag, origin is listed before the push: the version taken
// is seen then, and nothing is pushed, not even to a non-atomic remote.
func TestPushVersionTakenSeenBeforePushing(t *testing.T) {
	t.Parallel()
	c := newTwoClones(t)
	c.origin.Git("config", "receive.advertiseAtomic", "false")
	_, err := c.assignVersionTaken(model.CounterAuto)
	if !strings.Contains(err.Error(), "nothing was pushed") {
		t.Errorf("error %q", err)
	}
	if got := c.originTags(); !slices.Equal(got, []string{"m@v1.0.0"}) {
		t.Errorf("origin tags %q", got)
	}
}
