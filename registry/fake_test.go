package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/store/memstore"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/tagname"
)

// fake is a registry over an in-memory repository with an origin: the
// write protocol's logic (counters, renumbering, push conflicts, atomic writes)
// without git processes.
type fake struct {
	t      *testing.T
	repo   *memstore.Repo
	origin *memstore.Repo
	// hook, when set, is called before every change and every call to the
	// origin the store makes (see memstore.Options.Hook).
	hook func(op memstore.Op, what string) error
	reg  *Registry
}

// fakeClock is the clock of fake registries: writes are dated with it.
var fakeClock = time.Unix(1700000000, 0).UTC()

func newFake(t *testing.T, opts memstore.Options) *fake {
	t.Helper()
	f := &fake{t: t, repo: memstore.NewRepo(), origin: memstore.NewRepo()}
	if opts.Origin == nil {
		opts.Origin = f.origin
	}
	f.origin = opts.Origin
	opts.Hook = func(op memstore.Op, what string) error {
		if f.hook != nil {
			return f.hook(op, what)
		}
		return nil
	}
	f.reg = openStore(memstore.New(f.repo, opts), Options{Now: func() time.Time { return fakeClock }})
	t.Cleanup(func() { f.reg.Close() })
	return f
}

// tags lists the repository's tags.
func (f *fake) tags() []string { return f.repo.TagNames() }

func (f *fake) originTags() []string { return f.origin.TagNames() }

func wantTags(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: tags %q, want %q", what, got, want)
	}
}

func TestFakeRegisterAssignCounters(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	ctx := t.Context()
	c1 := f.repo.Commit("first", nil)
	f.repo.LightTag("m#old#7", c1) // lightweight tags count for counters (SPEC §6)
	res, err := f.reg.Register(ctx, RegisterOptions{Name: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created[0].Name != "m@v0.0.1" || res.Pushed {
		t.Fatalf("register: %+v", res)
	}
	res, err = f.reg.Assign(ctx, AssignOptions{Name: "m", Version: "v0.0.1", Stage: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created[0].Name != "m#prod#8" {
		t.Fatalf("assign: %+v", res.Created)
	}
	// a second commit assigned by ref registers the next version first,
	// with the same date
	f.repo.Commit("second", nil)
	res, err = f.reg.Assign(ctx, AssignOptions{Name: "m", Ref: "HEAD", Stage: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Created) != 2 || res.Created[0].Name != "m@v0.0.2" || res.Created[1].Name != "m#dev#9" {
		t.Fatalf("assign by ref: %+v", res.Created)
	}
	wantTags(t, "after the writes", f.tags(), "m#dev#9", "m#old#7", "m#prod#8", "m@v0.0.1", "m@v0.0.2")
}

// Another writer creates the very tag name a write chose between its read
// and its write: the write takes the next counter (SPEC §5: concurrent
// writers never share or lose a counter).
func TestFakeCounterTakenMeanwhile(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	c := f.repo.Commit("first", nil)
	f.repo.Tag("m@v1.0.0", c, "Registering")
	raced := 0
	f.hook = func(op memstore.Op, what string) error {
		if op == memstore.OpCreateTag && what == "m#prod#1" {
			raced++
			f.repo.Tag("m#prod#1", c, "another writer")
		}
		return nil
	}
	res, err := f.reg.Assign(t.Context(), AssignOptions{Name: "m", Version: "v1.0.0", Stage: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	if raced != 1 || res.Created[0].Name != "m#prod#2" {
		t.Fatalf("raced %d, created %+v", raced, res.Created)
	}
	wantTags(t, "after the race", f.tags(), "m#prod#1", "m#prod#2", "m@v1.0.0")
}

// A writer that loses every race gives up with one sentence and writes
// nothing.
func TestFakeCounterGivesUp(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	c := f.repo.Commit("first", nil)
	f.repo.Tag("m@v1.0.0", c, "Registering")
	f.hook = func(op memstore.Op, what string) error {
		if op == memstore.OpCreateTag {
			f.repo.Tag(what, c, "another writer, always first")
		}
		return nil
	}
	_, err := f.reg.Assign(t.Context(), AssignOptions{Name: "m", Version: "v1.0.0", Stage: "prod"})
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "could not find a free counter for artifact \"m\" after 32 attempts") {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.tags()); n != 33 { // the registration and the others' 32
		t.Errorf("%d tags", n)
	}
}

// An assignment that registers its version first and fails to write its
// own tag leaves nothing behind: the two tags are one write.
func TestFakeFailedWriteLeavesNothing(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	f.repo.Commit("first", nil)
	refused := errors.New("refused by a hook")
	f.hook = func(op memstore.Op, what string) error {
		if op == memstore.OpCreateTag && strings.Contains(what, "#") {
			return refused
		}
		return nil
	}
	_, err := f.reg.Assign(t.Context(), AssignOptions{Name: "m", Ref: "HEAD", Stage: "prod"})
	if !errors.Is(err, refused) {
		t.Fatalf("err = %v", err)
	}
	wantTags(t, "after the failed assignment", f.tags())
}

// A write cancelled at any step (Ctrl-C, a client that went away) leaves
// the complete write or nothing, locally and on origin.
func TestFakeCancelAtEveryStep(t *testing.T) {
	t.Parallel()
	for step := 1; ; step++ {
		f := newFake(t, memstore.Options{})
		c := f.repo.Commit("first", nil)
		f.repo.PushBranches(f.origin)
		ctx, cancel := context.WithCancel(t.Context())
		var ops []memstore.Op
		f.hook = func(op memstore.Op, what string) error {
			if ops = append(ops, op); len(ops) == step {
				cancel()
			}
			return nil
		}
		res, err := f.reg.Assign(ctx, AssignOptions{Name: "m", Ref: c, Stage: "prod", Push: true})
		cancel()
		local, remote := f.tags(), f.originTags()
		full := []string{"m#prod#1", "m@v0.0.1"}
		switch {
		case err == nil:
			// Only the check after a successful push may be cut short: the
			// write was complete then.
			if step <= len(ops) && !(slices.Contains(ops[:step-1], memstore.OpPush) && ops[step-1] == memstore.OpRemoteTags) {
				t.Fatalf("step %d of %v: cancelled, but the write succeeded", step, ops)
			}
			wantTags(t, "a complete write", local, full...)
			wantTags(t, "a complete write, on origin", remote, full...)
			if !res.Pushed {
				t.Errorf("not pushed: %+v", res)
			}
			if step > len(ops) {
				return // every step was cancelled once
			}
			continue
		case !errors.Is(err, context.Canceled):
			t.Fatalf("step %d: err = %v, want context.Canceled", step, err)
		}
		if !slices.Equal(local, full) && len(local) != 0 {
			t.Errorf("step %d: half a write is left locally: %q", step, local)
		}
		if !slices.Equal(remote, full) && len(remote) != 0 {
			t.Errorf("step %d: half a write reached origin: %q", step, remote)
		}
		if len(local) == 0 && len(remote) != 0 {
			t.Errorf("step %d: origin has what the repository lost: %q", step, remote)
		}
		if step > 20 {
			t.Fatal("no step let the write finish")
		}
	}
}

// deprecate --delete deletes every tag of the artifact or none.
func TestFakeDeleteIsAllOrNothing(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	c := f.repo.Commit("first", nil)
	f.repo.Tag("m@v1.0.0", c, "Registering")
	f.repo.Tag("m#prod#1", c, "Assigning")
	failed := errors.New("killed")
	f.hook = func(op memstore.Op, _ string) error {
		if op == memstore.OpDeleteTags {
			return failed
		}
		return nil
	}
	if _, err := f.reg.Deprecate(t.Context(), DeprecateOptions{Name: "m", Delete: true}); !errors.Is(err, failed) {
		t.Fatalf("err = %v", err)
	}
	wantTags(t, "after a failed deletion", f.tags(), "m#prod#1", "m@v1.0.0")
	f.hook = nil
	res, err := f.reg.Deprecate(t.Context(), DeprecateOptions{Name: "m", Delete: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Deleted, []string{"m@v1.0.0", "m#prod#1"}) {
		t.Errorf("deleted %q (oldest event first)", res.Deleted)
	}
	wantTags(t, "after the deletion", f.tags())
}

// Another clone pushed the same counter (under the same name, or another
// stage's): the tag is renumbered, origin's tags fetched, and the push
// succeeds.
func TestFakePushRenumbers(t *testing.T) {
	t.Parallel()
	for _, theirs := range []string{"m#prod#1", "m#dev#1"} {
		t.Run(theirs, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, memstore.Options{})
			c := f.repo.Commit("first", nil)
			f.repo.Tag("m@v1.0.0", c, "Registering")
			f.repo.PushBranches(f.origin)
			f.origin.Tag("m@v1.0.0", c, "Registering")
			f.origin.Tag(theirs, c, "another clone")
			res, err := f.reg.Assign(t.Context(), AssignOptions{Name: "m", Version: "v1.0.0", Stage: "prod", Push: true})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Pushed || res.Created[0].Name != "m#prod#2" || len(res.Renumbered) != 1 || res.Renumbered[0] != (Renumbering{"m#prod#1", "m#prod#2"}) {
				t.Fatalf("result: %+v", res)
			}
			wantTags(t, "origin", f.originTags(), slices.Sorted(slices.Values([]string{theirs, "m#prod#2", "m@v1.0.0"}))...)
			if !slices.Contains(f.tags(), theirs) || slices.Contains(f.tags(), "m#prod#1") && theirs != "m#prod#1" {
				t.Errorf("local tags %q: origin's are fetched, the renumbered one is gone", f.tags())
			}
			if f.repo.TagObject(theirs) != f.origin.TagObject(theirs) {
				t.Error("the local tag contradicts origin's")
			}
		})
	}
}

// A tag without counter that origin has with another meaning cannot be
// renumbered: the local tags stay, and the error says how to take
// origin's, in the domain's words.
func TestFakePushConflictWithoutCounter(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	c1 := f.repo.Commit("first", nil)
	c2 := f.repo.Commit("second", nil)
	f.repo.PushBranches(f.origin)
	f.origin.Tag("m@v0.0.1", c1, "another clone registered first")
	res, err := f.reg.Register(t.Context(), RegisterOptions{Name: "m", Ref: c2, Push: true})
	var conflict *model.ConflictError
	if !errors.As(err, &conflict) || conflict.Code != model.CodePushConflictRegister || conflict.Artifact != "m" {
		t.Fatalf("err = %#v", err)
	}
	want := "origin already has a different tag \"m@v0.0.1\" (another clone registered version v0.0.1 first): nothing was pushed, " +
		"and the local tag \"m@v0.0.1\" is kept, contradicting origin; to take origin's, run `git tag -d m@v0.0.1 && git fetch origin tag m@v0.0.1`, " +
		"then register again without a version: gto takes the next free version of \"m\""
	if err.Error() != want {
		t.Errorf("err = %q\nwant  %q", err, want)
	}
	if res != nil && len(res.Created) != 0 {
		t.Errorf("result %+v", res)
	}
	wantTags(t, "local", f.tags(), "m@v0.0.1")
}

// A remote registry (a mirror) is left as the remote is when its push is
// refused.
func TestFakeMirrorRefusedPushResyncs(t *testing.T) {
	t.Parallel()
	origin := memstore.NewRepo()
	f := newFake(t, memstore.Options{Origin: origin, Remote: "https://example.com/reg.git"})
	c1 := f.repo.Commit("first", nil)
	f.repo.PushBranches(origin)
	origin.Tag("m@v0.0.1", c1, "another clone registered first")
	_, err := f.reg.Register(t.Context(), RegisterOptions{Name: "m"})
	if !errors.Is(err, ErrConflict) || !strings.HasPrefix(err.Error(), "https://example.com/reg.git already has a different tag \"m@v0.0.1\"") {
		t.Fatalf("err = %v", err)
	}
	if f.repo.TagObject("m@v0.0.1") != origin.TagObject("m@v0.0.1") {
		t.Error("the mirror keeps a tag the remote refused")
	}
}

// A push that fails for another reason keeps the local change and says
// how to publish it.
func TestFakePushFails(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	f.repo.Commit("first", nil)
	down := errors.New("the remote hung up")
	f.hook = func(op memstore.Op, _ string) error {
		if op == memstore.OpPush {
			return down
		}
		return nil
	}
	_, err := f.reg.Register(t.Context(), RegisterOptions{Name: "m", Push: true})
	var pe *model.PushError
	if !errors.As(err, &pe) || !errors.Is(err, down) {
		t.Fatalf("err = %v", err)
	}
	if want := "pushing to origin failed (the remote hung up); the local repository keeps the change: run `git push origin m@v0.0.1` once the remote accepts it"; err.Error() != want {
		t.Errorf("err = %q", err)
	}
	wantTags(t, "local", f.tags(), "m@v0.0.1")
}

// A remote without atomic pushes takes what it can: the error says what
// reached it.
func TestFakePushNonAtomic(t *testing.T) {
	t.Parallel()
	origin := memstore.NewRepo()
	origin.NoAtomic = true
	f := newFake(t, memstore.Options{Origin: origin})
	c1 := f.repo.Commit("first", nil)
	f.repo.PushBranches(origin)
	origin.Tag("m@v0.0.1", c1, "another clone registered first")
	_, err := f.reg.Assign(t.Context(), AssignOptions{Name: "m", Ref: "HEAD", Stage: "prod", Counter: model.CounterNever, Push: true})
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), `nothing was pushed`) && !strings.Contains(err.Error(), `"m#prod" reached origin`) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), `"m#prod" reached origin`) {
		t.Errorf("err = %v, want the assignment reported as pushed", err)
	}
}

// A pushed counted tag moves the artifact's counter ref on origin with it.
func TestFakePushMovesTheCounterRef(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	c := f.repo.Commit("first", nil)
	f.repo.PushBranches(f.origin)
	if _, err := f.reg.Assign(t.Context(), AssignOptions{Name: "m", Ref: c, Stage: "prod", Push: true}); err != nil {
		t.Fatal(err)
	}
	if got, want := f.origin.GtoRef(CounterRef("m")), f.repo.TagObject("m#prod#1"); got == "" || got != want {
		t.Errorf("counter ref %q, want the tag object %q", got, want)
	}
	if _, err := f.reg.Assign(t.Context(), AssignOptions{Name: "m", Version: "v0.0.1", Stage: "dev", Push: true}); err != nil {
		t.Fatal(err)
	}
	if got := f.origin.GtoRef(CounterRef("m")); got != f.repo.TagObject("m#dev#2") {
		t.Errorf("counter ref %q after the second assignment", got)
	}
}

// Another gto clone pushes the same counter between our listing and our
// push: its swap of the counter ref wins, ours is stale, and we renumber
// and push again.
func TestFakeCounterRefRace(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	c := f.repo.Commit("first", nil)
	f.repo.Tag("m@v1.0.0", c, "Registering")
	f.repo.PushBranches(f.origin)
	f.origin.Tag("m@v1.0.0", c, "Registering")
	raced := false
	f.hook = func(op memstore.Op, _ string) error {
		if op == memstore.OpPush && !raced {
			raced = true
			f.origin.SetGtoRef(CounterRef("m"), f.origin.Tag("m#dev#1", c, "another clone"))
		}
		return nil
	}
	res, err := f.reg.Assign(t.Context(), AssignOptions{Name: "m", Version: "v1.0.0", Stage: "prod", Push: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created[0].Name != "m#prod#2" || len(res.Renumbered) != 1 {
		t.Fatalf("result %+v", res)
	}
	wantTags(t, "origin", f.originTags(), "m#dev#1", "m#prod#2", "m@v1.0.0")
	if f.origin.GtoRef(CounterRef("m")) != f.repo.TagObject("m#prod#2") {
		t.Error("the counter ref does not point at the last event")
	}
}

// A client without counter refs (gto 0.2.4) pushes the same counter at
// the same moment: our push succeeds, the check after it sees the shared
// counter, and our tag is renumbered on origin too.
func TestFakeLegacyClientRace(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	c := f.repo.Commit("first", nil)
	f.repo.Tag("m@v1.0.0", c, "Registering")
	f.repo.PushBranches(f.origin)
	f.origin.Tag("m@v1.0.0", c, "Registering")
	pushes := 0
	f.hook = func(op memstore.Op, _ string) error {
		if op == memstore.OpPush {
			if pushes++; pushes == 1 {
				f.origin.Tag("m#dev#1", c, "gto 0.2.4 in another clone")
			}
		}
		return nil
	}
	res, err := f.reg.Assign(t.Context(), AssignOptions{Name: "m", Version: "v1.0.0", Stage: "prod", Push: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pushed || res.Created[0].Name != "m#prod#2" || len(res.Renumbered) != 1 || res.Renumbered[0].From != "m#prod#1" {
		t.Fatalf("result %+v", res)
	}
	wantTags(t, "origin", f.originTags(), "m#dev#1", "m#prod#2", "m@v1.0.0")
	wantTags(t, "local", f.tags(), "m#dev#1", "m#prod#2", "m@v1.0.0")
}

// Three clones assign at once, twenty rounds, to the same stage and to
// their own: every event reaches origin, and no two tags of the artifact
// share a counter.
func TestFakeClonesRaceForCounters(t *testing.T) {
	t.Parallel()
	origin := memstore.NewRepo()
	c := origin.Commit("first", nil)
	origin.Tag("m@v1.0.0", c, "Registering")
	var clones []*fake
	for range 3 {
		f := newFake(t, memstore.Options{Origin: origin})
		f.repo.Commit("first", nil) // the same commit: the same content and clock
		f.repo.Tag("m@v1.0.0", c, "Registering")
		clones = append(clones, f)
	}
	const rounds = 20
	errs := make(chan error, 3*rounds)
	var wg sync.WaitGroup
	for i, f := range clones {
		wg.Go(func() {
			for round := range rounds {
				stage := "prod"
				if round%2 == 1 {
					stage = fmt.Sprintf("own%d", i)
				}
				_, err := f.reg.Assign(t.Context(), AssignOptions{Name: "m", Version: "v1.0.0", Stage: stage, Force: true, Push: true,
					Message: fmt.Sprintf("clone %d round %d", i, round)})
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	counters := map[int]string{}
	for _, name := range origin.TagNames() {
		p, _ := tagname.Parse(name)
		if p.Counter == 0 {
			continue
		}
		if other, dup := counters[p.Counter]; dup {
			t.Errorf("%s and %s share counter #%d", other, name, p.Counter)
		}
		counters[p.Counter] = name
	}
	if len(counters) != 3*rounds {
		t.Errorf("origin has %d assignments, want %d", len(counters), 3*rounds)
	}
}

// Names, stages and versions that git could not store as a tag are
// refused with one short sentence before git runs, and nothing is written.
func TestFakeTooLongForGit(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	c := f.repo.Commit("first", nil)
	f.repo.Tag("m@v1.0.0", c, "Registering")
	f.repo.Commit("second", nil) // HEAD holds no version yet
	long := strings.Repeat("a", 10000)
	for _, tc := range []struct {
		what string
		run  func() error
		want string
	}{
		{"an artifact name", func() error {
			_, err := f.reg.Register(t.Context(), RegisterOptions{Name: long})
			return err
		}, `invalid artifact name "` + long[:64] + `…": it is 10000 bytes long, and names have at most 200`},
		{"a stage", func() error {
			_, err := f.reg.Assign(t.Context(), AssignOptions{Name: "m", Version: "v1.0.0", Stage: long[:300]})
			return err
		}, `invalid stage name "` + long[:64] + `…": it is 300 bytes long, and names have at most 200`},
		{"a version", func() error {
			_, err := f.reg.Register(t.Context(), RegisterOptions{Name: "m", Version: "v2.0.0-" + long[:300]})
			return err
		}, `"m@v2.0.0-` + long[:55] + `…" is not a valid git tag name: it has a part of 309 bytes, and git allows at most 250`},
	} {
		err := tc.run()
		if !errors.Is(err, ErrInvalid) || err.Error() != tc.want {
			t.Errorf("%s: err = %q\nwant %q", tc.what, err, tc.want)
		}
	}
	wantTags(t, "after the refusals", f.tags(), "m@v1.0.0")
}

// doctor reports an event tag on a commit the repository lacks.
func TestFakeDoctorMissingCommit(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	c := f.repo.Commit("first", nil)
	f.repo.Tag("m@v1.0.0", c, "Registering")
	lost := strings.Repeat("c0", 20)
	f.repo.Tag("m@v2.0.0", lost, "Registering a commit that is gone")
	rep, err := f.reg.Doctor(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, p := range rep.Problems {
		codes = append(codes, p.Code)
		if p.Code == model.ProblemMissingCommit && (p.Artifact != "m" || !slices.Equal(p.Tags, []string{"m@v2.0.0"}) ||
			p.Message != `tag "m@v2.0.0" is on commit c0c0c0c, which is not in the repository (a shallow or damaged clone): its version has no commit event`) {
			t.Errorf("problem %+v", p)
		}
	}
	if !slices.Equal(codes, []string{model.ProblemMissingCommit}) {
		t.Errorf("problems %q", codes)
	}
}
