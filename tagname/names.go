package tagname

import (
	"fmt"
	"strings"
)

// Separators between a namespace and an artifact name: ":" in names as users write
// them, "=" inside tag names because git forbids ":" in refs.
const (
	sepInName = ":"
	sepInTag  = "="
)

const (
	nameRule     = `names start and end with a letter or digit and contain only letters, digits, "_", "-" and "/"`
	artifactRule = nameRule + ` (optionally prefixed by a "dir:" namespace)`
)

// ValidateArtifactName returns a *NameError unless name is an artifact name in NAME
// form: [a-zA-Z0-9]([a-zA-Z0-9_/-]*[a-zA-Z0-9])?, optionally prefixed by a namespace
// "dir:" with dir matching [a-zA-Z0-9_./-]+, whose tag form (ArtifactToTag) can start
// a git tag name. For example "model", "dir/sub:model" and "DVCLive/Model" are valid;
// "###", "-model", "m/", "a//b" and ".x:m" are not.
func ValidateArtifactName(name string) error {
	dir, base, hasDir := strings.Cut(name, sepInName)
	if !hasDir {
		base, dir = dir, ""
	}
	if (hasDir && !validDir(dir)) || !validName(base) {
		return &NameError{Kind: "artifact", Name: name, Reason: artifactRule}
	}
	return refNameError("artifact", name, ArtifactToTag(name))
}

// ValidateName returns a *NameError unless name is a valid stage, type or label name:
// the artifact-name grammar without a namespace, usable inside a git tag name. kind
// names the thing in the message ("stage", "type", "label").
func ValidateName(kind, name string) error {
	if !validName(name) {
		return &NameError{Kind: kind, Name: name, Reason: nameRule}
	}
	return refNameError(kind, name, name)
}

// MaxNameLength is the longest artifact, stage, type or label name, in bytes: git
// keeps a tag in a file named after it, and a file name has at most 255 bytes (the
// version and the counter must fit beside the name).
const MaxNameLength = 200

// refNameError reports a name that matches the grammar but would make an invalid git
// tag name (e.g. "a//b", or one too long). inTag is the name as it appears in tags.
func refNameError(kind, name, inTag string) error {
	if len(name) > MaxNameLength {
		return &NameError{Kind: kind, Name: name, Reason: fmt.Sprintf("it is %d bytes long, and names have at most %d", len(name), MaxNameLength)}
	}
	if reason := refProblem(inTag); reason != "" {
		return &NameError{Kind: kind, Name: name, Reason: "it " + reason + ", which git does not allow in tag names"}
	}
	return nil
}

// ArtifactToTag converts an artifact name from NAME form ("dir:model") to the form
// used in tag names ("dir=model"). Names without a namespace are returned unchanged.
func ArtifactToTag(name string) string { return strings.ReplaceAll(name, sepInName, sepInTag) }

// ArtifactFromTag is the inverse of ArtifactToTag: "dir=model" gives "dir:model".
// It does not allocate when s has no namespace.
func ArtifactFromTag(s string) string { return strings.ReplaceAll(s, sepInTag, sepInName) }

// TagPrefix returns the prefix every tag of the artifact starts with, i.e.
// ArtifactToTag(artifact). All of the artifact's tags, and only they, are listed by
// the patterns refs/tags/<prefix>@* and refs/tags/<prefix>#*; the prefix of a valid
// name contains no glob metacharacters, so it can be used in such patterns verbatim.
func TagPrefix(artifact string) string { return ArtifactToTag(artifact) }

// validName reports whether s matches [a-zA-Z0-9]([a-zA-Z0-9_/-]*[a-zA-Z0-9])?.
func validName(s string) bool {
	if s == "" || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !isAlnum(c) && c != '_' && c != '-' && c != '/' {
			return false
		}
	}
	return true
}

// validDir reports whether s matches the namespace grammar [a-zA-Z0-9_./-]+.
func validDir(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '_' && c != '-' && c != '/' && c != '.' {
			return false
		}
	}
	return true
}

// validArtifactInTag reports whether s is an artifact name in tag form ("dir=model"),
// grammar only (git ref rules are checked on the whole tag).
func validArtifactInTag(s string) bool {
	dir, base, hasDir := strings.Cut(s, sepInTag)
	if !hasDir {
		return validName(s)
	}
	return validDir(dir) && validName(base)
}

func isAlnum(c byte) bool {
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}
