package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "file")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("new"), Options{Temp: ".file.tmp-*", Perm: 0o640, Sync: true}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	st, _ := os.Stat(path)
	if string(data) != "new" || st.Mode().Perm() != 0o640 {
		t.Errorf("file holds %q with mode %v, want %q with 0640", data, st.Mode().Perm(), "new")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries after a write, want the file alone", len(entries))
	}
	if err := Write(path, []byte("default"), Options{}); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("without Perm the mode is %v, want os.CreateTemp's 0600", st.Mode().Perm())
	}
}

// A rename that fails (a folder is in the way) leaves the folder as it
// was: no temporary file. A folder that does not exist is an error too.
func TestWriteFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "cache")
	if err := os.MkdirAll(filepath.Join(path, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("new"), Options{}); err == nil {
		t.Fatal("replacing a folder that is not empty succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("a failed write left %d entries, want the folder alone", len(entries))
	}
	if err := Write(filepath.Join(dir, "missing", "file"), nil, Options{}); err == nil {
		t.Error("a write into a missing folder succeeded")
	}
}
