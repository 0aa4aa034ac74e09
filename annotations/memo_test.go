package annotations

import (
	"reflect"
	"strings"
	"testing"
)

// An index read back from its memo is the index parsed from the file.
func TestMemoRoundTrip(t *testing.T) {
	t.Parallel()
	var many strings.Builder
	for i := range 300 {
		many.WriteString("m" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ": {type: model, path: p, labels: [a, b], description: d}\n")
	}
	for _, src := range []string{
		"",
		"a: {}\n",
		"nn: {type: model, path: \"models/nn.h5\", virtual: false}\nfeatures:\n  type: dataset\n  labels: [raw, big]\n  description: \"Features: v2\"\n",
		"a: {type: '', path: ''}\nb: {labels: []}\nc: {virtual: true, description: \"é ✓\\nline\"}\n",
		many.String(),
	} {
		ix, err := Parse([]byte(src), "conf/artifacts.yaml")
		if err != nil {
			t.Fatal(err)
		}
		enc, ok := ix.EncodeMemo()
		if !ok {
			t.Fatalf("%.30q: not encodable", src)
		}
		got, ok := DecodeMemo(enc)
		if !ok {
			t.Fatalf("%.30q: its own encoding does not decode", src)
		}
		if got.File() != ix.File() || !reflect.DeepEqual(got.Names(), ix.Names()) {
			t.Fatalf("%.30q: file %q names %v, want %q %v", src, got.File(), got.Names(), ix.File(), ix.Names())
		}
		for _, name := range ix.Names() {
			a, _ := ix.Get(name)
			if b, ok := got.Get(name); !ok || !reflect.DeepEqual(a, b) {
				t.Errorf("%s: %+v, want %+v", name, b, a)
			}
			// and alone: the index of that artifact only
			one, ok := DecodeMemoOf(enc, name)
			if b, found := one.Get(name); !ok || !found || !reflect.DeepEqual(a, b) || !reflect.DeepEqual(one.Names(), []string{name}) || one.File() != ix.File() {
				t.Errorf("DecodeMemoOf(%s): %v %+v, names %v; want %+v alone", name, ok, b, one.Names(), a)
			}
		}
		if one, ok := DecodeMemoOf(enc, "absent"); !ok || len(one.Names()) != 0 {
			t.Errorf("DecodeMemoOf(absent): %v, names %v; want ok and none", ok, one.Names())
		}
		// Every truncation, and another version, is refused.
		for i := 0; i < len(enc); i += 1 + len(enc)/200 {
			if _, ok := DecodeMemo(enc[:i]); ok {
				t.Fatalf("%.30q: a truncation at %d decodes", src, i)
			}
			if _, ok := DecodeMemoOf(enc[:i], "a"); ok {
				t.Fatalf("%.30q: a truncation at %d decodes for one artifact", src, i)
			}
		}
		if _, ok := DecodeMemo(string(rune(memoVersion+1)) + enc[1:]); ok {
			t.Error("another version decodes")
		}
	}
}

// A custom value is not kept by the encoding: such an index is parsed.
func TestMemoCustom(t *testing.T) {
	t.Parallel()
	ix, err := Parse([]byte("a: {type: t}\nb: {custom: {owner: me}}\n"), "artifacts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ix.EncodeMemo(); ok {
		t.Error("an index with a custom value was encoded")
	}
}
