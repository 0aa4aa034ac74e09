package yamldoc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load parses data as a single YAML document and returns its root node, or
// nil when the document is empty (nothing, only comments, `---` or null).
// file is the document's name for messages: every error is one sentence
// that starts with it, and with the line when the parser gives one.
//
// A second document is refused, as gto refuses it, but empty ones (a
// trailing `---`) are harmless. Aliases stay unexpanded (Node.Alias), so an
// alias bomb costs nothing until a caller follows the aliases; callers that
// read a whole subtree must refuse them first. Load does not bound the size
// of data: the parser builds a node per scalar, so callers refuse a file
// over their limit before they read it (annotations.CheckSize,
// config.CheckSize).
func Load(data []byte, file string) (root *yaml.Node, err error) {
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
		return nil, parseError(file, err)
	}
	for {
		var extra yaml.Node
		err := dec.Decode(&extra)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, parseError(file, err)
		}
		if len(extra.Content) == 1 && !IsNull(extra.Content[0]) {
			return nil, fmt.Errorf("%s: line %d: a second YAML document is not allowed", file, extra.Content[0].Line)
		}
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		root = doc.Content[0]
	}
	if root == nil || IsNull(root) {
		return nil, nil
	}
	return root, nil
}

// parseError turns a parser error ("yaml: line 3: ...") into one sentence
// naming file.
func parseError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "\n", "; ")
	return fmt.Errorf("%s: %s", file, msg)
}

// IsNull reports whether n is the YAML null (`null`, `~`, or nothing).
func IsNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}
