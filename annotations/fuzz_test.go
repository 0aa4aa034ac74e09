package annotations

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// fuzzSeeds are the hand-written styles of the conformance scenarios plus
// hostile and malformed inputs.
var fuzzSeeds = []string{
	"",
	"# only a comment\n",
	"{}",
	"null",
	"WRONG",
	"- a\n- b\n",
	"nn: {type: model, path: \"models/nn.h5\", virtual: false}\n" +
		"features:\n  type: dataset\n  labels: [raw, big]\n  description: \"Features: v2\"\n",
	"nn:\n  type: model\n  custom:\n    owner: team-a\n",
	"nn:\n  custom: {a: [1, 2.5, true, null, \"x\"], b: {c: 2001-12-14}}\n",
	"model: {type: hand-edit}",
	"model:\n",
	"a: &x {type: m}\nb: *x\n",
	"a: &a [\"lol\",\"lol\"]\nb: &b [*a,*a,*a]\nc: &c [*b,*b,*b]\n",
	"m:\n  <<: {type: t}\n",
	"m: {labels: {a: b}}",
	"m: {virtual: maybe}",
	"m: {description: \"Model: v2 — \\\"quoted\\\" and 'single' #hash\"}",
	"numbers: {path: '123', description: 'true'}",
	"urls: {path: 'https://example.com/a?b=c&d=e#f'}",
	"m: {description: \"line1\\nline2\\r\\n  indented \\t\"}",
	"m: {custom: [[[[[[[[]]]]]]]]}",
	"m: 1\n",
	"a: {}\n---\nb: {}\n",
	"m: {path: !!binary /w==}",
	"dir/sub:m: {type: t, extra: ignored}",
}

// FuzzParse checks that Parse never panics and that what it accepts survives
// Marshal and Parse unchanged.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := Parse(data, "artifacts.yaml")
		if err != nil {
			checkParseError(t, err, "artifacts.yaml", data)
			return
		}
		out, lossy, err := ix.marshal()
		if err != nil {
			t.Fatalf("Marshal failed on a parsed index: %v\ninput: %q", err, data)
		}
		back, err := Parse(out, "artifacts.yaml")
		if err != nil {
			t.Fatalf("Parse(Marshal()) failed: %v\ninput: %q\nmarshaled: %q", err, data, out)
		}
		if lossy {
			return // as with gto, some strings do not survive
		}
		if !equalIndex(ix, back) {
			t.Fatalf("round trip changed the index\ninput: %q\nmarshaled: %q\nbefore: %#v\nafter: %#v", data, out, snapshot(ix), snapshot(back))
		}
		// Marshal is canonical: a second round gives the same bytes.
		again, err := back.Marshal()
		if err != nil || string(again) != string(out) {
			t.Fatalf("Marshal is not stable: %q then %q (%v)", out, again, err)
		}
	})
}

// checkParseError fails unless err is one line that starts with the file's
// name, as every error of Parse and ParseDVC must.
func checkParseError(t *testing.T, err error, file string, data []byte) {
	t.Helper()
	if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, file) {
		t.Fatalf("error is not one line naming %s: %q\ninput: %q", file, msg, data)
	}
}

// FuzzParseDVC checks that ParseDVC never panics, that its errors are one
// line naming dvc.yaml, and that the artifacts it accepts can be written to
// artifacts.yaml and read back.
func FuzzParseDVC(f *testing.F) {
	for _, s := range dvcSeeds {
		f.Add([]byte(s))
	}
	for _, s := range fuzzSeeds {
		f.Add([]byte("artifacts:\n" + s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := ParseDVC(data, "dvc.yaml")
		if err != nil {
			checkParseError(t, err, "dvc.yaml", data)
			return
		}
		out, err := ix.Marshal()
		if err != nil {
			t.Fatalf("Marshal failed on a parsed dvc.yaml: %v\ninput: %q", err, data)
		}
		if _, err := Parse(out, "artifacts.yaml"); err != nil {
			t.Fatalf("Parse(Marshal()) failed: %v\ninput: %q\nmarshaled: %q", err, data, out)
		}
	})
}

// dvcSeeds are dvc.yaml files: DVC's own sections, hostile ones included,
// around the artifacts section gto reads.
var dvcSeeds = []string{
	"",
	"stages:\n  train:\n    cmd: python train.py\n",
	"artifacts:\n  model:\n    path: models/m.pkl\n    type: model\n    desc: A model\n    labels: [a, b]\n    meta: {owner: me}\n",
	"artifacts: null\n",
	"artifacts: [a, b]\n",
	"artifacts:\n  m: {path: [x]}\n",
	"stages:\n  a: &a [x, x, x]\n  b: &b [*a, *a, *a]\n  c: [*b, *b, *b]\nartifacts:\n  m: {path: p}\n",
	"x: &a {path: p}\nartifacts:\n  m: *a\n",
	"artifacts:\n  m:\n    meta: " + strings.Repeat("[", 70) + strings.Repeat("]", 70) + "\n",
	"- a\n",
	"artifacts:\n  Bad Name: {}\n",
}

type namedArtifact struct {
	Name string
	Artifact
}

// snapshot lists the artifacts of ix in order, for comparisons and messages.
func snapshot(ix *Index) []namedArtifact {
	var s []namedArtifact
	for _, n := range ix.Names() {
		a, _ := ix.Get(n)
		s = append(s, namedArtifact{n, a})
	}
	return s
}

// equalIndex reports whether a and b hold the same artifacts, in any order:
// Marshal sorts the artifacts by name, as gto does.
func equalIndex(a, b *Index) bool {
	sa, sb := snapshot(a), snapshot(b)
	byName := func(x, y namedArtifact) int { return strings.Compare(x.Name, y.Name) }
	slices.SortFunc(sa, byName)
	slices.SortFunc(sb, byName)
	return reflect.DeepEqual(sa, sb)
}

// FuzzMarshalString checks that any string value (path, description, custom
// key and value) survives Marshal and Parse, which FuzzParse reaches only
// rarely since it must first build a valid document.
func FuzzMarshalString(f *testing.F) {
	seeds := []string{"", "true", "a: b", "x\n", " a\r\n", "\xff", "\u2028", "#", "- x", "1.0", ".5e3", "a\u0085b",
		// Long text folds at 80 columns, differently in each style.
		strings.Repeat("word ", 30), strings.Repeat("it's ", 30), strings.Repeat("a\tb ", 30),
		strings.Repeat("say \"hi\" ", 20), strings.Repeat("line\n", 30), "ab " + strings.Repeat("y", 90)}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ix := New("")
		ix.set("m", Artifact{Path: s, Description: s, Virtual: true, Custom: map[string]any{s: []any{s, map[string]any{"k": s}}}})
		assertRoundTrip(t, ix)
	})
}
