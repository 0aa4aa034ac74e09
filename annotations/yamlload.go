package annotations

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// MaxFileSize is the largest annotations file Parse and ParseDVC accept. The
// YAML parser builds a node per scalar: a hostile 16 MiB flow list costs
// about 1.6 GB and 10 s, 4 MiB a quarter of that, while a real index with
// ten thousand artifacts is well under 1 MiB.
const MaxFileSize = 4 << 20

// MaxDepth is the deepest nesting of mappings and lists accepted in the
// artifacts part of a file (the file's top mapping is level 1, an artifact
// level 2, its custom value level 3). It keeps hostile input from making
// the recursive conversions costly.
const MaxDepth = 64

// loadYAML parses data as a single YAML document and returns its root node,
// or nil when the document is empty (nothing, only comments, or `---`).
// Errors name file and are one sentence.
func loadYAML(data []byte, file string) (root *yaml.Node, err error) {
	if err := CheckSize(file, int64(len(data))); err != nil {
		return nil, err
	}
	// The parser reports malformed input with errors; this guard only keeps
	// a parser bug on hostile input from crashing the command.
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, fmt.Errorf("%s is not valid YAML (%v)", file, r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, yamlError(file, err)
	}
	// A second document is refused, as gto does, but an empty one (a
	// trailing `---`) is harmless.
	for {
		var extra yaml.Node
		err := dec.Decode(&extra)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, yamlError(file, err)
		}
		if len(extra.Content) == 1 && !isNull(extra.Content[0]) {
			return nil, fmt.Errorf("%s: line %d: a second YAML document is not allowed", file, extra.Content[0].Line)
		}
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		root = doc.Content[0]
	}
	if root == nil || isNull(root) {
		return nil, nil
	}
	return root, nil
}

// CheckSize returns the error Parse and ParseDVC give for a file of size
// bytes over MaxFileSize (nil when it is not), so that a caller can refuse a
// file without reading it whole.
func CheckSize(file string, size int64) error {
	if size > MaxFileSize {
		return fmt.Errorf("%s is too large (%d bytes, the limit is %d MiB)", file, size, MaxFileSize>>20)
	}
	return nil
}

// yamlError turns a parser error ("yaml: line 3: ...") into one naming file.
func yamlError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "\n", "; ")
	return fmt.Errorf("%s: %s", file, msg)
}

// checkTree rejects what the artifacts part of a file must not contain:
// aliases (an alias bomb expands exponentially, and annotations have no use
// for them), merge keys (which need aliases to be useful) and nesting deeper
// than MaxDepth. depth is the level of n.
func checkTree(n *yaml.Node, depth int, file string) error {
	if depth > MaxDepth {
		return fmt.Errorf("%s: line %d: values are nested more than %d levels deep", file, n.Line, MaxDepth)
	}
	switch n.Kind {
	case yaml.AliasNode:
		return fmt.Errorf("%s: line %d: YAML aliases (*%s) are not supported in annotations", file, n.Line, n.Value)
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				return fmt.Errorf("%s: line %d: YAML merge keys (<<) are not supported in annotations", file, k.Line)
			}
		}
	}
	for _, c := range n.Content {
		if err := checkTree(c, depth+1, file); err != nil {
			return err
		}
	}
	return nil
}

// isNull reports whether n is the YAML null (`null`, `~`, or nothing).
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// describeKind names the kind of n for error messages ("got a mapping").
func describeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		}
		return quote(n.Value)
	}
	return "an empty value"
}

// quote quotes a value from the file for an error message, shortened so
// that a hostile file cannot make the message huge.
func quote(s string) string {
	const max = 64
	if len(s) <= max {
		return fmt.Sprintf("%q", s)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q...", s[:cut])
}
