package annotations

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// testdata/ruamel/corpus.json holds the expected output of gto's YAML
// writer. It was produced with ruamel.yaml 0.18.6 (pure Python) configured
// as gto 0.2.4 configures it:
//
//	yaml = YAML(typ="safe", pure=True)
//	yaml.default_flow_style = False
//	yaml.dump(state, stream)
//
// Each case has a name, the state dict gto dumps as JSON (artifact name ->
// non-default fields type, path, virtual, labels, description, custom) and
// want, the exact text ruamel wrote. A JSON object {"!!binary": "<base64>"}
// in the input stands for a Python bytes value, which in Go is a string that
// is not UTF-8. Integers are JSON numbers without a point or exponent,
// floats have one. The cases cover realistic indexes, every custom value
// type, strings that YAML 1.2 resolves to another type, indicators, line
// breaks, control and non-ASCII characters, long text that folds at 80
// columns at every nesting level, and random strings. The generator is not
// part of the repository.
//
// lossy marks the cases where ruamel's own load of want differs from the
// input (see emitDocument for why), unreadable those where it fails (see
// writePlain: there Marshal deliberately differs from ruamel).
type ruamelCase struct {
	Name       string          `json:"name"`
	Input      json.RawMessage `json:"input"`
	Want       string          `json:"want"`
	Lossy      bool            `json:"lossy"`
	Unreadable bool            `json:"unreadable"`
}

func loadRuamelCorpus(t *testing.T) []ruamelCase {
	t.Helper()
	data, err := os.ReadFile("testdata/ruamel/corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []ruamelCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// indexFromState builds the Index whose state gto would dump as state.
func indexFromState(raw json.RawMessage) (*Index, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var state map[string]map[string]any
	if err := dec.Decode(&state); err != nil {
		return nil, err
	}
	ix := New("")
	for name, fields := range state {
		a := Default()
		for key, v := range fields {
			v, err := stateValue(v)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", name, key, err)
			}
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
				return nil, fmt.Errorf("unknown field %q", key)
			}
		}
		ix.set(name, a)
	}
	return ix, nil
}

// stateValue converts a decoded JSON value to the Go value of a custom
// field: json.Number to int, uint64 or float64, {"!!binary": ...} to a
// string of those bytes.
func stateValue(v any) (any, error) {
	switch v := v.(type) {
	case json.Number:
		s := v.String()
		if strings.ContainsAny(s, ".eE") {
			return strconv.ParseFloat(s, 64)
		}
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return int(i), nil
		}
		return strconv.ParseUint(s, 10, 64)
	case map[string]any:
		if b, ok := v["!!binary"]; ok && len(v) == 1 {
			data, err := base64.StdEncoding.DecodeString(b.(string))
			return string(data), err
		}
		m := make(map[string]any, len(v))
		for k, item := range v {
			c, err := stateValue(item)
			if err != nil {
				return nil, err
			}
			m[k] = c
		}
		return m, nil
	case []any:
		l := make([]any, len(v))
		for i, item := range v {
			c, err := stateValue(item)
			if err != nil {
				return nil, err
			}
			l[i] = c
		}
		return l, nil
	}
	return v, nil
}

// TestMarshalMatchesRuamel compares Marshal with ruamel's output byte for
// byte, checks that Marshal knows which strings ruamel loses, and that the
// output reads back as the input (with the conversion Parse applies to
// custom values; many of the names and labels are not valid for Parse).
func TestMarshalMatchesRuamel(t *testing.T) {
	cases := loadRuamelCorpus(t)
	if len(cases) < 500 {
		t.Fatalf("only %d cases in the corpus", len(cases))
	}
	mismatches, deviations := 0, 0
	for _, c := range cases {
		ix, err := indexFromState(c.Input)
		if err != nil {
			t.Fatalf("%s: bad input: %v", c.Name, err)
		}
		out, lossy, err := ix.marshal()
		if err != nil {
			t.Errorf("%s: Marshal: %v", c.Name, err)
			continue
		}
		if c.Unreadable {
			// ruamel's output is not YAML; Marshal keeps the key on one
			// line (see writePlain), and the output must read back.
			if string(out) == c.Want {
				t.Errorf("%s: Marshal() wrote what ruamel wrote, which is not YAML:\n%s", c.Name, out)
			}
			deviations++
		} else if string(out) != c.Want {
			mismatches++
			t.Errorf("%s: Marshal() =\n%q\nruamel wrote\n%q", c.Name, out, c.Want)
		}
		if lossy != c.Lossy && !c.Unreadable {
			t.Errorf("%s: Marshal says lossy = %v, ruamel's round trip says %v", c.Name, lossy, c.Lossy)
		}
		if lossy {
			continue
		}
		// What Parse makes of the values reads back as the input.
		var doc yaml.Node
		if err := yaml.Unmarshal(out, &doc); err != nil {
			t.Errorf("%s: output is not YAML: %v", c.Name, err)
			continue
		}
		got, fe := customValue(doc.Content[0])
		if fe != nil {
			t.Errorf("%s: reading the output: %s", c.Name, fe.msg)
			continue
		}
		var want any
		dec := json.NewDecoder(bytes.NewReader(c.Input))
		dec.UseNumber()
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		if want, _ = stateValue(want); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: output reads back as\n%#v\nwant\n%#v", c.Name, got, want)
		}
	}
	t.Logf("%d cases, %d mismatches, %d deliberate deviations where ruamel writes invalid YAML", len(cases), mismatches, deviations)
}
