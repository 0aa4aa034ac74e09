package tagname

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrInvalidName is wrapped by every *NameError; test for it with errors.Is.
var ErrInvalidName = errors.New("invalid name")

// ErrInvalidRef is wrapped by every *RefFormatError; test for it with errors.Is.
var ErrInvalidRef = errors.New("invalid git tag name")

// NameError reports an artifact, stage, type or label name outside the grammar, or one
// that cannot be part of a git tag name. It wraps ErrInvalidName.
type NameError struct {
	Kind   string // "artifact", "stage", "type", "label", ...
	Name   string // the rejected name
	Reason string // why, as a clause: `it contains "//", which ...`
}

// Error returns `invalid KIND name "NAME": REASON`, NAME shortened when long.
func (e *NameError) Error() string {
	if e.Kind == "" {
		return fmt.Sprintf("invalid name %q: %s", shorten(e.Name), e.Reason)
	}
	return fmt.Sprintf("invalid %s name %q: %s", e.Kind, shorten(e.Name), e.Reason)
}

// shorten cuts s to its first 64 bytes (at a character boundary) and "…",
// so that a hostile 10,000-byte name gives a message of one line.
func shorten(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Unwrap returns ErrInvalidName.
func (e *NameError) Unwrap() error { return ErrInvalidName }

// RefFormatError reports a string that git would refuse as a tag name. It wraps
// ErrInvalidRef.
type RefFormatError struct {
	Name   string // the rejected tag name
	Reason string // the rule it breaks, as a verb phrase: `contains "//"`
}

// Error returns `"NAME" is not a valid git tag name: it REASON`, NAME shortened
// when long.
func (e *RefFormatError) Error() string {
	return fmt.Sprintf("%q is not a valid git tag name: it %s", shorten(e.Name), e.Reason)
}

// Unwrap returns ErrInvalidRef.
func (e *RefFormatError) Unwrap() error { return ErrInvalidRef }
