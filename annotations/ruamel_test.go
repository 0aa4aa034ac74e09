package annotations

import (
	"fmt"
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/gto-dev/gto/internal/yamldoc/ruamelcorpus"
)

// indexFromState builds the Index whose state gto would dump as state (see
// ruamelcorpus.Case).
func indexFromState(state map[string]any) (*Index, error) {
	ix := New("")
	for name, fields := range state {
		a := Default()
		for key, v := range fields.(map[string]any) {
			switch key {
			case "type":
				a.Type = v.(string)
			case "path":
				a.Path = v.(string)
			case "virtual":
				a.Virtual = v.(bool)
			case "description":
				a.Description = v.(string)
			case "labels":
				for _, l := range v.([]any) {
					a.Labels = append(a.Labels, l.(string))
				}
			case "custom":
				a.Custom = v
			default:
				return nil, fmt.Errorf("%s: unknown field %q", name, key)
			}
		}
		ix.set(name, a)
	}
	return ix, nil
}

// TestMarshalMatchesRuamel checks Marshal against ruamel's output for the
// states of the corpus, byte for byte: that it hands the writer the state
// gto dumps (yamldoc's TestEmitMatchesRuamel checks the writer itself, the
// strings it knows ruamel loses and the cases where ruamel writes invalid
// YAML). It also checks that the output reads back as the input, with the
// conversion Parse applies to custom values (many of the names and labels
// are not valid for Parse).
func TestMarshalMatchesRuamel(t *testing.T) {
	cases := ruamelcorpus.Load(t)
	mismatches := 0
	for _, c := range cases {
		ix, err := indexFromState(c.State)
		if err != nil {
			t.Fatalf("%s: bad input: %v", c.Name, err)
		}
		out, lossy, err := ix.marshal()
		if err != nil {
			t.Errorf("%s: Marshal: %v", c.Name, err)
			continue
		}
		if !c.Unreadable && string(out) != c.Want {
			mismatches++
			t.Errorf("%s: Marshal() =\n%q\nruamel wrote\n%q", c.Name, out, c.Want)
		}
		if lossy {
			continue
		}
		// What Parse makes of the values reads back as the input.
		got, err := readCustom(out)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
		} else if !reflect.DeepEqual(got, any(c.State)) {
			t.Errorf("%s: output reads back as\n%#v\nwant\n%#v", c.Name, got, c.State)
		}
	}
	t.Logf("%d cases, %d mismatches", len(cases), mismatches)
}

// readCustom reads out as Parse reads a custom value.
func readCustom(out []byte) (any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("output is not YAML: %v", err)
	}
	v, fe := customValue(doc.Content[0])
	if fe != nil {
		return nil, fmt.Errorf("reading the output: %s", fe.msg)
	}
	return v, nil
}
