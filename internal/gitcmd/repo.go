package gitcmd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/gto-dev/gto/internal/shell"
)

// Repo is a git repository on disk. Every method runs `git -C <dir>`, where
// dir is the top of the work tree or, without one, the git directory.
//
// The embedded Options may be changed after Open (r.Verbose = w) but not
// while methods run on other goroutines; methods are otherwise safe for
// concurrent use.
type Repo struct {
	Options

	workTree string // "" for a bare repository or a git directory
	gitDir   string
	bare     bool
	// plainRefs: found without git (discover), in a layout whose refs are
	// files in gitDir that refsByPrefix may read.
	plainRefs bool
}

// Open opens the repository that contains path: any directory inside a work
// tree, a work tree's git directory, or a bare repository. It is OpenWith
// with zero Options.
//
// Errors: ErrNotARepository (the message names the path) when path does not
// exist or is in no repository; ErrGitNotFound; an *Error for other
// failures git reports (for example a repository owned by another user).
func Open(ctx context.Context, path string) (*Repo, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith is Open with Options that apply to the commands Open runs and to
// every later command of the returned Repo.
func OpenWith(ctx context.Context, path string, opts Options) (*Repo, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		return nil, notARepository(path, nil)
	}
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	if r, ok := discover(abs, env); ok {
		if r.gitDir, err = filepath.EvalSymlinks(r.gitDir); err == nil { // canonical, as git gives it
			r.Options = opts
			return r, nil
		}
	}
	r := &Repo{Options: opts}
	// One question that every kind of repository answers (--show-toplevel
	// fails in a bare one): the git dir, bareness, whether abs is in a work
	// tree and, when it is, the way up to its top.
	out, err := opts.run(ctx, abs, call{args: []string{
		"rev-parse", "--absolute-git-dir", "--is-bare-repository", "--is-inside-work-tree", "--show-cdup"}})
	if err == nil {
		lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		if len(lines) < 3 {
			return nil, errors.New("git rev-parse: unexpected output " + shell.Quote(lines...))
		}
		r.gitDir, r.bare = lines[0], lines[1] == "true"
		if lines[2] == "true" {
			cdup := ""
			if len(lines) > 3 {
				cdup = lines[3]
			}
			r.workTree = filepath.Clean(filepath.Join(abs, cdup))
		}
		return r, nil
	}
	if errors.Is(err, ErrGitNotFound) || exitCode(err) != 128 {
		return nil, err
	}
	// --show-toplevel fails outside a work tree: that is a bare repository,
	// a git directory, or no repository at all. Ask again without it; this
	// time in the C locale, since only the reason (not a message for the
	// user) is read from stderr.
	out, err2 := opts.run(ctx, abs, call{
		args: []string{"rev-parse", "--absolute-git-dir", "--is-bare-repository"},
		env:  []string{"LC_ALL=C"},
	})
	if err2 != nil {
		var e *Error
		// "not a git repository: /some/dir" (with a colon) is a broken
		// one: a .git file or GIT_DIR naming a git directory that is not
		// there. That is an error, not a folder outside git.
		if errors.As(err2, &e) && strings.Contains(e.Stderr, "not a git repository") &&
			!strings.Contains(e.Stderr, "not a git repository: ") {
			return nil, notARepository(path, err)
		}
		return nil, err // the first, localised, error
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != 2 {
		return nil, errors.New("git rev-parse: unexpected output " + shell.Quote(lines...))
	}
	r.gitDir, r.bare = lines[0], lines[1] == "true"
	return r, nil
}

func notARepository(path string, cause error) error {
	return newKindError(ErrNotARepository, cause, "not a git repository: %s", path)
}

// WorkTree returns the absolute path of the top of the work tree, "" for a
// bare repository (and for a repository opened from inside its git
// directory).
func (r *Repo) WorkTree() string { return r.workTree }

// GitDir returns the absolute path of the git directory (".git" of a work
// tree, or the bare repository itself).
func (r *Repo) GitDir() string { return r.gitDir }

// IsBare reports whether the repository is bare (has no work tree by
// design; core.bare is true).
func (r *Repo) IsBare() bool { return r.bare }

// dir is the directory commands run in.
func (r *Repo) dir() string {
	if r.workTree != "" {
		return r.workTree
	}
	return r.gitDir
}

// run runs git in the repository.
func (r *Repo) run(ctx context.Context, c call) ([]byte, error) {
	return r.Options.run(ctx, r.dir(), c)
}

// git runs git in the repository with args and no input.
func (r *Repo) git(ctx context.Context, args ...string) ([]byte, error) {
	return r.run(ctx, call{args: args})
}

// errNoWorkTree is returned by the work tree methods of a repository
// without a work tree (bare, or opened from its git directory).
var errNoWorkTree = errors.New("this operation needs a work tree, and the repository has none")

func (r *Repo) needWorkTree() error {
	if r.workTree == "" {
		return errNoWorkTree
	}
	return nil
}
