package registry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/model"
)

// remoteFixture is a bare "remote" registry with one clone to change it.
type remoteFixture struct {
	t      *testing.T
	clone  *gittest.Repo
	url    string
	cache  string
	commit string
}

func newRemoteFixture(t *testing.T) *remoteFixture {
	bare := gittest.NewBare(t)
	clone := gittest.NewRepo(t)
	commit := clone.Commit("first", map[string]string{"artifacts.yaml": "model: {type: model}\n"})
	clone.AddRemote("origin", bare.Dir)
	clone.Tag("model@v1.0.0", commit, "Registering artifact model version v1.0.0")
	clone.Git("push", "-q", "origin", "main", "--tags")
	return &remoteFixture{t: t, clone: clone, url: "file://" + bare.Dir, cache: t.TempDir(), commit: commit}
}

// options open the remote registry with its own cache.
func (f *remoteFixture) options() Options {
	o := sealedAt(f.clone, f.url)
	o.CacheDir = f.cache
	return o
}

func (f *remoteFixture) open() *Registry {
	f.t.Helper()
	r, err := Open(context.Background(), f.options())
	if err != nil {
		f.t.Fatalf("open %s: %v", f.url, err)
	}
	f.t.Cleanup(func() { r.Close() })
	return r
}

func (f *remoteFixture) artifacts() []string {
	f.t.Helper()
	r := f.open()
	defer r.Close()
	view, err := r.ShowRegistry(context.Background(), DefaultShowOptions())
	if err != nil {
		f.t.Fatal(err)
	}
	var names []string
	for _, row := range view.Rows {
		names = append(names, row.Artifact.Name+"="+row.Latest)
	}
	return names
}

func (f *remoteFixture) mirrorDir() string {
	f.t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(f.cache, "*.git"))
	if len(dirs) != 1 {
		f.t.Fatalf("mirrors in the cache: %v", dirs)
	}
	return dirs[0]
}

func TestRemoteMirrorLifecycle(t *testing.T) {
	t.Parallel()
	f := newRemoteFixture(t)

	// first call: clones the mirror
	if got := strings.Join(f.artifacts(), " "); got != "model=v1.0.0" {
		t.Fatalf("first read: %s", got)
	}
	mirror := f.mirrorDir()
	if _, err := os.Stat(filepath.Join(mirror, "gto-mirror")); err != nil {
		t.Fatalf("mirror not marked complete: %v", err)
	}

	// the remote gains tags: the next call fetches them
	f.clone.Tag("other@v0.1.0", f.commit, "Registering artifact other version v0.1.0")
	f.clone.Git("push", "-q", "origin", "other@v0.1.0")
	if got := strings.Join(f.artifacts(), " "); got != "model=v1.0.0 other=v0.1.0" {
		t.Fatalf("after a remote tag: %s", got)
	}

	// deleted remote tags disappear
	f.clone.Git("push", "-q", "origin", ":refs/tags/other@v0.1.0")
	if got := strings.Join(f.artifacts(), " "); got != "model=v1.0.0" {
		t.Fatalf("after a remote deletion: %s", got)
	}

	// a corrupted cache is rebuilt
	if err := os.WriteFile(filepath.Join(mirror, "HEAD"), []byte("garbage\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.artifacts(), " "); got != "model=v1.0.0" {
		t.Fatalf("after corruption: %s", got)
	}
	os.RemoveAll(filepath.Join(mirror, "objects"))
	if got := strings.Join(f.artifacts(), " "); got != "model=v1.0.0" {
		t.Fatalf("after losing the objects: %s", got)
	}
	// an interrupted clone (no marker, and what a clone left next to it)
	// is rebuilt too
	os.Remove(filepath.Join(f.mirrorDir(), "gto-mirror"))
	if err := os.MkdirAll(filepath.Join(f.mirrorDir()+".new", "objects"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.artifacts(), " "); got != "model=v1.0.0" {
		t.Fatalf("after an interrupted clone: %s", got)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(f.cache, "*.new")); len(leftovers) != 0 {
		t.Errorf("the interrupted clone's folder is left: %v", leftovers)
	}
}

func TestRemoteMirrorWritesArePushed(t *testing.T) {
	t.Parallel()
	f := newRemoteFixture(t)
	r := f.open()
	res, err := r.Assign(context.Background(), AssignOptions{Name: "model", Version: "v1.0.0", Stage: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pushed || res.Remote != f.url {
		t.Fatalf("not pushed: %+v", res)
	}
	r.Close()
	if out := f.clone.Git("ls-remote", "--tags", "origin"); !strings.Contains(out, "refs/tags/model#prod#1") {
		t.Fatalf("the remote lacks the tag:\n%s", out)
	}
}

func TestRemoteMirrorRefusedPushLeavesMirrorAsRemote(t *testing.T) {
	t.Parallel()
	f := newRemoteFixture(t)
	// the remote refuses every tag from now on
	hook := filepath.Join(strings.TrimPrefix(f.url, "file://"), "hooks", "pre-receive")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\necho refused by policy >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := f.open()
	_, err := r.Register(context.Background(), RegisterOptions{Name: "other"})
	if err == nil {
		t.Fatal("a refused push must fail")
	}
	r.Close()
	mirror := f.mirrorDir()
	out, _ := os.ReadFile(filepath.Join(mirror, "packed-refs"))
	loose, _ := filepath.Glob(filepath.Join(mirror, "refs", "tags", "other@*"))
	if strings.Contains(string(out), "other@") || len(loose) > 0 {
		t.Fatalf("the mirror keeps a tag the remote refused: %v %s", loose, out)
	}
}

// A version another writer pushed after the registry listed the remote:
// the push is refused (origin has a different tag of that name), and the
// mirror is left as the remote is, with the remote's tag.
func TestRemoteMirrorVersionTakenLeavesMirrorAsRemote(t *testing.T) {
	t.Parallel()
	f := newRemoteFixture(t)
	ctx := context.Background()
	second := f.clone.Commit("second", nil)
	third := f.clone.Commit("third", nil)
	f.clone.Git("push", "-q", "origin", "main")
	r := f.open()
	if _, err := r.Fingerprint(ctx); err != nil { // the remote is listed once, now
		t.Fatal(err)
	}
	f.clone.Tag("model@v1.0.1", second, "Registering artifact model version v1.0.1")
	f.clone.Git("push", "-q", "origin", "model@v1.0.1")
	_, err := r.Register(ctx, RegisterOptions{Name: "model", Ref: third, Version: "v1.0.1"})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
	for _, want := range []string{f.url + ` already has a different tag "model@v1.0.1"`, "nothing was pushed", "register again"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	r.Close()
	got := strings.TrimSpace(f.clone.Git("--git-dir", f.mirrorDir(), "rev-parse", "model@v1.0.1^{commit}"))
	if got != second {
		t.Fatalf("the mirror's model@v1.0.1 is at %s, want the remote's %s", got, second)
	}
}

func TestRemoteMirrorConcurrentUse(t *testing.T) {
	t.Parallel()
	f := newRemoteFixture(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := Open(context.Background(), f.options())
			if err != nil {
				errs <- err
				return
			}
			defer r.Close()
			if _, err := r.ShowRegistry(context.Background(), DefaultShowOptions()); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := strings.Join(f.artifacts(), " "); got != "model=v1.0.0" {
		t.Fatalf("after concurrent use: %s", got)
	}
}

// A mirror is read while the remote is listed; every command must still
// answer with what the remote holds when it starts, not with what the
// previous command fetched.
func TestRemoteMirrorEveryCommandSeesRemoteChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, step := range []struct {
		name string
		run  func(r *Registry, fpBefore string) (string, error)
		want string
	}{
		{"fingerprint", func(r *Registry, fpBefore string) (string, error) {
			fp, err := r.Fingerprint(ctx)
			if fp == fpBefore {
				return "unchanged", err
			}
			return "changed", err
		}, "changed"},
		{"describe", func(r *Registry, _ string) (string, error) {
			d, err := r.Describe(ctx, DescribeOptions{Name: "model"})
			if err != nil || d.Annotation == nil {
				return "", err
			}
			return d.Annotation.Description, nil
		}, "changed"},
		{"check-ref", func(r *Registry, _ string) (string, error) {
			e, err := r.CheckRef(ctx, "model#prod#1")
			if err != nil || e == nil {
				return "", err
			}
			return e.Version, nil
		}, "v1.1.0"},
		{"stages", func(r *Registry, _ string) (string, error) {
			stages, err := r.Stages(ctx, StagesOptions{Allowed: true})
			return strings.Join(stages, " "), err
		}, "dev prod"},
		{"history", func(r *Registry, _ string) (string, error) {
			events, err := r.History(ctx, HistoryOptions{Artifact: "model"})
			for _, e := range events {
				if e.Kind == model.KindAssignment {
					return e.Tag, err
				}
			}
			return "", err
		}, "model#prod#1"},
		{"doctor", func(r *Registry, _ string) (string, error) {
			rep, err := r.Doctor(ctx)
			if err != nil {
				return "", err
			}
			return strings.Repeat("t", rep.Tags), nil
		}, "ttt"},
		{"register", func(r *Registry, _ string) (string, error) {
			res, err := r.Register(ctx, RegisterOptions{Name: "model", Ref: "main", Bump: model.BumpMinor})
			if err != nil {
				return "", err
			}
			return res.Created[0].Name + strings.Repeat(" renumbered", len(res.Renumbered)), nil
		}, "model@v1.2.0"},
	} {
		t.Run(step.name, func(t *testing.T) {
			t.Parallel()
			f := newRemoteFixture(t)
			f.artifacts() // the mirror exists
			r := f.open()
			fpBefore, err := r.Fingerprint(ctx)
			r.Close()
			if err != nil {
				t.Fatal(err)
			}
			// the remote changes: a new version, an assignment, new
			// annotations and a configuration that restricts stages
			c2 := f.clone.Commit("second", map[string]string{
				"artifacts.yaml": "model: {type: model, description: changed}\n",
				".gto":           "stages: [dev, prod]\n",
			})
			f.clone.Tag("model@v1.1.0", c2, "Registering artifact model version v1.1.0")
			f.clone.Tag("model#prod#1", c2, "Assigning stage prod to artifact model version v1.1.0")
			f.clone.Commit("third", nil) // to register
			f.clone.Git("push", "-q", "origin", "main", "--tags")

			r = f.open()
			defer r.Close()
			if got, err := step.run(r, fpBefore); err != nil || got != step.want {
				t.Errorf("got %q, %v; want %q", got, err, step.want)
			}
		})
	}
}

// A remote gone since the mirror was made is an error at the first read;
// the mirror stays, and serves again once the remote is back.
func TestRemoteMirrorRemoteGone(t *testing.T) {
	t.Parallel()
	f := newRemoteFixture(t)
	f.artifacts()
	mirror := f.mirrorDir()
	bare := strings.TrimPrefix(f.url, "file://")
	if err := os.Rename(bare, bare+".moved"); err != nil {
		t.Fatal(err)
	}
	r := f.open() // the mirror is there: opening does not wait for the remote
	_, err := r.ShowRegistry(context.Background(), DefaultShowOptions())
	if err == nil || !strings.Contains(err.Error(), "cannot clone "+f.url) {
		t.Fatalf("ShowRegistry = %v, want a clone error", err)
	}
	r.Close()
	if _, err := os.Stat(filepath.Join(mirror, "gto-mirror")); err != nil {
		t.Errorf("the mirror is gone: %v", err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(f.cache, "*.new")); len(leftovers) != 0 {
		t.Errorf("the failed clone left %v", leftovers)
	}
	if err := os.Rename(bare+".moved", bare); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.artifacts(), " "); got != "model=v1.0.0" {
		t.Fatalf("after the remote came back: %s", got)
	}
}

// Fetches leave one loose ref per new tag; the mirror packs them once they
// are many, so that reading it stays fast after years of fetches.
func TestRemoteMirrorStaysPacked(t *testing.T) {
	t.Parallel()
	f := newRemoteFixture(t)
	f.artifacts()
	var refs strings.Builder
	for i := range 300 {
		fmt.Fprintf(&refs, "create refs/tags/m%d@v1.0.0 %s\n", i, f.commit)
	}
	f.clone.GitInput(refs.String(), "update-ref", "--stdin")
	f.clone.Git("push", "-q", "origin", "--tags")
	if got := len(f.artifacts()); got != 1 { // lightweight tags are no versions
		t.Fatalf("%d artifacts", got)
	}
	loose, _ := filepath.Glob(filepath.Join(f.mirrorDir(), "refs", "tags", "*"))
	if len(loose) != 0 {
		t.Errorf("%d loose tags in the mirror after the fetch", len(loose))
	}
	packed, _ := os.ReadFile(filepath.Join(f.mirrorDir(), "packed-refs"))
	if !strings.Contains(string(packed), "refs/tags/m299@v1.0.0") {
		t.Error("the fetched tags are not in packed-refs")
	}
}

// A command cancelled while the remote is being listed stops with the
// context's error, and leaves the mirror usable.
func TestRemoteMirrorCancelledWhileChecking(t *testing.T) {
	t.Parallel()
	f := newRemoteFixture(t)
	f.artifacts()
	ctx, cancel := context.WithCancel(context.Background())
	r, err := Open(ctx, f.options())
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := r.Fingerprint(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("a read after cancel = %v, want context.Canceled", err)
	}
	r.Close()
	if got := strings.Join(f.artifacts(), " "); got != "model=v1.0.0" {
		t.Fatalf("after a cancelled command: %s", got)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(f.cache, "*.new")); len(leftovers) != 0 {
		t.Errorf("left %v", leftovers)
	}
}
