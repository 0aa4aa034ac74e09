package yamldoc

import (
	"fmt"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// The pieces of error messages that show what a file holds ("... must be a
// list of names, got a mapping"). Values from the file are quoted and
// shortened, so that a hostile file cannot make a message huge or span
// lines.

// Describe names what n is: "a mapping", "a list", "an alias (*name)",
// "null", or the quoted text of any other scalar (see Quote), whatever its
// type ("5", "true"): for settings whose messages show what was written.
func Describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias (*" + n.Value + ")"
	case yaml.ScalarNode:
		if IsNull(n) {
			return "null"
		}
		return Quote(n.Value)
	}
	return "nothing" // a DocumentNode or a zero Node: not inside a document
}

// DescribeType is Describe that names the type of a boolean or number
// scalar ("a boolean", "a number") instead of quoting it: for fields whose
// messages tell what kind of value was expected.
func DescribeType(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		switch n.Tag {
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		}
	}
	return Describe(n)
}

// maxQuoted is how many bytes of a value Quote shows.
const maxQuoted = 64

// Quote quotes s as Go does (%q: one line, escapes for what is not
// printable), shortened to its first 64 bytes, cut before a character that
// does not fit, and "..." when it was longer.
func Quote(s string) string {
	if len(s) <= maxQuoted {
		return fmt.Sprintf("%q", s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q...", s[:cut])
}
