package gittest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestRepo(t *testing.T) {
	t.Parallel()
	r := NewRepo(t)
	c1 := r.Commit("Initial commit", map[string]string{"a/b.txt": "x"})
	c2 := r.Commit("second", nil)
	r.Tag("m@v1.0.0", c1, "Registering\n# a comment line, dropped by git\n")
	r.LightTag("light", c2)

	if got := r.Git("log", "--format=%an <%ae> %at %B", "-1", c1); got != "Test User <test@example.com> 1640998860 Initial commit" {
		t.Errorf("commit: %q", got)
	}
	if got := r.Git("rev-parse", "main"); got != c2 {
		t.Errorf("main is %s, want %s", got, c2)
	}
	tag := r.Git("cat-file", "tag", "m@v1.0.0")
	if !strings.HasSuffix(tag, "tagger Test User <test@example.com> 1640998980 +0000\n\nRegistering") {
		t.Errorf("tag object:\n%s", tag)
	}
	if got := r.Git("cat-file", "-t", "light"); got != "commit" {
		t.Errorf("light is a %s", got)
	}
	if got := r.Now(); got.Unix() != Epoch.Unix()+180 {
		t.Errorf("clock at %v after 3 ticks", got)
	}
	checkNoSigning(t, r)
}

// checkNoSigning checks that r's own config turns signing off.
func checkNoSigning(t *testing.T, r *Repo) {
	t.Helper()
	for _, key := range []string{"tag.gpgSign", "commit.gpgSign"} {
		if got := r.Git("config", "--local", "--type=bool", key); got != "false" {
			t.Errorf("%s = %q in the repository's config, want false", key, got)
		}
	}
}

func TestBare(t *testing.T) {
	t.Parallel()
	r := NewBare(t)
	if got := r.Git("rev-parse", "--is-bare-repository"); got != "true" {
		t.Errorf("--is-bare-repository = %s", got)
	}
	checkNoSigning(t, r)
}

// Not parallel: Setenv changes the environment of the test process.
func TestSetenv(t *testing.T) {
	r := NewRepo(t)
	t.Setenv("GIT_DIR", "/somewhere/else")
	r.Setenv()
	if _, set := os.LookupEnv("GIT_DIR"); set {
		t.Error("GIT_DIR still set")
	}
	cmd := exec.Command("git", "-C", r.Dir, "var", "GIT_COMMITTER_IDENT")
	out, err := cmd.Output()
	if err != nil || string(out) != "Test User <test@example.com> 1640998800 +0000\n" {
		t.Errorf("committer ident %q, %v", out, err)
	}
}
