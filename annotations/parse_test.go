package annotations

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gto-dev/gto/tagname"
)

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name, src, files string
		order            []string
	}{
		{"empty file", "", `{}`, nil},
		{"only comments", "# nothing here\n\n# yet\n", `{}`, nil},
		{"empty mapping", "{}\n", `{}`, nil},
		{"null document", "null\n", `{}`, nil},
		{"document marker", "---\n", `{}`, nil},
		{"trailing empty document", "a: {}\n---\n", `{"a": {}}`, []string{"a"}},
		{"conformance hand-written file",
			"nn: {type: model, path: \"models/nn.h5\", virtual: false}\nfeatures:\n  type: dataset\n  labels: [raw, big]\n  description: \"Features: v2\"\n",
			`{"nn": {"path": "models/nn.h5", "type": "model", "virtual": false}, "features": {"description": "Features: v2", "labels": ["raw", "big"], "type": "dataset"}}`,
			[]string{"nn", "features"}},
		{"conformance custom", "nn:\n  type: model\n  custom:\n    owner: team-a\n",
			`{"nn": {"type": "model", "custom": {"owner": "team-a"}}}`, nil},
		{"conformance hand edit", "model: {type: hand-edit}", `{"model": {"type": "hand-edit"}}`, nil},
		{"null artifact means defaults", "a:\nb: null\nc: ~\n", `{"a": {}, "b": {}, "c": {}}`, []string{"a", "b", "c"}},
		{"null fields mean defaults", "a: {type: null, path: ~, virtual: null, labels: null, description: null, custom: null}",
			`{"a": {}}`, nil},
		{"unknown keys are ignored", "a: {type: t, owner: me, [x]: y, nested: {k: v}}", `{"a": {"type": "t"}}`, nil},
		{"quoted values", "'a': {\"type\": 't', path: \"p q\", description: 'it''s'}",
			`{"a": {"type": "t", "path": "p q", "description": "it's"}}`, nil},
		{"block labels", "a:\n  labels:\n    - x\n    - y\n", `{"a": {"labels": ["x", "y"]}}`, nil},
		// gto 0.2.4 checks them only when it edits the file (see Annotate).
		{"type and labels are not checked", "a: {type: '###', labels: [ok, 'bad label']}",
			`{"a": {"type": "###", "labels": ["ok", "bad label"]}}`, nil},
		{"empty labels", "a: {labels: []}", `{"a": {}}`, nil},
		// gto 0.2.4 reads str() of the number or boolean ruamel builds.
		{"numbers and booleans as text", "123: {path: 123, description: true, labels: [1, 2]}",
			`{"123": {"path": "123", "description": "True", "labels": ["1", "2"]}}`, nil},
		{"numbers as Python writes them", "0x1F: {path: 1.50, description: 1e3, type: 017}\nb: {path: '1.50', description: !!str true}",
			`{"31": {"path": "1.5", "description": "1000.0", "type": "17"}, "b": {"path": "1.50", "description": "true"}}`, nil},
		{"virtual spellings", "a: {virtual: False}\nb: {virtual: 'no'}\nc: {virtual: 0}\nd: {virtual: true}\ne: {virtual: yes}\n",
			`{"a": {"virtual": false}, "b": {"virtual": false}, "c": {"virtual": false}, "d": {}, "e": {}}`, nil},
		{"namespaced name and wide grammar", "dir/sub:My_Model: {type: Model_2}", `{"dir/sub:My_Model": {"type": "Model_2"}}`, nil},
		{"multi-line description", "a:\n  description: |\n    line 1\n    line 2\n", `{"a": {"description": "line 1\nline 2\n"}}`, nil},
		{"binary string", "a: {path: !!binary aGVsbG8=}", `{"a": {"path": "hello"}}`, nil},
		{"anchors without aliases", "a: &x {type: t}", `{"a": {"type": "t"}}`, nil},
		{"custom scalars", "a: {custom: {s: x, i: 3, f: 2.5, b: true, n: null, d: 2001-12-14, nan: .nan, l: [1, x], big: 18446744073709551615}}",
			`{"a": {"custom": {"s": "x", "i": 3, "f": 2.5, "b": true, "n": null, "d": "2001-12-14", "nan": ".nan", "l": [1, "x"], "big": 18446744073709551615}}}`, nil},
		{"custom non-string keys", "a: {custom: {1: one, true: yes, ~: none}}",
			`{"a": {"custom": {"1": "one", "true": "yes", "null": "none"}}}`, nil},
		{"custom scalar", "a: {custom: 0}", `{"a": {"custom": 0}}`, nil},
		{"custom application tag", "a: {custom: !thing x}", `{"a": {"custom": "x"}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := mustParse(t, tt.src)
			assertFiles(t, ix, tt.files)
			if tt.order != nil && fmt.Sprint(ix.Names()) != fmt.Sprint(tt.order) {
				t.Errorf("Names() = %q, want the file's order %q", ix.Names(), tt.order)
			}
			assertRoundTrip(t, ix)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src string
		parts     []string
	}{
		{"scalar document", "WRONG", []string{`artifacts.yaml is not a mapping of artifact names (got "WRONG")`}},
		{"list document", "- a\n- b\n", []string{"artifacts.yaml is not a mapping of artifact names (got a list)"}},
		{"syntax error", "a: [b", []string{"artifacts.yaml: line 1: did not find expected ',' or ']'"}},
		{"tab indentation", "a:\n\t- b", []string{"artifacts.yaml: ", "cannot start any token"}},
		{"invalid name", "a: {}\n'###': {}\n", []string{`artifacts.yaml: line 2: artifact "###" has an invalid name (`}},
		{"name ending in dash", "model-: {}", []string{`artifact "model-" has an invalid name`}},
		{"null name", "~: {}", []string{"artifacts.yaml: line 1: an artifact name must be a string, got null"}},
		{"list as name", "? [a]\n: {}\n", []string{"artifacts.yaml: line 1: an artifact name must be a string, got a list"}},
		{"duplicate artifact", "a: {}\nb: {}\na: {}\n", []string{`artifacts.yaml: line 3: artifact "a" is annotated twice`}},
		{"artifact is a string", "a: model", []string{`artifacts.yaml: line 1: artifact "a" must be a mapping of fields, got "model"`}},
		{"artifact is a list", "a: [x]", []string{`artifact "a" must be a mapping of fields, got a list`}},
		{"type is a mapping", "a: {type: {x: y}}", []string{`"a".type must be a string, got a mapping`}},
		{"path is a list", "a: {path: [x]}", []string{`"a".path must be a string, got a list`}},
		{"description is a mapping", "a: {description: {x: y}}", []string{`"a".description must be a string, got a mapping`}},
		{"labels is a mapping", "model: {labels: {a: b}}", []string{`artifacts.yaml: line 1: "model".labels must be a list of names, got a mapping`}},
		{"labels is a string", "model: {labels: raw}", []string{`"model".labels must be a list of names, got "raw"`}},
		{"nested labels", "model: {labels: [[a]]}", []string{`"model".labels must be a list of names, got a list in it`}},
		{"null label", "model: {labels: [a, null]}", []string{`"model".labels must be a list of names, got null in it`}},
		{"virtual is not a boolean", "a: {virtual: maybe}", []string{`"a".virtual must be true or false, got "maybe"`}},
		{"virtual is a list", "a: {virtual: []}", []string{`"a".virtual must be true or false, got a list`}},
		{"field twice", "a:\n  type: x\n  type: y\n", []string{`artifacts.yaml: line 3: "a".type is set twice`}},
		{"bad binary", "a: {path: !!binary '***'}", []string{`"a".path invalid !!binary value`}},
		{"custom list key", "a: {custom: {[k]: v}}", []string{`"a".custom has a key that is a list, not a string`}},
		{"custom duplicate key", "a:\n  custom:\n    1: x\n    '1': y\n", []string{`artifacts.yaml: line 4: "a".custom has the key "1" twice`}},
		{"custom bad int", "a: {custom: !!int abc}", []string{`"a".custom has an invalid !!int value "abc"`}},
		{"second document", "a: {}\n---\nb: {}\n", []string{"artifacts.yaml: line 3: a second YAML document is not allowed"}},
		{"alias", "a: &x {type: m}\nb: *x\n", []string{"artifacts.yaml: line 2: YAML aliases (*x) are not supported"}},
		{"alias in custom", "a: {custom: {x: &v 1, y: *v}}", []string{"YAML aliases (*v) are not supported"}},
		{"merge key", "a:\n  <<: {type: t}\n", []string{"artifacts.yaml: line 2: YAML merge keys (<<) are not supported"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix, err := Parse([]byte(tt.src), "artifacts.yaml")
			if ix != nil {
				t.Errorf("Parse returned an index with an error")
			}
			assertErr(t, err, tt.parts...)
		})
	}
}

func TestParseInvalidNamesWrapTagnameErrors(t *testing.T) {
	for _, src := range []string{"'###': {}", "a: {}\n'a b': {type: t}\n"} {
		_, err := Parse([]byte(src), "artifacts.yaml")
		if !errors.Is(err, tagname.ErrInvalidName) {
			t.Errorf("Parse(%q) = %v, want an error wrapping tagname.ErrInvalidName", src, err)
		}
	}
}

func TestParseUsesFileName(t *testing.T) {
	_, err := Parse([]byte("WRONG"), "registry.yaml")
	assertErr(t, err, "registry.yaml is not a mapping")
	ix, err := Parse(nil, "")
	if err != nil || ix.File() != DefaultFile || ix.Len() != 0 {
		t.Errorf("Parse(nil, \"\") = %v, %v; want an empty index of %s", ix, err, DefaultFile)
	}
}

// Hostile input fails fast with a clear error instead of exhausting memory
// or the stack.
func TestParseHostile(t *testing.T) {
	laughs := "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		laughs += fmt.Sprintf("%s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n", n, n, prev, prev, prev, prev, prev, prev, prev, prev, prev)
		prev = n
	}
	tests := []struct {
		name, src string
		parts     []string
	}{
		{"billion laughs", laughs, []string{"artifacts.yaml: line 2: YAML aliases (*a) are not supported"}},
		{"deep custom", "a: {custom: " + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "}",
			[]string{"artifacts.yaml: line 1: values are nested more than 64 levels deep"}},
		{"very deep flow", strings.Repeat("[", 20000), []string{"artifacts.yaml: ", "exceeded max depth"}},
		{"too large", "a: {description: '" + strings.Repeat("x", MaxFileSize) + "'}",
			[]string{"artifacts.yaml is too large", "the limit is 4 MiB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src), "artifacts.yaml")
			assertErr(t, err, tt.parts...)
		})
	}
}

func TestParseDVC(t *testing.T) {
	src := `stages:
  train:
    cmd: python train.py
    params: &p [a, b]
    outs: *p
artifacts:
  text-classifier:
    path: models/clf.pkl
    type: model
    desc: Detect sentiment
    labels: [nlp, sentiment]
    meta:
      framework: sklearn
      epochs: 10
  plain:
plots:
  - acc.csv
`
	ix, err := ParseDVC([]byte(src), "dvc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	assertFiles(t, ix, `{"text-classifier": {"path": "models/clf.pkl", "type": "model", "description": "Detect sentiment",
		"labels": ["nlp", "sentiment"], "custom": {"framework": "sklearn", "epochs": 10}}, "plain": {}}`)
	a, _ := ix.Get("text-classifier")
	if !a.Virtual {
		t.Error("dvc.yaml artifacts are virtual")
	}
	assertRoundTrip(t, ix)

	for _, src := range []string{"", "stages: {}\n", "artifacts:\n", "artifacts: {}\n"} {
		ix, err := ParseDVC([]byte(src), "dvc.yaml")
		if err != nil || ix.Len() != 0 {
			t.Errorf("ParseDVC(%q) = %d artifacts, %v; want none", src, ix.Len(), err)
		}
	}

	errs := []struct{ src, part string }{
		{"WRONG", `dvc.yaml is not a YAML mapping (got "WRONG")`},
		{"artifacts: [a]", `dvc.yaml: line 1: "artifacts" must be a mapping of artifact names, got a list`},
		{"artifacts:\n  '###': {}\n", `dvc.yaml: line 2: artifact "###" has an invalid name`},
		{"artifacts:\n  m: {desc: [x]}\n", `dvc.yaml: line 2: "m".desc must be a string, got a list`},
		{"artifacts:\n  m: &m {}\n  n: *m\n", "dvc.yaml: line 3: YAML aliases (*m) are not supported"},
		{"artifacts: {m: {}\n", "dvc.yaml: line 1: did not find expected ',' or '}'"},
	}
	for _, e := range errs {
		_, err := ParseDVC([]byte(e.src), "dvc.yaml")
		assertErr(t, err, e.part)
	}
}

func TestParseErrorsAreShort(t *testing.T) {
	long := strings.Repeat("é", 100000)
	for _, src := range []string{long, "'" + long + " x': {}"} {
		_, err := Parse([]byte(src), "artifacts.yaml")
		if err == nil || len(err.Error()) > 400 {
			t.Errorf("error for a long value is %d bytes: %.100v", len(fmt.Sprint(err)), err)
		}
	}
	// and so are those of Annotate about the file's labels and types
	for _, src := range []string{"a: {labels: ['" + long + " x']}", "a: {type: '" + long + " x'}"} {
		ix, err := Parse([]byte(src), "artifacts.yaml")
		if err != nil {
			t.Fatal(err)
		}
		err = ix.Annotate("b", Update{})
		if err == nil || len(err.Error()) > 400 {
			t.Errorf("Annotate error for a long value is %d bytes: %.100v", len(fmt.Sprint(err)), err)
		}
	}
}
