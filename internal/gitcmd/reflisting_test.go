package gitcmd

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// memoMap is a memos kept in a map, counting the stores.
type memoMap struct {
	slots  map[string][2]string
	stores int
}

func (m *memoMap) memo(slot string) (string, string, bool) {
	kv, ok := m.slots[slot]
	return kv[0], kv[1], ok
}

func (m *memoMap) setMemo(slot, key, value string) {
	if m.slots == nil {
		m.slots = map[string][2]string{}
	}
	m.slots[slot] = [2]string{key, value}
	m.stores++
}

// settle sets path's times an hour back, as a folder untouched since.
func settle(t *testing.T, path string) {
	t.Helper()
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, past, past); err != nil {
		t.Fatal(err)
	}
}

func touchFile(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Repeat("1", 40)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// tagsFolder returns a git directory whose refs/tags folder holds a loose
// ref file of each name.
func tagsFolder(t *testing.T, names ...string) (gitDir, tags string) {
	t.Helper()
	gitDir = t.TempDir()
	tags = filepath.Join(gitDir, "refs", "tags")
	if err := os.MkdirAll(tags, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		touchFile(t, filepath.Join(tags, name))
	}
	return gitDir, tags
}

func sortedNames(t *testing.T, gitDir, dir string, m memos) []string {
	t.Helper()
	names, exists, err := listRefFolder(gitDir, dir, m, time.Now())
	if err != nil || !exists {
		t.Fatalf("listRefFolder(%s): %v, %v, %v", dir, names, exists, err)
	}
	slices.Sort(names)
	return names
}

// TestRefListingRemembered: a settled folder's listing is remembered and
// answered from the memo while the folder stays as it was; a name added
// or removed changes the folder's stamp and it is listed again.
func TestRefListingRemembered(t *testing.T) {
	t.Parallel()
	gitDir, tags := tagsFolder(t, "a@v1", "b@v1")
	settle(t, tags)
	m := &memoMap{}
	if got := sortedNames(t, gitDir, "refs/tags/", m); !slices.Equal(got, []string{"a@v1", "b@v1"}) || m.stores != 1 {
		t.Fatalf("first listing = %q with %d stores; want [a@v1 b@v1], remembered once", got, m.stores)
	}
	// the memo answers: a value forged under the same key is what comes back
	kv := m.slots[refListingSlot]
	m.slots[refListingSlot] = [2]string{kv[0], "forged"}
	if got := sortedNames(t, gitDir, "refs/tags/", m); !slices.Equal(got, []string{"forged"}) || m.stores != 1 {
		t.Fatalf("second listing = %q with %d stores; want the memo's [forged], no store", got, m.stores)
	}
	touchFile(t, filepath.Join(tags, "c@v1"))
	settle(t, tags) // settled again, at another time: the stamp differs
	if got := sortedNames(t, gitDir, "refs/tags/", m); !slices.Equal(got, []string{"a@v1", "b@v1", "c@v1"}) {
		t.Errorf("after a name was added: %q; want it listed again", got)
	}
	if err := os.Remove(filepath.Join(tags, "a@v1")); err != nil {
		t.Fatal(err)
	}
	if got := sortedNames(t, gitDir, "refs/tags/", m); !slices.Equal(got, []string{"b@v1", "c@v1"}) {
		t.Errorf("after a name was removed: %q; want it listed again", got)
	}
	if got := sortedNames(t, gitDir, "refs/tags/", m); !slices.Equal(got, []string{"b@v1", "c@v1"}) {
		t.Errorf("listed again: %q", got)
	}
	// another folder's listing is not this one's
	if err := os.MkdirAll(filepath.Join(tags, "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := sortedNames(t, gitDir, "refs/tags/dir/", m); len(got) != 0 {
		t.Errorf("refs/tags/dir/ = %q; want it empty", got)
	}
}

// TestRefListingTooRecent: a folder changed within Settle of the listing
// is not remembered, so that a name added in the same clock tick cannot
// hide behind an unchanged modification time.
func TestRefListingTooRecent(t *testing.T) {
	t.Parallel()
	gitDir, tags := tagsFolder(t, "a@v1")
	m := &memoMap{}
	sortedNames(t, gitDir, "refs/tags/", m)
	if m.stores != 0 {
		t.Errorf("a folder changed just now was remembered (%d stores)", m.stores)
	}
	st, err := os.Stat(tags)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := listRefFolder(gitDir, "refs/tags/", m, st.ModTime().Add(Settle)); err != nil || m.stores != 1 {
		t.Errorf("a folder settled for Settle: %v, %d stores; want it remembered", err, m.stores)
	}
}

// TestRefListingNotRemembered: a missing folder is no listing and no
// memo; a listing larger than maxRefListingBytes is not remembered; an
// unreadable folder is an error.
func TestRefListingNotRemembered(t *testing.T) {
	t.Parallel()
	gitDir := t.TempDir()
	m := &memoMap{}
	if names, exists, err := listRefFolder(gitDir, "refs/tags/", m, time.Now()); exists || err != nil || names != nil || m.stores != 0 {
		t.Errorf("missing folder: %q, %v, %v, %d stores; want nothing", names, exists, err, m.stores)
	}
	tags := filepath.Join(gitDir, "refs", "tags")
	if err := os.MkdirAll(tags, 0o755); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 200)
	for i := range maxRefListingBytes/200 + 1 {
		touchFile(t, filepath.Join(tags, long+strings.Repeat("y", i%50)+string(rune('a'+i/50))))
	}
	settle(t, tags)
	if names := sortedNames(t, gitDir, "refs/tags/", m); len(names) != maxRefListingBytes/200+1 || m.stores != 0 {
		t.Errorf("large folder: %d names, %d stores; want all listed, none remembered", len(names), m.stores)
	}
	file := filepath.Join(gitDir, "refs", "heads")
	touchFile(t, file)
	if _, _, err := listRefFolder(gitDir, "refs/heads/", m, time.Now()); err == nil {
		t.Error("a file where the folder should be: no error")
	}
}

// TestTagsSeenThroughRememberedListing: one artifact's loose tags read
// through a batch (whose object cache keeps the listing) are those git
// lists, before and after a tag is added and one deleted in a folder
// whose listing was remembered.
func TestTagsSeenThroughRememberedListing(t *testing.T) {
	t.Parallel()
	g, r, commit := committedRepo(t)
	g.Tag("a@v0.0.1", commit, "one")
	g.Tag("a#prod#1", commit, "prod")
	tags := filepath.Join(r.GitDir(), "refs", "tags")
	read := func(want ...string) {
		t.Helper()
		b, err := r.OpenBatch(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		recs, err := b.ReadTagPrefixes(t.Context(), func(string) bool { return true }, "a@", "a#")
		if cerr := b.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, rec := range recs {
			got = append(got, rec.Name)
		}
		gitNames := []string{}
		for _, ref := range forEachRef(t, g, "refs/tags/a@*", "refs/tags/a#*") {
			gitNames = append(gitNames, strings.TrimPrefix(ref.name, "refs/tags/"))
		}
		if !slices.Equal(got, want) || !slices.Equal(got, gitNames) {
			t.Errorf("read %q; want %q, as git lists %q", got, want, gitNames)
		}
	}
	settle(t, tags)
	read("a#prod#1", "a@v0.0.1")
	if k, v, ok := newObjectCache(r.GitDir()).memo(refListingSlot); !ok || !strings.HasPrefix(k, "refs/tags/\x00") || v == "" {
		t.Fatalf("the batch remembered no listing of refs/tags/: %q, %q, %v", k, v, ok)
	}
	read("a#prod#1", "a@v0.0.1") // from the remembered listing
	g.Tag("a@v0.0.2", commit, "two")
	read("a#prod#1", "a@v0.0.1", "a@v0.0.2")
	settle(t, tags)
	read("a#prod#1", "a@v0.0.1", "a@v0.0.2")
	g.Git("tag", "-d", "a#prod#1")
	read("a@v0.0.1", "a@v0.0.2")
}
