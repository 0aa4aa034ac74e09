package gitcmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
)

// bothProtocols marks t parallel and runs test with the cat-file protocol
// of the installed git (legacy false) and with the one for git before 2.36
// (legacy true: the test sets Options.LegacyCatFile on the Repo it opens,
// see openCopy), in parallel. It first builds the fixtures the test copies,
// so that the two subtests do not wait for each other's build (see
// gittest.Fixture.Build).
func bothProtocols(t *testing.T, test func(t *testing.T, legacy bool), fixtures ...interface{ Build(testing.TB) }) {
	t.Parallel()
	for _, f := range fixtures {
		f.Build(t)
	}
	t.Run("current", func(t *testing.T) { t.Parallel(); test(t, false) })
	t.Run("legacy", func(t *testing.T) { t.Parallel(); test(t, true) })
}

// tagObjects lists the tags matching patterns and reads their objects.
func tagObjects(t *testing.T, r *Repo, b *Batch, patterns ...string) map[string]TagObject {
	t.Helper()
	refs, err := r.ListTags(t.Context(), patterns...)
	if err != nil {
		t.Fatal(err)
	}
	var ids, names []string
	for _, ref := range refs {
		if ref.Type == "tag" {
			ids, names = append(ids, ref.Object), append(names, ref.Name)
		}
	}
	tags, err := b.Tags(ids)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]TagObject{}
	for i, tag := range tags {
		out[names[i]] = tag
	}
	return out
}

func TestBatchTags(t *testing.T) { bothProtocols(t, testBatchTags, bigTagsFixture) }

func testBatchTags(t *testing.T, legacy bool) {
	g, r, commit := openCopy(t, bigTagsFixture, legacy)
	big := bigMessage
	b := openBatch(t, r)

	tags := tagObjects(t, r, b)
	if len(tags) != 11 {
		t.Fatalf("read %d tags, want 11", len(tags))
	}
	x := tags["x@v1.0.0+build.1"]
	if x.Name != "x@v1.0.0+build.1" || x.Object != commit || x.ObjectType != "commit" ||
		x.TaggerName != gittest.Name || x.TaggerEmail != gittest.Email || !x.HasTagger || x.Signed ||
		x.Message != "msg x@v1.0.0+build.1" {
		t.Errorf("x@v1.0.0+build.1: %+v", x)
	}
	if got := tags["big@v1.0.0"].Message; got != big {
		t.Errorf("2 MiB message: got %d bytes", len(got))
	}
	if got := tags["multi@v1.0.0"].Message; got != "Line one\n\nLine three" {
		t.Errorf("multi-line message %q", got)
	}
	if got := tags["on-tree"]; got.ObjectType != "tree" {
		t.Errorf("tag on a tree: %+v", got)
	}
	if got := tags["on-blob"]; got.ObjectType != "blob" {
		t.Errorf("tag on a blob: %+v", got)
	}
	// Tag times advance with the fixed clock, in order of creation.
	if a, b := tags["a#b!#3"].Time, tags["x@v1.0.0+build.1"].Time; !a.Before(b) || a.Unix() != gittest.Epoch.Unix()+120 {
		t.Errorf("tagger times %v, %v", a, b)
	}

	chain := tags["tag-of-tag"]
	if chain.ObjectType != "tag" || chain.Object != g.Git("rev-parse", "refs/tags/x@v1.0.1") {
		t.Fatalf("tag of a tag: %+v", chain)
	}
	targets, err := b.Peel([]TagObject{chain, x, tags["on-tree"]})
	if err != nil {
		t.Fatal(err)
	}
	want := []Target{{commit, "commit"}, {commit, "commit"}, {g.Git("rev-parse", commit+"^{tree}"), "tree"}}
	if fmt.Sprint(targets) != fmt.Sprint(want) {
		t.Errorf("Peel = %v, want %v", targets, want)
	}

	_, err = b.Tags([]string{commit})
	if err == nil || !strings.Contains(err.Error(), "not a tag") {
		t.Errorf("Tags(commit) error = %v", err)
	}
	_, err = b.Tags([]string{strings.Repeat("0", 40)})
	mustErrIs(t, err, ErrObjectNotFound)
	// The batch is still usable after such errors.
	if _, err := b.Tags([]string{x.ID}); err != nil {
		t.Errorf("after an error: %v", err)
	}
}

func TestBatchTagZoneAndSignature(t *testing.T) {
	bothProtocols(t, testBatchTagZoneAndSignature, zoneTagsFixture)
}

// zoneTagsFixture has hand-made tags: signed-looking ones with time zones
// (git does not verify signatures when storing) and one without a tagger
// line, as old tags may be. Its value is the id of the tag "signed".
var zoneTagsFixture = gittest.NewFixture(func(_ testing.TB, g *gittest.Repo) string {
	commit := g.Commit("init", nil)
	signed := g.GitInput("object "+commit+"\ntype commit\ntag signed\ntagger Ravi <r@x.in> 1640998800 +0530\n\n"+
		"Line one\nLine two\n-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEE\n=abcd\n-----END PGP SIGNATURE-----\n", "mktag")
	ssh := g.GitInput("object "+commit+"\ntype commit\ntag ssh\ntagger S <s@x> 1640998800 -0800\n\n"+
		"ssh message\n-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n", "mktag")
	old := g.GitInput("object "+commit+"\ntype commit\ntag old\n\nvery old\n", "hash-object", "-t", "tag", "-w", "--stdin", "--literally")
	g.GitInput("create refs/tags/signed "+signed+"\ncreate refs/tags/ssh "+ssh+"\ncreate refs/tags/old "+old+"\n", "update-ref", "--stdin")
	return signed
})

func testBatchTagZoneAndSignature(t *testing.T, legacy bool) {
	_, r, signed := openCopy(t, zoneTagsFixture, legacy)
	b := openBatch(t, r)
	tags := tagObjects(t, r, b)
	s := tags["signed"]
	if !s.Signed || s.Message != "Line one\nLine two" || s.TaggerName != "Ravi" || s.ID != signed {
		t.Errorf("signed: %+v", s)
	}
	if name, off := s.Time.Zone(); name != "+0530" || off != 19800 || s.Time.Unix() != 1640998800 || s.Time.Hour() != 6 || s.Time.Minute() != 30 {
		t.Errorf("signed: time %v zone %q %d", s.Time, name, off)
	}
	if x := tags["ssh"]; !x.Signed || x.Message != "ssh message" {
		t.Errorf("ssh: %+v", x)
	}
	if name, _ := tags["ssh"].Time.Zone(); name != "-0800" {
		t.Errorf("ssh zone %q", name)
	}
	if o := tags["old"]; o.HasTagger || o.TaggerName != "" || !o.Time.IsZero() || o.Message != "very old" {
		t.Errorf("old: %+v", o)
	}
}

func TestBatchCommits(t *testing.T) { bothProtocols(t, testBatchCommits, commitsFixture) }

type commitIDs struct{ first, second, tree, crafted string }

// commitsFixture has two commits and, crafted on top of them, a merge
// with multi-line headers (mergetag, gpgsig) and an encoding.
var commitsFixture = gittest.NewFixture(func(_ testing.TB, g *gittest.Repo) (ids commitIDs) {
	first := g.Commit("Initial commit", map[string]string{"f": "1"})
	second := g.Commit("Second\n\nwith a body", map[string]string{"f": "2"})
	tree := g.Git("rev-parse", second+"^{tree}")
	raw := "tree " + tree + "\nparent " + second + "\nparent " + first + "\n" +
		"author A U Thor <author@x> 1640998800 -0800\ncommitter C O Mitter <committer@x> 1640998860 +0530\n" +
		"encoding ISO-8859-1\n" +
		"mergetag object " + first + "\n type commit\n tag v1\n tagger T <t@x> 1640998800 +0000\n \n merged tag\n" +
		"gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n" +
		"\nMerge tag 'v1'\n"
	crafted := g.GitInput(raw, "hash-object", "-t", "commit", "-w", "--stdin")
	ids.first, ids.second, ids.tree, ids.crafted = first, second, tree, crafted
	return ids
})

func testBatchCommits(t *testing.T, legacy bool) {
	_, r, ids := openCopy(t, commitsFixture, legacy)
	first, second, tree, crafted := ids.first, ids.second, ids.tree, ids.crafted

	b := openBatch(t, r)
	commits, err := b.Commits([]string{first, second, crafted, first})
	if err != nil {
		t.Fatal(err)
	}
	if len(commits) != 3 {
		t.Fatalf("got %d commits", len(commits))
	}
	c := commits[first]
	if c.Hash != first || c.Message != "Initial commit\n" || len(c.Parents) != 0 ||
		c.AuthorName != gittest.Name || c.CommitterEmail != gittest.Email || c.AuthorTime.Unix() != gittest.Epoch.Unix()+60 {
		t.Errorf("first: %+v", c)
	}
	if c := commits[second]; c.Message != "Second\n\nwith a body\n" || len(c.Parents) != 1 || c.Parents[0] != first {
		t.Errorf("second: %+v", c)
	}
	m := commits[crafted]
	if len(m.Parents) != 2 || m.Tree != tree || m.Encoding != "ISO-8859-1" || m.Message != "Merge tag 'v1'\n" ||
		m.AuthorEmail != "author@x" || m.CommitterName != "C O Mitter" {
		t.Errorf("crafted: %+v", m)
	}
	if name, _ := m.CommitterTime.Zone(); name != "+0530" {
		t.Errorf("committer zone %q", name)
	}
	_, err = b.Commits([]string{strings.Repeat("f", 40)})
	mustErrIs(t, err, ErrObjectNotFound)
	_, err = b.Commits([]string{tree})
	if err == nil || !strings.Contains(err.Error(), "not a commit") {
		t.Errorf("Commits(tree) error = %v", err)
	}
}

func TestBatchBlobs(t *testing.T) { bothProtocols(t, testBatchBlobs, blobsFixture) }

// blobsFixture has four commits: artifacts.yaml added, unchanged,
// removed, and added again with a file whose name has a space.
var blobsFixture = gittest.NewFixture(func(_ testing.TB, g *gittest.Repo) [4]string {
	c1 := g.Commit("one", map[string]string{"artifacts.yaml": "a: 1\n", "dir/x": "x"})
	c2 := g.Commit("two", map[string]string{"other": "o"}) // artifacts.yaml unchanged
	g.Git("rm", "--quiet", "artifacts.yaml")
	c3 := g.Commit("three", nil)
	c4 := g.Commit("four", map[string]string{"artifacts.yaml": "a: 2\n", "my file.yaml": "spaces"})
	return [4]string{c1, c2, c3, c4}
})

func testBatchBlobs(t *testing.T, legacy bool) {
	g, r, c := openCopy(t, blobsFixture, legacy)
	c1, c2, c3, c4 := c[0], c[1], c[2], c[3]
	b := openBatch(t, r)

	data, found, err := b.Blob(c1, "artifacts.yaml")
	if err != nil || !found || string(data) != "a: 1\n" {
		t.Errorf("Blob(c1) = %q, %v, %v", data, found, err)
	}
	for _, tt := range []struct{ rev, path string }{{c3, "artifacts.yaml"}, {c1, "nope"}, {"no-such-rev", "artifacts.yaml"}, {c1, "dir/x/y"}} {
		if data, found, err := b.Blob(tt.rev, tt.path); err != nil || found || data != nil {
			t.Errorf("Blob(%s, %s) = %q, %v, %v; want not found", tt.rev, tt.path, data, found, err)
		}
	}
	if data, found, err := b.Blob("HEAD", "my file.yaml"); err != nil || !found || string(data) != "spaces" {
		t.Errorf("Blob(path with a space) = %q, %v, %v", data, found, err)
	}
	if _, _, err := b.Blob(c1, "dir"); err == nil {
		t.Error("Blob of a directory: no error")
	}

	files, err := b.FilesAt([]string{c1, c2, c3, c4, c1, "no-such-rev"}, []string{"artifacts.yaml", "dir", "my file.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for i, cf := range files {
		if cf.Commit != []string{c1, c2, c3, c4, c1, "no-such-rev"}[i] || cf.Blobs[1] != "" { // a directory is no file
			t.Errorf("FilesAt[%d] = %v", i, cf)
		}
		ids[cf.Commit] = cf.Blobs[0]
	}
	if ids[c1] == "" || ids[c1] != ids[c2] || ids[c1] == ids[c4] || ids[c3] != "" || ids["no-such-rev"] != "" || files[4].Blobs[0] != ids[c1] {
		t.Errorf("FilesAt ids of artifacts.yaml = %v", ids)
	}
	if head := files[3].Blobs[2]; head == "" || head != g.Git("rev-parse", c4+":my file.yaml") {
		t.Errorf("FilesAt of a path with a space = %q", head)
	}
	if files, err := b.FilesAt(nil, []string{"f"}); err != nil || len(files) != 0 {
		t.Errorf("FilesAt of no revision = %v, %v", files, err)
	}
	blobs, err := b.Blobs([]string{ids[c1], ids[c4], ids[c2]})
	if err != nil || len(blobs) != 2 || string(blobs[ids[c1]]) != "a: 1\n" || string(blobs[ids[c4]]) != "a: 2\n" {
		t.Errorf("Blobs = %q, %v", blobs, err)
	}

	typ, data, err := b.Object(ids[c4])
	if err != nil || typ != "blob" || string(data) != "a: 2\n" {
		t.Errorf("Object = %s %q %v", typ, data, err)
	}
	_, _, err = b.Object(strings.Repeat("a", 40))
	mustErrIs(t, err, ErrObjectNotFound)

	infos, err := b.Info([]string{c1, "nope", c1 + ":dir"})
	if err != nil || infos[0].Type != "commit" || infos[0].ID != c1 || infos[1].ID != "" || infos[2].Type != "tree" {
		t.Errorf("Info = %+v, %v", infos, err)
	}
	if _, _, err := b.Blob(c1, "a\nb"); err == nil {
		t.Error("a path with a newline was sent")
	}
}

// TestBatchManyTags checks that a round trip of thousands of requests does
// not deadlock on full pipes, with large answers interleaved.
func TestBatchManyTags(t *testing.T) { bothProtocols(t, testBatchManyTags, manyTagsFixture) }

func testBatchManyTags(t *testing.T, legacy bool) {
	_, r, _ := openCopy(t, manyTagsFixture, legacy)
	const n = manyTags
	b := openBatch(t, r)

	refs, err := r.ListTags(t.Context())
	if err != nil || len(refs) != n+1 {
		t.Fatalf("ListTags: %d refs, %v", len(refs), err)
	}
	ids := make([]string, len(refs))
	for i, ref := range refs {
		ids[i] = ref.Object
	}
	tags, err := b.Tags(ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, tag := range tags {
		if tag.Name != refs[i].Name {
			t.Fatalf("tag %d: name %q, ref %q", i, tag.Name, refs[i].Name)
		}
		if tag.Name != "big@v1" && tag.Message != "message "+tag.Name[strings.Index(tag.Name, "@v0.0.")+len("@v0.0."):] {
			t.Fatalf("tag %s: message %q", tag.Name, tag.Message)
		}
	}
}

func TestBatchConcurrentUse(t *testing.T) {
	bothProtocols(t, testBatchConcurrentUse, concurrentFixture)
}

// concurrentFixture has a commit with a file f and a tag m@v1 on it; its
// value is the commit and the tag object.
var concurrentFixture = gittest.NewFixture(func(_ testing.TB, g *gittest.Repo) [2]string {
	c := g.Commit("init", map[string]string{"f": "content"})
	g.Tag("m@v1", c, "msg")
	return [2]string{c, g.Git("rev-parse", "refs/tags/m@v1")}
})

func testBatchConcurrentUse(t *testing.T, legacy bool) {
	_, r, ids := openCopy(t, concurrentFixture, legacy)
	c, id := ids[0], ids[1]
	b := openBatch(t, r)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 20 {
				var err error
				if i%2 == 0 {
					_, err = b.Tags([]string{id, id})
				} else {
					_, err = b.FilesAt([]string{c}, []string{"f"})
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestBatchClose(t *testing.T) { bothProtocols(t, testBatchClose, initFixture) }

func testBatchClose(t *testing.T, legacy bool) {
	_, r, c := openCopy(t, initFixture, legacy)
	b, err := r.OpenBatch(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Info([]string{c}); err != nil { // starts the second process too
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := b.Commits([]string{c}); err == nil {
		t.Error("Commits after Close: no error")
	}
}

func TestBatchCancelled(t *testing.T) { bothProtocols(t, testBatchCancelled, initFixture) }

func testBatchCancelled(t *testing.T, legacy bool) {
	_, r, c := openCopy(t, initFixture, legacy)
	ctx, cancel := context.WithCancel(t.Context())
	b, err := r.OpenBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Commits([]string{c}); err != nil {
		t.Fatal(err)
	}
	cancel()
	_, err = b.Commits([]string{c})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("after cancel: %v, want context.Canceled", err)
	}
}

// A Batch starts one cat-file process, or with the protocol of git before
// 2.36 (Options.LegacyCatFile, with any git) a --batch and a --batch-check.
// LegacyCatFile leaves the program-wide memo of a git without
// --batch-command alone: other Repos keep the protocol of their git.
func TestBatchProcesses(t *testing.T) {
	t.Parallel()
	known := knownLegacyGit()
	for _, legacy := range []bool{false, true} {
		g, r := newTestRepo(t)
		c := g.Commit("init", map[string]string{"f": "x"})
		var log strings.Builder
		r.Verbose = &log
		r.LegacyCatFile = legacy
		b := openBatch(t, r)
		if _, err := b.FilesAt([]string{c}, []string{"f"}); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Commits([]string{c}); err != nil {
			t.Fatal(err)
		}
		want := []string{" cat-file --batch-command --buffer\n"}
		if legacy {
			want = []string{" cat-file --batch\n", " cat-file --batch-check\n"}
		}
		if n := strings.Count(log.String(), " cat-file "); n != len(want) {
			t.Errorf("legacy %v: %d cat-file processes started, want %d:\n%s", legacy, n, len(want), log.String())
		}
		for _, w := range want {
			if !strings.Contains(log.String(), w) {
				t.Errorf("legacy %v: no %q in the log:\n%s", legacy, strings.TrimSuffix(w, "\n"), log.String())
			}
		}
	}
	if knownLegacyGit() != known {
		t.Error("LegacyCatFile changed the memo of a git without --batch-command")
	}
}

func TestBatchProcessDied(t *testing.T) { bothProtocols(t, testBatchProcessDied, initFixture) }

func testBatchProcessDied(t *testing.T, legacy bool) {
	_, r, c := openCopy(t, initFixture, legacy)
	b, err := r.OpenBatch(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	b.contents.begin() // the process starts at the first request, in the background
	b.contents.await()
	b.contents.cmd.Process.Kill()
	_, err = b.Commits([]string{c})
	if err == nil || !strings.Contains(err.Error(), "cat-file") {
		t.Errorf("request to a dead process: %v", err)
	}
	if _, err2 := b.Commits([]string{c}); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("second request: %v, want the same failure", err2)
	}
	if err := b.Close(); err != nil {
		t.Errorf("Close after a failure: %v (the failure was already reported)", err)
	}
}
