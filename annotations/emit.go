package annotations

import (
	"encoding/base64"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file writes YAML exactly as gto 0.2.4 does, byte for byte: gto dumps
// its index with ruamel.yaml (YAML(typ="safe", pure=True) with
// default_flow_style = False), and the conformance suite compares the hashes
// of commits that contain the file. The emitter below follows the algorithm
// of ruamel.yaml 0.18.6 (representer, serializer, YAML 1.2 resolver and
// emitter) for the values an Index can hold: mappings with string keys,
// sequences, strings, booleans, integers, floats and null. Its settings are
// ruamel's defaults: indentation 2, block sequences under a mapping key not
// indented, line width 80, allow_unicode, "\n" line breaks, mapping keys
// sorted, empty collections in flow style, everything else in block style.
//
// Positions and lengths are counted in code points, as Python does.

// yamlNode is a represented value: the input of the serializer.
type yamlNode struct {
	kind  yamlKind
	tag   string // scalars: "str", "null", "bool", "int", "float" or "binary"
	value string // scalars: the text
	// literal asks for the literal block style, as ruamel's representer
	// does for !!binary.
	literal bool
	items   []*yamlNode // sequences: the items; mappings: key, value, key, ...
}

type yamlKind uint8

const (
	scalarKind yamlKind = iota
	sequenceKind
	mappingKind
)

// The emitter's settings: ruamel's defaults.
const (
	bestIndent         = 2  // best_sequence_indent and best_map_indent
	bestWidth          = 80 // best_width
	maxSimpleKeyLength = 128
)

// noIndent stands for Python's None as an indentation.
const noIndent = -1

// represent builds the node of a value the way ruamel's SafeRepresenter
// does: str, bool, int, float, None, list and dict (keys sorted, by code
// point). Strings that are not UTF-8 cannot be a Python str; they are
// represented as the bytes they are, which ruamel writes as !!binary in a
// literal block (as a key, such a string is sorted by its bytes, where
// Python would give up sorting a dict with both str and bytes keys).
func represent(v any) (*yamlNode, error) {
	switch v := v.(type) {
	case nil:
		return &yamlNode{tag: "null", value: "null"}, nil
	case string:
		return stringYAMLNode(v), nil
	case bool:
		return &yamlNode{tag: "bool", value: strconv.FormatBool(v)}, nil
	case int:
		return &yamlNode{tag: "int", value: strconv.Itoa(v)}, nil
	case int64:
		return &yamlNode{tag: "int", value: strconv.FormatInt(v, 10)}, nil
	case uint64:
		return &yamlNode{tag: "int", value: strconv.FormatUint(v, 10)}, nil
	case float64:
		return &yamlNode{tag: "float", value: pythonFloat(v)}, nil
	case []string:
		n := &yamlNode{kind: sequenceKind}
		for _, s := range v {
			n.items = append(n.items, stringYAMLNode(s))
		}
		return n, nil
	case []any:
		n := &yamlNode{kind: sequenceKind}
		for _, item := range v {
			c, err := represent(item)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, c)
		}
		return n, nil
	case map[string]any:
		n := &yamlNode{kind: mappingKind}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			c, err := represent(v[k])
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, stringYAMLNode(k), c)
		}
		return n, nil
	}
	return nil, fmt.Errorf("cannot write a custom value of type %T", v)
}

// stringYAMLNode represents a string; see represent.
func stringYAMLNode(s string) *yamlNode {
	if utf8.ValidString(s) {
		return &yamlNode{tag: "str", value: s}
	}
	return &yamlNode{tag: "binary", value: base64Lines(s), literal: true}
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

// YAML 1.2 implicit resolvers of ruamel.yaml, by the first character they
// apply to, in ruamel's order. Python's "$" also matches before a final
// newline, which resolve emulates.
var (
	resolveBool      = regexp.MustCompile(`^(?:true|True|TRUE|false|False|FALSE)$`)
	resolveFloat     = regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
	resolveInt       = regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$`)
	resolveMerge     = regexp.MustCompile(`^(?:<<)$`)
	resolveNull      = regexp.MustCompile(`^(?:~|null|Null|NULL|)$`)
	resolveTimestamp = regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`)
	resolveValue     = regexp.MustCompile(`^(?:=)$`)
	resolveYAML      = regexp.MustCompile(`^(?:!|&|\*)$`)
)

type implicitResolver struct {
	tag   string
	first string // the first characters it applies to; "" also the empty string
	re    *regexp.Regexp
}

var implicitResolvers = []implicitResolver{
	{"bool", "tTfF", resolveBool},
	{"float", "-+0123456789.", resolveFloat},
	{"int", "-+0123456789", resolveInt},
	{"merge", "<", resolveMerge},
	{"null", "~nN", resolveNull},
	{"timestamp", "0123456789", resolveTimestamp},
	{"value", "=", resolveValue},
	{"yaml", "!&*", resolveYAML},
}

// resolveScalar returns the tag a plain scalar with text s has for
// ruamel.yaml under YAML 1.2: "str" unless an implicit resolver matches.
func resolveScalar(s string) string {
	first, _ := utf8.DecodeRuneInString(s)
	for _, r := range implicitResolvers {
		if s == "" {
			if r.tag != "null" {
				continue
			}
		} else if !strings.ContainsRune(r.first, first) {
			continue
		}
		if r.re.MatchString(s) || (strings.HasSuffix(s, "\n") && r.re.MatchString(s[:len(s)-1])) {
			return r.tag
		}
	}
	return "str"
}

// scalarAnalysis is what ruamel's analyze_scalar finds out about a text,
// reduced to what the block context needs.
type scalarAnalysis struct {
	empty, multiline bool
	// allowPlain is allow_block_plain, allowSingleQuoted allow_single_quoted;
	// double quotes are always allowed, and the literal style is only
	// requested (for !!binary), never chosen.
	allowPlain, allowSingleQuoted bool
}

func isLineBreak(r rune) bool {
	return r == '\n' || r == '\u0085' || r == '\u2028' || r == '\u2029'
}

// isBlankOrBreak is ruamel's '\0 \t\r\n\x85\u2028\u2029'.
func isBlankOrBreak(r rune) bool {
	return r == 0 || r == ' ' || r == '\t' || r == '\r' || isLineBreak(r)
}

// isPrintableUnicode tells the characters that allow_unicode lets through
// unescaped (besides the printable ASCII).
func isPrintableUnicode(r rune) bool {
	return r == '\u0085' || (r >= '\u00a0' && r <= '\ud7ff') || (r >= '\ue000' && r <= '\ufffd') ||
		(r >= 0x10000 && r <= 0x10ffff)
}

func analyzeScalar(text []rune) scalarAnalysis {
	if len(text) == 0 {
		return scalarAnalysis{empty: true, allowPlain: true, allowSingleQuoted: true}
	}
	var indicators, lineBreaks, specialCharacters bool
	var leadingSpace, leadingBreak, trailingSpace, trailingBreak, breakSpace, spaceBreak bool
	if s := string(text[:min(3, len(text))]); s == "---" || s == "..." {
		indicators = true
	}
	precededByWhitespace := true
	followedByWhitespace := len(text) == 1 || isBlankOrBreak(text[1])
	previousSpace, previousBreak := false, false
	for i, ch := range text {
		if i == 0 {
			if strings.ContainsRune("#,[]{}&*!|>'\"%@`", ch) ||
				((ch == '?' || ch == ':' || ch == '-') && followedByWhitespace) {
				indicators = true
			}
		} else if (ch == ':' && followedByWhitespace) || (ch == '#' && precededByWhitespace) {
			indicators = true
		}
		if isLineBreak(ch) {
			lineBreaks = true
		}
		if ch != '\n' && (ch < 0x20 || ch > 0x7e) && (!isPrintableUnicode(ch) || ch == '\ufeff') {
			specialCharacters = true
		}
		switch {
		case ch == ' ':
			leadingSpace = leadingSpace || i == 0
			trailingSpace = trailingSpace || i == len(text)-1
			breakSpace = breakSpace || previousBreak
			previousSpace, previousBreak = true, false
		case isLineBreak(ch):
			leadingBreak = leadingBreak || i == 0
			trailingBreak = trailingBreak || i == len(text)-1
			spaceBreak = spaceBreak || previousSpace
			previousSpace, previousBreak = false, true
		default:
			previousSpace, previousBreak = false, false
		}
		precededByWhitespace = isBlankOrBreak(ch)
		followedByWhitespace = i+2 >= len(text) || isBlankOrBreak(text[i+2])
	}
	return scalarAnalysis{
		multiline: lineBreaks,
		allowPlain: !(leadingSpace || leadingBreak || trailingSpace || trailingBreak || breakSpace ||
			specialCharacters || spaceBreak || lineBreaks || indicators),
		// (allow_space_break is off.)
		allowSingleQuoted: !(breakSpace || specialCharacters || spaceBreak),
	}
}

// Scalar styles.
const (
	stylePlain  = 0
	styleSingle = '\''
	styleDouble = '"'
	styleBlock  = '|'
)

type indentLevel struct {
	indent int
	seq    bool
}

// emitter is ruamel's Emitter reduced to what a represented Index needs:
// one implicit document whose root is a mapping, no anchors, no comments,
// no directives, collections in block style unless empty. As only empty
// collections are in flow style, nothing is ever written in a flow context
// (ruamel's flow_level is always 0 where it is read). The fields and
// methods bear the names of ruamel's.
type emitter struct {
	out        strings.Builder
	column     int
	whitespace bool
	indention  bool
	noNewline  bool
	indent     int // noIndent: None
	indents    []indentLevel
	// lossy is set when a scalar was written in a form that YAML readers,
	// ruamel's included, read back as another string; see emitDocument.
	lossy bool

	sequenceContext, mappingContext, simpleKeyContext bool
}

// emitDocument writes root as a whole YAML stream. lossy reports that a
// string was written as ruamel writes it but does not read back as itself,
// in ruamel or elsewhere, because of three flaws of ruamel's emitter:
//
//   - a NEL (U+0085) in a single-quoted scalar is written as a raw line
//     break, which readers turn into "\n" and fold;
//   - a double-quoted scalar folded right after an escape sequence, before a
//     character other than a space, gets a line break without the "\\"
//     that would make it vanish, so it reads back as an added space;
//   - a plain scalar where a word longer than the line follows two spaces or
//     more gets a line break after the spaces, which drops them and reads
//     back as a single space.
//
// gto writes the same bytes, and reads back the same changed strings.
func emitDocument(root *yamlNode) (text string, lossy bool) {
	e := &emitter{whitespace: true, indention: true, indent: noIndent}
	e.expectNode(root, false, false, false)
	// expect_document_end
	e.writeIndent()
	return e.out.String(), e.lossy
}

func (e *emitter) increaseIndent(flow, sequence, indentless bool) {
	e.indents = append(e.indents, indentLevel{e.indent, sequence})
	if e.indent == noIndent {
		if !flow {
			e.indent = 0
		}
		// A flow collection or a scalar at the top keeps None, the
		// requested indent.
	} else if !indentless {
		e.indent += bestIndent
	}
}

func (e *emitter) popIndent() {
	e.indent = e.indents[len(e.indents)-1].indent
	e.indents = e.indents[:len(e.indents)-1]
}

// seqSeq tells whether the last two levels are sequences.
func (e *emitter) seqSeq() bool {
	n := len(e.indents)
	return n >= 2 && e.indents[n-2].seq && e.indents[n-1].seq
}

// seqFlowAlign is the padding before a flow collection's opening bracket.
func (e *emitter) seqFlowAlign() int {
	n := len(e.indents)
	if n < 2 || !e.indents[n-1].seq {
		return 0
	}
	base := max(e.indents[n-1].indent, 0)
	return max(base+bestIndent-e.column-1, 0)
}

// expectNode writes a node; the flags say where it is: an item of a
// sequence, a key or value of a mapping, a simple key.
func (e *emitter) expectNode(n *yamlNode, sequence, mapping, simpleKey bool) {
	e.sequenceContext, e.mappingContext, e.simpleKeyContext = sequence, mapping, simpleKey
	switch n.kind {
	case scalarKind:
		text := []rune(n.value)
		style := e.chooseScalarStyle(n, analyzeScalar(text))
		e.processTag(n, style)
		// expect_scalar
		e.increaseIndent(true, false, false)
		e.processScalar(text, style)
		e.popIndent()
	case sequenceKind:
		if len(n.items) == 0 {
			e.emptyFlowCollection("[", "]")
			return
		}
		indentless := e.mappingContext && !e.indention
		e.increaseIndent(false, true, indentless)
		if e.seqSeq() {
			e.indention, e.noNewline = true, false
		}
		for _, item := range n.items {
			nonl := e.noNewline && e.column == 0
			e.writeIndent()
			e.writeIndicator("-", true, false, true)
			if nonl {
				e.noNewline = true
			}
			e.expectNode(item, true, false, false)
		}
		e.popIndent()
		e.noNewline = false
	case mappingKind:
		if len(n.items) == 0 {
			e.emptyFlowCollection("{", "}")
			return
		}
		e.increaseIndent(false, false, false)
		for i := 0; i < len(n.items); i += 2 {
			key, value := n.items[i], n.items[i+1]
			e.writeIndent()
			if e.isSimpleKey(key) {
				e.expectNode(key, false, true, true)
				e.writeIndicator(":", false, false, false)
			} else {
				e.writeIndicator("?", true, false, true)
				e.expectNode(key, false, true, false)
				e.writeIndent()
				e.writeIndicator(":", true, false, true)
			}
			e.expectNode(value, false, true, false)
		}
		e.popIndent()
	}
}

// emptyFlowCollection writes "[]" or "{}" (expect_flow_sequence or
// expect_flow_mapping followed by the end event).
func (e *emitter) emptyFlowCollection(open, closing string) {
	ind := e.seqFlowAlign()
	e.writeIndicator(strings.Repeat(" ", ind)+open, true, true, false)
	e.increaseIndent(true, open == "[", false)
	if open == "[" && e.seqSeq() {
		e.indention, e.noNewline = true, false
	}
	e.popIndent()
	e.writeIndicator(closing, false, false, false)
	e.writeLineBreak("\n")
}

// isSimpleKey is check_simple_key for a key, which is always a scalar: it
// is on one line and short enough with its tag, which ruamel counts even
// when it is not written. Other keys are written after "? ".
func (e *emitter) isSimpleKey(n *yamlNode) bool {
	text := []rune(n.value)
	return len("!!")+len(n.tag)+len(text) < maxSimpleKeyLength && !analyzeScalar(text).multiline
}

// implicit is the pair of flags of a scalar event: whether the tag is the
// one a plain scalar with that text resolves to, and whether it is the one
// a quoted scalar resolves to (str).
func implicit(n *yamlNode) (plain, quoted bool) {
	return resolveScalar(n.value) == n.tag, n.tag == "str"
}

// chooseScalarStyle prefers plain, then single quotes, then double quotes;
// text with a "'" or a "\n" goes straight to double quotes.
func (e *emitter) chooseScalarStyle(n *yamlNode, a scalarAnalysis) byte {
	plainOK, _ := implicit(n)
	if !n.literal && plainOK {
		if !(e.simpleKeyContext && (a.empty || a.multiline)) && a.allowPlain {
			return stylePlain
		}
	}
	if n.literal && !e.simpleKeyContext {
		return styleBlock
	}
	if !n.literal && strings.ContainsAny(n.value, "'\n") {
		return styleDouble
	}
	if !n.literal && a.allowSingleQuoted && !(e.simpleKeyContext && a.multiline) {
		return styleSingle
	}
	return styleDouble
}

func (e *emitter) processTag(n *yamlNode, style byte) {
	plain, quoted := implicit(n)
	if (style == stylePlain && plain) || (style != stylePlain && quoted) {
		return
	}
	e.writeIndicator("!!"+n.tag, true, false, false)
	if e.sequenceContext {
		e.noNewline = true
	}
}

func (e *emitter) processScalar(text []rune, style byte) {
	split := !e.simpleKeyContext
	if e.sequenceContext {
		e.writeIndent()
	}
	switch style {
	case styleDouble:
		e.writeDoubleQuoted(text, split)
	case styleSingle:
		e.writeSingleQuoted(text, split)
	case styleBlock:
		e.writeLiteral(text)
	default:
		e.writePlain(text, split)
	}
}

// Writers.

func (e *emitter) writeRunes(text []rune) {
	e.column += len(text)
	e.out.WriteString(string(text))
}

func (e *emitter) writeString(s string) {
	e.column += utf8.RuneCountInString(s)
	e.out.WriteString(s)
}

func (e *emitter) writeIndicator(indicator string, needWhitespace, whitespace, indention bool) {
	data := indicator
	if !e.whitespace && needWhitespace {
		data = " " + indicator
	}
	e.whitespace = whitespace
	e.indention = e.indention && indention
	e.writeString(data)
}

func (e *emitter) writeIndent() {
	indent := max(e.indent, 0)
	if !e.indention || e.column > indent || (e.column == indent && !e.whitespace) {
		if e.noNewline {
			e.noNewline = false
		} else {
			e.writeLineBreak("\n")
		}
	}
	if e.column < indent {
		e.whitespace = true
		e.out.WriteString(strings.Repeat(" ", indent-e.column))
		e.column = indent
	}
}

func (e *emitter) writeLineBreak(br string) {
	e.whitespace = true
	e.indention = true
	e.column = 0
	e.out.WriteString(br)
}

// writeBreaks writes line breaks as themselves in a flow scalar, where
// YAML folds a lone "\n" into a space: a leading "\n" is doubled.
func (e *emitter) writeBreaks(breaks []rune) {
	if breaks[0] == '\n' {
		e.writeLineBreak("\n")
	}
	for _, br := range breaks {
		e.writeLineBreak(string(br))
	}
}

const none rune = -1

func (e *emitter) writePlain(text []rune, split bool) {
	if len(text) == 0 {
		return
	}
	if !e.whitespace {
		e.writeString(" ")
	}
	e.whitespace, e.indention = false, false
	spaces, breaks := false, false
	start := 0
	for end := 0; end <= len(text); end++ {
		ch := none
		if end < len(text) {
			ch = text[end]
		}
		switch {
		case spaces:
			if ch != ' ' {
				if start+1 == end && e.column > bestWidth && split {
					e.writeIndent()
					e.whitespace, e.indention = false, false
				} else {
					e.writeRunes(text[start:end])
				}
				start = end
			}
		case breaks:
			if !isLineBreak(ch) {
				e.writeBreaks(text[start:end])
				e.writeIndent()
				e.whitespace, e.indention = false, false
				start = end
			}
		default:
			if ch == none || ch == ' ' || isLineBreak(ch) {
				data := text[start:end]
				// Words longer than the line get a line of their own, but
				// not in a key (split is false): ruamel breaks the line
				// there too, which makes the file invalid YAML, as a
				// plain key must be on one line. This is the one place
				// where the output differs from ruamel's.
				if len(data) > bestWidth && e.indent != noIndent && e.column > e.indent && split {
					if start >= 2 && text[start-1] == ' ' && text[start-2] == ' ' {
						// The spaces end the line, so they are dropped, and
						// the line break reads back as one space.
						e.lossy = true
					}
					e.writeIndent()
				}
				e.writeRunes(data)
				start = end
			}
		}
		if ch != none {
			spaces, breaks = ch == ' ', isLineBreak(ch)
		}
	}
}

func (e *emitter) writeSingleQuoted(text []rune, split bool) {
	e.writeIndicator("'", true, false, false)
	spaces, breaks := false, false
	start := 0
	for end := 0; end <= len(text); end++ {
		ch := none
		if end < len(text) {
			ch = text[end]
		}
		switch {
		case spaces:
			if ch != ' ' {
				if start+1 == end && e.column > bestWidth && split && start != 0 && end != len(text) {
					e.writeIndent()
				} else {
					e.writeRunes(text[start:end])
				}
				start = end
			}
		case breaks:
			if !isLineBreak(ch) {
				if slices.Contains(text[start:end], '\u0085') {
					e.lossy = true
				}
				e.writeBreaks(text[start:end])
				e.writeIndent()
				start = end
			}
		default:
			if ch == none || ch == ' ' || isLineBreak(ch) || ch == '\'' {
				if start < end {
					e.writeRunes(text[start:end])
					start = end
				}
			}
		}
		if ch == '\'' {
			e.writeString("''")
			start = end + 1
		}
		if ch != none {
			spaces, breaks = ch == ' ', isLineBreak(ch)
		}
	}
	e.writeIndicator("'", false, false, false)
}

// doubleQuotedEscapes are the short escapes of the double-quoted style.
var doubleQuotedEscapes = map[rune]string{
	0: "0", '\a': "a", '\b': "b", '\t': "t", '\n': "n", '\v': "v", '\f': "f", '\r': "r",
	0x1b: "e", '"': "\"", '\\': "\\", 0x85: "N", 0xa0: "_", 0x2028: "L", 0x2029: "P",
}

func (e *emitter) writeDoubleQuoted(text []rune, split bool) {
	e.writeIndicator("\"", true, false, false)
	start := 0
	for end := 0; end <= len(text); end++ {
		ch := none
		if end < len(text) {
			ch = text[end]
		}
		if ch == none || ch == '"' || ch == '\\' || ch == 0x85 || ch == 0x2028 || ch == 0x2029 || ch == 0xfeff ||
			!((ch >= 0x20 && ch <= 0x7e) || (ch >= 0xa0 && ch <= 0xd7ff) || (ch >= 0xe000 && ch <= 0xfffd) || (ch >= 0x10000 && ch <= 0x10ffff)) {
			if start < end {
				e.writeRunes(text[start:end])
				start = end
			}
			if ch != none {
				var data string
				if esc, ok := doubleQuotedEscapes[ch]; ok {
					data = "\\" + esc
				} else if ch <= 0xff {
					data = fmt.Sprintf("\\x%02X", ch)
				} else if ch <= 0xffff {
					data = fmt.Sprintf("\\u%04X", ch)
				} else {
					data = fmt.Sprintf("\\U%08X", ch)
				}
				e.writeString(data)
				start = end + 1
			}
		}
		if 0 < end && end < len(text)-1 && (ch == ' ' || start >= end) &&
			e.column+(end-start) > bestWidth && split {
			needBackslash := true
			if sp := slices.Index(text[end:], ' '); sp >= 0 {
				spacePos := end + sp
				word := text[end:spacePos]
				if !slices.Contains(word, '"') && !slices.Contains(word, '\'') &&
					spacePos+1 < len(text) && text[spacePos+1] != ' ' &&
					!(text[end-1] == ' ' && text[end] == ' ') {
					needBackslash = false
				}
			}
			var data []rune
			if start < end {
				data = text[start:end]
				start = end
			}
			if needBackslash {
				data = append(slices.Clip(data), '\\')
			}
			e.writeRunes(data)
			e.writeIndent()
			e.whitespace, e.indention = false, false
			switch {
			case text[start] == ' ' && needBackslash:
				e.writeString("\\")
			case text[start] == ' ':
				start++ // the line break reads back as this space
			case !needBackslash:
				e.lossy = true // the line break reads back as a space
			}
		}
	}
	e.writeIndicator("\"", false, false, false)
}

// writeLiteral writes a literal block; only !!binary uses it, whose text
// ends with one line break and never starts with a space. Like ruamel, it
// does not count the columns of the text.
func (e *emitter) writeLiteral(text []rune) {
	hints := ""
	if len(text) > 0 {
		if text[0] == ' ' || isLineBreak(text[0]) {
			hints = "2"
		}
		if !isLineBreak(text[len(text)-1]) {
			hints += "-"
		} else if len(text) == 1 || isLineBreak(text[len(text)-2]) {
			hints += "+"
		}
	}
	e.writeIndicator("|"+hints, true, false, false)
	e.writeLineBreak("\n")
	breaks := true
	start := 0
	for end := 0; end <= len(text); end++ {
		ch := none
		if end < len(text) {
			ch = text[end]
		}
		if breaks {
			if !isLineBreak(ch) {
				for _, br := range text[start:end] {
					e.writeLineBreak(string(br))
				}
				if ch != none {
					e.writeIndent()
				}
				start = end
			}
		} else if ch == none || isLineBreak(ch) {
			e.out.WriteString(string(text[start:end]))
			if ch == none {
				e.writeLineBreak("\n")
			}
			start = end
		}
		if ch != none {
			breaks = isLineBreak(ch)
		}
	}
}
