package gitcmd

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// branchHistory runs BranchHistory through a fresh Batch and closes it
// (which writes the object cache).
func branchHistory(t *testing.T, r *Repo, paths ...string) []CommitFiles {
	t.Helper()
	b, err := r.OpenBatch(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	walk, err := b.BranchHistory(t.Context(), paths)
	if err != nil {
		t.Fatal(err)
	}
	return walk
}

// wantHistory is what BranchHistory must answer, asked of git directly
// (one ls-tree per commit, for all the paths).
func wantHistory(g interface{ Git(...string) string }, paths ...string) []CommitFiles {
	var want []CommitFiles
	for _, c := range strings.Fields(g.Git("rev-list", "--branches")) {
		cf := CommitFiles{Commit: c, Blobs: make([]string, len(paths))}
		blobs := map[string]string{}
		out := g.Git(append([]string{"ls-tree", "--format=%(objecttype) %(objectname) %(path)", c, "--"}, paths...)...)
		for _, line := range strings.Split(out, "\n") {
			if typ, rest, _ := strings.Cut(line, " "); typ == "blob" {
				id, path, _ := strings.Cut(rest, " ")
				blobs[path] = id
			}
		}
		for i, p := range paths {
			cf.Blobs[i] = blobs[p]
		}
		want = append(want, cf)
	}
	return want
}

func TestBranchHistory(t *testing.T) {
	t.Parallel()
	g, r := newTestRepo(t)
	paths := []string{"artifacts.yaml", "dvc.yaml"}
	if walk := branchHistory(t, r, paths...); len(walk) != 0 {
		t.Fatalf("no commits yet, got %v", walk)
	}
	g.Commit("one", map[string]string{"artifacts.yaml": "a: {}\n"})
	g.Commit("two", map[string]string{"dvc.yaml": "artifacts: {}\n", "artifacts.yaml": "b: {}\n"})
	g.Git("branch", "side")
	g.Commit("three", map[string]string{"dir/artifacts.yaml": "x\n"})

	first := branchHistory(t, r, paths...)
	if want := wantHistory(g, paths...); !reflect.DeepEqual(first, want) {
		t.Fatalf("first walk:\n%v\nwant\n%v", first, want)
	}
	// Unchanged tips: answered from the cache, without rev-list.
	r.Verbose = &strings.Builder{}
	if again := branchHistory(t, r, paths...); !reflect.DeepEqual(again, first) {
		t.Fatalf("cached walk differs:\n%v\n%v", again, first)
	}
	if log := r.Verbose.(*strings.Builder).String(); strings.Contains(log, "rev-list") {
		t.Errorf("an unchanged walk ran git again:\n%s", log)
	}
	// Other paths are another walk.
	if other := branchHistory(t, r, "dir/artifacts.yaml"); !reflect.DeepEqual(other, wantHistory(g, "dir/artifacts.yaml")) {
		t.Errorf("walk of other paths: %v", other)
	}
	r.Verbose = nil

	// A new commit on a branch, and a branch moved back: walked again.
	main := strings.TrimSpace(g.Git("branch", "--show-current"))
	g.Git("checkout", "-q", "side")
	g.Commit("four", map[string]string{"artifacts.yaml": "c: {}\n"})
	if walk := branchHistory(t, r, paths...); !reflect.DeepEqual(walk, wantHistory(g, paths...)) {
		t.Errorf("walk after a commit:\n%v\nwant\n%v", walk, wantHistory(g, paths...))
	}
	g.Git("checkout", "-q", "--detach")
	g.Git("branch", "-f", main, "HEAD~2")
	g.Git("branch", "-D", "side")
	if walk := branchHistory(t, r, paths...); !reflect.DeepEqual(walk, wantHistory(g, paths...)) {
		t.Errorf("walk after moving branches back:\n%v\nwant\n%v", walk, wantHistory(g, paths...))
	}
}

// A damaged walk memo is no answer: the walk is made again.
func TestBranchHistoryDamagedMemo(t *testing.T) {
	t.Parallel()
	g, r := newTestRepo(t)
	g.Commit("one", map[string]string{"artifacts.yaml": "a: {}\n"})
	tip := g.Git("rev-parse", "HEAD")
	b, _ := r.OpenBatch(t.Context())
	b.cache.setMemo("branch-history\x00artifacts.yaml", tip, "\x05garbage")
	b.Close()
	if walk := branchHistory(t, r, "artifacts.yaml"); !reflect.DeepEqual(walk, wantHistory(g, "artifacts.yaml")) {
		t.Errorf("walk with a damaged memo = %v", walk)
	}
}

func TestBranchHistoryWithoutCache(t *testing.T) {
	t.Parallel()
	g, r := newTestRepo(t)
	r.NoObjectCache = true
	g.Commit("one", map[string]string{"artifacts.yaml": "a: {}\n"})
	for range 2 {
		if walk := branchHistory(t, r, "artifacts.yaml"); !reflect.DeepEqual(walk, wantHistory(g, "artifacts.yaml")) {
			t.Errorf("walk = %v", walk)
		}
	}
}

func TestMemo(t *testing.T) {
	t.Parallel()
	_, r := newTestRepo(t)
	b, _ := r.OpenBatch(t.Context())
	if _, ok := b.Memo("slot"); ok {
		t.Error("an empty cache has a memo")
	}
	b.SetMemo("slot", "value")
	b.SetMemo("empty", "")
	if v, ok := b.Memo("slot"); !ok || v != "value" {
		t.Errorf("Memo before Close = %q, %v", v, ok)
	}
	b.Close()
	b, _ = r.OpenBatch(t.Context())
	defer b.Close()
	if v, ok := b.Memo("slot"); !ok || v != "value" {
		t.Errorf("Memo in the next run = %q, %v", v, ok)
	}
	if v, ok := b.Memo("empty"); !ok || v != "" {
		t.Errorf("empty Memo = %q, %v", v, ok)
	}
}

// Replaced memos (walks of older branch tips) are dropped from the file
// once they make up most of it; everything else survives.
func TestObjectCacheCompaction(t *testing.T) {
	t.Parallel()
	_, r, commit := oddRegistry(t)
	path := filepath.Join(r.GitDir(), memoFileName)
	readAll(t, r, commit) // tags in the cache
	big := strings.Repeat("x", 600)
	for i := range 20 {
		b, _ := r.OpenBatch(t.Context())
		b.cache.compactMin = 1000 // a small file is worth compacting here
		b.SetMemo("walk", big+string(rune('a'+i)))
		b.SetMemo("names-"+string(rune('a'+i)), "n")
		b.Close()
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() > 6000 { // 20 walks of 600 bytes were written
		t.Errorf("the cache holds %d bytes: replaced memos were not dropped", st.Size())
	}
	b, _ := r.OpenBatch(t.Context())
	defer b.Close()
	if v, _ := b.Memo("walk"); v != big+"t" {
		t.Errorf("latest memo lost: %.10q", v)
	}
	for i := range 20 {
		if v, ok := b.Memo("names-" + string(rune('a'+i))); !ok || v != "n" {
			t.Errorf("memo names-%c lost", 'a'+i)
		}
	}
	recs, err := b.ReadTags(t.Context(), func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if !rec.cached {
			t.Errorf("%s: the compaction lost its cached object", rec.Name)
		}
	}
}

// A malformed record of one kind drops the file, and lookups go on
// answering (from git).
func TestObjectCacheMalformedRecord(t *testing.T) {
	t.Parallel()
	_, r, commit := oddRegistry(t)
	path := filepath.Join(r.GitDir(), memoFileName)
	first, _ := readAll(t, r, commit)
	// A memo record whose body is not three strings.
	bad := appendRecord([]byte(cacheMagic), recMemo, []byte{0x7f})
	os.WriteFile(path, bad, 0o644)
	b, _ := r.OpenBatch(t.Context())
	if _, ok := b.Memo("slot"); ok {
		t.Error("a malformed memo answered")
	}
	b.Close()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the malformed cache was kept: %v", err)
	}
	if second, _ := readAll(t, r, commit); !reflect.DeepEqual(stripCached(first), stripCached(second)) {
		t.Error("records differ after a malformed memo")
	}
}

// Tag records are decoded on lookup: one that is malformed after its id
// drops the file then, and the tag is read from git.
func TestObjectCacheMalformedTagRecord(t *testing.T) {
	t.Parallel()
	_, r, commit := oddRegistry(t)
	path := filepath.Join(r.GitDir(), cacheFileName)
	first, _ := readAll(t, r, commit)
	id := ""
	for _, rec := range first {
		if rec.Tag != nil {
			id = rec.Object
		}
	}
	data, _ := os.ReadFile(path)
	// Appended last, this record replaces the good one for its id.
	bad := appendRecord(append([]byte(nil), data...), recTag, append(appendStr(nil, id), 0xff))
	os.WriteFile(path, bad, 0o644)
	second, _ := readAll(t, r, commit)
	if !reflect.DeepEqual(stripCached(first), stripCached(second)) {
		t.Error("records differ after a malformed tag record")
	}
	if data, _ := os.ReadFile(path); len(data) >= len(bad) {
		t.Error("the cache with a malformed record was kept")
	}
}

// A walk comes back as it went in; commits whose files did not change
// share one Blobs slice, and what is not this format is refused.
func TestWalkEncoding(t *testing.T) {
	t.Parallel()
	walk := []CommitFiles{
		{Commit: "c3", Blobs: []string{"b2", ""}},
		{Commit: "c2", Blobs: []string{"b2", ""}},
		{Commit: "c1", Blobs: []string{"b1", "d1"}},
		{Commit: "c0", Blobs: []string{"", ""}},
	}
	value := encodeWalk(walk)
	got, ok := decodeWalk(value, 2)
	if !ok || !reflect.DeepEqual(got, walk) {
		t.Fatalf("decodeWalk(encodeWalk(w)) = %v, %v; want %v", got, ok, walk)
	}
	if &got[0].Blobs[0] != &got[1].Blobs[0] {
		t.Error("unchanged files are not shared with the commit before")
	}
	if empty, ok := decodeWalk(encodeWalk(nil), 2); !ok || len(empty) != 0 {
		t.Errorf("empty walk = %v, %v", empty, ok)
	}
	refused := map[string]string{
		"the format before":     "\x01\x02c3\x02b2\x00",
		"cut short":             value[:len(value)-1],
		"trailing bytes":        value + "x",
		"an unknown blobs byte": walkFormat + "\x01\x02c3\x07",
		"same as no commit":     walkFormat + "\x01\x02c3\x00",
	}
	for what, v := range refused {
		if got, ok := decodeWalk(v, 2); ok {
			t.Errorf("%s: decoded as %v", what, got)
		}
	}
}

// TestFilesAtBranch: the files at a branch named in full are those of the
// commit its ref file holds, remembered by that commit: asked again they
// come from the memo, and after the branch moved from the new commit.
func TestFilesAtBranch(t *testing.T) {
	t.Parallel()
	g, r, _ := committedRepo(t)
	paths := []string{"gto-policy.yaml", "missing.yaml"}
	filesAt := func() (blob string, started bool) {
		t.Helper()
		b := openBatch(t, r)
		defer b.Close()
		files, err := b.FilesAt([]string{"refs/heads/main"}, paths)
		if err != nil {
			t.Fatal(err)
		}
		if files[0].Commit != "refs/heads/main" || files[0].Blobs[1] != "" {
			t.Errorf("FilesAt = %+v", files)
		}
		return files[0].Blobs[0], b.contents.begun.Load()
	}
	want := func() string {
		t.Helper()
		return strings.TrimSpace(g.Git("rev-parse", "--verify", "-q", "refs/heads/main:gto-policy.yaml"))
	}
	g.Commit("policy", map[string]string{"gto-policy.yaml": "one\n"})
	for run, wantStarted := range []bool{true, false} {
		if blob, started := filesAt(); blob != want() || started != wantStarted {
			t.Errorf("run %d: blob %q started %v; want %q, %v", run, blob, started, want(), wantStarted)
		}
	}
	g.Commit("policy changed", map[string]string{"gto-policy.yaml": "two\n"})
	if blob, started := filesAt(); blob != want() || !started {
		t.Errorf("moved branch: blob %q started %v; want %q, asked", blob, started, want())
	}
	if blob, _ := filesAt(); blob == "" {
		t.Error("moved branch: no policy file")
	}
}
