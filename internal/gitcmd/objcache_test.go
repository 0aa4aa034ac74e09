package gitcmd

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// readAll reads every tag and the commit through a fresh Batch, and closes
// it (which appends to the object cache).
func readAll(t *testing.T, r *Repo, commit string) ([]TagRecord, map[string]Commit) {
	t.Helper()
	return readAllTuned(t, r, commit, nil)
}

// readAllTuned is readAll with tune, when not nil, applied to the Batch's
// cache before the reads (to lower its thresholds for this test only).
func readAllTuned(t *testing.T, r *Repo, commit string, tune func(*objectCache)) ([]TagRecord, map[string]Commit) {
	t.Helper()
	b, err := r.OpenBatch(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if tune != nil {
		tune(b.cache)
	}
	recs, err := b.ReadTags(t.Context(), func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	commits, err := b.Commits([]string{commit, "HEAD"}) // "HEAD" is not an id: never cached
	if err != nil {
		t.Fatal(err)
	}
	return recs, commits
}

func stripCached(recs []TagRecord) []TagRecord {
	out := make([]TagRecord, len(recs))
	for i, r := range recs {
		r.cached = false
		out[i] = r
	}
	return out
}

func TestObjectCache(t *testing.T) {
	t.Parallel()
	_, r, commit := oddRegistry(t)
	// Two commits are read: cache them as a large read would.
	readAll := func(t *testing.T, r *Repo, commit string) ([]TagRecord, map[string]Commit) {
		t.Helper()
		return readAllTuned(t, r, commit, func(c *objectCache) { c.minObjects = 1 })
	}
	path := filepath.Join(r.GitDir(), cacheFileName)

	first, firstCommits := readAll(t, r, commit)
	data, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(data), cacheMagic) {
		t.Fatalf("no cache written: %v", err)
	}
	second, secondCommits := readAll(t, r, commit)
	again, _ := os.ReadFile(path)
	if len(again) != len(data) {
		t.Errorf("a run that read nothing new appended %d bytes", len(again)-len(data))
	}

	for _, rec := range second {
		if !rec.cached {
			t.Errorf("%s was read again instead of coming from the cache", rec.Name)
		}
	}
	if !reflect.DeepEqual(stripCached(first), stripCached(second)) {
		t.Errorf("cached records differ:\n%+v\n%+v", first, second)
	}
	if !reflect.DeepEqual(firstCommits, secondCommits) || firstCommits[commit].Hash != commit {
		t.Errorf("cached commits differ:\n%+v\n%+v", firstCommits, secondCommits)
	}
	b, _ := r.OpenBatch(t.Context())
	if !b.cache.commitInto(commit, new(Commit)) {
		t.Error("the commit is not in the cache")
	}
	b.Close()
	// A truncated last record (a crash while appending) is ignored.
	data, _ = os.ReadFile(path)
	if err := os.WriteFile(path, data[:len(data)-3], 0o644); err != nil {
		t.Fatal(err)
	}
	third, _ := readAll(t, r, commit)
	if !reflect.DeepEqual(stripCached(first), stripCached(third)) {
		t.Error("records differ after a truncated cache")
	}
	// What that run read again was not appended after the incomplete
	// record (which would swallow it): the next run finds everything.
	b, _ = r.OpenBatch(t.Context())
	if c := new(Commit); !b.cache.commitInto(commit, c) || !reflect.DeepEqual(*c, firstCommits[commit]) {
		t.Errorf("the commit read again after the truncated record is not in the cache: %+v", c)
	}
	b.Close()

	// Garbage is removed and the cache rebuilt.
	if err := os.WriteFile(path, []byte("not a cache at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifth, _ := readAll(t, r, commit)
	if !reflect.DeepEqual(stripCached(first), stripCached(fifth)) {
		t.Error("records differ after a garbage cache")
	}
	if data, _ := os.ReadFile(path); !strings.HasPrefix(string(data), cacheMagic) {
		t.Error("the garbage cache was not replaced")
	}
}

func TestObjectCacheCorruptRecord(t *testing.T) {
	t.Parallel()
	_, r, commit := oddRegistry(t)
	path := filepath.Join(r.GitDir(), cacheFileName)
	first, _ := readAll(t, r, commit)
	data, _ := os.ReadFile(path)
	// An unknown record kind in the middle: the whole cache is dropped.
	bad := append([]byte(cacheMagic), 'z', 3, 'a', 'b', 'c')
	bad = append(bad, data[len(cacheMagic):]...)
	os.WriteFile(path, bad, 0o644)
	second, _ := readAll(t, r, commit)
	if !reflect.DeepEqual(stripCached(first), stripCached(second)) {
		t.Error("records differ after a corrupted cache")
	}
}

func TestObjectCacheDisabled(t *testing.T) {
	t.Parallel()
	_, r, commit := oddRegistry(t)
	r.NoObjectCache = true
	readAll(t, r, commit)
	if _, err := os.Stat(filepath.Join(r.GitDir(), cacheFileName)); !os.IsNotExist(err) {
		t.Errorf("cache written although disabled: %v", err)
	}
}

// TestMapFile: a mapped file has the file's bytes; an empty or missing file
// is not mapped (the cache then reads it, and finds nothing), nor a folder.
func TestMapFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, cacheFileName)
	content := cacheMagic + "t\x00"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, ok := mapFile(path); ok {
		dropPages(data)
		if string(data) != content {
			t.Errorf("mapped %q, want %q (after its pages were dropped)", data, content)
		}
	}
	if data, _, err := readCacheFile(path); err != nil || string(data) != content {
		t.Errorf("readCacheFile = %q, %v", data, err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{empty, filepath.Join(dir, "missing"), dir} {
		if _, ok := mapFile(p); ok {
			t.Errorf("%s was mapped", p)
		}
	}
}

// TestDropMappedPages: what was read from a mapped cache reads the same
// after its pages were dropped, once or every period.
func TestDropMappedPages(t *testing.T) {
	t.Parallel()
	_, r, commit := oddRegistry(t)
	tune := func(c *objectCache) { c.minObjects = 1 }
	first, firstCommits := readAllTuned(t, r, commit, tune) // writes the cache
	b, err := r.OpenBatch(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	tune(b.cache)
	recs, err := b.ReadTags(t.Context(), func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	commits, err := b.Commits([]string{commit})
	if err != nil {
		t.Fatal(err)
	}
	if b.cache.mapping == nil || !recs[0].cached {
		t.Fatal("the tags did not come from a mapped cache")
	}
	dump := func(recs []TagRecord, c Commit) string {
		var out strings.Builder
		for _, r := range recs {
			fmt.Fprintf(&out, "%s %s %s", r.Name, r.Object, r.Type)
			if r.Tag != nil {
				fmt.Fprintf(&out, " %+v", *r.Tag)
			}
			out.WriteByte('\n')
		}
		fmt.Fprintf(&out, "%+v", c)
		return out.String()
	}
	text := func() string { return dump(recs, commits[commit]) }
	want := dump(first, firstCommits[commit])
	if got := text(); got != want {
		t.Fatalf("read from the cache:\n%s\nwant\n%s", got, want)
	}
	b.DropMappedPages()
	if got := text(); got != want {
		t.Errorf("after DropMappedPages:\n%s\nwant\n%s", got, want)
	}
	b.DropMappedPages() // a second time: the pages of the first drop came back
	if got := text(); got != want {
		t.Errorf("after a second DropMappedPages:\n%s\nwant\n%s", got, want)
	}
}
