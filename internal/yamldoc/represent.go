package yamldoc

import (
	"encoding/base64"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Node is a represented value, the input of Emit: what ruamel's
// SafeRepresenter makes of a Python value. The zero Node is not useful; get
// one from Represent.
type Node struct {
	kind  nodeKind
	tag   string // scalars: "str", "null", "bool", "int", "float" or "binary"
	value string // scalars: the text
	// literal asks for the literal block style, as ruamel's representer
	// does for !!binary.
	literal bool
	items   []*Node // sequences: the items; mappings: key, value, key, ...
}

type nodeKind uint8

const (
	scalarKind nodeKind = iota
	sequenceKind
	mappingKind
)

// UnsupportedError is the error of Represent for a value of a type it does
// not represent (a struct, a pointer, a map with other keys than strings,
// ...). Value is that value, nested where it was found.
type UnsupportedError struct {
	Value any
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("cannot write a value of type %T as YAML", e.Value)
}

// Represent builds the node of v the way ruamel's SafeRepresenter does for
// the Python value v stands for: nil (None), string (str), bool, int, int64
// and uint64 (int), float64 (float), []string and []any (list) and
// map[string]any (dict, keys sorted by code point), nested in any way. A
// *Node that Represent returned stands for the value it was built from, so
// that a caller can represent the parts of a document one by one.
//
// Strings that are not UTF-8 cannot be a Python str; they are represented as
// the bytes they are, which ruamel writes as !!binary in a literal block (as
// a key, such a string is sorted by its bytes, where Python would give up
// sorting a dict with both str and bytes keys).
//
// The only error is an *UnsupportedError.
func Represent(v any) (*Node, error) {
	switch v := v.(type) {
	case *Node:
		return v, nil
	case nil:
		return &Node{tag: "null", value: "null"}, nil
	case string:
		return stringNode(v), nil
	case bool:
		return &Node{tag: "bool", value: strconv.FormatBool(v)}, nil
	case int:
		return &Node{tag: "int", value: strconv.Itoa(v)}, nil
	case int64:
		return &Node{tag: "int", value: strconv.FormatInt(v, 10)}, nil
	case uint64:
		return &Node{tag: "int", value: strconv.FormatUint(v, 10)}, nil
	case float64:
		return &Node{tag: "float", value: pythonFloat(v)}, nil
	case []string:
		n := &Node{kind: sequenceKind}
		for _, s := range v {
			n.items = append(n.items, stringNode(s))
		}
		return n, nil
	case []any:
		n := &Node{kind: sequenceKind}
		for _, item := range v {
			c, err := Represent(item)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, c)
		}
		return n, nil
	case map[string]any:
		n := &Node{kind: mappingKind}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			c, err := Represent(v[k])
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, stringNode(k), c)
		}
		return n, nil
	}
	return nil, &UnsupportedError{Value: v}
}

// stringNode represents a string; see Represent.
func stringNode(s string) *Node {
	if utf8.ValidString(s) {
		return &Node{tag: "str", value: s}
	}
	return &Node{tag: "binary", value: base64Lines(s), literal: true}
}

// base64Lines encodes s like Python's base64.encodebytes: lines of at most
// 76 characters, each ended by "\n".
func base64Lines(s string) string {
	enc := base64.StdEncoding.EncodeToString([]byte(s))
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteByte('\n')
		enc = enc[76:]
	}
	if enc != "" {
		b.WriteString(enc)
		b.WriteByte('\n')
	}
	return b.String()
}

// pythonFloat writes f as ruamel's represent_float does: .nan, .inf, -.inf,
// or Python's repr, which is the shortest text that reads back as f, in
// positional notation when the decimal exponent is in [-4, 16), with at
// least one digit after the point, and in scientific notation otherwise,
// with a signed exponent of at least two digits ("1e+16", "1.5e-07").
func pythonFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return ".nan"
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	}
	// "-d.ddde±xx": the shortest digits and the exponent.
	s := strconv.FormatFloat(f, 'e', -1, 64)
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	mant, expText, _ := strings.Cut(s, "e")
	digits := strings.Replace(mant, ".", "", 1)
	exp, _ := strconv.Atoi(expText)
	decpt := exp + 1 // digits before the point
	if decpt <= -4 || decpt > 16 {
		frac := ""
		if len(digits) > 1 {
			frac = "." + digits[1:]
		}
		esign := "+"
		if exp < 0 {
			esign, exp = "-", -exp
		}
		return fmt.Sprintf("%s%s%se%s%02d", sign, digits[:1], frac, esign, exp)
	}
	var intPart, fracPart string
	switch {
	case decpt <= 0:
		intPart, fracPart = "0", strings.Repeat("0", -decpt)+digits
	case decpt >= len(digits):
		intPart, fracPart = digits+strings.Repeat("0", decpt-len(digits)), "0"
	default:
		intPart, fracPart = digits[:decpt], digits[decpt:]
	}
	return sign + intPart + "." + fracPart
}
