package annotations

import (
	"encoding/base64"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gto-dev/gto/internal/yamldoc"
)

// fieldNames are the keys an artifact's fields have in one file format;
// "" means the format has no such field.
type fieldNames struct {
	typ, path, virtual, labels, description, custom string
}

var (
	// indexFields are the keys of artifacts.yaml (gto's Artifact model).
	indexFields = fieldNames{"type", "path", "virtual", "labels", "description", "custom"}
	// dvcFields are the keys of an artifact in dvc.yaml (DVC 3 schema).
	dvcFields = fieldNames{"type", "path", "", "labels", "desc", "meta"}
)

// fieldError says what is wrong with one artifact; field is "" when the
// problem is the artifact's value as a whole.
type fieldError struct {
	line  int
	field string
	msg   string
	cause error // the tagname error behind an invalid name, or nil
}

func errorAt(n *yaml.Node, field, format string, args ...any) *fieldError {
	return &fieldError{line: n.Line, field: field, msg: fmt.Sprintf(format, args...)}
}

// parseArtifact reads one artifact's value: null (all defaults) or a mapping
// of fields. Unknown keys are ignored, like pydantic does for gto.
func parseArtifact(v *yaml.Node, f fieldNames) (Artifact, *fieldError) {
	a := Default()
	if yamldoc.IsNull(v) {
		return a, nil
	}
	if v.Kind != yaml.MappingNode {
		return a, errorAt(v, "", "must be a mapping of fields, got %s", yamldoc.DescribeType(v))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			continue // not a field name: an unknown key
		}
		key := k.Value
		if key == "" || (key != f.typ && key != f.path && key != f.virtual &&
			key != f.labels && key != f.description && key != f.custom) {
			continue
		}
		if seen[key] {
			return a, errorAt(k, key, "is set twice")
		}
		seen[key] = true
		var fe *fieldError
		switch key {
		case f.typ:
			a.Type, fe = stringField(val, key)
			a.EmptyType = fe == nil && a.Type == "" && !yamldoc.IsNull(val)
		case f.path:
			a.Path, fe = stringField(val, key)
			a.EmptyPath = fe == nil && a.Path == "" && !yamldoc.IsNull(val)
		case f.virtual:
			a.Virtual, fe = boolField(val, key)
		case f.labels:
			a.Labels, fe = labelsField(val, key)
		case f.description:
			a.Description, fe = stringField(val, key)
		case f.custom:
			if a.Custom, fe = customValue(val); fe != nil {
				fe.field = key
			}
		}
		if fe != nil {
			return a, fe
		}
	}
	return a, nil
}

// scalarString returns the string a scalar stands for: its text, decoded
// when tagged !!binary (which is how YAML writes strings that are not UTF-8).
// A plain number or boolean gives the text gto 0.2.4 reads, Python's str()
// of the value (pydantic turns it into a string): "123" for 123, but "True"
// for true and "1.5" for 1.50 (see yamldoc.PythonStr).
func scalarString(n *yaml.Node) (string, error) {
	if n.Style == 0 && n.Tag != "!!binary" {
		if s, ok := yamldoc.PythonStr(n.Value); ok {
			return s, nil
		}
	}
	return scalarText(n)
}

// scalarText returns a scalar's text, decoded when tagged !!binary.
func scalarText(n *yaml.Node) (string, error) {
	if n.Tag == "!!binary" {
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(n.Value), ""))
		if err != nil {
			return "", fmt.Errorf("invalid !!binary value")
		}
		return string(b), nil
	}
	return n.Value, nil
}

// stringField reads a text field; null means "not set".
func stringField(n *yaml.Node, field string) (string, *fieldError) {
	if yamldoc.IsNull(n) {
		return "", nil
	}
	if n.Kind != yaml.ScalarNode {
		return "", errorAt(n, field, "must be a string, got %s", yamldoc.DescribeType(n))
	}
	s, err := scalarString(n)
	if err != nil {
		return "", errorAt(n, field, "%v", err)
	}
	return s, nil
}

// boolField reads virtual; null means the default, true. The accepted
// spellings are those pydantic accepts for gto's bool fields.
func boolField(n *yaml.Node, field string) (bool, *fieldError) {
	if yamldoc.IsNull(n) {
		return true, nil
	}
	if n.Kind == yaml.ScalarNode {
		if b, ok := parseBool(n.Value); ok {
			return b, nil
		}
	}
	return false, errorAt(n, field, "must be true or false, got %s", yamldoc.DescribeType(n))
}

// parseBool reads the boolean spellings gto (pydantic) accepts, ignoring
// case: true/false, yes/no, on/off, y/n, t/f, 1/0.
func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(s) {
	case "true", "yes", "on", "y", "t", "1":
		return true, true
	case "false", "no", "off", "n", "f", "0":
		return false, true
	}
	return false, false
}

// labelsField reads a list of label names; null means no labels.
func labelsField(n *yaml.Node, field string) ([]string, *fieldError) {
	if yamldoc.IsNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, errorAt(n, field, "must be a list of names, got %s", yamldoc.DescribeType(n))
	}
	var labels []string
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode || yamldoc.IsNull(item) {
			return nil, errorAt(item, field, "must be a list of names, got %s in it", yamldoc.DescribeType(item))
		}
		label, err := scalarString(item)
		if err != nil {
			return nil, errorAt(item, field, "%v", err)
		}
		labels = append(labels, label)
	}
	return labels, nil
}
