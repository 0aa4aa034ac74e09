package annotations

import (
	"slices"
	"strings"
	"testing"
)

func TestNested(t *testing.T) {
	t.Parallel()
	ix, err := ParseDVC([]byte("artifacts:\n  m:\n    path: models/m.pkl\n  d:\n    path: s3://b/d\n  a:\n    path: /abs\n  n: {}\n"), "p/q/dvc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ix.Nested("p/q", "p/q/dvc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"p/q:m", "p/q:d", "p/q:a", "p/q:n"}; !slices.Equal(got.Names(), want) {
		t.Errorf("names = %q, want %q", got.Names(), want)
	}
	for name, want := range map[string]string{"p/q:m": "p/q/models/m.pkl", "p/q:d": "s3://b/d", "p/q:a": "/abs", "p/q:n": ""} {
		if a, _ := got.Get(name); a.Path != want {
			t.Errorf("%s: path %q, want %q", name, a.Path, want)
		}
	}
	if _, ok := ix.Get("m"); !ok {
		t.Error("Nested modified its receiver")
	}

	// A folder that is no namespace, a name that has one already.
	for _, dir := range []string{"bad dir", "p/q:x"} {
		if _, err := ix.Nested(dir, dir+"/dvc.yaml"); err == nil || !strings.HasPrefix(err.Error(), dir+"/dvc.yaml: artifact ") {
			t.Errorf("Nested(%q): error %v", dir, err)
		}
	}
}
