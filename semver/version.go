package semver

// Version is a parsed GTO version. Build one with Parse or MustParse; the zero value is
// not a valid version (see IsZero).
//
// All fields are substrings of the original text, so a Version is cheap to copy and
// two Versions are == exactly when their texts are equal (build metadata included).
// Use Compare for SemVer precedence, which ignores build metadata.
type Version struct {
	text  string // the whole version, with the leading "v"
	major string // decimal digits, no leading zero unless "0"
	minor string
	patch string
	pre   string // pre-release identifiers without the leading "-"; "" when absent
	build string // build metadata without the leading "+"; "" when absent
}

// minimal is the first version GTO registers for an artifact.
var minimal = MustParse("v0.0.1")

// Minimal returns v0.0.1, the version GTO registers when an artifact has none yet.
func Minimal() Version { return minimal }

// String returns the exact text the version was parsed from, with its leading "v"
// ("" for the zero Version).
func (v Version) String() string { return v.text }

// IsZero reports whether v is the zero Version, i.e. was not produced by a parser.
// The zero Version orders below every valid version and bumps as if it were v0.0.0.
func (v Version) IsZero() bool { return v.text == "" }
