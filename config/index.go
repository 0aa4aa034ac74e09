package config

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"unicode"
)

// checkIndex returns why index cannot name the annotations file, or "" when
// it can. The annotations file lives in the repository: gto reads it from
// commits and writes it in the work tree, so its name must be a relative
// path that stays inside the repository. A hostile .gto in a cloned
// repository must not make `gto annotate` read or write a file elsewhere
// (index: ../../.bashrc) or inside the git directory (index:
// .git/hooks/pre-commit), which git itself never lets anyone commit.
func checkIndex(index string) string {
	switch {
	case index == "":
		return "it is empty"
	case strings.IndexFunc(index, unicode.IsControl) >= 0:
		return "it contains a control character"
	}
	// A backslash separates folders on Windows; read it so everywhere.
	clean := path.Clean(strings.ReplaceAll(index, `\`, "/"))
	if strings.HasPrefix(clean, "/") || filepath.IsAbs(index) {
		return "it is an absolute path"
	}
	if clean == "." || strings.HasSuffix(index, "/") {
		return "it is a folder"
	}
	for part := range strings.SplitSeq(clean, "/") {
		switch {
		case part == "..":
			return "it leads outside the repository"
		case strings.EqualFold(part, ".git"):
			return "it is inside the git directory"
		}
	}
	return ""
}

// indexError is the error for an unusable index name set by from (".gto:
// line 3: \"index\"" or "GTO_INDEX").
func indexError(from, index, reason string) error {
	return fmt.Errorf("%s must be a file name inside the repository, got %s: %s", from, quoteValue(index), reason)
}

// quoteValue quotes a setting's value for a message, shortened so that a
// hostile value cannot make the message huge.
func quoteValue(s string) string {
	const max = 64
	if len(s) <= max {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q...", strings.ToValidUTF8(s[:max], ""))
}
