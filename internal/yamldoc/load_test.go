package yamldoc

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestLoadEmpty(t *testing.T) {
	for _, src := range []string{"", "# only a comment\n", "---\n", "null\n", "~", "---\n---\n"} {
		root, err := Load([]byte(src), "f.yaml")
		if root != nil || err != nil {
			t.Errorf("Load(%q) = %v, %v; want nil, nil", src, root, err)
		}
	}
}

func TestLoadRoot(t *testing.T) {
	root, err := Load([]byte("a: &x [1]\nb: *x\n---\n"), "f.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if root.Kind != yaml.MappingNode || len(root.Content) != 4 {
		t.Fatalf("Load() root = %#v, want the mapping", root)
	}
	// Aliases are left for the caller to refuse or follow.
	if b := root.Content[3]; b.Kind != yaml.AliasNode || b.Alias == nil {
		t.Errorf("b = %#v, want an unexpanded alias", b)
	}
}

// Every error is one sentence that starts with the file's name.
func TestLoadErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"second document", "a: 1\n---\nb: 2\n", "f.yaml: line 3: a second YAML document is not allowed"},
		{"document after an empty one", "a: 1\n---\n---\nb: 2\n", "f.yaml: line 4: a second YAML document is not allowed"},
		{"malformed", "a: [1\n", "f.yaml: line 1: did not find expected ',' or ']'"},
		{"malformed second document", "a: 1\n---\nb: [\n", "f.yaml: line 3: did not find expected node content"},
		{"unknown alias", "a: *x\n", "f.yaml: unknown anchor 'x' referenced"},
		{"not UTF-8", "a: \xff\n", "f.yaml: invalid leading UTF-8 octet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, err := Load([]byte(tt.src), "f.yaml")
			if err == nil {
				t.Fatalf("Load() = %v, no error; want %q", root, tt.want)
			}
			if msg := err.Error(); msg != tt.want || strings.ContainsAny(msg, "\n\r") {
				t.Errorf("error = %q, want %q", msg, tt.want)
			}
		})
	}
}

func TestIsNull(t *testing.T) {
	root, err := Load([]byte("- null\n- ~\n-\n- 'null'\n- x\n- []\n"), "f.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []bool{true, true, true, false, false, false}
	for i, n := range root.Content {
		if got := IsNull(n); got != want[i] {
			t.Errorf("IsNull(item %d %q) = %v, want %v", i, n.Value, got, want[i])
		}
	}
}
