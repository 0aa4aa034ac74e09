package config

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gto-dev/gto/internal/yamldoc"
	"github.com/gto-dev/gto/tagname"
)

// fileKeys are the keys the file may hold, with what gto 0.2.4's
// RegistryConfig (pydantic) requires of their values. nullable: null is
// allowed and leaves the default (gto's Optional fields; pydantic refuses
// None for `EMOJIS: bool = True`). ignored: a setting gto accepts that this
// implementation has no use for (enrichments are a Python plugin
// mechanism), whose value is still checked as gto checks it: want is
// "bool", "list" or "" (anything).
var fileKeys = map[string]struct {
	nullable, ignored bool
	want              string
}{
	"types": {nullable: true}, "stages": {nullable: true}, "emojis": {}, "log_level": {}, "index": {},
	"debug": {ignored: true, want: "bool"}, "autoload_enrichments": {ignored: true, want: "bool"},
	"enrichments": {ignored: true, want: "list"}, "config_file_name": {nullable: true, ignored: true},
}

// applyFile overrides c with the settings of the configuration file content
// data; name is the file's name for messages. An empty document, or one
// that is only comments or null, sets nothing; so does any document Python
// takes for false (false, 0, an empty string or list), as gto reads
// `conf or {}`.
func (c *Config) applyFile(data []byte, name string) error {
	root, err := yamldoc.Load(data, name)
	if err != nil || root == nil {
		return err
	}
	if root.Kind != yaml.MappingNode {
		if pythonFalse(root) {
			return nil
		}
		return fmt.Errorf("%s is not a YAML mapping", name)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], deref(root.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return fmt.Errorf("%s: line %d: keys must be setting names, got %s", name, k.Line, yamldoc.Describe(k))
		}
		// gto upper-cases the keys of the file, so `STAGES` is `stages`,
		// and of `stages` and `STAGES` the later one wins; YAML refuses
		// the same key twice.
		key := strings.ToLower(k.Value)
		if seen[k.Value] {
			return fmt.Errorf("%s: line %d: %q is set twice", name, k.Line, key)
		}
		seen[k.Value] = true
		spec, known := fileKeys[key]
		if !known {
			return fmt.Errorf("%s: line %d: unknown key %q", name, k.Line, k.Value)
		}
		if yamldoc.IsNull(v) {
			if !spec.nullable {
				return fmt.Errorf("%s: line %d: %q must be set, got null", name, v.Line, key)
			}
			c.setDefault(key)
			continue
		}
		if spec.ignored {
			if err := checkIgnored(v, spec.want, name, key); err != nil {
				return err
			}
			continue
		}
		var err error
		switch key {
		case "types":
			c.Types, err = nameList(v, "type", name, key)
			c.typesFrom = name
		case "stages":
			c.Stages, err = nameList(v, "stage", name, key)
			c.stagesFrom = name
		case "emojis":
			b, ok := false, false
			if v.Kind == yaml.ScalarNode {
				b, ok = parseBool(v.Value)
			}
			if !ok {
				err = fmt.Errorf("%s: line %d: %q must be true or false, got %s", name, v.Line, key, yamldoc.Describe(v))
			}
			c.Emojis = b
		case "log_level":
			// gto's logging reads GTO_LOG_LEVEL alone: any text will do here.
			if v.Kind != yaml.ScalarNode {
				err = fmt.Errorf("%s: line %d: %q must be a log level, got %s", name, v.Line, key, yamldoc.Describe(v))
			}
			c.LogLevel = v.Value
		case "index":
			c.Index, err = scalar(v, name, key, "a file name")
			if reason := checkIndex(c.Index); err == nil && reason != "" {
				err = indexError(fmt.Sprintf("%s: line %d: %q", name, v.Line, key), c.Index, reason)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// nameList reads a list of stage or type names (kind) for key.
func nameList(v *yaml.Node, kindName, file, key string) ([]string, error) {
	if v.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s: line %d: %q must be a list of names, got %s", file, v.Line, key, yamldoc.Describe(v))
	}
	names := []string{} // non-nil: an empty list allows nothing
	for _, item := range v.Content {
		item = deref(item)
		if item.Kind != yaml.ScalarNode || yamldoc.IsNull(item) {
			return nil, fmt.Errorf("%s: line %d: %q must be a list of names, got %s in it", file, item.Line, key, yamldoc.Describe(item))
		}
		if err := tagname.ValidateName(kindName, item.Value); err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", file, item.Line, err)
		}
		names = append(names, item.Value)
	}
	return names, nil
}

// scalar reads a non-empty text setting; what describes the expected value.
func scalar(v *yaml.Node, file, key, what string) (string, error) {
	if v.Kind != yaml.ScalarNode || v.Value == "" {
		return "", fmt.Errorf("%s: line %d: %q must be %s, got %s", file, v.Line, key, what, yamldoc.Describe(v))
	}
	return v.Value, nil
}

// deref returns the node an alias refers to. Only setting values and list
// items are dereferenced, and their content must be scalars, so a hostile
// file cannot make this expand exponentially (each key appears once).
func deref(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// setDefault puts back the default of an optional setting set to null by a
// later key of another case (`stages: [a]` then `STAGES: ~`).
func (c *Config) setDefault(key string) {
	switch key {
	case "types":
		c.Types, c.typesFrom = nil, ""
	case "stages":
		c.Stages, c.stagesFrom = nil, ""
	}
}

// checkIgnored checks the value of an ignored setting as gto does: want is
// "bool", "list" or "" (anything).
func checkIgnored(v *yaml.Node, want, file, key string) error {
	switch want {
	case "bool":
		if v.Kind == yaml.ScalarNode {
			if _, ok := parseBool(v.Value); ok {
				return nil
			}
		}
		return fmt.Errorf("%s: line %d: %q must be true or false, got %s", file, v.Line, key, yamldoc.Describe(v))
	case "list":
		if v.Kind != yaml.SequenceNode {
			return fmt.Errorf("%s: line %d: %q must be a list, got %s", file, v.Line, key, yamldoc.Describe(v))
		}
	}
	return nil
}

// pythonFalse reports whether a document that is not a mapping is one
// Python takes for false: false, a zero number, an empty string or an empty
// list.
func pythonFalse(n *yaml.Node) bool {
	switch n.Kind {
	case yaml.SequenceNode:
		return len(n.Content) == 0
	case yaml.ScalarNode:
		if n.Style != 0 {
			return n.Value == "" && n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0
		}
		s, ok := yamldoc.PythonStr(n.Value)
		return ok && (s == "False" || s == "0" || s == "0.0" || s == "-0.0")
	}
	return false
}
