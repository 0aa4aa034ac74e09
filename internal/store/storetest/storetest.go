// Package storetest is the contract every store.Store must meet: one suite
// of tests that the store running git (gitstore) and the in-memory fake
// (memstore) both pass, so that what the registry's tests learn on the
// fake holds for the real thing.
//
// An implementation runs it with a Harness that builds repositories of its
// kind:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Harness { return newHarness(t) })
//	}
package storetest

import (
	"context"
	"errors"
	"io"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/store"
)

// Harness builds one repository (with a bare remote, "origin") and opens
// the store under test on it. Its methods fail the test on error.
type Harness interface {
	// Commit commits files (path -> content, added to HEAD's) with
	// message on the current branch, and returns the commit's id.
	Commit(message string, files map[string]string) string
	// CommitModes is Commit with git modes for some of the files (path
	// -> store.ModeExecutable, or store.ModeSymlink for a symlink whose
	// content is its target); the others are plain files.
	CommitModes(message string, files, modes map[string]string) string
	// Tag creates the annotated tag name on target (a commit, or a tag
	// object for a tag of a tag) and returns the tag object's id.
	Tag(name, target, message string) string
	// LightTag creates the lightweight tag name on the object target.
	LightTag(name, target string)
	// Branch points branch name at commit.
	Branch(name, commit string)
	// Blob returns the id of a blob with content, stored in the
	// repository (to tag something that is no commit).
	Blob(content string) string
	// Publish pushes every branch to origin.
	Publish()
	// OriginTag creates an annotated tag on origin (another clone's push);
	// target must be on origin (see Publish).
	OriginTag(name, target, message string)
	// OriginTags returns origin's tags: name -> object id.
	OriginTags() map[string]string
	// Identity is the tagger of the tags the store creates.
	Identity() (name, email string)
	// Open opens the store on the repository as built so far.
	Open() store.Store
}

// Run runs the contract on the stores newHarness makes (a new repository
// for every test).
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	tests := []struct {
		name string
		test func(t *testing.T, h Harness)
	}{
		{"Tags", testTags},
		{"TagsPrefixesAndKeep", testTagsPrefixes},
		{"Refs", testRefs},
		{"Branches", testBranches},
		{"ResolveCommit", testResolveCommit},
		{"NoCommits", testNoCommits},
		{"Commits", testCommits},
		{"FilesAndBlobs", testFilesAndBlobs},
		{"BranchHistory", testBranchHistory},
		{"FilesNamed", testFilesNamed},
		{"TreeAndReadBlobs", testTree},
		{"Memo", testMemo},
		{"CreateTag", testCreateTag},
		{"CreateTagRefusals", testCreateTagRefusals},
		{"DeleteTags", testDeleteTags},
		{"WriteTagsAtOnce", testWriteTagsAtOnce},
		{"Push", testPush},
		{"PushAtomicRefusal", testPushAtomicRefusal},
		{"PushCompareAndSwap", testPushCompareAndSwap},
		{"FetchTags", testFetchTags},
		{"DefaultBranch", testDefaultBranch},
		{"MakeTagsThenWrite", testMakeTags},
		{"ReadTagObjects", testReadTagObjects},
		{"TagSignaturesUnsigned", testTagSignaturesUnsigned},
		{"Closed", testClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.test(t, newHarness(t))
		})
	}
}

// view runs fn in a View of s, failing the test on error.
func view(t *testing.T, s store.Store, fn func(ctx context.Context, rd store.Reader) error) {
	t.Helper()
	ctx := t.Context()
	if err := s.View(ctx, func(rd store.Reader) error { return fn(ctx, rd) }); err != nil {
		t.Fatal(err)
	}
}

// update runs fn in an Update of s, failing the test on error.
func update(t *testing.T, s store.Store, fn func(ctx context.Context, w store.Writer) error) {
	t.Helper()
	ctx := t.Context()
	if err := s.Update(ctx, func(w store.Writer) error { return fn(ctx, w) }); err != nil {
		t.Fatal(err)
	}
}

func open(t *testing.T, h Harness) store.Store {
	t.Helper()
	s := h.Open()
	t.Cleanup(func() { s.Close() })
	return s
}

func tagNames(tags []store.Tag) []string {
	var out []string
	for _, t := range tags {
		out = append(out, t.Name)
	}
	return out
}

func testTags(t *testing.T, h Harness) {
	c1 := h.Commit("first", map[string]string{"a.txt": "a\n"})
	c2 := h.Commit("second", nil)
	obj := h.Tag("m@v1.0.0", c1, "Registering\n\nwith a body")
	h.Tag("m#prod#1", c2, "Assigning")
	h.Tag("chain", obj, "a tag of a tag")
	h.LightTag("light", c2)
	h.Tag("on-blob", h.Blob("data\n"), "a tag of a blob")
	s := open(t, h)
	name, email := h.Identity()
	view(t, s, func(ctx context.Context, rd store.Reader) error {
		tags, err := rd.Tags(ctx, nil, nil)
		if err != nil {
			return err
		}
		if got, want := tagNames(tags), []string{"chain", "light", "m#prod#1", "m@v1.0.0", "on-blob"}; !slices.Equal(got, want) {
			t.Errorf("Tags = %v, want %v (in ref name order)", got, want)
		}
		by := map[string]store.Tag{}
		for _, tag := range tags {
			by[tag.Name] = tag
		}
		v := by["m@v1.0.0"]
		if v.Object != obj || v.Type != "tag" || !v.Annotated() || v.Commit != c1 || v.Message != "Registering\n\nwith a body" ||
			v.TaggerName != name || v.TaggerEmail != email || !v.HasTagger || v.Time.IsZero() || v.Signed || v.Malformed || v.Missing {
			t.Errorf("m@v1.0.0 = %+v", v)
		}
		if p := by["m#prod#1"]; p.Commit != c2 || !p.Time.After(v.Time) {
			t.Errorf("m#prod#1 = %+v (tagged after m@v1.0.0 on %s)", p, c2)
		}
		if c := by["chain"]; c.Type != "tag" || c.Commit != c1 {
			t.Errorf("a tag of a tag is peeled to its commit: %+v", c)
		}
		if l := by["light"]; l.Type != "commit" || l.Annotated() || l.Commit != c2 || l.Object != c2 {
			t.Errorf("lightweight tag = %+v", l)
		}
		if b := by["on-blob"]; b.Commit != "" || !b.Annotated() {
			t.Errorf("a tag of a blob leads to no commit: %+v", b)
		}
		return nil
	})
}

func testTagsPrefixes(t *testing.T, h Harness) {
	c := h.Commit("first", nil)
	for _, n := range []string{"m@v1.0.0", "m#prod#1", "m#a/b#2", "mm@v1.0.0", "other@v1.0.0", "m/sub@v1.0.0"} {
		h.Tag(n, c, "msg")
	}
	s := open(t, h)
	view(t, s, func(ctx context.Context, rd store.Reader) error {
		tags, err := rd.Tags(ctx, []string{"m@", "m#"}, nil)
		if err != nil {
			return err
		}
		if got, want := tagNames(tags), []string{"m#a/b#2", "m#prod#1", "m@v1.0.0"}; !slices.Equal(got, want) {
			t.Errorf("Tags(m@, m#) = %v, want %v", got, want)
		}
		tags, err = rd.Tags(ctx, nil, func(name string) bool { return strings.HasPrefix(name, "o") })
		if err != nil {
			return err
		}
		if got := tagNames(tags); !slices.Equal(got, []string{"other@v1.0.0"}) {
			t.Errorf("Tags(keep o*) = %v", got)
		}
		return nil
	})
}

func testRefs(t *testing.T, h Harness) {
	c := h.Commit("first", nil)
	obj := h.Tag("m@v1.0.0", c, "msg")
	h.LightTag("m@v2.0.0", c)
	h.Tag("x@v1.0.0", c, "msg")
	s := open(t, h)
	view(t, s, func(ctx context.Context, rd store.Reader) error {
		refs, err := rd.Refs(ctx, "m@")
		if err != nil {
			return err
		}
		want := []store.Ref{{Name: "m@v1.0.0", Object: obj, Type: "tag"}, {Name: "m@v2.0.0", Object: c, Type: "commit"}}
		if !slices.Equal(refs, want) {
			t.Errorf("Refs(m@) = %+v, want %+v", refs, want)
		}
		all, err := rd.Refs(ctx)
		if err != nil || len(all) != 3 {
			t.Errorf("Refs() = %+v, %v", all, err)
		}
		for name, want := range map[string]bool{"m@v1.0.0": true, "m@v2.0.0": true, "m@v1": false, "m": false} {
			if got, err := rd.TagExists(ctx, name); err != nil || got != want {
				t.Errorf("TagExists(%q) = %v, %v", name, got, err)
			}
		}
		return nil
	})
}

func testBranches(t *testing.T, h Harness) {
	c1 := h.Commit("first", nil)
	c2 := h.Commit("second", nil)
	h.Branch("a", c1)
	h.Branch("b", c1)
	s := open(t, h)
	view(t, s, func(ctx context.Context, rd store.Reader) error {
		tips, err := rd.Branches(ctx)
		if err != nil {
			return err
		}
		sort.Strings(tips)
		want := []string{c1, c2}
		sort.Strings(want)
		if !slices.Equal(tips, want) {
			t.Errorf("Branches = %v, want the distinct tips %v", tips, want)
		}
		return nil
	})
}

func testResolveCommit(t *testing.T, h Harness) {
	c1 := h.Commit("first", nil)
	c2 := h.Commit("second", nil)
	h.Tag("m@v1.0.0", c1, "msg")
	h.Branch("old", c1)
	s := open(t, h)
	view(t, s, func(ctx context.Context, rd store.Reader) error {
		for rev, want := range map[string]string{
			"HEAD": c2, "main": c2, "old": c1, "refs/heads/old": c1, "m@v1.0.0": c1, "refs/tags/m@v1.0.0": c1,
			c1: c1, c1[:10]: c1, "HEAD~1": c1, "HEAD^": c1,
		} {
			if got, err := rd.ResolveCommit(ctx, rev); err != nil || got != want {
				t.Errorf("ResolveCommit(%q) = %q, %v; want %s", rev, got, err, want)
			}
		}
		for _, rev := range []string{"nope", "HEAD~5", strings.Repeat("0", 40)} {
			if _, err := rd.ResolveCommit(ctx, rev); !errors.Is(err, store.ErrRefNotFound) {
				t.Errorf("ResolveCommit(%q) = %v, want ErrRefNotFound", rev, err)
			}
		}
		return nil
	})
}

func testNoCommits(t *testing.T, h Harness) {
	s := open(t, h)
	view(t, s, func(ctx context.Context, rd store.Reader) error {
		if _, err := rd.ResolveCommit(ctx, "HEAD"); !errors.Is(err, store.ErrNoCommits) {
			t.Errorf("ResolveCommit(HEAD) without commits = %v, want ErrNoCommits", err)
		}
		tags, err := rd.Tags(ctx, nil, nil)
		if err != nil || len(tags) != 0 {
			t.Errorf("Tags = %v, %v", tags, err)
		}
		files, err := rd.FilesAt(ctx, []string{"HEAD"}, []string{".gto"})
		if err != nil || len(files) != 1 || files[0].Blobs[0] != "" {
			t.Errorf("FilesAt(HEAD) without commits = %+v, %v", files, err)
		}
		return nil
	})
}

func testCommits(t *testing.T, h Harness) {
	c1 := h.Commit("first line\n\nbody", nil)
	s := open(t, h)
	name, email := h.Identity()
	view(t, s, func(ctx context.Context, rd store.Reader) error {
		missing := strings.Repeat("1", len(c1))
		commits, err := rd.Commits(ctx, []string{c1, missing})
		if err != nil {
			return err
		}
		c, ok := commits[c1]
		if !ok || c.ID != c1 || c.Message != "first line\n\nbody\n" || c.AuthorName != name || c.CommitterEmail != email || c.CommitterTime.IsZero() {
			t.Errorf("Commits[%s] = %+v", c1, c)
		}
		if _, ok := commits[missing]; ok || len(commits) != 1 {
			t.Errorf("a commit the repository lacks is left out: %+v", commits)
		}
		return nil
	})
}

func testFilesAndBlobs(t *testing.T, h Harness) {
	c1 := h.Commit("first", map[string]string{"artifacts.yaml": "m: {}\n", "dir/f.txt": "f\n"})
	c2 := h.Commit("second", map[string]string{"big.txt": strings.Repeat("x", 100)})
	s := open(t, h)
	view(t, s, func(ctx context.Context, rd store.Reader) error {
		files, err := rd.FilesAt(ctx, []string{c1, c2, "nope"}, []string{"artifacts.yaml", "big.txt", "dir"})
		if err != nil {
			return err
		}
		if len(files) != 3 || files[0].Commit != c1 || files[1].Commit != c2 {
			t.Fatalf("FilesAt = %+v", files)
		}
		if files[0].Blobs[0] == "" || files[0].Blobs[1] != "" || files[0].Blobs[2] != "" {
			t.Errorf("at %s: %v (a folder is no file)", c1, files[0].Blobs)
		}
		if files[1].Blobs[0] != files[0].Blobs[0] || files[1].Blobs[1] == "" {
			t.Errorf("at %s: %v (the same content, the same blob)", c2, files[1].Blobs)
		}
		if !slices.Equal(files[2].Blobs, []string{"", "", ""}) {
			t.Errorf("at a revision that does not exist: %v", files[2].Blobs)
		}
		index, big := files[0].Blobs[0], files[1].Blobs[1]
		blobs, large, err := rd.Blobs(ctx, []string{index, big}, 50)
		if err != nil {
			return err
		}
		if string(blobs[index]) != "m: {}\n" || len(blobs) != 1 || large[big] != 100 || len(large) != 1 {
			t.Errorf("Blobs(limit 50) = %q, too large %v", blobs, large)
		}
		if _, _, err := rd.Blobs(ctx, []string{strings.Repeat("2", len(index))}, 50); !errors.Is(err, store.ErrObjectNotFound) {
			t.Errorf("Blobs of a missing id = %v, want ErrObjectNotFound", err)
		}
		for path, want := range map[string]bool{"dir/f.txt": true, "dir": true, "artifacts.yaml": true, "nope": false, "di": false} {
			if got, err := rd.PathExists(ctx, c2, path); err != nil || got != want {
				t.Errorf("PathExists(%q) = %v, %v", path, got, err)
			}
		}
		return nil
	})
}

func testBranchHistory(t *testing.T, h Harness) {
	c1 := h.Commit("first", map[string]string{"artifacts.yaml": "a: {}\n"})
	c2 := h.Commit("second", map[string]string{"artifacts.yaml": "b: {}\n"})
	h.Branch("side", c1)
	s := open(t, h)
	view(t, s, func(ctx context.Context, rd store.Reader) error {
		walk, err := rd.BranchHistory(ctx, []string{"artifacts.yaml", "dvc.yaml"})
		if err != nil {
			return err
		}
		if len(walk) != 2 || walk[0].Commit != c2 || walk[1].Commit != c1 {
			t.Fatalf("BranchHistory = %+v, want %s then %s", walk, c2, c1)
		}
		if walk[0].Blobs[0] == walk[1].Blobs[0] || walk[0].Blobs[0] == "" || walk[1].Blobs[1] != "" {
			t.Errorf("BranchHistory blobs = %+v", walk)
		}
		return nil
	})
}

func testTree(t *testing.T, h Harness) {
	c1 := h.CommitModes("first", map[string]string{
		"m/a.txt": "a\n", "m/run.sh": "#!/bin/sh\n", "m/sub/b.txt": "b\n", "m/link": "a.txt", "mx/c.txt": "c\n", "top.txt": "t\n",
	}, map[string]string{"m/run.sh": store.ModeExecutable, "m/link": store.ModeSymlink})
	s := open(t, h)
	view(t, s, func(ctx context.Context, rd store.Reader) error {
		entries, err := rd.Tree(ctx, c1, "m")
		if err != nil {
			return err
		}
		var got []string
		for _, e := range entries {
			got = append(got, e.Path+" "+e.Mode+" "+e.Type)
		}
		want := []string{"m/a.txt 100644 blob", "m/link 120000 blob", "m/run.sh 100755 blob", "m/sub/b.txt 100644 blob"}
		if !slices.Equal(got, want) {
			t.Errorf("Tree(m) = %q, want %q", got, want)
		}
		for path, n := range map[string]int{"top.txt": 1, "m/": 4, "": 6, "nope": 0, "m/a": 0} {
			if e, err := rd.Tree(ctx, c1, path); err != nil || len(e) != n {
				t.Errorf("Tree(%q) = %d entries, %v; want %d", path, len(e), err, n)
			}
		}
		if _, err := rd.Tree(ctx, strings.Repeat("3", 40), "m"); !errors.Is(err, store.ErrRefNotFound) {
			t.Errorf("Tree of a missing commit = %v, want ErrRefNotFound", err)
		}
		if n, err := rd.FetchBlobs(ctx, c1, "m"); n != 0 || err != nil {
			t.Errorf("FetchBlobs in a complete repository = %d, %v", n, err)
		}
		ids := []string{entries[0].Object, entries[1].Object, entries[0].Object}
		var read []string
		err = rd.ReadBlobs(ctx, ids, func(i int, size int64, r io.Reader) error {
			if i == 1 {
				read = append(read, "skipped") // unread content is skipped
				return nil
			}
			data, err := io.ReadAll(r)
			if int64(len(data)) != size {
				t.Errorf("blob %d: read %d bytes, size %d", i, len(data), size)
			}
			read = append(read, string(data))
			return err
		})
		if err != nil || !slices.Equal(read, []string{"a\n", "skipped", "a\n"}) {
			t.Errorf("ReadBlobs = %q, %v", read, err)
		}
		stop := errors.New("stop")
		n := 0
		err = rd.ReadBlobs(ctx, ids, func(int, int64, io.Reader) error { n++; return stop })
		if !errors.Is(err, stop) || n != 3 {
			t.Errorf("ReadBlobs whose callback fails = %v after %d calls, want stop after 3", err, n)
		}
		if err := rd.ReadBlobs(ctx, []string{strings.Repeat("4", 40)}, func(int, int64, io.Reader) error { return nil }); !errors.Is(err, store.ErrObjectNotFound) {
			t.Errorf("ReadBlobs of a missing id = %v, want ErrObjectNotFound", err)
		}
		// The process still answers after an error.
		return rd.ReadBlobs(ctx, ids[:1], func(int, int64, io.Reader) error { return nil })
	})
}

func testFilesNamed(t *testing.T, h Harness) {
	c1 := h.Commit("first", map[string]string{"dvc.yaml": "a\n", "p/q/dvc.yaml": "b\n", "p/other.yaml": "c\n"})
	h.Commit("second", map[string]string{"r/dvc.yaml": "d\n"})
	h.Branch("side", c1)
	s := open(t, h)
	view(t, s, func(ctx context.Context, rd store.Reader) error {
		files, err := rd.FilesNamed(ctx, c1, "dvc.yaml")
		if err != nil {
			return err
		}
		if len(files) != 2 || files[0].Path != "dvc.yaml" || files[1].Path != "p/q/dvc.yaml" || files[0].Blob == files[1].Blob {
			t.Errorf("FilesNamed = %+v", files)
		}
		blobs, _, err := rd.Blobs(ctx, []string{files[1].Blob}, 100)
		if err != nil || string(blobs[files[1].Blob]) != "b\n" {
			t.Errorf("blob of p/q/dvc.yaml = %q, %v", blobs, err)
		}
		if _, err := rd.FilesNamed(ctx, strings.Repeat("3", 40), "dvc.yaml"); err == nil {
			t.Error("FilesNamed of a missing commit: no error")
		}
		hist, err := rd.HistoryFilesNamed(ctx, "dvc.yaml")
		if err != nil {
			return err
		}
		if strings.Join(hist, " ") != "dvc.yaml p/q/dvc.yaml r/dvc.yaml" {
			t.Errorf("HistoryFilesNamed = %q", hist)
		}
		return nil
	})
}

func testMemo(t *testing.T, h Harness) {
	h.Commit("first", nil)
	s := open(t, h)
	view(t, s, func(ctx context.Context, rd store.Reader) error {
		if _, ok := rd.Memo("slot"); ok {
			t.Error("a memo nobody set")
		}
		rd.SetMemo("slot", "value")
		// Memos are a cache: lost, or the value set, never another.
		if v, ok := rd.Memo("slot"); ok && v != "value" {
			t.Errorf("Memo = %q", v)
		}
		return nil
	})
}

func testCreateTag(t *testing.T, h Harness) {
	c := h.Commit("first", nil)
	s := open(t, h)
	name, email := h.Identity()
	date := time.Unix(1700000000, 0).In(time.FixedZone("+0530", 5*3600+30*60))
	update(t, s, func(ctx context.Context, w store.Writer) error {
		if err := w.WriteTags(ctx, []store.TagRequest{{Name: "m@v1.0.0", Target: c, Message: "Registering\n", Date: "1700000000 +0530"}}, nil); err != nil {
			return err
		}
		// The Update sees its own writes.
		if ok, err := w.TagExists(ctx, "m@v1.0.0"); err != nil || !ok {
			t.Errorf("TagExists after CreateTag = %v, %v", ok, err)
		}
		return nil
	})
	view(t, s, func(ctx context.Context, rd store.Reader) error {
		tags, err := rd.Tags(ctx, []string{"m@"}, nil)
		if err != nil {
			return err
		}
		if len(tags) != 1 {
			t.Fatalf("Tags = %+v", tags)
		}
		tag := tags[0]
		_, zone := tag.Time.Zone()
		if tag.Commit != c || tag.Message != "Registering" || !tag.Time.Equal(date) || zone != 5*3600+30*60 ||
			tag.TaggerName != name || tag.TaggerEmail != email || !tag.Annotated() {
			t.Errorf("created tag = %+v", tag)
		}
		return nil
	})
}

func testCreateTagRefusals(t *testing.T, h Harness) {
	c := h.Commit("first", nil)
	obj := h.Tag("m@v1.0.0", c, "first")
	s := open(t, h)
	update(t, s, func(ctx context.Context, w store.Writer) error {
		err := w.WriteTags(ctx, []store.TagRequest{{Name: "m@v1.0.0", Target: c, Message: "again"}}, nil)
		if !errors.Is(err, store.ErrTagExists) || !strings.Contains(err.Error(), `"m@v1.0.0"`) {
			t.Errorf("creating an existing tag = %v, want ErrTagExists naming it", err)
		}
		if err := w.WriteTags(ctx, []store.TagRequest{{Name: "m@v2.0.0", Target: strings.Repeat("3", len(c)), Message: "x"}}, nil); err == nil {
			t.Error("a tag on a commit the repository lacks was created")
		}
		// Several changes: all or none. One tag exists, so the other is
		// not created either, nor is anything deleted.
		err = w.WriteTags(ctx, []store.TagRequest{
			{Name: "m@v3.0.0", Target: c, Message: "new"}, {Name: "m@v1.0.0", Target: c, Message: "again"},
		}, []string{"m@v1.0.0"})
		if !errors.Is(err, store.ErrTagExists) || !strings.Contains(err.Error(), `"m@v1.0.0"`) {
			t.Errorf("a write of several tags, one existing = %v, want ErrTagExists naming it", err)
		}
		return nil
	})
	view(t, s, func(ctx context.Context, rd store.Reader) error {
		refs, err := rd.Refs(ctx)
		if err != nil {
			return err
		}
		if len(refs) != 1 || refs[0].Object != obj {
			t.Errorf("after refused writes: %+v", refs)
		}
		return nil
	})
}

func testDeleteTags(t *testing.T, h Harness) {
	c := h.Commit("first", nil)
	for _, n := range []string{"a@v1.0.0", "a#prod#1", "b@v1.0.0"} {
		h.Tag(n, c, "msg")
	}
	s := open(t, h)
	update(t, s, func(ctx context.Context, w store.Writer) error {
		if err := w.WriteTags(ctx, nil, []string{"a@v1.0.0", "nope", "a#prod#1"}); !errors.Is(err, store.ErrRefNotFound) {
			t.Errorf("deleting a missing tag = %v, want ErrRefNotFound", err)
		}
		if refs, _ := w.Refs(ctx); len(refs) != 3 {
			t.Errorf("a refused deletion deleted something: %+v", refs)
		}
		return w.WriteTags(ctx, nil, []string{"a@v1.0.0", "a#prod#1"})
	})
	view(t, s, func(ctx context.Context, rd store.Reader) error {
		refs, err := rd.Refs(ctx)
		if err != nil {
			return err
		}
		if len(refs) != 1 || refs[0].Name != "b@v1.0.0" {
			t.Errorf("after DeleteTags: %+v", refs)
		}
		return nil
	})
}

// Several tags created and one deleted in one write (a renumbering:
// the event again under another counter, its old tag gone).
func testWriteTagsAtOnce(t *testing.T, h Harness) {
	c := h.Commit("first", nil)
	h.Tag("m#prod#1", c, "old")
	s := open(t, h)
	update(t, s, func(ctx context.Context, w store.Writer) error {
		return w.WriteTags(ctx, []store.TagRequest{
			{Name: "m@v1.0.0", Target: c, Message: "Registering", Date: "1700000000 +0000"},
			{Name: "m#prod#2", Target: c, Message: "Assigning", Date: "1700000000 +0000"},
		}, []string{"m#prod#1"})
	})
	view(t, s, func(ctx context.Context, rd store.Reader) error {
		tags, err := rd.Tags(ctx, nil, nil)
		if err != nil {
			return err
		}
		if got := tagNames(tags); !slices.Equal(got, []string{"m#prod#2", "m@v1.0.0"}) {
			t.Errorf("after the write: %v", got)
		}
		for _, tag := range tags {
			if tag.Commit != c || !tag.Time.Equal(time.Unix(1700000000, 0)) || !tag.Annotated() {
				t.Errorf("%+v", tag)
			}
		}
		if tags[0].Message != "Assigning" || tags[1].Message != "Registering" {
			t.Errorf("messages %q, %q", tags[0].Message, tags[1].Message)
		}
		return nil
	})
}

func testPush(t *testing.T, h Harness) {
	c := h.Commit("first", nil)
	h.Publish()
	h.OriginTag("gone@v1.0.0", c, "to delete")
	a := h.Tag("a@v1.0.0", c, "msg")
	b := h.Tag("b@v1.0.0", c, "msg")
	s := open(t, h)
	update(t, s, func(ctx context.Context, w store.Writer) error {
		if err := w.Push(ctx, store.PushRequest{Create: []string{"a@v1.0.0", "b@v1.0.0"}, Delete: []string{"gone@v1.0.0"}}); err != nil {
			return err
		}
		remote, err := w.RemoteRefs(ctx)
		if err != nil {
			return err
		}
		if !slices.Equal(remote.Tags, []store.Ref{{Name: "a@v1.0.0", Object: a}, {Name: "b@v1.0.0", Object: b}}) || len(remote.Gto) != 0 {
			t.Errorf("RemoteRefs after the push = %+v", remote)
		}
		if w.Remote() == "" {
			t.Error("the remote has no name for messages")
		}
		// Pushing a tag the remote has already, as it is, succeeds.
		return w.Push(ctx, store.PushRequest{Create: []string{"a@v1.0.0"}})
	})
	if got := h.OriginTags(); len(got) != 2 || got["a@v1.0.0"] != a || got["b@v1.0.0"] != b {
		t.Errorf("origin's tags = %v", got)
	}
}

func testPushAtomicRefusal(t *testing.T, h Harness) {
	c := h.Commit("first", nil)
	h.Publish()
	h.OriginTag("m@v1.0.0", c, "another clone was first")
	h.Tag("m@v1.0.0", c, "ours")
	h.Tag("m#prod#1", c, "ours")
	s := open(t, h)
	update(t, s, func(ctx context.Context, w store.Writer) error {
		err := w.Push(ctx, store.PushRequest{Create: []string{"m@v1.0.0", "m#prod#1"}})
		var pe *store.PushError
		if !errors.As(err, &pe) {
			t.Fatalf("Push = %v, want a *store.PushError", err)
		}
		reasons := map[string]store.Reason{}
		for _, r := range pe.Rejected {
			if name, ok := r.Tag(); ok {
				reasons[name] = r.Reason
			}
		}
		if reasons["m@v1.0.0"] != store.ReasonExists || reasons["m#prod#1"] != store.ReasonAtomic {
			t.Errorf("rejected = %+v", pe.Rejected)
		}
		if pe.Error() == "" || strings.Contains(pe.Error(), "\n") {
			t.Errorf("PushError message %q", pe.Error())
		}
		return nil
	})
	if got := h.OriginTags(); len(got) != 1 {
		t.Errorf("an atomic push refused in part changed origin: %v", got)
	}
}

// A ref outside refs/tags is set by compare-and-swap, in the same atomic
// push as the tags: a lost swap refuses the tags too.
func testPushCompareAndSwap(t *testing.T, h Harness) {
	c := h.Commit("first", nil)
	h.Publish()
	one := h.Tag("m#prod#1", c, "one")
	two := h.Tag("m#prod#2", c, "two")
	three := h.Tag("m#prod#3", c, "three")
	const counter = "refs/gto/counters/m"
	s := open(t, h)
	update(t, s, func(ctx context.Context, w store.Writer) error {
		if err := w.Push(ctx, store.PushRequest{Create: []string{"m#prod#1"}, Set: []store.RefUpdate{{Ref: counter, Object: one}}}); err != nil {
			return err
		}
		// Expecting the ref absent, or at a value it no longer has: stale,
		// and the tag of the same push is refused with it.
		for _, expect := range []string{"", two} {
			err := w.Push(ctx, store.PushRequest{Create: []string{"m#prod#2"}, Set: []store.RefUpdate{{Ref: counter, Object: two, Expect: expect}}})
			var pe *store.PushError
			if !errors.As(err, &pe) {
				t.Fatalf("a swap expecting %q: %v, want a *store.PushError", expect, err)
			}
			reasons := map[string]store.Reason{}
			for _, r := range pe.Rejected {
				reasons[r.Ref] = r.Reason
			}
			if reasons[counter] != store.ReasonStale || !reasons[counter].Moved() || reasons["refs/tags/m#prod#2"] != store.ReasonAtomic {
				t.Errorf("a swap expecting %q: rejected %+v", expect, pe.Rejected)
			}
		}
		if err := w.Push(ctx, store.PushRequest{Create: []string{"m#prod#3"}, Set: []store.RefUpdate{{Ref: counter, Object: three, Expect: one}}}); err != nil {
			return err
		}
		remote, err := w.RemoteRefs(ctx)
		if err != nil {
			return err
		}
		if remote.Gto[counter] != three || len(remote.Tags) != 2 {
			t.Errorf("after the swaps: %+v", remote)
		}
		return nil
	})
}

func testFetchTags(t *testing.T, h Harness) {
	c := h.Commit("first", nil)
	h.Publish()
	h.OriginTag("m@v1.0.0", c, "theirs")
	h.OriginTag("m#prod#1", c, "theirs")
	h.Tag("m#prod#1", c, "ours")
	s := open(t, h)
	update(t, s, func(ctx context.Context, w store.Writer) error {
		if err := w.FetchTags(ctx, []string{"m@v1.0.0"}); err != nil {
			return err
		}
		if ok, _ := w.TagExists(ctx, "m@v1.0.0"); !ok {
			t.Error("the fetched tag is not there")
		}
		if err := w.FetchTags(ctx, []string{"m#prod#1"}); err == nil {
			t.Error("FetchTags overwrote a local tag of the same name")
		}
		return nil
	})
	view(t, s, func(ctx context.Context, rd store.Reader) error {
		tags, err := rd.Tags(ctx, []string{"m#"}, nil)
		if err != nil || len(tags) != 1 || tags[0].Message != "ours" {
			t.Errorf("the local tag after a refused fetch: %+v, %v", tags, err)
		}
		return nil
	})
}

func testClosed(t *testing.T, h Harness) {
	h.Commit("first", nil)
	s := h.Open()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("a second Close = %v", err)
	}
	if err := s.View(t.Context(), func(store.Reader) error { return nil }); err == nil {
		t.Error("View after Close succeeded")
	}
}
