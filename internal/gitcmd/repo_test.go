package gitcmd

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
)

func TestOpen(t *testing.T) {
	t.Parallel()
	g := gittest.NewRepo(t)
	g.Commit("init", map[string]string{"sub/deeper/f.txt": "x"})
	bare := gittest.NewBare(t)

	tests := []struct {
		name, path       string
		env              *gittest.Repo
		workTree, gitDir string
		bare             bool
	}{
		{"work tree", g.Dir, g, g.Dir, filepath.Join(g.Dir, ".git"), false},
		{"sub-folder", filepath.Join(g.Dir, "sub", "deeper"), g, g.Dir, filepath.Join(g.Dir, ".git"), false},
		{"git dir", filepath.Join(g.Dir, ".git"), g, "", filepath.Join(g.Dir, ".git"), false},
		{"bare", bare.Dir, bare, "", bare.Dir, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := openTest(t, tt.env, tt.path)
			if r.WorkTree() != tt.workTree || r.GitDir() != tt.gitDir || r.IsBare() != tt.bare {
				t.Errorf("got WorkTree %q GitDir %q IsBare %v, want %q %q %v",
					r.WorkTree(), r.GitDir(), r.IsBare(), tt.workTree, tt.gitDir, tt.bare)
			}
		})
	}
}

func TestOpenBareReadsTags(t *testing.T) {
	t.Parallel()
	g, c := initFixture.Copy(t)
	g.Tag("m@v1.0.0", c, "msg")
	bare := gittest.NewBare(t)
	g.AddRemote("origin", bare.Dir)
	g.Git("push", "--quiet", "origin", "main", "--tags")

	r := openTest(t, bare, bare.Dir)
	tags, err := r.ListTags(t.Context())
	if err != nil || len(tags) != 1 || tags[0].Name != "m@v1.0.0" {
		t.Fatalf("ListTags = %v, %v", tags, err)
	}
	if head, err := r.Head(t.Context()); err != nil || head != c {
		t.Errorf("Head = %q, %v; want %q", head, err, c)
	}
}

func TestOpenNotARepository(t *testing.T) {
	t.Parallel()
	g := gittest.NewRepo(t) // only for its environment
	outside := t.TempDir()
	env := append(g.Env(), "GIT_CEILING_DIRECTORIES="+filepath.Dir(outside))
	for _, path := range []string{outside, filepath.Join(outside, "does-not-exist")} {
		_, err := OpenWith(t.Context(), path, Options{Env: env})
		mustErrIs(t, err, ErrNotARepository)
		if !strings.Contains(err.Error(), path) {
			t.Errorf("message %q does not name %s", err, path)
		}
	}
}

// A .git file naming a git directory that is gone is a broken repository,
// not a folder outside git: the error says so instead of ErrNotARepository.
func TestOpenBrokenGitFile(t *testing.T) {
	t.Parallel()
	g := gittest.NewRepo(t) // only for its environment
	dir := t.TempDir()
	missing := filepath.Join(t.TempDir(), "gone")
	if err := os.WriteFile(filepath.Join(dir, ".git"), []byte("gitdir: "+missing+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(g.Env(), "GIT_CEILING_DIRECTORIES="+filepath.Dir(dir))
	_, err := OpenWith(t.Context(), dir, Options{Env: env})
	if err == nil || errors.Is(err, ErrNotARepository) || !strings.Contains(err.Error(), missing) {
		t.Errorf("Open of a work tree whose git directory is gone: %v", err)
	}
}

func TestOpenEmptyRepository(t *testing.T) {
	t.Parallel()
	_, r := newTestRepo(t)
	_, err := r.Head(t.Context())
	mustErrIs(t, err, ErrNoCommits)
	_, err = openBatch(t, r).ResolveCommit("HEAD")
	mustErrIs(t, err, ErrNoCommits)
	tags, err := r.ListTags(t.Context())
	if err != nil || len(tags) != 0 {
		t.Errorf("ListTags = %v, %v", tags, err)
	}
	for _, f := range []func(context.Context) ([]string, error){r.Branches, r.AllCommits} {
		if got, err := f(t.Context()); err != nil || len(got) != 0 {
			t.Errorf("got %v, %v; want nothing", got, err)
		}
	}
}

func TestVerbose(t *testing.T) {
	t.Parallel()
	g, c := initFixture.Copy(t)
	var log bytes.Buffer
	r, err := OpenWith(t.Context(), g.Dir, Options{Env: g.Env(), Verbose: &log})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.CreateTag(t.Context(), TagRequest{Name: "a#b!#3", Target: c, Message: "m", Date: "1640998800 +0000"}); err != nil {
		t.Fatal(err)
	}
	// Open found the repository without git (discover): one line only.
	want := []string{
		"+ GIT_COMMITTER_DATE='1640998800 +0000' git -C " + g.Dir + " tag -a -F - --end-of-options 'a#b!#3' " + c + "\n",
	}
	if got := log.String(); got != strings.Join(want, "") {
		t.Errorf("log:\n%s\nwant:\n%s", got, strings.Join(want, ""))
	}
}

func TestNonInteractive(t *testing.T) {
	t.Parallel()
	g := gittest.NewRepo(t)
	env := append(g.Env(), "GIT_TERMINAL_PROMPT=1")
	r, err := OpenWith(t.Context(), g.Dir, Options{Env: env, NonInteractive: true})
	if err != nil {
		t.Fatal(err)
	}
	cmd := r.command(t.Context(), r.dir(), call{args: []string{"version"}})
	if got := cmd.Env[len(cmd.Env)-1]; got != "GIT_TERMINAL_PROMPT=0" {
		t.Errorf("last env entry = %q, want GIT_TERMINAL_PROMPT=0 (overriding the inherited one)", got)
	}
}

// Not parallel: it empties PATH for the whole test process.
func TestGitNotFound(t *testing.T) {
	g, _ := initFixture.Copy(t)
	r := openTest(t, g, g.Dir)
	t.Setenv("PATH", "")
	r.Env = append(r.Env, "PATH=") // git is looked up on Env's PATH

	// Open finds a plain work tree without git (see discover); a layout it
	// leaves to git (here: GIT_DIR set) needs git.
	t.Setenv("GIT_DIR", filepath.Join(g.Dir, ".git"))
	_, err := Open(t.Context(), g.Dir)
	mustErrIs(t, err, ErrGitNotFound)
	mustErrIs(t, err, exec.ErrNotFound)
	_, err = r.OpenBatch(t.Context())
	mustErrIs(t, err, ErrGitNotFound)
	_, err = r.ListTags(t.Context())
	mustErrIs(t, err, ErrGitNotFound)
	err = r.CreateTag(t.Context(), TagRequest{Name: "x", Target: "HEAD"})
	mustErrIs(t, err, ErrGitNotFound)
	_, err = Clone(t.Context(), g.Dir, filepath.Join(t.TempDir(), "c"), CloneOptions{})
	mustErrIs(t, err, ErrGitNotFound)
}

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	_, r := newTestRepo(t)
	_, err := r.git(t.Context(), "cat-file", "-t", "--end-of-options", "nope")
	var ge *Error
	if !errors.As(err, &ge) {
		t.Fatalf("error %T %v, want *Error", err, err)
	}
	if ge.ExitCode != 128 || ge.Args[0] != "-C" || ge.Args[2] != "cat-file" {
		t.Errorf("Error = %+v", ge)
	}
	if msg := err.Error(); strings.HasPrefix(msg, "fatal:") || strings.Contains(msg, "\n") || msg == "" {
		t.Errorf("message %q is not one clean line", msg)
	}
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		stderr string
		code   int
		want   string
	}{
		{"fatal: not a valid object name nope\n", 128, "not a valid object name nope"},
		{"hint: use --force\nwarning: careful\n\nerror: failed to push some refs to 'x'\nmore\n", 1, "failed to push some refs to 'x'"},
		{"", 3, "git tag: exit status 3"},
	}
	for _, tt := range tests {
		e := &Error{Args: []string{"-C", "/r", "-c", "a=b", "--literal-pathspecs", "tag", "x"}, ExitCode: tt.code, Stderr: tt.stderr}
		if got := e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestCancelled(t *testing.T) {
	t.Parallel()
	_, r := newTestRepo(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := r.ListTags(ctx)
	mustErrIs(t, err, context.Canceled)
}

func TestMain(m *testing.M) {
	// The tests must not see a repository of the caller through variables
	// such as GIT_DIR (set when `go test` runs from a git hook): gittest
	// seals the environment of the git processes, and Open's checks of
	// paths outside any repository rely on GIT_CEILING_DIRECTORIES.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "GIT_") {
			os.Unsetenv(k)
		}
	}
	// Map the object caches as gto's commands do (the fuzz target and the
	// cache tests then read mapped files; TestMapFile the fallback).
	MapObjectCaches(true)
	code := m.Run()
	gittest.RemoveFixtures()
	os.Exit(code)
}
