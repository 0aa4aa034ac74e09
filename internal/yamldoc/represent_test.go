package yamldoc

import (
	"errors"
	"math"
	"testing"
)

// Non-finite floats cannot come from a file gto reads (annotations keeps
// .inf and .nan as text) but are written as ruamel writes them.
func TestEmitNonFiniteFloats(t *testing.T) {
	root, err := Represent(map[string]any{"m": map[string]any{"custom": []any{math.Inf(1), math.Inf(-1), math.NaN()}}})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := Emit(root)
	if want := "m:\n  custom:\n  - .inf\n  - -.inf\n  - .nan\n"; string(out) != want {
		t.Errorf("Emit() = %q; want %q", out, want)
	}
}

// A value of a type Python has no counterpart for is refused, however deep.
func TestRepresentUnsupported(t *testing.T) {
	_, err := Represent(map[string]any{"a": []any{1, map[string]any{"b": struct{}{}}}})
	ue, ok := errors.AsType[*UnsupportedError](err)
	if !ok {
		t.Fatalf("Represent() error = %v, want an *UnsupportedError", err)
	}
	if _, isStruct := ue.Value.(struct{}); !isStruct {
		t.Errorf("UnsupportedError.Value = %#v, want the struct{}", ue.Value)
	}
	if want := "cannot write a value of type struct {} as YAML"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

// A node Represent returned stands for its value inside another: the parts
// of a document can be represented one by one.
func TestRepresentNode(t *testing.T) {
	part, err := Represent(map[string]any{"type": "model", "labels": []string{"b", "a"}})
	if err != nil {
		t.Fatal(err)
	}
	root, err := Represent(map[string]any{"z": map[string]any{}, "m": part})
	if err != nil {
		t.Fatal(err)
	}
	out, lossy := Emit(root)
	if want := "m:\n  labels:\n  - b\n  - a\n  type: model\nz: {}\n"; string(out) != want || lossy {
		t.Errorf("Emit() = %q, %v; want %q, false", out, lossy, want)
	}
}
