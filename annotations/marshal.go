package annotations

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Marshal writes the index in canonical form: block style with two-space
// indentation, artifacts in index order, and for each only the fields that
// differ from the default, in the order type, path, virtual, labels,
// description, custom. An artifact with all defaults is written `name: {}`,
// an empty index "{}\n". Strings are quoted where YAML would otherwise read
// them as something else, so Parse(Marshal()) gives an equal index.
func (ix *Index) Marshal() ([]byte, error) {
	root := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, name := range ix.names {
		key := stringNode(name)
		val, err := artifactNode(ix.arts[name])
		if err != nil {
			return nil, fmt.Errorf("cannot write artifact %q to %s: %w", name, ix.File(), err)
		}
		root.Content = append(root.Content, key, val)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", ix.File(), err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", ix.File(), err)
	}
	return buf.Bytes(), nil
}

// artifactNode builds the mapping of a's non-default fields.
func artifactNode(a Artifact) (*yaml.Node, error) {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	add := func(key string, v *yaml.Node) {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
	}
	for _, f := range []struct{ key, value string }{{"type", a.Type}, {"path", a.Path}} {
		if f.value != "" {
			add(f.key, stringNode(f.value))
		}
	}
	if !a.Virtual {
		add("virtual", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "false"})
	}
	if len(a.Labels) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, l := range a.Labels {
			seq.Content = append(seq.Content, stringNode(l))
		}
		add("labels", seq)
	}
	if a.Description != "" {
		add("description", stringNode(a.Description))
	}
	if a.Custom != nil {
		v, err := customNode(a.Custom)
		if err != nil {
			return nil, err
		}
		add("custom", v)
	}
	return n, nil
}

// stringNode builds the node of a string so that YAML reads it back as the
// same string: plain when that is unambiguous, double-quoted when YAML would
// read it as something else ("true", "123", "a: b", and the YAML 1.1
// booleans and sexagesimals that other readers still honour), a literal
// block for simple multi-line text, and !!binary when s is not UTF-8.
//
// The node is built here rather than with yaml.Node.Encode because the
// library's choice of a literal block is not always readable back (for
// example "\t\n"), and Encode re-parses every string.
func stringNode(s string) *yaml.Node {
	if !utf8.ValidString(s) {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!binary", Value: base64.StdEncoding.EncodeToString([]byte(s))}
	}
	// A plain !!str node that would read back as another type is quoted by
	// the encoder itself.
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	switch {
	case strings.Contains(s, "\n"):
		n.Style = yaml.DoubleQuotedStyle
		if literalSafe(s) {
			n.Style = yaml.LiteralStyle
		}
	case yaml11Bool[s] || sexagesimal.MatchString(s):
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// literalSafe reports whether the multi-line s reads back unchanged from a
// literal block: printable characters without tabs, no other line breaks
// than "\n", no line starting or ending with a space.
func literalSafe(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, " ") || strings.HasSuffix(line, " ") {
			return false
		}
		for _, r := range line {
			if r == '\t' || r == '\u0085' || r == '\u2028' || r == '\u2029' || r == '\ufeff' || !unicode.IsPrint(r) {
				return false
			}
		}
	}
	return true
}

// yaml11Bool are the YAML 1.1 spellings of booleans that YAML 1.2 reads as
// strings; written plain they would change type for a YAML 1.1 reader.
var yaml11Bool = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
	"n": true, "N": true, "no": true, "No": true, "NO": true,
	"on": true, "On": true, "ON": true, "off": true, "Off": true, "OFF": true,
}

// sexagesimal matches YAML 1.1 base-60 numbers such as "1:20".
var sexagesimal = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$`)
