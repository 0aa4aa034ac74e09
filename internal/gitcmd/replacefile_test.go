package gitcmd

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestReplaceFile(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "a[b]*") // glob characters are names here
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "gto-objects.cache")
	stale, young := path+".111", path+".222"
	for _, f := range []string{stale, young, path + ".other-kind"} {
		if err := os.WriteFile(f, []byte("left over"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * staleTemp)
	os.Chtimes(stale, old, old)
	os.Chtimes(path+".other-kind", old, old)
	os.Mkdir(path+".dir", 0o755) // not a file of ours: kept, whatever its age
	os.Chtimes(path+".dir", old, old)

	if err := replaceFile(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "new" {
		t.Errorf("file holds %q", data)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"gto-objects.cache", "gto-objects.cache.222", "gto-objects.cache.dir"}
	if !slices.Equal(names, want) {
		t.Errorf("after replaceFile the folder holds %q, want %q (the stale temporary files removed, the young one kept)", names, want)
	}
}
