// Package render draws the tables gto prints: the box style of the user
// guide (tabulate's "fancy_outline") and a borderless, grep-able plain style.
package render

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Missing is printed for an absent value (None in gto 0.2.4).
const Missing = "-"

// Cell is a table cell; Nil marks an absent value, printed as Missing (an
// empty string stays empty).
type Cell struct {
	Text string
	Nil  bool
}

// Str is a present cell.
func Str(s string) Cell { return Cell{Text: s} }

// Opt is a cell that is absent when s is empty.
func Opt(s string) Cell { return Cell{Text: s, Nil: s == ""} }

func (c Cell) String() string {
	if c.Nil {
		return Missing
	}
	return c.Text
}

// Table is a header and rows of cells.
type Table struct {
	Header []string
	Rows   [][]Cell
}

// Style selects the table drawing.
type Style int

const (
	// Box draws the box of the user guide.
	Box Style = iota
	// Plain draws columns separated by two spaces, without borders.
	Plain
)

// minPadding is the room tabulate keeps around headers: a column is at
// least two characters wider than its header.
const minPadding = 2

// Write draws t. An empty table prints empty instead (e.g. "Nothing found in
// the current workspace").
func Write(w io.Writer, t Table, style Style, empty string) error {
	if len(t.Rows) == 0 {
		_, err := io.WriteString(w, empty+"\n")
		return err
	}
	widths := make([]int, len(t.Header))
	for i, h := range t.Header {
		widths[i] = width(h) + minPadding
	}
	for _, row := range t.Rows {
		for i, c := range row {
			if n := width(c.String()); n > widths[i] {
				widths[i] = n
			}
		}
	}
	var b strings.Builder
	if style == Plain {
		writePlainRow(&b, t.Header, widths)
		for _, row := range t.Rows {
			writePlainRow(&b, cellsText(row), widths)
		}
	} else {
		writeRule(&b, widths, "╒", "═", "╤", "╕")
		writeBoxRow(&b, t.Header, widths)
		writeRule(&b, widths, "╞", "═", "╪", "╡")
		for _, row := range t.Rows {
			writeBoxRow(&b, cellsText(row), widths)
		}
		writeRule(&b, widths, "╘", "═", "╧", "╛")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func cellsText(row []Cell) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = c.String()
	}
	return out
}

func writePlainRow(b *strings.Builder, cells []string, widths []int) {
	var line strings.Builder
	for i, c := range cells {
		if i > 0 {
			line.WriteString("  ")
		}
		line.WriteString(pad(c, widths[i]))
	}
	b.WriteString(strings.TrimRight(line.String(), " "))
	b.WriteByte('\n')
}

func writeBoxRow(b *strings.Builder, cells []string, widths []int) {
	b.WriteString("│")
	for i, c := range cells {
		b.WriteString(" " + pad(c, widths[i]) + " │")
	}
	b.WriteByte('\n')
}

func writeRule(b *strings.Builder, widths []int, left, fill, mid, right string) {
	b.WriteString(left)
	for i, w := range widths {
		if i > 0 {
			b.WriteString(mid)
		}
		b.WriteString(strings.Repeat(fill, w+2))
	}
	b.WriteString(right + "\n")
}

func pad(s string, w int) string {
	if n := width(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// width is the display width of s: wide East Asian characters and most
// emoji take two columns, combining marks none.
func width(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r) || r == '\u200d':
		case isWide(r):
			n += 2
		default:
			n++
		}
	}
	return n
}

func isWide(r rune) bool {
	if r < 0x1100 || r == utf8.RuneError {
		return false
	}
	return r <= 0x115F || (r >= 0x2E80 && r <= 0xA4CF) || (r >= 0xAC00 && r <= 0xD7A3) ||
		(r >= 0xF900 && r <= 0xFAFF) || (r >= 0xFE30 && r <= 0xFE4F) || (r >= 0xFF00 && r <= 0xFF60) ||
		(r >= 0xFFE0 && r <= 0xFFE6) || (r >= 0x1F300 && r <= 0x1FAFF) || (r >= 0x20000 && r <= 0x3FFFD)
}
