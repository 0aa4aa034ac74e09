package registry

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// flagName matches what looks like a command-line flag: --name.
var flagName = regexp.MustCompile(`--[a-z]`)

// The library speaks the domain, never one front end: no string of the
// registry or the model names a flag ("pass --stage"); the CLI words the
// cases that concern its flags itself (internal/cli/wording.go).
func TestNoFlagNamesInMessages(t *testing.T) {
	t.Parallel()
	// git's own options in the git commands the registry prints for the
	// user to run (`git push origin --delete TAG`) are git's words.
	gitOptions := map[string]bool{"--delete": true}
	for _, dir := range []string{".", "../model", "../policy"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			if matched, _ := filepath.Match("*_test.go", filepath.Base(file)); matched {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err == nil && flagName.MatchString(s) && !gitOptions[s] {
					t.Errorf("%s: %q names a flag", file, s)
				}
				return true
			})
		}
	}
}
