package registry

import (
	"errors"
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
