package gitcmd

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
)

func TestPush(t *testing.T) {
	t.Parallel()
	g, r, origin, commit := withRemote(t)
	g.Tag("m@v1.0.0", commit, "one")
	g.Tag("m#prod#1", commit, "prod")
	if err := r.Push(t.Context(), "origin", []string{"refs/tags/m@v1.0.0", "refs/tags/m#prod#1"}); err != nil {
		t.Fatal(err)
	}
	if got := origin.Git("tag", "--list"); got != "m#prod#1\nm@v1.0.0" {
		t.Errorf("remote tags %q", got)
	}
	// Deleting on the remote.
	if err := r.Push(t.Context(), "origin", []string{":refs/tags/m#prod#1"}); err != nil {
		t.Fatal(err)
	}
	if got := origin.Git("tag", "--list"); got != "m@v1.0.0" {
		t.Errorf("remote tags after deletion %q", got)
	}
}

func TestPushRejected(t *testing.T) {
	t.Parallel()
	g, r, origin, commit := withRemote(t)
	g.Tag("m@v1.0.0", commit, "local")
	g.Tag("free@v1", commit, "free")
	// The remote already has a different m@v1.0.0.
	other := origin.Git("mktree")
	origin.Git("tag", "m@v1.0.0", other)

	err := r.Push(t.Context(), "origin", []string{"refs/tags/free@v1", "refs/tags/m@v1.0.0"})
	var pe *PushError
	if !errors.As(err, &pe) {
		t.Fatalf("error %T %v, want *PushError", err, err)
	}
	want := []RejectedRef{{Ref: "refs/tags/m@v1.0.0", Reason: "already exists"}}
	if !slices.Equal(pe.Rejected, want) {
		t.Errorf("Rejected = %+v, want %+v", pe.Rejected, want)
	}
	mustErrIs(t, err, ErrTagExists)
	var ge *Error
	if !errors.As(err, &ge) || ge.ExitCode == 0 {
		t.Errorf("no *Error underneath: %v", err)
	}
	if msg := err.Error(); msg != "failed to push to origin: rejected refs/tags/m@v1.0.0 (already exists)" {
		t.Errorf("message %q", msg)
	}
	// The other ref went through.
	if got := origin.Git("tag", "--list", "free*"); got != "free@v1" {
		t.Errorf("remote tags %q", got)
	}
}

func TestPushFailure(t *testing.T) {
	t.Parallel()
	_, r, _, _ := withRemote(t)
	err := r.Push(t.Context(), "no-such-remote", []string{"refs/heads/main"})
	var ge *Error
	if !errors.As(err, &ge) {
		t.Fatalf("error %T %v, want *Error", err, err)
	}
	var pe *PushError
	if errors.As(err, &pe) {
		t.Errorf("a failure to reach the remote is not a rejection: %v", err)
	}
}

func TestPushCurrentBranch(t *testing.T) {
	t.Parallel()
	g, r, origin, _ := withRemote(t)
	g.Git("branch", "--quiet", "--set-upstream-to=origin/main")
	c := g.Commit("second", map[string]string{"f": "2"})
	if err := r.PushCurrentBranch(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := origin.Git("rev-parse", "main"); got != c {
		t.Errorf("remote main %s, want %s", got, c)
	}
}

func TestFetch(t *testing.T) {
	t.Parallel()
	_, r, origin, commit := withRemote(t)
	// Another clone adds tags to origin.
	other := gittest.NewRepo(t)
	other.Git("fetch", "--quiet", origin.Dir, "main:refs/remotes/origin/main")
	other.Tag("m@v1", commit, "one")
	other.Tag("m@v2", commit, "two")
	other.Git("push", "--quiet", origin.Dir, "--tags")

	tagsOnly := []string{"+refs/tags/*:refs/tags/*"}
	if err := r.Fetch(t.Context(), "file://"+origin.Dir, tagsOnly, false); err != nil {
		t.Fatal(err)
	}
	assertTags(t, r, "m@v1", "m@v2")

	origin.Git("tag", "-d", "m@v1")
	if err := r.Fetch(t.Context(), "origin", tagsOnly, true); err != nil {
		t.Fatal(err)
	}
	assertTags(t, r, "m@v2")

	err := r.Fetch(t.Context(), "origin", []string{"refs/heads/nope:refs/heads/nope"}, false)
	var ge *Error
	if !errors.As(err, &ge) {
		t.Errorf("fetching a missing ref: %v", err)
	}
}

func assertTags(t *testing.T, r *Repo, want ...string) {
	t.Helper()
	refs, err := r.ListTags(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ref := range refs {
		got = append(got, ref.Name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("tags %q, want %q", got, want)
	}
}

func TestClone(t *testing.T) {
	t.Parallel()
	g, _, origin, commit := withRemote(t)
	g.Tag("m@v1", commit, "one")
	g.Git("push", "--quiet", "origin", "--tags")
	origin.Git("config", "uploadpack.allowFilter", "true")

	tests := []struct {
		name, url string
		opts      CloneOptions
		bare      bool
	}{
		{"path", origin.Dir, CloneOptions{}, false},
		{"file URL bare", "file://" + origin.Dir, CloneOptions{Bare: true}, true},
		{"mirror", origin.Dir, CloneOptions{Mirror: true}, true},
		{"partial no checkout", "file://" + origin.Dir, CloneOptions{Filter: "blob:none", NoCheckout: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "clone")
			tt.opts.Env = g.Env()
			var log bytes.Buffer
			tt.opts.Verbose = &log
			r, err := Clone(t.Context(), tt.url, dir, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if r.IsBare() != tt.bare {
				t.Errorf("IsBare = %v", r.IsBare())
			}
			if !tt.bare && r.WorkTree() != dir {
				t.Errorf("WorkTree %q, want %q", r.WorkTree(), dir)
			}
			assertTags(t, r, "m@v1")
			if head, err := r.Head(t.Context()); err != nil || head != commit {
				t.Errorf("Head = %s, %v", head, err)
			}
			if url, err := r.RemoteURL(t.Context(), "origin"); err != nil || url != tt.url {
				t.Errorf("RemoteURL = %q, %v; want %q", url, err, tt.url)
			}
			if r.Verbose != &log || !bytes.Contains(log.Bytes(), []byte("git clone")) {
				t.Errorf("the clone's Options were not kept / logged: %q", log.String())
			}
		})
	}
}

func TestCloneProgressAndFailure(t *testing.T) {
	t.Parallel()
	g, _, origin, _ := withRemote(t)
	var progress bytes.Buffer
	dir := filepath.Join(t.TempDir(), "c")
	if _, err := Clone(t.Context(), "file://"+origin.Dir, dir, CloneOptions{Env: g.Env(), Progress: &progress}); err != nil {
		t.Fatal(err)
	}
	if progress.Len() == 0 {
		t.Error("no progress written")
	}
	// The target now exists and is not empty.
	_, err := Clone(t.Context(), origin.Dir, dir, CloneOptions{Env: g.Env()})
	var ge *Error
	if !errors.As(err, &ge) || ge.ExitCode != 128 {
		t.Errorf("clone into a non-empty directory: %v", err)
	}
	_, err = Clone(t.Context(), filepath.Join(t.TempDir(), "nothing"), filepath.Join(t.TempDir(), "x"), CloneOptions{Env: g.Env()})
	if !errors.As(err, &ge) {
		t.Errorf("clone of a missing repository: %v", err)
	}
	marker := filepath.Join(t.TempDir(), "pwned")
	_, err = Clone(t.Context(), "--upload-pack=touch "+marker, filepath.Join(t.TempDir(), "y"), CloneOptions{Env: g.Env()})
	if !errors.As(err, &ge) {
		t.Errorf("clone of an option-like URL: %v", err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("an option-like URL was taken for an option")
	}
}

func TestRemoteURL(t *testing.T) {
	t.Parallel()
	g, r, origin, _ := withRemote(t)
	if url, err := r.RemoteURL(t.Context(), "origin"); err != nil || url != origin.Dir {
		t.Errorf("RemoteURL = %q, %v", url, err)
	}
	g.Git("config", "url.https://example.com/.insteadOf", "ex:")
	g.AddRemote("ex", "ex:repo.git")
	if url, err := r.RemoteURL(t.Context(), "ex"); err != nil || url != "https://example.com/repo.git" {
		t.Errorf("RemoteURL with insteadOf = %q, %v", url, err)
	}
	for _, name := range []string{"nope", "-v"} {
		_, err := r.RemoteURL(t.Context(), name)
		mustErrIs(t, err, ErrRemoteNotFound)
	}
}

// Tidy packs the refs once many are loose, and leaves a few alone.
func TestTidy(t *testing.T) {
	t.Parallel()
	g, r, c := committedRepo(t)
	var refs strings.Builder
	for i := range looseRefsToPack - 10 { // with the branch, still fewer than looseRefsToPack
		fmt.Fprintf(&refs, "create refs/tags/t%d %s\n", i, c)
	}
	g.GitInput(refs.String(), "update-ref", "--stdin")
	loose := func() int {
		n := 0
		filepath.WalkDir(filepath.Join(r.GitDir(), "refs", "tags"), func(_ string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				n++
			}
			return nil
		})
		return n
	}
	if err := r.Tidy(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := loose(); n != looseRefsToPack-10 {
		t.Fatalf("%d loose tags after Tidy, want them left loose", n)
	}
	refs.Reset()
	for i := range 10 {
		fmt.Fprintf(&refs, "create refs/tags/more%d %s\n", i, c)
	}
	g.GitInput(refs.String(), "update-ref", "--stdin")
	if err := r.Tidy(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := loose(); n != 0 {
		t.Errorf("%d loose tags after Tidy, want them packed", n)
	}
	if tags, err := r.ListTags(t.Context()); err != nil || len(tags) != looseRefsToPack {
		t.Errorf("ListTags after packing: %d tags, %v", len(tags), err)
	}
}

// LsRemote lists the remote's refs by their own ids, without peeled tags.
func TestLsRemote(t *testing.T) {
	t.Parallel()
	g, r, _, commit := withRemote(t)
	g.Tag("m@v1.0.0", commit, "one")
	g.Git("push", "--quiet", "origin", "m@v1.0.0")
	tagID := g.Git("rev-parse", "refs/tags/m@v1.0.0")
	got, err := r.LsRemote(t.Context(), "origin", "refs/heads/*", "refs/tags/*")
	if err != nil {
		t.Fatal(err)
	}
	if want := commit + "\trefs/heads/main\n" + tagID + "\trefs/tags/m@v1.0.0\n"; got != want {
		t.Errorf("LsRemote =\n%s\nwant\n%s", got, want)
	}
	if _, err := r.LsRemote(t.Context(), "no-such-remote"); err == nil {
		t.Error("a missing remote must fail")
	}
}
