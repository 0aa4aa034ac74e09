package yamldoc

import (
	"fmt"
	"iter"
	"slices"
	"strings"
	"unicode/utf8"
)

// This file is ruamel.yaml 0.18.6's serializer and emitter for a represented
// value (see Represent), with ruamel's default settings: indentation 2, block
// sequences under a mapping key not indented, line width 80, allow_unicode,
// "\n" line breaks, empty collections in flow style, everything else in
// block style. The representer has already sorted the mapping keys.
//
// Positions and lengths are counted in code points, as Python does.

// The emitter's settings: ruamel's defaults.
const (
	bestIndent         = 2  // best_sequence_indent and best_map_indent
	bestWidth          = 80 // best_width
	maxSimpleKeyLength = 128
)

// noIndent stands for Python's None as an indentation.
const noIndent = -1

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

// emitter is ruamel's Emitter reduced to what a represented document needs:
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
	// ruamel's included, read back as another string; see Emit.
	lossy bool

	sequenceContext, mappingContext, simpleKeyContext bool
}

// Emit writes root as a whole YAML stream, byte for byte as ruamel's dump
// writes the value root was represented from, for a root that is a mapping
// (all gto writes; ruamel ends some other roots with a "..." line that Emit
// does not write). An empty mapping is "{}\n".
//
// The one difference from ruamel's bytes is a plain mapping key with a word
// longer than the line: ruamel splits it over two lines, which is invalid
// YAML, and Emit keeps it on one (see writePlain).
//
// lossy reports that a string was written as ruamel writes it but does not
// read back as itself, in ruamel or elsewhere, because of three flaws of
// ruamel's emitter:
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
func Emit(root *Node) (out []byte, lossy bool) {
	e := &emitter{whitespace: true, indention: true, indent: noIndent}
	e.expectNode(root, false, false, false)
	// expect_document_end
	e.writeIndent()
	return []byte(e.out.String()), e.lossy
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
func (e *emitter) expectNode(n *Node, sequence, mapping, simpleKey bool) {
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
func (e *emitter) isSimpleKey(n *Node) bool {
	text := []rune(n.value)
	return len("!!")+len(n.tag)+len(text) < maxSimpleKeyLength && !analyzeScalar(text).multiline
}

// implicit is the pair of flags of a scalar event: whether the tag is the
// one a plain scalar with that text resolves to, and whether it is the one
// a quoted scalar resolves to (str).
func implicit(n *Node) (plain, quoted bool) {
	return Resolve(n.value) == n.tag, n.tag == "str"
}

// chooseScalarStyle prefers plain, then single quotes, then double quotes;
// text with a "'" or a "\n" goes straight to double quotes.
func (e *emitter) chooseScalarStyle(n *Node, a scalarAnalysis) byte {
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

func (e *emitter) processTag(n *Node, style byte) {
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

// none stands for Python's None as a character: the end of the text.
const none rune = -1

// positions yields each index of text with its character, then len(text)
// with none: ruamel's scalar writers look at the end of the text as one more
// character, which flushes what is pending.
func positions(text []rune) iter.Seq2[int, rune] {
	return func(yield func(int, rune) bool) {
		for i, ch := range text {
			if !yield(i, ch) {
				return
			}
		}
		yield(len(text), none)
	}
}

func (e *emitter) writePlain(text []rune, split bool) {
	if len(text) == 0 {
		return
	}
	if !e.whitespace {
		e.writeString(" ")
	}
	e.whitespace, e.indention = false, false
	start, spaces, breaks := 0, false, false
	for end, ch := range positions(text) {
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
	start, spaces, breaks := 0, false, false
	for end, ch := range positions(text) {
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
	for end, ch := range positions(text) {
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
	for end, ch := range positions(text) {
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
