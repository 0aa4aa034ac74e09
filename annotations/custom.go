package annotations

import (
	"math"

	"go.yaml.in/yaml/v3"

	"github.com/gto-dev/gto/internal/yamldoc"
)

// customValue converts the YAML value of `custom` into plain Go values that
// encode to JSON as they are: map[string]any, []any, string, bool, int,
// int64, uint64, float64 and nil. The tree was checked by checkTree, so it
// has no aliases and bounded depth.
//
// Two kinds of scalar are kept as their text instead: timestamps (JSON has
// no time type, and the text is what the user wrote) and the non-finite
// floats .nan/.inf (JSON cannot encode them). Map keys are the keys' text;
// non-scalar keys are refused, as JSON has no such thing.
//
// Errors are *fieldError without the field name, which the caller sets.
func customValue(n *yaml.Node) (any, *fieldError) {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, errorAt(k, "", "has a key that is %s, not a string", yamldoc.DescribeType(k))
			}
			key, err := scalarText(k) // as written: JSON has the key `true`, not `True`
			if err != nil {
				return nil, errorAt(k, "", "%v", err)
			}
			if yamldoc.IsNull(k) {
				key = "null" // what a JSON encoder makes of a null key
			}
			if _, dup := m[key]; dup {
				return nil, errorAt(k, "", "has the key %s twice", yamldoc.Quote(key))
			}
			v, fe := customValue(n.Content[i+1])
			if fe != nil {
				return nil, fe
			}
			m[key] = v
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, fe := customValue(item)
			if fe != nil {
				return nil, fe
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.ScalarNode:
		return customScalar(n)
	}
	return nil, errorAt(n, "", "has an unsupported YAML value (%s)", yamldoc.DescribeType(n))
}

// customScalar converts one scalar; see customValue.
func customScalar(n *yaml.Node) (any, *fieldError) {
	// An untagged plain scalar is a string when YAML 1.2 as ruamel.yaml
	// implements it says so: that is how gto reads the file and how Marshal
	// decides that a string may be written plain. yaml.v3 reads some of
	// those (".5e3", "0X1F", "1e_3") as numbers.
	if n.Style == 0 && n.Tag != "!!str" && yamldoc.Resolve(n.Value) == "str" {
		return n.Value, nil
	}
	switch n.Tag {
	case "!!null":
		return nil, nil
	case "!!binary":
		s, err := scalarText(n)
		if err != nil {
			return nil, errorAt(n, "", "%v", err)
		}
		return s, nil
	case "!!bool", "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, errorAt(n, "", "has an invalid %s value %s", n.Tag, yamldoc.Quote(n.Value))
		}
		if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return n.Value, nil
		}
		return v, nil
	}
	// !!str, !!timestamp and application tags (!foo): the text.
	return n.Value, nil
}
