package gitcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestReadTags(t *testing.T) { bothProtocols(t, testReadTags, oddFixture) }

func testReadTags(t *testing.T, legacy bool) {
	g, r, commit := oddRegistry(t)
	r.LegacyCatFile = legacy
	b := openBatch(t, r)
	skipLight := func(name string) bool { return name != "light" }
	recs, err := b.ReadTags(t.Context(), skipLight)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	byName := map[string]TagRecord{}
	for _, rec := range recs {
		names = append(names, rec.Name)
		byName[rec.Name] = rec
	}
	want := []string{"a#b!#3", "dir/sub=m@v1.0.0", "on-blob", "on-tree", "tag-of-tag", "x#prod#1", "x@v1.0.0+build.1", "x@v1.0.1", "модель@v1.0.0"}
	if !slices.Equal(names, want) {
		t.Fatalf("names = %q, want %q (in ref order, without the skipped one)", names, want)
	}
	x := byName["x#prod#1"]
	if x.Type != "tag" || x.Tag == nil || x.Tag.Object != commit || x.Tag.Message != "msg x#prod#1" {
		t.Errorf("x#prod#1 = %+v (tag %+v)", x, x.Tag)
	}
	if tt := byName["tag-of-tag"].Tag; tt == nil || tt.ObjectType != "tag" || tt.Object != g.Git("rev-parse", "refs/tags/x@v1.0.1") {
		t.Errorf("tag-of-tag = %+v", tt)
	}
	if tr := byName["on-tree"].Tag; tr == nil || tr.ObjectType != "tree" {
		t.Errorf("on-tree = %+v", tr)
	}

	// patterns restrict the listing; "*" does not cross "/"
	recs, err = b.ReadTags(t.Context(), func(string) bool { return true }, "x@*", "x#*", "x#*/**")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("pattern read %d tags, want 3: %+v", len(recs), recs)
	}

	// the lightweight tag, when kept, is read as its commit
	recs, err = b.ReadTags(t.Context(), func(n string) bool { return n == "light" })
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Type != "commit" || recs[0].Tag != nil || recs[0].Object != commit {
		t.Fatalf("light = %+v", recs)
	}

	// the batch keeps working for other requests afterwards
	if _, err := b.Commits([]string{commit}); err != nil {
		t.Fatal(err)
	}
}

func TestReadTagsMany(t *testing.T) { bothProtocols(t, testReadTagsMany, manyRefsFixture) }

// testReadTagsMany reads more tags than the pipe and the reader buffer hold.
func testReadTagsMany(t *testing.T, legacy bool) {
	_, r, commit := openCopy(t, manyRefsFixture, legacy)
	b := openBatch(t, r)
	recs, err := b.ReadTags(t.Context(), func(n string) bool { return strings.HasPrefix(n, "many-") })
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3000 || recs[2999].Name != "many-2999" || recs[2999].Tag.Object != commit {
		t.Fatalf("read %d records", len(recs))
	}
}

func TestBatchResolveCommit(t *testing.T) {
	t.Parallel()
	g, r, commit := oddRegistry(t)
	second := g.Commit("second", nil)
	b := openBatch(t, r)
	for rev, want := range map[string]string{"HEAD": second, "HEAD~1": commit, "x@v1.0.1": commit, second[:8]: second} {
		got, err := b.ResolveCommit(rev)
		if err != nil || got != want {
			t.Errorf("ResolveCommit(%q) = %q, %v; want %q", rev, got, err, want)
		}
	}
	if _, err := b.ResolveCommit("nope"); !errors.Is(err, ErrRefNotFound) {
		t.Errorf("missing ref: %v", err)
	}

	_, empty := newTestRepo(t)
	if _, err := openBatch(t, empty).ResolveCommit("HEAD"); !errors.Is(err, ErrNoCommits) {
		t.Errorf("HEAD without commits: %v", err)
	}
}

// A read tried again (an older git) hands over only what the first attempt
// did not: by name for for-each-ref's listing, by count for refs given.
func TestDeliveryRetry(t *testing.T) {
	t.Parallel()
	for _, byName := range []bool{true, false} {
		var got []string
		d := &delivery{byName: byName, each: func(rec *TagRecord) error {
			got = append(got, rec.Name)
			return nil
		}}
		d.deliver(&TagRecord{Name: "a"})
		d.deliver(&TagRecord{Name: "b"})
		d.retry()
		for _, name := range []string{"a", "b", "c"} {
			d.deliver(&TagRecord{Name: name})
		}
		if want := []string{"a", "b", "c"}; !slices.Equal(got, want) {
			t.Errorf("byName %v: delivered %q, want %q", byName, got, want)
		}
	}
	stop := errors.New("stop")
	calls := 0
	d := &delivery{each: func(*TagRecord) error { calls++; return stop }}
	d.deliver(&TagRecord{Name: "a"})
	d.deliver(&TagRecord{Name: "b"})
	if calls != 1 || d.err != stop {
		t.Errorf("after an error: %d calls, %v", calls, d.err)
	}
}

// More tags than the chunks of a read hold at once (tagChunks×tagChunk):
// the writer waits for the reader, with requests still unanswered, and
// must not deadlock; read again, every tag comes from the cache (a
// writer far ahead of the reader).
func TestReadTagsManyChunks(t *testing.T) { bothProtocols(t, testReadTagsManyChunks, oddFixture) }

func testReadTagsManyChunks(t *testing.T, legacy bool) {
	g, r, commit := oddRegistry(t)
	r.LegacyCatFile = legacy
	obj := g.Git("rev-parse", "refs/tags/x@v1.0.1")
	var in strings.Builder
	n := tagChunks*tagChunk + 100
	for i := range n {
		fmt.Fprintf(&in, "create refs/tags/many-%05d %s\n", i, obj)
		if i%7 == 0 {
			fmt.Fprintf(&in, "create refs/tags/light-%05d %s\n", i, commit)
		}
	}
	g.GitInput(in.String(), "update-ref", "--stdin")
	for round := range 2 {
		b := openBatch(t, r)
		b.cache.minObjects = 1
		recs, err := b.ReadTags(t.Context(), func(name string) bool { return strings.HasPrefix(name, "many-") || strings.HasPrefix(name, "light-") })
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != n+(n+6)/7 {
			t.Fatalf("round %d: %d records, want %d", round, len(recs), n+(n+6)/7)
		}
		for _, rec := range recs {
			if light := strings.HasPrefix(rec.Name, "light-"); (light && rec.Type != "commit") || (!light && (rec.Tag == nil || rec.Tag.ID != obj)) {
				t.Fatalf("round %d: %+v", round, rec)
			}
		}
		b.Close()
	}
}

// A warm read of a few tags is delivered from the cache alone; one the
// cache lacks (a tag made since) sends the whole read to cat-file, and
// both give what a read without the cache gives.
func TestEachTagPrefixFromTheCache(t *testing.T) {
	t.Parallel()
	g, r, _ := oddRegistry(t)
	read := func(r *Repo, prefixes ...string) []TagRecord {
		t.Helper()
		b, err := r.OpenBatch(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if b.cache != nil {
			b.cache.minObjects = 1 // cache this small read as a large one
		}
		recs, err := b.ReadTagPrefixes(t.Context(), func(string) bool { return true }, prefixes...)
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	cold := func() []TagRecord {
		t.Helper()
		c := *r
		c.NoObjectCache = true
		return read(&c)
	}
	read(r) // fills the cache
	warm := read(r)
	for _, rec := range warm {
		if !rec.cached && !rec.Missing && !rec.Malformed {
			t.Errorf("%s was not read from the cache", rec.Name)
		}
	}
	if want := cold(); !reflect.DeepEqual(stripCached(warm), stripCached(want)) {
		t.Errorf("warm read:\n%+v\nwant\n%+v", warm, want)
	}
	g.Git("tag", "-a", "-m", "new", "zz-new@v1.0.0")
	if got, want := read(r), cold(); !reflect.DeepEqual(stripCached(got), stripCached(want)) || len(want) != len(warm)+1 {
		t.Errorf("read with a tag the cache lacks:\n%+v\nwant\n%+v", got, want)
	}
}

// A warm read on a closed batch fails as a cold one does, and a cancelled
// context is the error of a warm read.
func TestEachTagPrefixFromTheCacheErrors(t *testing.T) {
	t.Parallel()
	_, r, _ := oddRegistry(t)
	all := func(string) bool { return true }
	b, err := r.OpenBatch(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	b.cache.minObjects = 1
	if _, err := b.ReadTagPrefixes(t.Context(), all); err != nil { // fills the cache
		t.Fatal(err)
	}
	b.Close()
	b, err = r.OpenBatch(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := b.ReadTagPrefixes(ctx, all); !errors.Is(err, context.Canceled) {
		t.Errorf("warm read with a cancelled context: %v", err)
	}
	b.Close()
	if _, err := b.ReadTagPrefixes(t.Context(), all); !errors.Is(err, errCatFileClosed) {
		t.Errorf("warm read on a closed batch: %v", err)
	}
}

// grow hears how many tags a read of every tag brings before the first
// one: counted from the ref files, or TagCountHint's when for-each-ref
// lists them; a read of some prefixes does not call it.
func TestEachTagPrefixGrow(t *testing.T) {
	t.Parallel()
	_, r, _ := oddRegistry(t)
	read := func(r *Repo, prefixes ...string) (grown, records int) {
		t.Helper()
		b, err := r.OpenBatch(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		grown = -1
		err = b.EachTagPrefix(t.Context(), func(string) bool { return true }, func(n int) {
			if records > 0 {
				t.Error("grow called after the first record")
			}
			grown = n
		}, func(*TagRecord) error { records++; return nil }, prefixes...)
		if err != nil {
			t.Fatal(err)
		}
		return grown, records
	}
	if grown, records := read(r); grown != records {
		t.Errorf("from the ref files: grow(%d) for %d records", grown, records)
	}
	listed := *r
	listed.Verbose = io.Discard // refs from for-each-ref, as a verbose run reads them
	b, _ := listed.OpenBatch(t.Context())
	hint := b.TagCountHint()
	b.Close()
	if grown, _ := read(&listed); grown != hint {
		t.Errorf("from for-each-ref: grow(%d), want TagCountHint's %d", grown, hint)
	}
	if grown, _ := read(r, "a"); grown != -1 {
		t.Errorf("a read of a prefix called grow(%d)", grown)
	}
}
