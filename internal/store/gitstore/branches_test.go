package gitstore_test

import (
	"slices"
	"testing"

	"github.com/gto-dev/gto/internal/store"
)

// A View reads the branch tips once: a branch moved during it is seen by
// the next View, and by a writer, whose tips are never kept (a write may
// commit). Callers get their own copy.
func TestBranchesOncePerView(t *testing.T) {
	t.Parallel()
	h := newHarness(t).(*harness)
	first := h.Commit("one", map[string]string{"f": "1"})
	s := h.Open()
	var second string
	err := s.View(t.Context(), func(rd store.Reader) error {
		tips, err := rd.Branches(t.Context())
		if err != nil || !slices.Equal(tips, []string{first}) {
			t.Fatalf("Branches = %v, %v; want %v", tips, err, first)
		}
		tips[0] = "changed by the caller"
		second = h.Commit("two", map[string]string{"f": "2"})
		if again, err := rd.Branches(t.Context()); err != nil || !slices.Equal(again, []string{first}) {
			t.Errorf("Branches again in the View = %v, %v; want the tips it read first, %v", again, err, first)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(t.Context(), func(rd store.Reader) error {
		if tips, err := rd.Branches(t.Context()); err != nil || !slices.Equal(tips, []string{second}) {
			t.Errorf("Branches in the next View = %v, %v; want %v", tips, err, second)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(t.Context(), func(w store.Writer) error {
		if _, err := w.Branches(t.Context()); err != nil {
			return err
		}
		third := h.Commit("three", map[string]string{"f": "3"})
		if tips, err := w.Branches(t.Context()); err != nil || !slices.Equal(tips, []string{third}) {
			t.Errorf("a writer's Branches after a commit = %v, %v; want %v", tips, err, third)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
