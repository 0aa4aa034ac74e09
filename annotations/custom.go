package annotations

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
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
				return nil, errorAt(k, "", "has a key that is %s, not a string", describeKind(k))
			}
			key, err := scalarString(k)
			if err != nil {
				return nil, errorAt(k, "", "%v", err)
			}
			if isNull(k) {
				key = "null" // what a JSON encoder makes of a null key
			}
			if _, dup := m[key]; dup {
				return nil, errorAt(k, "", "has the key %s twice", quote(key))
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
	return nil, errorAt(n, "", "has an unsupported YAML value (%s)", describeKind(n))
}

// customScalar converts one scalar; see customValue.
func customScalar(n *yaml.Node) (any, *fieldError) {
	switch n.Tag {
	case "!!null":
		return nil, nil
	case "!!binary":
		s, err := scalarString(n)
		if err != nil {
			return nil, errorAt(n, "", "%v", err)
		}
		return s, nil
	case "!!bool", "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, errorAt(n, "", "has an invalid %s value %s", n.Tag, quote(n.Value))
		}
		if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return n.Value, nil
		}
		return v, nil
	}
	// !!str, !!timestamp and application tags (!foo): the text.
	return n.Value, nil
}

// customNode builds the YAML node of a custom value made by customValue.
// Map keys are sorted, so the output does not depend on map order.
func customNode(v any) (*yaml.Node, error) {
	switch v := v.(type) {
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	case string:
		return stringNode(v), nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}, nil
	case int:
		return intNode(strconv.FormatInt(int64(v), 10)), nil
	case int64:
		return intNode(strconv.FormatInt(v, 10)), nil
	case uint64:
		return intNode(strconv.FormatUint(v, 10)), nil
	case float64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: formatFloat(v)}, nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, item := range v {
			c, err := customNode(item)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, c)
		}
		return n, nil
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			vn, err := customNode(v[k])
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, stringNode(k), vn)
		}
		return n, nil
	}
	return nil, fmt.Errorf("cannot write a custom value of type %T", v)
}

func intNode(text string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: text}
}

// formatFloat writes f so that YAML reads it back as the same float: the
// shortest exact form, with ".0" added when it would otherwise read as an
// integer (the YAML library writes 1.0 as "1").
func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return ".nan"
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}
