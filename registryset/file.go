package registryset

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/gto-dev/gto/internal/yamldoc"
	"github.com/gto-dev/gto/registry"
)

// FileName is the usual name of a registry set file.
const FileName = "gto-registries.yaml"

// MaxFileSize is the largest registry set file Load reads.
const MaxFileSize = 1 << 20

// MaxNameLength is the longest name of a member.
const MaxNameLength = 100

// Entry is one repository of a set: the name it is shown and addressed
// by (a URL path segment, a folder of a static site) and where it is.
type Entry struct {
	// Name: letters, digits, '.', '_' and '-', starting with a letter or
	// a digit, at most MaxNameLength characters; unique in the set.
	Name string
	// Repo is a local path or a remote URL, as registry.Options.Repo.
	Repo string
	// Line is the entry's line in its file (0 for one given otherwise).
	Line int
}

// nameOK reports whether name is letters, digits, '.', '_' and '-',
// starting with a letter or a digit. A loop, not a regexp: a regexp
// compiled at package initialisation costs every gto command's start.
func nameOK(name string) bool {
	for i, c := range []byte(name) {
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '.' && c != '_' && c != '-') {
			return false
		}
	}
	return name != ""
}

// CheckName returns an error when name cannot name a member of a set.
func CheckName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("a registry needs a name")
	case len(name) > MaxNameLength:
		return fmt.Errorf("the registry name %q is too long: at most %d characters", name[:20]+"…", MaxNameLength)
	case !nameOK(name):
		return fmt.Errorf("invalid registry name %q: use letters, digits, '.', '_' and '-', starting with a letter or a digit", name)
	}
	return nil
}

// Validate checks a whole set: at least one entry, valid and unique
// names, a repository for each. The error names the first problem (and
// its line, for entries read from a file).
func Validate(entries []Entry) error {
	if len(entries) == 0 {
		return fmt.Errorf("a registry set needs at least one repository")
	}
	seen := map[string]Entry{}
	for _, e := range entries {
		at := ""
		if e.Line > 0 {
			at = fmt.Sprintf("line %d: ", e.Line)
		}
		if err := CheckName(e.Name); err != nil {
			return fmt.Errorf("%s%v", at, err)
		}
		if strings.TrimSpace(e.Repo) == "" {
			return fmt.Errorf("%sthe registry %q has no repository: give a path or a URL", at, e.Name)
		}
		if strings.ContainsFunc(e.Repo, unicode.IsControl) {
			return fmt.Errorf("%sthe repository of the registry %q holds a control character: no path or URL does", at, e.Name)
		}
		if prev, ok := seen[strings.ToLower(e.Name)]; ok {
			if prev.Line > 0 {
				return fmt.Errorf("%sthe registry name %q is given twice (first on line %d)", at, e.Name, prev.Line)
			}
			return fmt.Errorf("the registry name %q is given twice", e.Name)
		}
		seen[strings.ToLower(e.Name)] = e
	}
	return nil
}

// Parse reads a registry set file: a YAML list of mappings with the keys
// name and repo, both strings. Unknown keys are refused. It does not
// validate the entries (see Validate) nor resolve relative paths (see
// Load). file names the document in errors.
func Parse(data []byte, file string) ([]Entry, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s is too large: a registry set file has at most %d bytes", file, MaxFileSize)
	}
	root, err := yamldoc.Load(data, file)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return nil, fmt.Errorf("%s is empty: list the repositories as - name: NAME, repo: PATH-OR-URL", file)
	}
	if root.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s: line %d: a registry set is a list of {name, repo}, not %s", file, root.Line, yamldoc.DescribeType(root))
	}
	var out []Entry
	for _, item := range root.Content {
		if item.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s: line %d: each registry is a mapping with name and repo, not %s", file, item.Line, yamldoc.DescribeType(item))
		}
		e := Entry{Line: item.Line}
		given := map[string]bool{}
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i], item.Content[i+1]
			if given[k.Value] {
				return nil, fmt.Errorf("%s: line %d: the key %s is given twice", file, k.Line, yamldoc.Quote(k.Value))
			}
			given[k.Value] = true
			if k.Value != "name" && k.Value != "repo" {
				return nil, fmt.Errorf("%s: line %d: unknown key %s: a registry has only name and repo", file, k.Line, yamldoc.Quote(k.Value))
			}
			if v.Kind != yaml.ScalarNode || v.Tag != "!!str" && v.Tag != "!!int" && v.Tag != "!!float" {
				return nil, fmt.Errorf("%s: line %d: %s must be a string, not %s", file, v.Line, k.Value, yamldoc.DescribeType(v))
			}
			if k.Value == "name" {
				e.Name = v.Value
			} else {
				e.Repo = v.Value
			}
		}
		if !given["name"] {
			return nil, fmt.Errorf("%s: line %d: a registry has no name", file, item.Line)
		}
		if !given["repo"] {
			return nil, fmt.Errorf("%s: line %d: the registry %q has no repo", file, item.Line, e.Name)
		}
		out = append(out, e)
	}
	return out, nil
}

// Load reads and validates the registry set file at path. Relative local
// paths are taken from the file's folder, so a file kept next to its
// repositories works from anywhere.
func Load(path string) ([]Entry, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("the registry set file %s does not exist", path)
	}
	if err != nil {
		return nil, readError(path, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("the registry set %s is a folder, not a file", path)
	}
	if st.Size() > MaxFileSize {
		return nil, fmt.Errorf("%s is too large: a registry set file has at most %d bytes", path, MaxFileSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, readError(path, err)
	}
	entries, err := Parse(data, path)
	if err != nil {
		return nil, err
	}
	if err := Validate(entries); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	dir := filepath.Dir(path)
	for i, e := range entries {
		if !registry.IsRemoteURL(e.Repo) && !filepath.IsAbs(e.Repo) {
			entries[i].Repo = filepath.Join(dir, e.Repo)
		}
	}
	return entries, nil
}

// readError is a failure to read the file at path, named once.
func readError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("cannot read the registry set file %s: %w", path, err)
}

// ParseRepo reads one repository given on its own (a command-line
// value): "NAME=REPO", or REPO alone, named after its last path element
// without ".git" ("/srv/churn.git" and "https://host/org/churn.git" are
// both "churn"). The text before the first "=" is a name only when it is
// a valid one; otherwise the whole value is the repository.
func ParseRepo(s string) (Entry, error) {
	if name, repo, ok := strings.Cut(s, "="); ok && CheckName(name) == nil {
		return Entry{Name: name, Repo: repo}, nil
	}
	if strings.TrimSpace(s) == "" {
		return Entry{}, fmt.Errorf("a repository of a registry set cannot be empty")
	}
	name := DeriveName(s)
	if CheckName(name) != nil {
		return Entry{}, fmt.Errorf("cannot name the repository %q after its path: %q is not a registry name (letters, digits, '.', '_' and '-'), so give it as NAME=REPO", s, name)
	}
	return Entry{Name: name, Repo: s}, nil
}

// DeriveName is the name ParseRepo gives a repository without one: the
// last element of its path or URL, without a ".git" suffix.
func DeriveName(repo string) string {
	s := strings.TrimRight(repo, `/\`)
	if i := strings.LastIndexAny(s, `/\:`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimSuffix(s, ".git")
	if s == "" || s == "." || s == ".." {
		if abs, err := filepath.Abs(repo); err == nil {
			s = filepath.Base(abs)
		}
	}
	return s
}
