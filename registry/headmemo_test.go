package registry

import (
	"errors"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/store/memstore"
	"github.com/gto-dev/gto/model"
)

// The annotations at HEAD are remembered per file content: a command
// after another reads the same annotation from the memo, and a malformed
// file at HEAD fails however good the remembered one was.
func TestHeadIndexMemo(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	good := "m:\n  type: model\n  labels: [a]\n  description: first\n"
	describe := func() (*Described, error) {
		return f.reg.Describe(t.Context(), DescribeOptions{Name: "m"})
	}
	f.repo.Commit("annotate", map[string]string{"artifacts.yaml": good})
	first, err := describe()
	if err != nil || first.Annotation == nil {
		t.Fatalf("first describe = %+v, %v", first, err)
	}
	again, err := describe()
	if err != nil || again.Annotation == nil || again.Annotation.Description != "first" || len(again.Annotation.Labels) != 1 {
		t.Fatalf("describe from the memo = %+v, %v", again, err)
	}
	f.repo.Commit("break", map[string]string{"artifacts.yaml": "m: [\n"})
	if _, err := describe(); !errors.Is(err, model.ErrInvalid) {
		t.Fatalf("describe of a malformed file = %v", err)
	}
	f.repo.Commit("restore", map[string]string{"artifacts.yaml": good})
	if back, err := describe(); err != nil || back.Annotation == nil || back.Annotation.Description != "first" {
		t.Fatalf("describe of the restored file = %+v, %v", back, err)
	}
}

// An index read for one artifact (from HEAD's memo, that artifact alone)
// answers only for it: the same session asked about every artifact, or
// another, reads them all.
func TestHeadIndexMemoOfOne(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	head := f.repo.Commit("annotate", map[string]string{"artifacts.yaml": "m: {type: model}\nn: {type: data}\n"})
	for round := range 2 { // the first parses and remembers, the second decodes the memo
		err := f.reg.view(t.Context(), func(s *session) error {
			for i, only := range []string{"m", "", "n", "m"} {
				ix, err := readIndexes(t.Context(), s, []string{head}, true, only)
				if err != nil {
					return err
				}
				got := strings.Join(ix[head].Names(), " ")
				switch {
				case round == 1 && i == 0 && got != "m":
					t.Errorf("from the memo, only m: names %q, want m alone", got)
				case only == "" && got != "m n", only != "" && !strings.Contains(got, only):
					t.Errorf("round %d, only %q: names %q", round, only, got)
				}
				if a, ok := ix[head].Get(only); only != "" && (!ok || a.Type == "") {
					t.Errorf("only %q: %+v, %v", only, a, ok)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
