package atomicfile

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
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

// RemoveTemps removes what a killed Write left, by the same pattern, and
// nothing else; with an age, only what is older.
func TestRemoveTemps(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "a[b]*?") // glob characters are names here
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "state.json")
	o := Options{Temp: "state.json.*.tmp"}
	old := time.Now().Add(-time.Hour)
	for name, age := range map[string]time.Time{
		"state.json.123.tmp":        old,
		"state.json.known2.456.tmp": time.Now(), // a file named after it: the same pattern
		"state.json":                old,
		"state.json.tmp":            old, // not a temporary file: no random part
		"other.json.123.tmp":        old,
	} {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(f, age, age)
	}
	names := func() []string {
		entries, _ := os.ReadDir(dir)
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	RemoveTemps(path, o, time.Minute)
	if got, want := names(), []string{"other.json.123.tmp", "state.json", "state.json.known2.456.tmp", "state.json.tmp"}; !slices.Equal(got, want) {
		t.Errorf("after removing those older than a minute: %q, want %q", got, want)
	}
	RemoveTemps(path, o, 0)
	if got, want := names(), []string{"other.json.123.tmp", "state.json", "state.json.tmp"}; !slices.Equal(got, want) {
		t.Errorf("after removing all: %q, want %q", got, want)
	}
}
