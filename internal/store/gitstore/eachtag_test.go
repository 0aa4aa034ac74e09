package gitstore_test

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/store"
)

// EachTag hands over what Tags returns, in order, a tag of a tag (held
// for the peeling until the end) in its place; its callback's first error
// ends the read and is its error.
func TestEachTag(t *testing.T) {
	t.Parallel()
	h := newHarness(t).(*harness)
	c := h.Commit("one", map[string]string{"f": "1"})
	h.Tag("a@v1.0.0", c, "a")
	inner := h.Tag("b@v1.0.0", c, "b")
	h.local.Git("tag", "-a", "-m", "chain", "c#prod#1", inner)
	h.Tag("d@v1.0.0", c, "d")
	s := h.Open()
	err := s.View(t.Context(), func(rd store.Reader) error {
		all, err := rd.Tags(t.Context(), nil, nil)
		if err != nil {
			return err
		}
		ts := rd.(store.TagStreamer)
		var names []string
		grown := -1
		err = ts.EachTag(t.Context(), nil, nil, func(n int) { grown = n }, func(tag *store.Tag) error {
			if i := len(names); i >= len(all) || *tag != all[i] {
				t.Errorf("tag %d = %+v", i, *tag)
			}
			names = append(names, tag.Name)
			return nil
		})
		if err != nil || len(names) != 4 || grown < 0 {
			t.Errorf("EachTag: %v, %q, grow(%d)", err, names, grown)
		}
		if all[2].Name != "c#prod#1" || all[2].Commit != c {
			t.Errorf("the tag of a tag = %+v, want commit %s", all[2], c)
		}
		stop := errors.New("enough")
		calls := 0
		err = ts.EachTag(t.Context(), nil, nil, nil, func(*store.Tag) error {
			calls++
			return stop
		})
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("EachTag stopped: %v after %d calls", err, calls)
		}
		names = names[:0]
		err = ts.EachTag(t.Context(), []string{"c#"}, func(n string) bool { return n != "a@v1.0.0" }, nil, func(tag *store.Tag) error {
			names = append(names, tag.Name)
			return nil
		})
		if err != nil || !slices.Equal(names, []string{"c#prod#1"}) {
			t.Errorf("EachTag of a prefix: %v, %q", err, names)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// EachCommit hands over what Commits returns; a missing commit is left out,
// and its callback's first error is its error.
func TestEachCommit(t *testing.T) {
	t.Parallel()
	h := newHarness(t).(*harness)
	one := h.Commit("one", map[string]string{"f": "1"})
	two := h.Commit("two", map[string]string{"f": "2"})
	missing := strings.Repeat("0", len(one))
	err := h.Open().View(t.Context(), func(rd store.Reader) error {
		all, err := rd.Commits(t.Context(), []string{one, two, missing})
		if err != nil || len(all) != 2 || all[two].Message != "two\n" {
			t.Errorf("Commits = %+v, %v", all, err)
		}
		got := map[string]store.Commit{}
		err = rd.(store.CommitStreamer).EachCommit(t.Context(), []string{one, two, missing}, func(c *store.Commit) error {
			got[c.ID] = *c
			return nil
		})
		if err != nil || !maps.Equal(got, all) {
			t.Errorf("EachCommit = %+v, %v", got, err)
		}
		stop := errors.New("enough")
		err = rd.(store.CommitStreamer).EachCommit(t.Context(), []string{one, two}, func(*store.Commit) error { return stop })
		if !errors.Is(err, stop) {
			t.Errorf("EachCommit stopped: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
