package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A hostile .gto (or GTO_INDEX) cannot point the annotations file outside
// the repository or into its git directory.
func TestIndexMustStayInRepository(t *testing.T) {
	bad := []struct{ index, reason string }{
		{"../../x.yaml", "it leads outside the repository"},
		{"..", "it leads outside the repository"},
		{"a/../../x.yaml", "it leads outside the repository"},
		{`..\x.yaml`, "it leads outside the repository"},
		{"/etc/passwd", "it is an absolute path"},
		{"//host/share/x.yaml", "it is an absolute path"},
		{".git/hooks/pre-commit", "it is inside the git directory"},
		{"sub/.GIT/config", "it is inside the git directory"},
		{".", "it is a folder"},
		{"sub/", "it is a folder"},
		{"a\nb.yaml", "it contains a control character"},
		{"a\x00b", "it contains a control character"},
	}
	for _, tt := range bad {
		_, err := load(t, ptr("index: "+yamlQuote(tt.index)+"\n"), nil)
		assertErr(t, err, `.gto: line 1: "index" must be a file name inside the repository, got `, tt.reason)
		_, err = load(t, nil, map[string]string{"GTO_INDEX": tt.index})
		assertErr(t, err, "GTO_INDEX must be a file name inside the repository, got ", tt.reason)
	}
	for _, good := range []string{"artifacts.yaml", "sub/dir/registry.yaml", "./artifacts.yaml", "a/../b.yaml", ".gto-index", "x.git", "a:b.yaml"} {
		c, err := load(t, ptr("index: "+yamlQuote(good)+"\n"), nil)
		if err != nil || c.Index != good {
			t.Errorf("index %q: %+v, %v", good, c, err)
		}
		if c, err = load(t, nil, map[string]string{"GTO_INDEX": good}); err != nil || c.Index != good {
			t.Errorf("GTO_INDEX %q: %+v, %v", good, c, err)
		}
	}
	// A long hostile value is shortened in the message.
	_, err := load(t, nil, map[string]string{"GTO_INDEX": "../" + strings.Repeat("x", 10000)})
	if err == nil || len(err.Error()) > 200 {
		t.Errorf("error for a long GTO_INDEX: %v", err)
	}
}

// yamlQuote writes s as a double-quoted YAML scalar.
func yamlQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\x00", `\0`)
	return `"` + r.Replace(s) + `"`
}

// A .gto that is a link to a file outside the repository is not read.
func TestConfigFileMustBeInside(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(outside, []byte("stages: [dev]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, ".gto")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	_, err := Load(dir, env(nil))
	assertErr(t, err, ".gto is a symbolic link to a file outside the repository")

	// a link inside the repository is fine
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gto.yaml"), []byte("stages: [dev]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("gto.yaml", filepath.Join(dir, ".gto")); err != nil {
		t.Fatal(err)
	}
	if c, err := Load(dir, env(nil)); err != nil || len(c.Stages) != 1 {
		t.Errorf("a link inside: %+v, %v", c, err)
	}
	// GTO_CONFIG_FILE_NAME may name a file anywhere
	if c, err := Load(t.TempDir(), env(map[string]string{"GTO_CONFIG_FILE_NAME": outside})); err != nil || len(c.Stages) != 1 {
		t.Errorf("GTO_CONFIG_FILE_NAME outside: %+v, %v", c, err)
	}

}
