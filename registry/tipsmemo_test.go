package registry

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/gto-dev/gto/internal/store"
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
	setMemo(first.slot, first.key+"\n"+one+" only")
	if got := read().memo; len(got) != 1 || got[0].Names[0] != "only" {
		t.Errorf("an unchanged repository did not answer from the memo: %+v", got)
	}
	// A new commit moves the tip: walked again.
	three := f.repo.Commit("three", map[string]string{"artifacts.yaml": "c: {type: model}\n"})
	if a := read(); !reflect.DeepEqual(a.memo, a.walked) || len(a.memo) != 3 || a.memo[0].Commit != three {
		t.Errorf("after a commit: %+v, walked %+v", a.memo, a.walked)
	}
	for what, damaged := range map[string]string{
		"no names":      "\n" + three,
		"empty entry":   "\n\x00",
		"no commit":     "\n a",
		"another key":   "x",
		"other key, ok": "0000\n" + one + " only",
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
	v, ok := encodeFirstAnnotated(commits)
	if got, ok2 := decodeFirstAnnotated(v); !ok || !ok2 || !reflect.DeepEqual(got, commits) {
		t.Errorf("round trip = %+v (%v %v)", got, ok, ok2)
	}
	if v, ok := encodeFirstAnnotated(nil); !ok {
		t.Error("nothing annotated is not remembered")
	} else if got, ok := decodeFirstAnnotated(v); !ok || got != nil {
		t.Errorf("nothing annotated decodes as %+v, %v", got, ok)
	}
	for what, c := range map[string][]model.AnnotatedCommit{
		"a name with a newline": {{Commit: "c", Names: []string{"a\nb"}}},
		"no names":              {{Commit: "c"}},
		"a commit with a space": {{Commit: "c d", Names: []string{"a"}}},
	} {
		if _, ok := encodeFirstAnnotated(c); ok {
			t.Errorf("%s was encoded", what)
		}
	}
}

// noBranches is a reader whose branch tips cannot be read.
type noBranches struct{ store.Reader }

var errNoBranches = errors.New("branches unreadable")

func (noBranches) Branches(context.Context) ([]string, error) { return nil, errNoBranches }

// atTips fails with the tips it cannot read or the answer it cannot
// compute, and remembers nothing then.
func TestAtTipsErrors(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	f.repo.Commit("one", map[string]string{"artifacts.yaml": "a: {type: model}\n"})
	errCompute := errors.New("cannot compute")
	err := f.reg.view(t.Context(), func(s *session) error {
		calls := 0
		compute := func() (string, error) { calls++; return "answer", nil }
		encode := func(v string) (string, bool) { return v, true }
		decode := func(v string) (string, bool) { return v, true }
		if _, err := atTips(t.Context(), noBranches{s.rd}, "slot", compute, encode, decode); !errors.Is(err, errNoBranches) || calls != 0 {
			t.Errorf("unreadable tips: %v after %d computations", err, calls)
		}
		failing := func() (string, error) { return "", errCompute }
		if _, err := atTips(t.Context(), s.rd, "slot", failing, encode, decode); !errors.Is(err, errCompute) {
			t.Errorf("failed computation: %v", err)
		}
		if _, ok := s.rd.Memo("slot"); ok {
			t.Error("a failed computation was remembered")
		}
		if got, err := atTips(t.Context(), s.rd, "slot", compute, encode, decode); err != nil || got != "answer" || calls != 1 {
			t.Errorf("computed %q, %v after %d computations", got, err, calls)
		}
		if got, err := atTips(t.Context(), s.rd, "slot", compute, encode, decode); err != nil || got != "answer" || calls != 1 {
			t.Errorf("remembered %q, %v after %d computations, want 1", got, err, calls)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
