package registry

import (
	"reflect"
	"testing"

	"github.com/gto-dev/gto/internal/store/memstore"
	"github.com/gto-dev/gto/model"
)

// The first commits of each set of artifacts are remembered for the branch
// tips: an unchanged repository answers from the memo, a new commit is
// walked again, and a memo it cannot read is no answer.
func TestFirstAnnotatedMemo(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	one := f.repo.Commit("one", map[string]string{"artifacts.yaml": "a: {type: model}\n"})
	same := f.repo.Commit("same", map[string]string{"artifacts.yaml": "a: {type: model}\n", "README": "x"})
	two := f.repo.Commit("two", map[string]string{"artifacts.yaml": "a: {type: model}\nb: {type: data}\n"})
	sc := scope{allCommits: true, artifactsOnly: true}
	type answer struct {
		memo, walked []model.AnnotatedCommit
		slot, key    string
	}
	read := func() (a answer) {
		t.Helper()
		err := f.reg.view(t.Context(), func(s *session) error {
			var err error
			if a.memo, err = annotatedCommits(t.Context(), s, "", sc); err != nil {
				return err
			}
			files, err := historyIndexFiles(t.Context(), s)
			if err != nil {
				return err
			}
			if a.walked, err = walkAnnotated(t.Context(), s, files, sc); err != nil {
				return err
			}
			tips, err := s.rd.Branches(t.Context())
			a.slot, a.key = firstAnnotatedSlot(files), tips[0]
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	setMemo := func(slot, value string) {
		t.Helper()
		if err := f.reg.view(t.Context(), func(s *session) error { s.rd.SetMemo(slot, value); return nil }); err != nil {
			t.Fatal(err)
		}
	}

	first := read()
	want := []model.AnnotatedCommit{{Commit: two, Names: []string{"a", "b"}}, {Commit: same, Names: []string{"a"}}} // newest first
	if !reflect.DeepEqual(first.memo, want) || !reflect.DeepEqual(first.walked, want) {
		t.Fatalf("first read %+v, walked %+v; want %+v", first.memo, first.walked, want)
	}
	// The memo answers, not a walk: a value written in it comes back.
	setMemo(first.slot, first.key+"\x00"+one+" only")
	if got := read().memo; len(got) != 1 || got[0].Names[0] != "only" {
		t.Errorf("an unchanged repository did not answer from the memo: %+v", got)
	}
	// A new commit moves the tip: walked again.
	three := f.repo.Commit("three", map[string]string{"artifacts.yaml": "c: {type: model}\n"})
	if a := read(); !reflect.DeepEqual(a.memo, a.walked) || len(a.memo) != 3 || a.memo[0].Commit != three {
		t.Errorf("after a commit: %+v, walked %+v", a.memo, a.walked)
	}
	for what, damaged := range map[string]string{
		"no names":      "\x00" + three,
		"empty entry":   "\x00",
		"no commit":     "\x00 a",
		"another key":   "x",
		"other key, ok": "0000\x00" + one + " only",
	} {
		a := read()
		setMemo(a.slot, a.key+damaged)
		if got := read(); !reflect.DeepEqual(got.memo, got.walked) {
			t.Errorf("%s: memo %+v, walked %+v", what, got.memo, got.walked)
		}
	}
}

func TestFirstAnnotatedEncoding(t *testing.T) {
	t.Parallel()
	commits := []model.AnnotatedCommit{{Commit: "c2", Names: []string{"a", "b/c:d"}}, {Commit: "c1", Names: []string{"a"}}}
	v, ok := encodeFirstAnnotated("t1 t2", commits)
	if got, ok2 := decodeFirstAnnotated(v, "t1 t2"); !ok || !ok2 || !reflect.DeepEqual(got, commits) {
		t.Errorf("round trip = %+v (%v %v)", got, ok, ok2)
	}
	if v, ok := encodeFirstAnnotated("t1", nil); !ok {
		t.Error("nothing annotated is not remembered")
	} else if got, ok := decodeFirstAnnotated(v, "t1"); !ok || got != nil {
		t.Errorf("nothing annotated decodes as %+v, %v", got, ok)
	}
	if _, ok := decodeFirstAnnotated(v, "t1 t3"); ok {
		t.Error("another key decoded")
	}
	for what, c := range map[string][]model.AnnotatedCommit{
		"a name with a newline": {{Commit: "c", Names: []string{"a\nb"}}},
		"no names":              {{Commit: "c"}},
		"a commit with a space": {{Commit: "c d", Names: []string{"a"}}},
	} {
		if _, ok := encodeFirstAnnotated("t", c); ok {
			t.Errorf("%s was encoded", what)
		}
	}
}
