package gitcmd

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
)

func TestPathStatus(t *testing.T) {
	t.Parallel()
	g, r := newTestRepo(t)
	g.Commit("init", map[string]string{
		"clean": "c", "modified": "m", "staged": "s", "both": "b", "deleted": "d", "dir/a": "a", "*.yaml": "glob",
	})
	g.WriteFile("modified", "m2")
	g.WriteFile("staged", "s2")
	g.Git("add", "staged")
	g.WriteFile("both", "b2")
	g.Git("add", "both")
	g.WriteFile("both", "b3")
	os.Remove(filepath.Join(g.Dir, "deleted"))
	g.WriteFile("untracked", "u")
	g.WriteFile("added", "a")
	g.Git("add", "added")
	g.WriteFile("dir/new/deep", "n")
	g.WriteFile("x.yaml", "not the glob")
	g.WriteFile(".gitignore", "ignored\n")
	g.WriteFile("ignored", "i")

	for path, want := range map[string]string{
		"clean": "", "modified": " M", "staged": "M ", "both": "MM", "deleted": " D", "untracked": "??",
		"added": "A ", "dir": "??", "dir/a": "", "no-such-file": "", "ignored": "", "*.yaml": "",
	} {
		got, err := r.PathStatus(t.Context(), path)
		if err != nil || got != want {
			t.Errorf("PathStatus(%q) = %q, %v; want %q", path, got, err, want)
		}
	}
}

func TestPathExists(t *testing.T) {
	t.Parallel()
	g, r := newTestRepo(t)
	c1 := g.Commit("one", map[string]string{"models/m.pkl": "x", "artifacts.yaml": "a"})
	g.WriteFile("uncommitted", "u")
	for _, tt := range []struct {
		rev, path string
		want      bool
	}{
		{"HEAD", "models/m.pkl", true},
		{"HEAD", "models", true},
		{c1, "artifacts.yaml", true},
		{"HEAD", "uncommitted", false},
		{"HEAD", "models/other", false},
		{"no-such-rev", "models", false},
		{"-h", "models", false},
	} {
		got, err := r.PathExists(t.Context(), tt.rev, tt.path)
		if err != nil || got != tt.want {
			t.Errorf("PathExists(%s, %s) = %v, %v; want %v", tt.rev, tt.path, got, err, tt.want)
		}
	}
}

func TestCommitPaths(t *testing.T) {
	t.Parallel()
	g, r := newTestRepo(t)
	g.Commit("init", map[string]string{"artifacts.yaml": "old\n", "tracked": "t", "staged": "s"})
	// The user's own work in progress, which must stay as it is.
	g.WriteFile("tracked", "user edit")
	g.WriteFile("staged", "user staged")
	g.Git("add", "staged")
	g.WriteFile("new-staged", "n")
	g.Git("add", "new-staged")
	g.WriteFile("untracked", "u")
	// What gto commits.
	g.WriteFile("artifacts.yaml", "new\n")
	g.WriteFile("models/*.yaml", "a file with a glob in its name")

	hash, err := r.CommitPaths(t.Context(), "Annotate model\n", "artifacts.yaml", "models/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if head := g.Git("rev-parse", "HEAD"); hash != head {
		t.Errorf("returned %s, HEAD is %s", hash, head)
	}
	if files := g.Git("show", "--name-only", "--format=", hash); files != "artifacts.yaml\nmodels/*.yaml" {
		t.Errorf("commit contains %q", files)
	}
	if msg := g.Git("log", "-1", "--format=%B", hash); msg != "Annotate model" {
		t.Errorf("message %q", msg)
	}
	status := g.Git("status", "--porcelain=v1")
	want := " M tracked\nA  new-staged\nM  staged\n?? untracked"
	if strings.Join(sortedLines(status), "\n") != strings.Join(sortedLines(want), "\n") {
		t.Errorf("the user's changes were touched; status:\n%s\nwant:\n%s", status, want)
	}
	if got := g.Git("show", ":staged"); got != "user staged" {
		t.Errorf("staged content %q", got)
	}
}

func TestCommitPathsDeletion(t *testing.T) {
	t.Parallel()
	g, r := newTestRepo(t)
	g.Commit("init", map[string]string{"artifacts.yaml": "a", "other": "o"})
	os.Remove(filepath.Join(g.Dir, "artifacts.yaml"))
	if _, err := r.CommitPaths(t.Context(), "Remove annotations", "artifacts.yaml"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := r.PathExists(t.Context(), "HEAD", "artifacts.yaml"); ok {
		t.Error("the deletion was not committed")
	}
}

func TestCommitPathsInitialCommit(t *testing.T) {
	t.Parallel()
	g, r := newTestRepo(t)
	g.WriteFile("artifacts.yaml", "a")
	g.WriteFile("other", "o")
	hash, err := r.CommitPaths(t.Context(), "first", "artifacts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if files := g.Git("show", "--name-only", "--format=", hash); files != "artifacts.yaml" {
		t.Errorf("commit contains %q", files)
	}
}

func TestWorkTreeMethodsOnBare(t *testing.T) {
	t.Parallel()
	bare := gittest.NewBare(t)
	r := openTest(t, bare, bare.Dir)
	if _, err := r.PathStatus(t.Context(), "x"); !errors.Is(err, errNoWorkTree) {
		t.Errorf("PathStatus: %v", err)
	}
	if _, err := r.CommitPaths(t.Context(), "m", "x"); !errors.Is(err, errNoWorkTree) {
		t.Errorf("CommitPaths: %v", err)
	}
}

func sortedLines(s string) []string {
	lines := strings.Split(s, "\n")
	slices.Sort(lines)
	return lines
}
