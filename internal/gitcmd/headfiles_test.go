package gitcmd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
)

// gitHead is HEAD^{commit} as git resolves it.
func gitHead(t *testing.T, g *gittest.Repo) string {
	t.Helper()
	return strings.TrimSpace(g.Git("rev-parse", "--verify", "HEAD^{commit}"))
}

// resolveHead opens a batch, resolves HEAD and reports whether cat-file
// was asked anything.
func resolveHead(t *testing.T, r *Repo) (id string, asked bool, err error) {
	t.Helper()
	b, err := r.OpenBatch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	id, err = b.ResolveCommit("HEAD")
	return id, b.contents.begun.Load(), err
}

// TestHeadFromFilesAsGit: HEAD^{commit} read from the ref files is what
// git resolves, in every layout, and a warm run asks cat-file nothing;
// the cases git could read otherwise are left to git, with git's answer.
func TestHeadFromFilesAsGit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, g *gittest.Repo, r *Repo, commit string)
		files  bool // answered from the files
	}{
		{"loose branch", func(*testing.T, *gittest.Repo, *Repo, string) {}, true},
		{"moved HEAD", func(t *testing.T, g *gittest.Repo, r *Repo, commit string) {
			resolveHead(t, r) // remember the first commit
			g.Commit("second", map[string]string{"f": "2\n"})
		}, true},
		{"packed branch", func(t *testing.T, g *gittest.Repo, r *Repo, commit string) {
			g.Git("pack-refs", "--all")
		}, true},
		{"packed and loose", func(t *testing.T, g *gittest.Repo, r *Repo, commit string) {
			g.Git("pack-refs", "--all")
			g.Commit("second", map[string]string{"f": "2\n"})
		}, true},
		{"detached", func(t *testing.T, g *gittest.Repo, r *Repo, commit string) {
			g.Commit("second", map[string]string{"f": "2\n"})
			g.Git("checkout", "-q", "--detach", commit)
		}, true},
		{"branch holding a tag object", func(t *testing.T, g *gittest.Repo, r *Repo, commit string) {
			g.Tag("t", commit, "a tag")
			// git refuses to write it; a repository may still hold one
			writeRef(t, r, "refs/heads/tagged", strings.TrimSpace(g.Git("rev-parse", "refs/tags/t"))+"\n")
			g.Git("symbolic-ref", "HEAD", "refs/heads/tagged")
		}, true},
		{"symbolic branch", func(t *testing.T, g *gittest.Repo, r *Repo, commit string) {
			g.Git("symbolic-ref", "refs/heads/alias", "refs/heads/main")
			g.Git("symbolic-ref", "HEAD", "refs/heads/alias")
		}, false},
		{"verbose", func(t *testing.T, g *gittest.Repo, r *Repo, commit string) {
			r.Verbose = &strings.Builder{}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g, r, commit := committedRepo(t)
			tc.change(t, g, r, commit)
			want := gitHead(t, g)
			if _, ok := r.headFromFiles(); ok != tc.files {
				t.Errorf("headFromFiles ok = %v, want %v", ok, tc.files)
			}
			for run := range 2 { // cold, then warm
				got, asked, err := resolveHead(t, r)
				if err != nil || got != want {
					t.Fatalf("run %d: ResolveCommit(HEAD) = %q, %v; git: %q", run, got, err, want)
				}
				if run == 1 && tc.files && !strings.Contains(tc.name, "tag object") && asked {
					t.Errorf("warm run asked cat-file")
				}
			}
		})
	}
	t.Run("unborn branch", func(t *testing.T) {
		t.Parallel()
		g, r, _ := committedRepo(t)
		g.Git("symbolic-ref", "HEAD", "refs/heads/none")
		if id, ok := r.headFromFiles(); ok {
			t.Errorf("headFromFiles = %q, want it left to git", id)
		}
		if _, _, err := resolveHead(t, r); !errors.Is(err, ErrNoCommits) {
			t.Errorf("ResolveCommit(HEAD): %v, want ErrNoCommits", err)
		}
	})
	t.Run("GIT_DIR set", func(t *testing.T) {
		t.Parallel()
		g, _, commit := committedRepo(t)
		r, err := OpenWith(context.Background(), g.Dir, Options{Env: append(g.Env(), "GIT_DIR="+filepath.Join(g.Dir, ".git"))})
		if err != nil {
			t.Fatal(err)
		}
		if id, ok := r.headFromFiles(); ok {
			t.Errorf("headFromFiles = %q, want it left to git", id)
		}
		if got, _, err := resolveHead(t, r); err != nil || got != commit {
			t.Errorf("ResolveCommit(HEAD) = %q, %v; want %q", got, err, commit)
		}
	})
	t.Run("reftable configured", func(t *testing.T) {
		t.Parallel()
		g, _, _ := committedRepo(t)
		g.Git("config", "extensions.refStorage", "reftable")
		if id, ok := openTest(t, g, g.Dir).headFromFiles(); ok {
			t.Errorf("headFromFiles = %q, want it left to git", id)
		}
	})
}

// TestFilesAtMemo: the files of one commit, and of a set of commits, are
// remembered apart; what is remembered is not the answer for other
// commits; a shallow clone does not remember sets.
func TestFilesAtMemo(t *testing.T) {
	t.Parallel()
	g, r, c0 := committedRepo(t)
	paths := []string{"artifacts.yaml", "dvc.yaml", "dir"}
	c1 := g.Commit("one", map[string]string{"artifacts.yaml": "a: {}\n", "dir/x": "x\n"})
	c2 := g.Commit("two", map[string]string{"artifacts.yaml": "b: {}\n", "dvc.yaml": "artifacts: {}\n"})
	want := func(c, p string) string {
		// "<mode> <type> <id>\t<path>", or nothing
		if f := strings.Fields(g.Git("ls-tree", c, "--", p)); len(f) > 2 && f[1] == "blob" {
			return f[2]
		}
		return ""
	}
	filesAt := func(r *Repo, revs ...string) (asked bool) {
		t.Helper()
		b := openBatch(t, r)
		defer b.Close()
		files, err := b.FilesAt(revs, paths)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range revs {
			for j, p := range paths {
				if got := files[i].Blobs[j]; got != want(c, p) {
					t.Errorf("%.7s:%s = %q, git %q", c, p, got, want(c, p))
				}
			}
		}
		return b.contents.begun.Load()
	}
	for run, tc := range []struct {
		revs  []string
		asked bool
	}{
		{[]string{c1}, true}, {[]string{c1}, false}, {[]string{c2}, true},
		{[]string{c0, c1}, true}, {[]string{c2}, false}, {[]string{c1, c0}, false}, {[]string{c1}, true},
		{[]string{c0, c2}, true}, {[]string{c2, c0}, false}, {[]string{c0, c1}, true},
	} {
		if asked := filesAt(r, tc.revs...); asked != tc.asked {
			t.Errorf("run %d (%d commits): cat-file asked %v, want %v", run, len(tc.revs), asked, tc.asked)
		}
	}
	writeRef(t, r, "shallow", c0+"\n")
	if !filesAt(r, c0, c1) || !filesAt(r, c0, c1) { // the set remembered last, then as asked again
		t.Error("shallow clone: a set of commits answered from the memo")
	}
}

// TestCatFileStartsOnFirstRequest: a batch asked nothing starts no git;
// with -v it starts at once, as the log of commands says.
func TestCatFileStartsOnFirstRequest(t *testing.T) {
	t.Parallel()
	_, r, commit := committedRepo(t)
	b := openBatch(t, r)
	if err := b.Close(); err != nil || b.contents.cmd.Process != nil {
		t.Errorf("unused batch: Close %v, process %v; want nil, none started", err, b.contents.cmd.Process)
	}
	b = openBatch(t, r)
	if _, err := b.Commits([]string{commit}); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil || b.contents.cmd.ProcessState == nil {
		t.Errorf("used batch: Close %v, process state %v; want nil, exited", err, b.contents.cmd.ProcessState)
	}
	var log strings.Builder
	r.Verbose = &log
	b = openBatch(t, r)
	if !strings.Contains(log.String(), "cat-file") || !b.contents.begun.Load() {
		t.Errorf("-v: log %q, started %v; want cat-file logged and started", log.String(), b.contents.begun.Load())
	}
	b.Close()
}

// TestSmallCacheServesFewReads: with a small object cache file, a warm
// read of one artifact's tags and of a few commits asks cat-file nothing;
// a large file is not loaded for them.
func TestSmallCacheServesFewReads(t *testing.T) {
	t.Parallel()
	g, r, commit := committedRepo(t)
	g.Tag("a@v0.0.1", commit, "m")
	g.Tag("a#prod#1", commit, "m")
	for run := range 2 {
		b := openBatch(t, r)
		recs, err := b.ReadTagPrefixes(context.Background(), func(string) bool { return true }, "a@", "a#")
		if err != nil || len(recs) != 2 || recs[0].Tag == nil || recs[1].Tag == nil {
			t.Fatalf("run %d: ReadTagPrefixes = %+v, %v", run, recs, err)
		}
		if _, err := b.Commits([]string{commit}); err != nil {
			t.Fatal(err)
		}
		if asked := b.contents.begun.Load(); asked != (run == 0) {
			t.Errorf("run %d: cat-file asked: %v", run, asked)
		}
		b.Close()
	}
	large := newCacheFile(filepath.Join(t.TempDir(), cacheFileName))
	if err := os.WriteFile(large.path, make([]byte, smallCacheBytes+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if large.ifSmall() != nil || (*objectCache)(nil).ifSmall() != nil {
		t.Error("a large cache file (or none) counts as small")
	}
}

// TestArtifactMemo: with a large object cache, a one-artifact read keeps
// its tags and commits in a memo; a warm read of the same artifact asks
// cat-file nothing and gives what git has, a tag added since is read
// from git, another artifact or a damaged memo reads everything again.
func TestArtifactMemo(t *testing.T) {
	t.Parallel()
	g, r, commit := committedRepo(t)
	g.Tag("a@v0.0.1", commit, "m")
	g.Tag("a#prod#1", commit, "m")
	g.LightTag("a#dev#1", commit)
	g.Tag("b@v0.0.1", commit, "m")
	// a valid cache file over smallCacheBytes: one large record
	large := cacheMagic + string(appendRecord(nil, recType, appendStr(appendStr(nil, strings.Repeat("f", smallCacheBytes)), "blob")))
	if err := os.WriteFile(filepath.Join(r.GitDir(), cacheFileName), []byte(large), 0o644); err != nil {
		t.Fatal(err)
	}
	read := func(name string, spoil bool) (names []string, asked bool) {
		t.Helper()
		b := openBatch(t, r)
		if spoil {
			b.cache.setMemo(artifactTagsSlot, "refs/tags/"+name+"@\x00refs/tags/"+name+"#", "\x7fdamaged")
		}
		recs, err := b.ReadTagPrefixes(context.Background(), func(string) bool { return true }, name+"@", name+"#")
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			if (rec.Tag != nil) != (rec.Type == "tag") || rec.Type == "" {
				t.Errorf("%s: record %+v", name, rec)
			}
			names = append(names, "refs/tags/"+rec.Name)
		}
		if _, err := b.Commits([]string{commit}); err != nil {
			t.Fatal(err)
		}
		asked = b.contents.begun.Load()
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, ref := range forEachRef(t, g, "refs/tags/"+name+"@*", "refs/tags/"+name+"#*") {
			want = append(want, ref.name)
		}
		if strings.Join(names, " ") != strings.Join(want, " ") {
			t.Errorf("%s: %q, git %q", name, names, want)
		}
		return names, asked
	}
	for step, tc := range []struct {
		name         string
		before       func()
		spoil, asked bool
	}{
		{"a", nil, false, true},
		{"a", nil, false, false},
		{"a", func() { g.Tag("a@v0.0.2", commit, "added") }, false, true},
		{"a", nil, false, false},
		{"b", nil, false, true},
		{"a", nil, false, true},
		{"a", nil, true, true},
	} {
		if tc.before != nil {
			tc.before()
		}
		if _, asked := read(tc.name, tc.spoil); asked != tc.asked {
			t.Errorf("step %d (%s): cat-file asked %v, want %v", step, tc.name, asked, tc.asked)
		}
	}
}

// TestCatFileCancelledBeforeStart: a batch whose context ends before its
// first request fails with the context's error and starts no git.
func TestCatFileCancelledBeforeStart(t *testing.T) {
	t.Parallel()
	_, r, commit := committedRepo(t)
	ctx, cancel := context.WithCancel(context.Background())
	b, err := r.OpenBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := b.Commits([]string{commit}); !errors.Is(err, context.Canceled) {
		t.Errorf("Commits after cancel: %v, want context.Canceled", err)
	}
	if err := b.Close(); err != nil || b.contents.cmd.Process != nil {
		t.Errorf("Close: %v, process %v; want nil, none started", err, b.contents.cmd.Process)
	}
}

// TestStartResolve: the process starts when the revision needs it, not
// for a HEAD the memos know, nor once the batch is closed.
func TestStartResolve(t *testing.T) {
	t.Parallel()
	_, r, _ := committedRepo(t)
	b := openBatch(t, r)
	b.StartResolve("HEAD~0")
	if !b.contents.begun.Load() {
		t.Error("HEAD~0: cat-file not started")
	}
	if _, err := b.ResolveCommit("HEAD"); err != nil { // the memos learn HEAD
		t.Fatal(err)
	}
	b.Close()
	b = openBatch(t, r)
	b.StartResolve("HEAD")
	if b.contents.begun.Load() {
		t.Error("HEAD known to the memos: cat-file started")
	}
	b.Close()
	b.StartResolve("HEAD~0")
	if b.contents.begun.Load() {
		t.Error("closed batch: cat-file started")
	}
}
