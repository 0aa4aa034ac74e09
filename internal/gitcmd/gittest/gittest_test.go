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

var (
	fixtureBuilds int // guarded by the fixture's once
	tagged        = NewFixture(func(t testing.TB, g *Repo) string {
		fixtureBuilds++
		c := g.Commit("init", map[string]string{"f": "x"})
		g.Tag("m@v1.0.0", c, "msg")
		return c
	})
	bareFixture = NewBareFixture(func(t testing.TB, g *Repo) bool { return true })
)

// Every copy of a fixture is the repository its one build made, with the
// clock where the build left it, in a directory of its own.
func TestFixture(t *testing.T) {
	t.Parallel()
	a, c := tagged.Copy(t)
	b, c2 := tagged.Copy(t)
	if fixtureBuilds != 1 || c != c2 {
		t.Fatalf("%d builds, values %s and %s", fixtureBuilds, c, c2)
	}
	if a.Dir == b.Dir || a.home == b.home {
		t.Fatalf("two copies share %s or %s", a.Dir, a.home)
	}
	for _, g := range []*Repo{a, b} {
		if got := g.Git("rev-parse", "main"); got != c {
			t.Errorf("main = %s, want %s", got, c)
		}
		if got := g.Git("cat-file", "-p", "m@v1.0.0:f"); got != "x" {
			t.Errorf("f = %q", got)
		}
		if got := g.Git("status", "--porcelain"); got != "" {
			t.Errorf("a copy has changes:\n%s", got)
		}
		if got := g.Now(); got.Unix() != Epoch.Unix()+120 {
			t.Errorf("clock at %v, want 2 ticks after Epoch", got)
		}
		checkNoSigning(t, g)
	}
	// The clock goes on from there, and the copies are independent.
	c3 := a.Commit("second", nil)
	if got := a.Git("log", "-1", "--format=%ct", c3); got != "1640998980" {
		t.Errorf("commit time after the copy %s", got)
	}
	if got := b.Git("rev-parse", "main"); got != c {
		t.Errorf("a commit in one copy moved the other's main to %s", got)
	}
	if again, _ := tagged.Copy(t); again.Git("rev-parse", "main") != c {
		t.Error("a commit in a copy changed the fixture")
	}
	bare, _ := bareFixture.Copy(t)
	if got := bare.Git("rev-parse", "--is-bare-repository"); got != "true" {
		t.Errorf("bare fixture: --is-bare-repository = %s", got)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	RemoveFixtures()
	os.Exit(code)
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
