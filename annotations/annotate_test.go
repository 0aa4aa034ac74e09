package annotations

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gto-dev/gto/tagname"
)

// step is one `gto annotate` (remove == false) or `gto remove` of a
// conformance scenario, with the recorded outcome: files is the parsed
// artifacts.yaml afterwards ("" when the golden file does not record it).
type step struct {
	remove bool
	name   string
	u      Update
	ok     bool
	files  string
}

func runSteps(t *testing.T, ix *Index, steps []step) {
	t.Helper()
	for i, s := range steps {
		before := snapshot(ix)
		var err error
		if s.remove {
			err = ix.Remove(s.name)
		} else {
			err = ix.Annotate(s.name, s.u)
		}
		if s.ok != (err == nil) {
			t.Fatalf("step %d (%s %+v): err = %v, want ok = %v", i, s.name, s.u, err, s.ok)
		}
		if err != nil {
			if !reflect.DeepEqual(before, snapshot(ix)) {
				t.Fatalf("step %d failed but changed the index", i)
			}
			continue
		}
		if s.files != "" {
			assertFiles(t, ix, s.files)
		}
		assertRoundTrip(t, ix)
	}
}

// The conformance scenarios, restricted to what the index decides (the
// --must-exist file checks and git are the caller's).
func TestAnnotateConformance(t *testing.T) {
	scenarios := map[string]struct {
		start string
		steps []step
	}{
		"annotate_describe_remove": {steps: []step{
			{name: "new-artifact", u: Update{Type: "new-type", Path: "new/path", Labels: []string{"some-label", "another-label"}, Description: "some description"}, ok: true,
				files: `{"new-artifact": {"description": "some description", "labels": ["some-label", "another-label"], "path": "new/path", "type": "new-type"}}`},
			{name: "new-artifact", u: Update{Labels: []string{"new-label"}, Description: "new description"}, ok: true,
				files: `{"new-artifact": {"description": "new description", "labels": ["another-label", "new-label", "some-label"], "path": "new/path", "type": "new-type"}}`},
			{remove: true, name: "new-artifact", ok: true, files: `{}`},
		}},
		"annotate_special_characters": {steps: []step{
			{name: "model", u: Update{Type: "model", Path: "models/my model.pkl", Description: `Model: v2 — "quoted" and 'single' #hash`}, ok: true,
				files: `{"model": {"description": "Model: v2 — \"quoted\" and 'single' #hash", "path": "models/my model.pkl", "type": "model"}}`},
			{name: "numbers", u: Update{Path: "123", Description: "true"}, ok: true,
				files: `{"model": {"description": "Model: v2 — \"quoted\" and 'single' #hash", "path": "models/my model.pkl", "type": "model"}, "numbers": {"description": "true", "path": "123"}}`},
			{name: "urls", u: Update{Path: "https://example.com/a?b=c&d=e#f"}, ok: true,
				files: `{"model": {"description": "Model: v2 — \"quoted\" and 'single' #hash", "path": "models/my model.pkl", "type": "model"}, "numbers": {"description": "true", "path": "123"}, "urls": {"path": "https://example.com/a?b=c&d=e#f"}}`},
		}},
		"annotate_path_conflicts": {steps: []step{
			{name: "new-artifact", u: Update{Type: "new-type", Path: "new/path"}, ok: true, files: `{"new-artifact": {"path": "new/path", "type": "new-type"}}`},
			{name: "other-name", u: Update{Path: "new/path"}},
			{name: "other-name", u: Update{Path: "new"}},
			{name: "other-name", u: Update{Path: "new/path/sub"}},
			{name: "other-name", u: Update{Path: "new/path/"}},
			{name: "new-artifact", u: Update{Path: "new/path", Type: "new-type"}, ok: true, files: `{"new-artifact": {"path": "new/path", "type": "new-type"}}`},
			{name: "other-name", u: Update{Path: "new/other"}, ok: true,
				files: `{"new-artifact": {"path": "new/path", "type": "new-type"}, "other-name": {"path": "new/other"}}`},
			{name: "third", u: Update{Path: "s3://bucket/new/path"}, ok: true,
				files: `{"new-artifact": {"path": "new/path", "type": "new-type"}, "other-name": {"path": "new/other"}, "third": {"path": "s3://bucket/new/path"}}`},
		}},
		"annotate_invalid_values": {steps: []step{
			{name: "###"},
			{name: "model", u: Update{Type: "###"}},
			{name: "model", u: Update{Labels: []string{"###"}}},
			{name: "model", u: Update{Labels: []string{"ok-label", "bad label"}}},
			{name: "model-"},
			{name: "model", u: Update{Type: "model"}, ok: true, files: `{"model": {"type": "model"}}`},
			{name: "model", u: Update{Type: "a b"}},
		}},
		"annotate_remove_errors": {steps: []step{
			{remove: true, name: "nope"},
			{name: "model", ok: true, files: `{"model": {}}`},
			{name: "data", u: Update{Type: "dataset"}, ok: true, files: `{"data": {"type": "dataset"}, "model": {}}`},
			{remove: true, name: "nope"},
			{remove: true, name: "model", ok: true, files: `{"data": {"type": "dataset"}}`},
			{remove: true, name: "data", ok: true, files: `{}`},
			{remove: true, name: "data"},
		}},
		"annotate_must_exist": {steps: []step{
			{name: "model", u: Update{MustExist: true}}, // no path
			{name: "model", u: Update{Path: "models/m.pkl", MustExist: true}, ok: true, files: `{"model": {"path": "models/m.pkl", "virtual": false}}`},
			{name: "data", u: Update{Path: "data", MustExist: true}, ok: true,
				files: `{"data": {"path": "data", "virtual": false}, "model": {"path": "models/m.pkl", "virtual": false}}`},
			{name: "model", u: Update{Path: "models/m.pkl"}, ok: true,
				files: `{"data": {"path": "data", "virtual": false}, "model": {"path": "models/m.pkl"}}`},
		}},
		"annotate_handwritten_file": {
			start: "nn: {type: model, path: \"models/nn.h5\", virtual: false}\nfeatures:\n  type: dataset\n  labels: [raw, big]\n  description: \"Features: v2\"\n",
			steps: []step{
				{name: "features", u: Update{Labels: []string{"small"}}, ok: true,
					files: `{"features": {"description": "Features: v2", "labels": ["big", "raw", "small"], "type": "dataset"}, "nn": {"path": "models/nn.h5", "type": "model", "virtual": false}}`},
			}},
		"annotate_outside_git": {steps: []step{
			{name: "model", u: Update{Type: "model", Path: "m.pkl"}, ok: true, files: `{"model": {"path": "m.pkl", "type": "model"}}`},
			{name: "data", u: Update{Labels: []string{"raw"}}, ok: true, files: `{"data": {"labels": ["raw"]}, "model": {"path": "m.pkl", "type": "model"}}`},
			{remove: true, name: "model", ok: true, files: `{"data": {"labels": ["raw"]}}`},
		}},
		"config_allowed_types_and_stages": {steps: []step{
			{name: "model", u: Update{Type: "model"}, ok: true, files: `{"model": {"type": "model"}}`},
			{name: "data", u: Update{Type: "dataset"}, ok: true, files: `{"data": {"type": "dataset"}, "model": {"type": "model"}}`},
			{name: "other", ok: true, files: `{"data": {"type": "dataset"}, "model": {"type": "model"}, "other": {}}`},
		}},
	}
	for name, sc := range scenarios {
		t.Run(name, func(t *testing.T) {
			runSteps(t, mustParse(t, sc.start), sc.steps)
		})
	}
}

func TestAnnotateMergeRules(t *testing.T) {
	base := func() *Index {
		ix := New("")
		if err := ix.Annotate("m", Update{Type: "model", Path: "p", MustExist: true, Labels: []string{"z", "a", "z"}, Description: "old"}); err != nil {
			t.Fatal(err)
		}
		return ix
	}
	tests := []struct {
		name string
		u    Update
		want Artifact
	}{
		{"nothing given keeps all but sorts labels", Update{},
			Artifact{Type: "model", Path: "p", Virtual: false, Labels: []string{"a", "z"}, Description: "old"}},
		{"type replaces", Update{Type: "dataset"},
			Artifact{Type: "dataset", Path: "p", Labels: []string{"a", "z"}, Description: "old"}},
		{"path without must-exist makes it virtual again", Update{Path: "q"},
			Artifact{Type: "model", Path: "q", Virtual: true, Labels: []string{"a", "z"}, Description: "old"}},
		{"same path without must-exist also makes it virtual", Update{Path: "p"},
			Artifact{Type: "model", Path: "p", Virtual: true, Labels: []string{"a", "z"}, Description: "old"}},
		{"must-exist with path keeps it real", Update{Path: "q", MustExist: true},
			Artifact{Type: "model", Path: "q", Labels: []string{"a", "z"}, Description: "old"}},
		{"labels become a sorted union", Update{Labels: []string{"m", "a", "b"}},
			Artifact{Type: "model", Path: "p", Labels: []string{"a", "b", "m", "z"}, Description: "old"}},
		{"empty description keeps the old one", Update{Description: ""},
			Artifact{Type: "model", Path: "p", Labels: []string{"a", "z"}, Description: "old"}},
		{"description replaces", Update{Description: "new"},
			Artifact{Type: "model", Path: "p", Labels: []string{"a", "z"}, Description: "new"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := base()
			if err := ix.Annotate("m", tt.u); err != nil {
				t.Fatal(err)
			}
			got, _ := ix.Get("m")
			if !equalArtifact(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func equalArtifact(a, b Artifact) bool {
	return reflect.DeepEqual(a.clone(), b.clone())
}

func TestAnnotateNewArtifact(t *testing.T) {
	ix := New("")
	// New artifacts keep the labels as given, as gto does (no sorting).
	if err := ix.Annotate("dir/sub:m", Update{Labels: []string{"b", "a"}}); err != nil {
		t.Fatal(err)
	}
	got, _ := ix.Get("dir/sub:m")
	want := Artifact{Virtual: true, Labels: []string{"b", "a"}}
	if !equalArtifact(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if err := ix.Annotate("second", Update{}); err != nil {
		t.Fatal(err)
	}
	if got := ix.Names(); !slices.Equal(got, []string{"dir/sub:m", "second"}) {
		t.Errorf("Names() = %q, new artifacts are appended", got)
	}
}

func TestAnnotateErrors(t *testing.T) {
	ix := mustParse(t, "a: {path: new/path}\nroot: {path: /abs/dir}\n")
	tests := []struct {
		name  string
		u     Update
		parts []string
		is    error
	}{
		{"###", Update{}, []string{`invalid artifact name "###"`}, tagname.ErrInvalidName},
		{"m", Update{Type: "a b"}, []string{`invalid type name "a b"`}, tagname.ErrInvalidName},
		{"m", Update{Labels: []string{"ok", "bad label"}}, []string{`invalid label name "bad label"`}, tagname.ErrInvalidName},
		{"m", Update{MustExist: true}, []string{`"m"`, "path is required"}, nil},
		{"m", Update{Path: "new/path"}, []string{`path "new/path" conflicts with "new/path" of artifact "a"`}, ErrPathConflict},
		{"m", Update{Path: "new/path/sub"}, []string{`path "new/path/sub" conflicts with "new/path" of artifact "a"`}, ErrPathConflict},
		{"m", Update{Path: "new"}, []string{`path "new" conflicts with "new/path"`}, ErrPathConflict},
		{"m", Update{Path: "./new/./path/"}, []string{`conflicts with "new/path"`}, ErrPathConflict},
		{"m", Update{Path: "."}, []string{`path "." conflicts with "new/path"`}, ErrPathConflict},
		{"m", Update{Path: "/abs/dir/x"}, []string{`conflicts with "/abs/dir" of artifact "root"`}, ErrPathConflict},
		{"m", Update{Path: "/"}, []string{`conflicts with "/abs/dir"`}, ErrPathConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name+" "+tt.u.Path+tt.u.Type, func(t *testing.T) {
			before := snapshot(ix)
			err := ix.Annotate(tt.name, tt.u)
			assertErr(t, err, tt.parts...)
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
			if !reflect.DeepEqual(before, snapshot(ix)) {
				t.Error("a failed Annotate changed the index")
			}
		})
	}
}

func TestPathsClash(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"new/path", "new/path", true},
		{"new/path/", "new/path", true},
		{"new/path/sub", "new/path", true},
		{"new", "new/path", true},
		{"new/other", "new/path", false},
		{"new/pathology", "new/path", false},
		{"s3://bucket/new/path", "new/path", false},
		{"s3://bucket/new/path", "s3://bucket/new", true},
		{".", "anything", true},
		{".", "../outside", false},
		{"..", "x", false},
		{"/", "/abs", true},
		{"/", "rel", false},
		{"/abs", "abs", false},
	}
	for _, tt := range tests {
		if got := pathsClash(tt.a, tt.b, ""); got != tt.want {
			t.Errorf("pathsClash(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := pathsClash(tt.b, tt.a, ""); got != tt.want {
			t.Errorf("pathsClash(%q, %q) = %v, want %v (symmetric)", tt.b, tt.a, got, tt.want)
		}
	}
}

// From a working directory, paths are resolved as gto 0.2.4's
// find_repeated_path resolves them (Path.resolve): ".." holds the working
// directory, and an absolute path can name a relative one.
func TestPathsClashFromDir(t *testing.T) {
	const dir = "/w/repo"
	tests := []struct {
		a, b string
		want bool
	}{
		{"new/path", "new/path/", true},
		{"new/other", "new/path", false},
		{"/w/repo/new/path", "new/path", true},
		{"/w/repo/new", "new/path", true},
		{"/w/other/new/path", "new/path", false},
		{"../repo/new/path", "new/path", true},
		{"..", "new/path", true},
		{"..", "../x", true},
		{"../../x", "../x", false},
		{"/", "rel", true},
		{"s3://bucket/new/path", "new/path", false},
		{"s3://bucket/new/path", "s3://bucket/new", true},
	}
	for _, tt := range tests {
		if got := pathsClash(tt.a, tt.b, dir); got != tt.want {
			t.Errorf("pathsClash(%q, %q, %q) = %v, want %v", tt.a, tt.b, dir, got, tt.want)
		}
		if got := pathsClash(tt.b, tt.a, dir); got != tt.want {
			t.Errorf("pathsClash(%q, %q, %q) = %v, want %v (symmetric)", tt.b, tt.a, dir, got, tt.want)
		}
	}
}

func TestAnnotateOwnPathIsFine(t *testing.T) {
	ix := mustParse(t, "a: {path: new/path}\nb: {}\n")
	if err := ix.Annotate("a", Update{Path: "new/path/"}); err != nil {
		t.Fatalf("an artifact may keep (or respell) its own path: %v", err)
	}
	// Artifacts without a path never conflict.
	if err := ix.Annotate("c", Update{Path: "other"}); err != nil {
		t.Fatal(err)
	}
}

func TestRemove(t *testing.T) {
	ix, err := Parse([]byte("a: {}\nb: {}\nc: {}\n"), "registry.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Remove("b"); err != nil {
		t.Fatal(err)
	}
	if got := ix.Names(); !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("Names() = %q", got)
	}
	err = ix.Remove("nope")
	assertErr(t, err, `artifact "nope" is not annotated in registry.yaml`)
	if !errors.Is(err, ErrArtifactNotFound) {
		t.Errorf("errors.Is(%v, ErrArtifactNotFound) = false", err)
	}
	if err.Error() != `artifact "nope" is not annotated in registry.yaml` {
		t.Errorf("message = %q", err)
	}
}

// An explicitly empty type or path (an empty --type, an empty quoted YAML
// string) is a field of its own in 0.2.4: written on a new artifact, kept
// through a round trip, and replaced by the next non-empty value; null and
// absent stay absent.
func TestAnnotateEmptyTypeAndPath(t *testing.T) {
	ix := New("")
	if err := ix.Annotate("aa", Update{TypeGiven: true, PathGiven: true}); err != nil {
		t.Fatal(err)
	}
	if err := ix.Annotate("bb", Update{}); err != nil {
		t.Fatal(err)
	}
	data, err := ix.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if want := "aa:\n  path: ''\n  type: ''\nbb: {}\n"; string(data) != want {
		t.Fatalf("Marshal = %q, want %q", data, want)
	}
	back, err := Parse(data, "artifacts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	aa, _ := back.Get("aa")
	if !aa.EmptyType || !aa.EmptyPath || !aa.HasType() || !aa.HasPath() || aa.IsDefault() {
		t.Errorf("parsed %+v: the empty fields are lost", aa)
	}
	// an update with an empty --type keeps the empty field; a value replaces it
	if err := back.Annotate("aa", Update{TypeGiven: true}); err != nil {
		t.Fatal(err)
	}
	if got, _ := back.Get("aa"); !got.EmptyType {
		t.Errorf("after an empty update: %+v", got)
	}
	if err := back.Annotate("aa", Update{Type: "model", TypeGiven: true}); err != nil {
		t.Fatal(err)
	}
	if got, _ := back.Get("aa"); got.Type != "model" || got.EmptyType || !got.EmptyPath {
		t.Errorf("after --type model: %+v", got)
	}
	nulls, err := Parse([]byte("cc: {type: null, path: ~}\n"), "artifacts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cc, _ := nulls.Get("cc"); cc.HasType() || cc.HasPath() || !cc.IsDefault() {
		t.Errorf("null fields read as present: %+v", cc)
	}
}

// A type or label of the file that is not a valid name is read (gto 0.2.4
// reads it unchecked), but any annotation refuses to write the file, as gto
// checks the whole index before it writes it (Index.state_is_valid).
func TestAnnotateChecksTheWholeFile(t *testing.T) {
	for _, src := range []string{"a: {type: 'ML model'}\n", "a: {labels: [ok, 'needs review']}\n"} {
		ix, err := Parse([]byte(src), "artifacts.yaml")
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		before := snapshot(ix)
		for _, name := range []string{"a", "b"} {
			err := ix.Annotate(name, Update{Description: "d"})
			if !errors.Is(err, tagname.ErrInvalidName) || !strings.Contains(err.Error(), `artifact "a" in artifacts.yaml has an invalid`) {
				t.Errorf("%q: Annotate(%s) = %v, want the invalid name of a", src, name, err)
			}
			if !reflect.DeepEqual(before, snapshot(ix)) {
				t.Errorf("%q: a failed Annotate changed the index", src)
			}
		}
	}
}
