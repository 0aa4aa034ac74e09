package gitcmd

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
)

// Finding the repository without git gives what git's rev-parse gives,
// for the layouts it handles, and leaves the others to git.
func TestDiscoverAgreesWithGit(t *testing.T) {
	t.Parallel()
	work := gittest.NewRepo(t)
	work.Commit("first", map[string]string{"sub/dir/f.txt": "x"})
	bare := gittest.NewBare(t)
	linked := filepath.Join(t.TempDir(), "linked")
	work.Git("worktree", "add", "-q", linked)
	for _, tc := range []struct {
		name, path string
		fast       bool // found without git
	}{
		{"top of a work tree", work.Dir, true},
		{"a folder in it", filepath.Join(work.Dir, "sub", "dir"), true},
		{"a bare repository", bare.Dir, true},
		{"inside a git directory", filepath.Join(work.Dir, ".git", "refs"), false},
		{"a linked work tree (.git file)", linked, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			abs, _ := filepath.Abs(tc.path)
			got, ok := discover(abs, work.Env())
			if ok != tc.fast {
				t.Fatalf("discover found it: %v, want %v", ok, tc.fast)
			}
			// GIT_CEILING_DIRECTORIES (empty: no ceiling) makes Open ask git.
			viaGit, err := OpenWith(context.Background(), tc.path, Options{Env: append(work.Env(), "GIT_CEILING_DIRECTORIES=")})
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				return
			}
			fast, err := OpenWith(context.Background(), tc.path, Options{Env: work.Env()})
			if err != nil {
				t.Fatal(err)
			}
			if fast.GitDir() != viaGit.GitDir() || fast.WorkTree() != viaGit.WorkTree() || fast.IsBare() != viaGit.IsBare() {
				t.Errorf("discovered %q %q bare=%v, git says %q %q bare=%v (raw %q)",
					fast.GitDir(), fast.WorkTree(), fast.IsBare(), viaGit.GitDir(), viaGit.WorkTree(), viaGit.IsBare(), got.gitDir)
			}
		})
	}
}

// What changes discovery, or a config discovery does not read, is git's.
func TestDiscoverLeavesOddCasesToGit(t *testing.T) {
	t.Parallel()
	g := gittest.NewRepo(t)
	g.Commit("first", nil)
	for _, v := range []string{"GIT_DIR=" + filepath.Join(g.Dir, ".git"), "GIT_WORK_TREE=" + g.Dir, "GIT_CEILING_DIRECTORIES=/"} {
		if _, ok := discover(g.Dir, append(g.Env(), v)); ok {
			t.Errorf("discovered the repository with %s", v)
		}
	}
	odd := gittest.NewRepo(t)
	odd.Git("config", "core.worktree", odd.Dir)
	if _, ok := discover(odd.Dir, odd.Env()); ok {
		t.Error("discovered a repository with core.worktree")
	}
	inc := gittest.NewRepo(t)
	inc.Git("config", "include.path", "/dev/null")
	if _, ok := discover(inc.Dir, inc.Env()); ok {
		t.Error("discovered a repository whose config includes another file")
	}
	plain := t.TempDir()
	if _, ok := discover(plain, g.Env()); ok {
		t.Error("discovered a repository in a plain folder")
	}
	if err := os.WriteFile(filepath.Join(plain, "f"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := discover(filepath.Join(plain, "f"), g.Env()); ok {
		t.Error("discovered a repository from a file")
	}
}
