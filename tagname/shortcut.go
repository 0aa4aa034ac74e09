package tagname

import (
	"fmt"
	"strings"

	"github.com/gto-dev/gto/semver"
)

// Shortcut is what `gto show` (and `describe`) accept to select an artifact, one of
// its versions or a stage: "NAME", "NAME@latest", "NAME@greatest", "NAME@vX.Y.Z" or
// "NAME#STAGE". At most one of Latest, Greatest, Version and Stage is set; for a plain
// NAME none is.
type Shortcut struct {
	Artifact string // artifact name in NAME form
	Latest   bool   // NAME@latest
	Greatest bool   // NAME@greatest (the same selection as @latest in GTO)
	Version  string // NAME@vX.Y.Z
	Stage    string // NAME#STAGE
}

// ParseShortcut parses s, returning an error that names the faulty part when s is
// none of the forms of Shortcut (e.g. "model@v1", "model@foo", "model#a#b", "###").
// The artifact is in NAME form: "dir:model@latest", not "dir=model@latest".
func ParseShortcut(s string) (Shortcut, error) {
	i := strings.IndexAny(s, "@#")
	if i <= 0 { // no selector, or nothing before it: report the whole input as a name
		if err := ValidateArtifactName(s); err != nil {
			return Shortcut{}, err
		}
		return Shortcut{Artifact: s}, nil
	}
	sc := Shortcut{Artifact: s[:i]}
	if err := ValidateArtifactName(sc.Artifact); err != nil {
		return Shortcut{}, err
	}
	rest := s[i+1:]
	if s[i] == '#' {
		if err := ValidateName("stage", rest); err != nil {
			return Shortcut{}, err
		}
		sc.Stage = rest
		return sc, nil
	}
	switch {
	case rest == "latest":
		sc.Latest = true
	case rest == "greatest":
		sc.Greatest = true
	case strings.HasPrefix(rest, "v"):
		if _, err := semver.Parse(rest); err != nil {
			return Shortcut{}, err
		}
		sc.Version = rest
	default:
		return Shortcut{}, fmt.Errorf("invalid shortcut %q: after \"@\" comes latest, greatest or a version such as v1.0.0", s)
	}
	return sc, nil
}
