package watch

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStateKeepsTheTagsSeenBesideIt(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	st, err := ReadState(path)
	if err != nil || st.Known != nil || st.KnownSerial != 0 {
		t.Fatalf("no state yet: %+v, %v", st, err)
	}
	st.Known, st.Cursor = map[string]string{"m@v1.0.0": "aa"}, "c1"
	if err := st.saveKnown(path); err != nil {
		t.Fatal(err)
	}
	st.Known["m@v2.0.0"] = "bb"
	if err := st.saveKnown(path); err != nil {
		t.Fatal(err)
	}
	st.target("t").Queue = append(st.target("t").Queue, &Item{ID: "e1"})
	if err := st.write(path); err != nil { // a delivery: the state alone
		t.Fatal(err)
	}
	main, _ := os.ReadFile(path)
	if strings.Contains(string(main), "m@v1.0.0") || !strings.Contains(string(main), `"known_serial":2`) {
		t.Errorf("the state holds the tags seen, or names no save: %s", main)
	}
	got, err := ReadState(path)
	if err != nil || !maps.Equal(got.Known, st.Known) || got.KnownSerial != 2 || len(got.Targets["t"].Queue) != 1 {
		t.Fatalf("read back: %+v, %v", got, err)
	}

	// Killed between the new save of the tags seen and the state naming
	// it: the state on disk still reads with the tags it goes with.
	next, _ := json.Marshal(knownFile{Serial: 3, Known: map[string]string{"other@v1.0.0": "cc"}})
	if err := writeAtomic(knownPath(path, 3), next); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadState(path); err != nil || !maps.Equal(got.Known, st.Known) {
		t.Errorf("after a save cut short: %v, %v; want %v", got.Known, err, st.Known)
	}

	// The save the state names is missing, or is another one.
	os.Rename(knownPath(path, 2), knownPath(path, 2)+".away")
	if _, err := ReadState(path); err == nil || !strings.Contains(err.Error(), "names tags seen that cannot be read") {
		t.Errorf("missing save: %v", err)
	}
	other, _ := json.Marshal(knownFile{Serial: 4, Known: map[string]string{}})
	os.WriteFile(knownPath(path, 2), other, 0o644)
	if _, err := ReadState(path); err == nil || !strings.Contains(err.Error(), "damaged or of another save") {
		t.Errorf("another save: %v", err)
	}
}

func TestStateOfVersion1IsRead(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	os.WriteFile(path, []byte(`{"version": 1, "source": "/r", "cursor": "c1", "known": {"m@v1.0.0": "aa"}, "targets": {"t": {"queue": [{"id": "e1"}], "dead": null}}}`), 0o644)
	st, err := ReadState(path)
	if err != nil || st.Version != 1 || st.Known["m@v1.0.0"] != "aa" || len(st.Targets["t"].Queue) != 1 {
		t.Fatalf("version 1: %+v, %v", st, err)
	}
	if err := st.saveKnown(path); err != nil {
		t.Fatal(err)
	}
	again, err := ReadState(path)
	if err != nil || again.Version != stateVersion || again.Known["m@v1.0.0"] != "aa" || again.Cursor != "c1" {
		t.Errorf("saved as version %d: %+v, %v", stateVersion, again, err)
	}
	os.WriteFile(path, []byte(`{"version": 3}`), 0o644)
	if _, err := ReadState(path); err == nil || !strings.Contains(err.Error(), "of version 3, this gto reads versions 1 and 2") {
		t.Errorf("version 3: %v", err)
	}
}
