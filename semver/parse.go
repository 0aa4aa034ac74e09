package semver

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is the error every parse failure wraps; test for it with errors.Is.
var ErrInvalid = errors.New("invalid version")

// InvalidError reports a string that is not a GTO version. It wraps ErrInvalid.
type InvalidError struct {
	Text string // the rejected input
}

// Error returns a one-sentence message naming the input and the expected form.
func (e *InvalidError) Error() string {
	return fmt.Sprintf("invalid version %q: a version is \"v\" followed by a SemVer 2.0.0 string, e.g. v1.0.0", e.Text)
}

// Unwrap returns ErrInvalid.
func (e *InvalidError) Unwrap() error { return ErrInvalid }

// Parse parses s, which must include the leading lower-case "v" (e.g. "v1.2.3-rc.1").
// On failure it returns an *InvalidError. Parse does not allocate on success.
func Parse(s string) (Version, error) {
	v, ok := scan(s)
	if !ok {
		return Version{}, &InvalidError{Text: s}
	}
	return v, nil
}

// IsValid reports whether Parse(s) would succeed. It never allocates.
func IsValid(s string) bool {
	_, ok := scan(s)
	return ok
}

// MustParse is Parse for constants known to be valid; it panics on an invalid s.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// scan is the hand-written recogniser shared by Parse and IsValid. It reports false
// instead of building an error so that validity checks stay allocation-free.
func scan(s string) (Version, bool) {
	if len(s) < len("v0.0.0") || s[0] != 'v' {
		return Version{}, false
	}
	v := Version{text: s}
	rest := s[1:]
	var ok bool
	if v.major, rest, ok = number(rest); !ok || !strings.HasPrefix(rest, ".") {
		return Version{}, false
	}
	if v.minor, rest, ok = number(rest[1:]); !ok || !strings.HasPrefix(rest, ".") {
		return Version{}, false
	}
	if v.patch, rest, ok = number(rest[1:]); !ok {
		return Version{}, false
	}
	if strings.HasPrefix(rest, "-") {
		end := strings.IndexByte(rest, '+')
		if end < 0 {
			end = len(rest)
		}
		v.pre, rest = rest[1:end], rest[end:]
		if !validIdentifiers(v.pre, true) {
			return Version{}, false
		}
	}
	if rest == "" {
		return v, true
	}
	if rest[0] != '+' {
		return Version{}, false
	}
	v.build = rest[1:]
	if !validIdentifiers(v.build, false) {
		return Version{}, false
	}
	return v, true
}
