package tagname

import (
	"fmt"
	"strings"
)

// CheckRefFormat returns a *RefFormatError when name (a tag name, without
// "refs/tags/") is not something `git tag` accepts, and nil otherwise. The rules are
// those of git-check-ref-format(1) applied to "refs/tags/"+name:
//
//   - no path component (between "/") is empty, starts with "." or ends with ".lock"
//     (so no "//" and no leading or trailing "/");
//   - no "..", no "@{" and no trailing ".";
//   - no ASCII control character or DEL, space, "~", "^", ":", "?", "*", "[" or "\".
//
// plus two more: the name does not start with "-" (`git tag` refuses that), and is not
// "@" (check-ref-format refuses it as a one-level name; no GTO tag is "@" anyway).
// Non-ASCII bytes are allowed, as git allows them.
func CheckRefFormat(name string) error {
	if reason := refProblem(name); reason != "" {
		return &RefFormatError{Name: name, Reason: reason}
	}
	return nil
}

// refProblem returns the first rule name breaks as a verb phrase, or "" when name is
// a valid tag name. It never allocates, so Parse can afford it on every tag.
func refProblem(name string) string {
	switch {
	case name == "":
		return "is empty"
	case name == "@":
		return `is "@"`
	case name[0] == '-':
		return `starts with "-"`
	case name[0] == '/':
		return `starts with "/"`
	case name[len(name)-1] == '/':
		return `ends with "/"`
	case name[len(name)-1] == '.':
		return `ends with "."`
	}
	start := 0 // index of the current path component
	for i := 0; i < len(name); i++ {
		c := name[i]
		if reason := forbidden[c]; reason != "" {
			return reason
		}
		switch {
		case c == '.' && i+1 < len(name) && name[i+1] == '.':
			return `contains ".."`
		case c == '@' && i+1 < len(name) && name[i+1] == '{':
			return `contains "@{"`
		case c == '.' && i == start:
			return `has a path component starting with "."`
		case c == '/':
			if i == start {
				return `contains "//"`
			}
			if strings.HasSuffix(name[start:i], ".lock") {
				return `has a path component ending with ".lock"`
			}
			start = i + 1
		}
	}
	if strings.HasSuffix(name[start:], ".lock") {
		return `has a path component ending with ".lock"`
	}
	return ""
}

// forbidden maps each byte git forbids anywhere in a ref name to the reason
// refProblem gives (and every other byte to ""): a table lookup keeps the per-byte
// loop cheap and the messages allocation-free.
var forbidden = func() (t [256]string) {
	for c := range 0x20 {
		t[c] = "contains a control character"
	}
	t[0x7f] = "contains a control character"
	t[' '] = "contains a space"
	for _, c := range []byte(`~^:?*[\`) {
		t[c] = `contains "` + string(c) + `"`
	}
	return t
}()

// MaxComponentLength is the longest "/"-separated part of a tag name gto writes:
// git keeps a tag in a file named after it (plus ".lock" while writing it), and a
// file name has at most 255 bytes.
const MaxComponentLength = 250

// CheckWritable returns a *RefFormatError unless git can create a tag called name:
// CheckRefFormat, and no "/"-separated part longer than MaxComponentLength (git
// reads longer names from packed refs, so Parse accepts them, but cannot create one).
func CheckWritable(name string) error {
	if err := CheckRefFormat(name); err != nil {
		return err
	}
	for part := range strings.SplitSeq(name, "/") {
		if len(part) > MaxComponentLength {
			return &RefFormatError{Name: name, Reason: fmt.Sprintf("has a part of %d bytes, and git allows at most %d", len(part), MaxComponentLength)}
		}
	}
	return nil
}
