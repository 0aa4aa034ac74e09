package annotations

import (
	"slices"
	"testing"
)

func TestMerge(t *testing.T) {
	ix := mustParse(t, "a: {type: from-index}\nb: {}\n")
	dvc, err := ParseDVC([]byte("artifacts:\n  c: {type: from-dvc}\n  a: {type: from-dvc}\n  d: {}\n"), "dvc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ix.Merge(dvc)
	assertFiles(t, ix, `{"a": {"type": "from-index"}, "b": {}, "c": {"type": "from-dvc"}, "d": {}}`)
	if got := ix.Names(); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Errorf("Names() = %q", got)
	}
	if ix.File() != "artifacts.yaml" {
		t.Errorf("File() = %q, the merged index stays the artifacts.yaml one", ix.File())
	}
}

func TestAccessorsDoNotAlias(t *testing.T) {
	ix := mustParse(t, "a: {labels: [x, y]}\n")
	a, ok := ix.Get("a")
	if !ok {
		t.Fatal("Get(a) not found")
	}
	a.Labels[0] = "changed"
	names := ix.Names()
	names[0] = "changed"
	assertFiles(t, ix, `{"a": {"labels": ["x", "y"]}}`)
	if _, ok := ix.Get("nope"); ok {
		t.Error("Get(nope) found something")
	}
	if ix.Len() != 1 {
		t.Errorf("Len() = %d", ix.Len())
	}
}

func TestDefault(t *testing.T) {
	if !Default().IsDefault() || !Default().Virtual {
		t.Error("Default() is not the default artifact")
	}
	for _, a := range []Artifact{{}, {Virtual: true, Type: "t"}, {Virtual: true, Custom: 0}, {Virtual: true, Labels: []string{"l"}}} {
		if a.IsDefault() {
			t.Errorf("%+v.IsDefault() = true", a)
		}
	}
	if New("").File() != DefaultFile {
		t.Errorf("New(\"\").File() = %q", New("").File())
	}
}

func TestZeroIndex(t *testing.T) {
	var ix Index
	if ix.Len() != 0 || ix.File() != DefaultFile {
		t.Errorf("zero Index: Len %d, File %q", ix.Len(), ix.File())
	}
	assertErr(t, ix.Remove("m"), `artifact "m" is not annotated in artifacts.yaml`)
	if err := ix.Annotate("m", Update{Type: "t"}); err != nil {
		t.Fatal(err)
	}
	out, err := ix.Marshal()
	if err != nil || string(out) != "m:\n  type: t\n" {
		t.Errorf("Marshal() = %q, %v", out, err)
	}
}
