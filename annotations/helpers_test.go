package annotations

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// filesView is the artifacts.yaml content as the conformance suite records it
// (`files` in golden/*.json): name -> non-default fields.
func filesView(ix *Index) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, name := range ix.Names() {
		a, _ := ix.Get(name)
		m := map[string]any{}
		if a.Type != "" {
			m["type"] = a.Type
		}
		if a.Path != "" {
			m["path"] = a.Path
		}
		if !a.Virtual {
			m["virtual"] = false
		}
		if len(a.Labels) > 0 {
			m["labels"] = a.Labels
		}
		if a.Description != "" {
			m["description"] = a.Description
		}
		if a.Custom != nil {
			m["custom"] = a.Custom
		}
		out[name] = m
	}
	return out
}

// assertFiles compares ix with the JSON a golden file records for it.
func assertFiles(t *testing.T, ix *Index, wantJSON string) {
	t.Helper()
	var want, got any
	if err := json.Unmarshal([]byte(wantJSON), &want); err != nil {
		t.Fatalf("bad expectation %s: %v", wantJSON, err)
	}
	b, err := json.Marshal(filesView(ix))
	if err != nil {
		t.Fatalf("index does not encode to JSON: %v", err)
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("files:\n got %s\nwant %s", b, wantJSON)
	}
}

// assertRoundTrip checks that Parse(Marshal(ix)) equals ix.
func assertRoundTrip(t *testing.T, ix *Index) {
	t.Helper()
	out, lossy, err := ix.marshal()
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	back, err := Parse(out, ix.File())
	if err != nil {
		t.Fatalf("Parse(Marshal()): %v\n%s", err, out)
	}
	if !slices.IsSorted(back.Names()) {
		t.Errorf("Marshal did not sort the artifacts: %q", back.Names())
	}
	if lossy {
		return // as with gto, some strings do not survive
	}
	if !equalIndex(ix, back) {
		t.Errorf("round trip changed the index\n%s\nbefore %#v\nafter  %#v", out, snapshot(ix), snapshot(back))
	}
}

func mustParse(t *testing.T, src string) *Index {
	t.Helper()
	ix, err := Parse([]byte(src), "artifacts.yaml")
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return ix
}

// assertErr checks that err is set, is one line, and contains every part.
func assertErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("error %q does not contain %q", msg, p)
		}
	}
}
