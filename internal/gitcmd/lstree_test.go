package gitcmd

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// TestFilesNamedRemembered: FilesNamed of a commit id lists the tree once;
// the next call answers from gto-files-named.cache, another commit or name
// lists again, and a damaged cache file is listed again and replaced.
func TestFilesNamedRemembered(t *testing.T) {
	t.Parallel()
	g, r := newTestRepo(t)
	c1 := g.Commit("one", map[string]string{"dvc.yaml": "a", "p/dvc.yaml": "b"})
	c2 := g.Commit("two", map[string]string{"q/dvc.yaml": "c"})
	var log strings.Builder
	r.Verbose = &log
	listings := 0
	call := func(rev, name string) []TreeFile {
		t.Helper()
		files, err := r.FilesNamed(t.Context(), rev, name)
		if err != nil {
			t.Fatal(err)
		}
		listings = strings.Count(log.String(), " ls-tree ")
		return files
	}
	first := call(c1, "dvc.yaml")
	if again := call(c1, "dvc.yaml"); !slices.Equal(again, first) || listings != 1 {
		t.Errorf("second call: %v after %d listings, want %v after 1", again, listings, first)
	}
	if len(call(c2, "dvc.yaml")) != 3 || listings != 2 {
		t.Errorf("another commit: %d listings, want 2", listings)
	}
	call(c2, "artifacts.yaml")
	call("HEAD", "dvc.yaml") // not an id: never remembered
	call("HEAD", "dvc.yaml")
	if listings != 5 {
		t.Errorf("another name, and HEAD twice: %d listings, want 5", listings)
	}
	cache := filepath.Join(r.GitDir(), filesNamedCache)
	if err := os.WriteFile(cache, []byte(filesNamedMagic+c1+" dvc.yaml\nzzz dvc.yaml\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := call(c1, "dvc.yaml"); !slices.Equal(got, first) || listings != 6 {
		t.Errorf("damaged cache: %v after %d listings, want %v after 6", got, listings, first)
	}
	if got := call(c1, "dvc.yaml"); !slices.Equal(got, first) || listings != 6 {
		t.Errorf("after the damaged cache was replaced: %d listings, want 6", listings)
	}
}
