package config

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gto-dev/gto/internal/yamldoc"
	"github.com/gto-dev/gto/tagname"
)

// ignoredKeys are settings gto accepts that this implementation has no use
// for (enrichments are a Python plugin mechanism).
var ignoredKeys = map[string]bool{
	"debug": true, "enrichments": true, "autoload_enrichments": true, "config_file_name": true,
}

// applyFile overrides c with the settings of the configuration file content
// data; name is the file's name for messages. An empty document, or one
// that is only comments or null, sets nothing. A null value leaves its
// setting at the default.
func (c *Config) applyFile(data []byte, name string) error {
	root, err := yamldoc.Load(data, name)
	if err != nil || root == nil {
		return err
	}
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%s is not a YAML mapping", name)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], deref(root.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return fmt.Errorf("%s: line %d: keys must be setting names, got %s", name, k.Line, yamldoc.Describe(k))
		}
		// gto upper-cases the keys of the file, so `STAGES` is `stages`.
		key := strings.ToLower(k.Value)
		if seen[key] {
			return fmt.Errorf("%s: line %d: %q is set twice", name, k.Line, key)
		}
		seen[key] = true
		if ignoredKeys[key] {
			continue
		}
		if yamldoc.IsNull(v) {
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
			c.LogLevel, err = scalar(v, name, key, "a log level")
		case "index":
			c.Index, err = scalar(v, name, key, "a file name")
			if reason := checkIndex(c.Index); err == nil && reason != "" {
				err = indexError(fmt.Sprintf("%s: line %d: %q", name, v.Line, key), c.Index, reason)
			}
		default:
			return fmt.Errorf("%s: line %d: unknown key %q", name, k.Line, k.Value)
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
