package gitcmd

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestFilesNamed(t *testing.T) {
	t.Parallel()
	g, r := newTestRepo(t)
	c1 := g.Commit("one", map[string]string{
		"dvc.yaml": "a", "p/q/dvc.yaml": "b", "p/notdvc.yaml": "c", "x/dvc.yaml/inner": "d",
	})
	// A symlink named dvc.yaml is not a dvc.yaml.
	if err := os.Symlink("../dvc.yaml", filepath.Join(g.Dir, "p", "dvc.yaml")); err != nil {
		t.Fatal(err)
	}
	g.Git("add", "p/dvc.yaml")
	g.Commit("link", nil)
	g.Git("rm", "-q", "p/q/dvc.yaml")
	g.Commit("drop", map[string]string{"r/dvc.yaml": "e"})

	files, err := r.FilesNamed(t.Context(), c1, "dvc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		if len(f.Blob) != 40 {
			t.Errorf("%s: blob %q", f.Path, f.Blob)
		}
		got = append(got, f.Path)
	}
	if want := []string{"dvc.yaml", "p/q/dvc.yaml"}; !slices.Equal(got, want) {
		t.Errorf("FilesNamed = %q, want %q", got, want)
	}
	if _, err := r.FilesNamed(t.Context(), "no-such-rev", "dvc.yaml"); err == nil {
		t.Error("FilesNamed of a missing revision: no error")
	}

	hist, err := r.HistoryFilesNamed(t.Context(), "dvc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"dvc.yaml", "p/dvc.yaml", "p/q/dvc.yaml", "r/dvc.yaml"}; !slices.Equal(hist, want) {
		t.Errorf("HistoryFilesNamed = %q, want %q", hist, want)
	}
}
