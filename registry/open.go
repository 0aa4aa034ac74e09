package registry

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/gto-dev/gto/config"
	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/internal/store/gitstore"
	"github.com/gto-dev/gto/model"
)

// Options says which repository to open and how.
type Options struct {
	// Repo is a local path (any folder inside a work tree, or a bare
	// repository) or a remote URL. Empty means ".".
	Repo string
	// Getenv reads the environment (see environment.go for what is read).
	// Nil means the process environment.
	Getenv func(string) (string, bool)
	// GitEnv, when not nil, is the whole environment git runs with (as
	// exec.Cmd.Env); nil: the process environment.
	GitEnv []string
	// Log receives a line for every git command run (gto -v). Nil: silent.
	Log io.Writer
	// Progress receives progress of long operations (cloning). Nil: silent.
	Progress io.Writer
	// Now is the clock used to date tags when GIT_COMMITTER_DATE is unset.
	Now func() time.Time
	// CacheDir holds the mirrors of remote registries (default: GTO_CACHE_DIR,
	// else gto/ in the user cache directory).
	CacheDir string
	// NoCache clones a remote registry into a temporary folder instead of
	// using (and updating) its cached mirror.
	NoCache bool
	// Timeout bounds every git command that talks to the remote (listing,
	// fetching, pushing, cloning); zero: GTO_TIMEOUT, else DefaultTimeout.
	Timeout time.Duration
	// LockTimeout bounds the wait for another gto process's lock (the
	// write lock, a mirror's); zero: GTO_LOCK_TIMEOUT, else
	// DefaultLockTimeout.
	LockTimeout time.Duration
	// Notices receives a line when the registry waits for another gto
	// process; nil: silent.
	Notices io.Writer
	// KeepBadConfig reads a registry whose configuration (.gto, GTO_*) is
	// malformed with the default configuration instead of failing;
	// ConfigError returns the problem (gto doctor reports it).
	KeepBadConfig bool
	// PolicyRef is the revision whose policy file counts (see Policy);
	// "": the tip of the default branch.
	PolicyRef string
	// NoObjectCache neither reads nor writes gto's object cache (as
	// GTO_NO_OBJECT_CACHE does): for objects that may never enter the
	// repository, such as a push in a pre-receive hook.
	NoObjectCache bool
	// ExpectTags, when not nil, is told how many tags a read of every tag
	// is about to see, when the store knows, before they are read: a program can make room for the state it will build
	// (gto raises its soft memory limit with it). Called on the reading
	// goroutine.
	ExpectTags func(n int)
}

// Registry is an open artifact registry: a git repository (or, for
// annotations only, a plain folder) with its configuration. Its methods may
// be called one after the other, not at the same time.
type Registry struct {
	store store.Store // nil for a plain folder
	dir   string      // work tree or folder; "" for a bare repository
	opts  Options
	env   environment
	path  string // what the user asked for, for messages

	mu     sync.Mutex
	cfg    *config.Config // as read by the last session; nil before the first
	cfgErr error          // the malformed configuration, with Options.KeepBadConfig
}

// Open opens the registry at opts.Repo. A remote URL is read through a
// cached mirror (or a temporary clone with NoCache), and writes are pushed
// back to it. Close releases what Open acquired.
func Open(ctx context.Context, opts Options) (*Registry, error) {
	return open(ctx, opts, false)
}

// OpenFolder is Open for commands that also work outside git (annotate,
// remove): a folder that is not in a repository opens as a plain folder,
// and a remote URL is cloned with a work tree to commit in.
func OpenFolder(ctx context.Context, opts Options) (*Registry, error) {
	return open(ctx, opts, true)
}

func open(ctx context.Context, opts Options, allowFolder bool) (*Registry, error) {
	if opts.Repo == "" {
		opts.Repo = "."
	}
	if opts.Getenv == nil {
		opts.Getenv = os.LookupEnv
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if strings.ContainsFunc(opts.Repo, unicode.IsControl) {
		return nil, model.Invalidf("repo", "the repository %q holds a control character: no path or URL does", opts.Repo)
	}
	env, err := readEnvironment(opts.Getenv)
	if err != nil {
		return nil, err
	}
	r := &Registry{opts: opts, env: env, path: opts.Repo}
	gopts := gitstore.Options{Log: opts.Log, Progress: opts.Progress, NoObjectCache: env.noObjectCache || opts.NoObjectCache, Env: opts.GitEnv,
		Timeout: cmp.Or(opts.Timeout, env.timeout), LockTimeout: cmp.Or(opts.LockTimeout, env.lockTimeout), Notices: opts.Notices}
	var st *gitstore.Store
	switch {
	case IsRemoteURL(opts.Repo) && (allowFolder || opts.NoCache):
		st, err = gitstore.Clone(ctx, opts.Repo, allowFolder, gopts)
	case IsRemoteURL(opts.Repo):
		var dir string
		if dir, err = cacheDir(opts, r.env); err == nil {
			st, err = gitstore.OpenMirror(ctx, opts.Repo, dir, gopts)
		}
	default:
		st, err = gitstore.Open(ctx, opts.Repo, gopts)
		if errors.Is(err, store.ErrNotARepository) {
			if !allowFolder {
				return nil, r.noRepoError(err)
			}
			if err := r.openFolder(); err != nil {
				return nil, err
			}
			return r, nil
		}
	}
	if err != nil {
		return nil, err
	}
	r.store, r.dir = st, st.Info().WorkTree
	return r, nil
}

// openStore opens a registry over st (tests give it a fake store).
func openStore(st store.Store, opts Options) *Registry {
	if opts.Getenv == nil {
		opts.Getenv = func(string) (string, bool) { return "", false }
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	env, _ := readEnvironment(opts.Getenv)
	return &Registry{store: st, dir: st.Info().WorkTree, opts: opts, env: env, path: opts.Repo}
}

// openFolder opens r.path as a plain folder, outside git.
func (r *Registry) openFolder() error {
	st, err := os.Stat(r.path)
	if err != nil {
		return model.NotFoundf("folder", "folder %q does not exist", r.path)
	}
	if !st.IsDir() {
		return model.Invalidf("", "%q is a file, not a folder", r.path)
	}
	r.dir = r.path
	return nil
}

// Close ends the registry's git processes and removes temporary clones. It
// is safe to call more than once.
func (r *Registry) Close() error {
	if r.store != nil {
		return r.store.Close()
	}
	return nil
}

// Config returns the configuration in effect (.gto and GTO_* variables),
// as read by the last command, or read now when none has run.
func (r *Registry) Config(ctx context.Context) (config.Config, error) {
	r.mu.Lock()
	cfg := r.cfg
	r.mu.Unlock()
	if cfg != nil {
		return *cfg, nil
	}
	if r.dir != "" { // a work tree or a folder: no need to ask git
		return r.folderConfig()
	}
	var out config.Config
	err := r.view(ctx, func(s *session) error {
		out = s.cfg
		return nil
	})
	return out, err
}

// ConfigError returns the error of a malformed configuration that the
// registry kept going with (Options.KeepBadConfig), nil when it is fine.
func (r *Registry) ConfigError() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cfgErr
}

// Dir returns the work tree (or plain folder) of the registry; "" for a bare repository.
func (r *Registry) Dir() string { return r.dir }

// IsRemote reports whether the registry was opened from a URL.
func (r *Registry) IsRemote() bool { return r.store != nil && r.store.Info().Remote != "" }

func (r *Registry) noRepoError(cause error) error {
	return &model.RepositoryError{Path: r.path, Detail: model.Detail{Msg: fmt.Sprintf("no git repository found in %q", r.path), Err: cause}}
}

// scpLike matches scp-like remote addresses: user@host:path.
var scpLike = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:`) })

// IsRemoteURL reports whether repo names a remote repository rather than a
// local path: a URL with a scheme (https://, ssh://, git://, file://) or an
// scp-like address (git@host:org/repo.git).
func IsRemoteURL(repo string) bool {
	if strings.Contains(repo, "://") {
		return true
	}
	if strings.Contains(repo, "@") && scpLike().MatchString(repo) {
		if _, err := os.Stat(repo); err == nil {
			return false // an existing local path that merely looks like one
		}
		return true
	}
	return false
}
