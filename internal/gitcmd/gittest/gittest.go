// Package gittest builds throw-away git repositories for tests: under
// t.TempDir(), with a fixed identity, a fixed clock, signing off and no
// access to the user's or the system's git configuration.
//
// A Fixture is a repository built once per test binary, of which each test
// that starts from it gets a copy.
//
// It runs git itself (not through gitcmd), so gitcmd's own tests can use it.
// Code under test should run git with Repo.Env() as its environment
// (gitcmd.Options{Env: repo.Env()}) to see the same sealed-off setup.
package gittest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Identity used for every author, committer and tagger.
const (
	Name  = "Test User"
	Email = "test@example.com"
)

// Epoch is the time of the fixed clock before the first Tick: 2022-01-01
// 01:00:00 UTC (1640998800).
var Epoch = time.Unix(1640998800, 0).UTC()

// Repo is a repository created for one test. Its methods fail the test
// (t.Fatal) on any git error, so call them from the test's goroutine.
type Repo struct {
	// Dir is the absolute path of the work tree (of the repository itself
	// when bare).
	Dir string

	t    testing.TB
	home string

	mu  sync.Mutex
	now time.Time
}

// NewRepo creates an empty non-bare repository whose initial branch is
// "main".
func NewRepo(t testing.TB) *Repo {
	t.Helper()
	return newRepo(t, false)
}

// NewBare creates an empty bare repository (to push to, fetch from or clone)
// whose initial branch is "main".
func NewBare(t testing.TB) *Repo {
	t.Helper()
	return newRepo(t, true)
}

func newRepo(t testing.TB, bare bool) *Repo {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r := &Repo{Dir: dir, t: t, home: t.TempDir(), now: Epoch}
	r.init(bare)
	return r
}

// init creates the repository in r.Dir, with signing off.
func (r *Repo) init(bare bool) {
	r.t.Helper()
	args := []string{"init", "--quiet", "--initial-branch=main"}
	config := filepath.Join(r.Dir, ".git", "config")
	if bare {
		args = append(args, "--bare")
		config = filepath.Join(r.Dir, "config")
	}
	r.Git(args...)
	// Also in the repository's own config, so that code under test that
	// runs git without our -c flags does not sign either. These are the
	// bytes `git config tag.gpgSign false` and `git config commit.gpgSign
	// false` append to a new repository's config, written without the two
	// git processes (every test creates repositories).
	f, err := os.OpenFile(config, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		r.t.Fatal(err)
	}
	_, err = f.WriteString("[tag]\n\tgpgSign = false\n[commit]\n\tgpgSign = false\n")
	if err2 := f.Close(); err == nil {
		err = err2
	}
	if err != nil {
		r.t.Fatal(err)
	}
}

// Env returns the complete environment git runs with in this repository:
// the process environment without any GIT_* variable (a test run from a
// git hook would otherwise inherit GIT_DIR and write to the wrong
// repository), plus HOME and XDG_CONFIG_HOME pointing to an empty
// directory, GIT_CONFIG_NOSYSTEM=1, GIT_TERMINAL_PROMPT=0, LC_ALL=C (stable
// messages), the fixed identity (Name, Email), and author and committer
// dates set to the clock's current time (see Now).
func (r *Repo) Env() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GIT_") || strings.HasPrefix(kv, "HOME=") ||
			strings.HasPrefix(kv, "XDG_CONFIG_HOME=") || strings.HasPrefix(kv, "LC_ALL=") {
			continue
		}
		env = append(env, kv)
	}
	date := GitDate(r.Now())
	return append(env,
		"HOME="+r.home,
		"XDG_CONFIG_HOME="+filepath.Join(r.home, ".config"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0",
		"LC_ALL=C",
		"GIT_AUTHOR_NAME="+Name, "GIT_AUTHOR_EMAIL="+Email, "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME="+Name, "GIT_COMMITTER_EMAIL="+Email, "GIT_COMMITTER_DATE="+date,
	)
}

// Setenv makes the test process's environment that of Env, for code under
// test that runs git with the inherited environment (gitcmd.Open): it sets
// Env's variables and removes the other GIT_* variables, with t.Setenv, so
// everything is restored when the test ends (and the test cannot be
// parallel). The dates are those of the clock now; call Setenv again after
// Tick to move them.
func (r *Repo) Setenv() {
	r.t.Helper()
	env := r.Env()
	keep := map[string]bool{}
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		keep[k] = true
	}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "GIT_") && !keep[k] {
			r.t.Setenv(k, "") // registers the restoration
			os.Unsetenv(k)
		}
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		r.t.Setenv(k, v)
	}
}

// Now returns the current time of the repository's fixed clock.
func (r *Repo) Now() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.now
}

// Tick advances the clock by one minute and returns the new time. Commit
// and Tag call it, so consecutive objects have increasing dates.
func (r *Repo) Tick() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.now = r.now.Add(time.Minute)
	return r.now
}

// GitDate formats t the way git stores dates: "1640998800 +0000".
func GitDate(t time.Time) string {
	return fmt.Sprintf("%d %s", t.Unix(), t.Format("-0700"))
}

// Git runs git in the repository with args and returns its standard output
// without trailing newlines. The test fails if git fails. It runs git with
// signing off and without automatic maintenance (commit and fetch would
// otherwise start `git maintenance run --auto`, one more process that has
// nothing to do in a test repository); code under test, which runs git
// with Env, keeps git's defaults.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	return r.GitInput("", args...)
}

// GitInput is Git with stdin as git's standard input.
func (r *Repo) GitInput(stdin string, args ...string) string {
	r.t.Helper()
	out, err := r.run(stdin, args...)
	if err != nil {
		r.t.Fatal(err)
	}
	return out
}

// run is Git returning the error instead of failing the test.
func (r *Repo) run(stdin string, args ...string) (string, error) {
	full := append([]string{"-C", r.Dir, "-c", "tag.gpgSign=false", "-c", "commit.gpgSign=false", "-c", "maintenance.auto=false"}, args...)
	cmd := exec.Command("git", full...)
	cmd.Env = r.Env()
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimRight(stdout.String(), "\n"), nil
}

// WriteFile writes content to name (relative to Dir, "/"-separated),
// creating directories as needed, without staging it.
func (r *Repo) WriteFile(name, content string) {
	r.t.Helper()
	path := filepath.Join(r.Dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// Commit writes files (name -> content; names relative to Dir), stages
// them, and commits with msg at the next tick of the clock; like `git
// commit -m`, git stores msg with one trailing newline. An empty map makes
// an empty commit. It returns the commit's full hash.
func (r *Repo) Commit(msg string, files map[string]string) string {
	r.t.Helper()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		r.WriteFile(name, files[name])
	}
	if len(names) > 0 {
		r.Git(append([]string{"add", "--"}, names...)...)
	}
	r.Tick()
	r.GitInput(msg, "commit", "--quiet", "--allow-empty", "-F", "-")
	return r.Git("rev-parse", "HEAD")
}

// Tag creates the annotated tag name on target (any revision) with message
// msg at the next tick of the clock. git's default clean-up applies, as for
// `git tag -m` (and gto): "#" lines are dropped, one trailing newline kept.
func (r *Repo) Tag(name, target, msg string) {
	r.t.Helper()
	r.Tick()
	r.GitInput(msg, "tag", "-a", "--no-sign", "-F", "-", "--end-of-options", name, target)
}

// LightTag creates the lightweight tag name on target.
func (r *Repo) LightTag(name, target string) {
	r.t.Helper()
	r.Git("tag", "--end-of-options", name, target)
}

// AddRemote adds the remote name with url (another Repo's Dir, or a file://
// URL).
func (r *Repo) AddRemote(name, url string) {
	r.t.Helper()
	r.Git("remote", "add", "--end-of-options", name, url)
}
