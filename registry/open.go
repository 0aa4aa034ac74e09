package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/gto-dev/gto/config"
	"github.com/gto-dev/gto/internal/gitcmd"
)

// Options says which repository to open and how.
type Options struct {
	// Repo is a local path (any folder inside a work tree, or a bare
	// repository) or a remote URL. Empty means ".".
	Repo string
	// Getenv reads the environment (GTO_* variables, GIT_COMMITTER_DATE).
	// Nil means the process environment.
	Getenv func(string) (string, bool)
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
	// KeepBadConfig opens a registry whose configuration (.gto, GTO_*) is
	// malformed with the default configuration instead of failing;
	// ConfigError returns the problem (gto doctor reports it).
	KeepBadConfig bool
}

// Registry is an open artifact registry: a git repository (or, for
// annotations only, a plain folder) with its configuration.
type Registry struct {
	git    *gitcmd.Repo // nil for a plain folder
	dir    string       // work tree or folder; "" for a bare repository
	cfg    config.Config
	opts   Options
	remote string        // the URL the registry was cloned from; writes are pushed there
	mirror string        // the folder of remote's cached mirror, when git is one
	check  *remoteCheck  // the listing of remote's refs that ready waits for
	b      *gitcmd.Batch // the cat-file process shared by the registry's reads; see batch
	// storeOnly makes batch read git's object store without the object
	// cache (set while doctor runs).
	storeOnly bool
	clean     func()
	path      string // what the user asked for, for messages
	cfgErr    error  // the malformed configuration, with Options.KeepBadConfig
}

// Open opens the registry at opts.Repo. A remote URL is cloned (and writes
// are pushed back to it). Close releases what Open acquired.
func Open(ctx context.Context, opts Options) (*Registry, error) {
	return open(ctx, opts, false)
}

// OpenFolder is Open for commands that also work outside git (annotate,
// remove): a folder that is not in a repository opens as a plain folder.
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
	r := &Registry{opts: opts, path: opts.Repo}
	if IsRemoteURL(opts.Repo) {
		var err error
		if allowFolder || opts.NoCache {
			err = r.cloneRemote(ctx, allowFolder)
		} else {
			err = r.openMirror(ctx)
		}
		if err != nil {
			r.Close()
			return nil, err
		}
	} else {
		repo, err := gitcmd.Open(ctx, opts.Repo)
		switch {
		case err == nil:
			repo.Verbose, repo.NoObjectCache = opts.Log, r.noObjectCache()
			r.git = repo
			r.dir = repo.WorkTree()
		case errors.Is(err, gitcmd.ErrNotARepository) && allowFolder:
			st, serr := os.Stat(opts.Repo)
			if serr != nil {
				return nil, notFoundf("folder %q does not exist", opts.Repo)
			}
			if !st.IsDir() {
				return nil, invalidf("%q is a file, not a folder", opts.Repo)
			}
			r.dir = opts.Repo
		case errors.Is(err, gitcmd.ErrNotARepository):
			return nil, &Error{Kind: ErrNotARepository, Msg: fmt.Sprintf("no git repository found in %q", opts.Repo), Err: err}
		default:
			return nil, err
		}
	}
	if err := r.configure(ctx); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// configure loads the configuration; a malformed one is kept as cfgErr
// with Options.KeepBadConfig.
func (r *Registry) configure(ctx context.Context) error {
	r.cfgErr = nil
	err := r.loadConfig(ctx)
	if err == nil {
		return nil
	}
	var e *Error
	if !r.opts.KeepBadConfig || !errors.As(err, &e) || e.Kind != ErrInvalid {
		return err
	}
	r.cfg, r.cfgErr = config.Default(), err
	return nil
}

// noObjectCache reports whether GTO_NO_OBJECT_CACHE turns gto's object cache
// off (any value but empty).
func (r *Registry) noObjectCache() bool {
	v, ok := r.opts.Getenv("GTO_NO_OBJECT_CACHE")
	return ok && v != ""
}

// ConfigError returns the error of a malformed configuration that Open
// kept going with (Options.KeepBadConfig), nil when it is fine.
func (r *Registry) ConfigError() error { return r.cfgErr }

// Close ends the registry's git processes and removes temporary clones. It
// is safe to call more than once.
func (r *Registry) Close() error {
	if r.check != nil {
		r.check.stop()
		r.check = nil
	}
	if r.b != nil {
		r.b.Close()
		r.b = nil
	}
	if r.clean != nil {
		r.clean()
		r.clean = nil
	}
	return nil
}

// Config returns the configuration in effect (.gto and GTO_* variables).
func (r *Registry) Config() config.Config { return r.cfg }

// Dir returns the work tree (or plain folder) of the registry; "" for a bare repository.
func (r *Registry) Dir() string { return r.dir }

// IsRemote reports whether the registry was opened from a URL.
func (r *Registry) IsRemote() bool { return r.remote != "" }

func (r *Registry) loadConfig(ctx context.Context) error {
	if r.dir != "" {
		cfg, err := config.Load(r.dir, r.opts.Getenv)
		if err != nil {
			return wrapInvalid(err)
		}
		r.cfg = cfg
		return nil
	}
	// A bare repository has no work tree: read .gto as committed at HEAD.
	name := configFileName(r.opts.Getenv)
	data, size, err := r.headFile(ctx, name, config.MaxFileSize)
	if err != nil {
		return err
	}
	if err := config.CheckSize(name, size); err != nil {
		return wrapInvalid(err)
	}
	cfg, err := config.LoadBytes(data, name, r.opts.Getenv)
	if err != nil {
		return wrapInvalid(err)
	}
	r.cfg = cfg
	return nil
}

func configFileName(getenv func(string) (string, bool)) string {
	if v, ok := getenv("GTO_CONFIG_FILE_NAME"); ok && v != "" {
		return v
	}
	return ".gto"
}

// headFile returns a file as committed at HEAD, nil when absent or when
// the repository has no commits. A file larger than limit is not read: its
// size is returned instead.
func (r *Registry) headFile(ctx context.Context, path string, limit int64) (data []byte, size int64, err error) {
	b, err := r.batch(ctx)
	if err != nil {
		return nil, 0, err
	}
	infos, err := b.Info([]string{"HEAD:" + path})
	if err != nil {
		return nil, 0, err
	}
	if infos[0].Size > limit {
		return nil, infos[0].Size, nil
	}
	data, found, err := b.Blob("HEAD", path)
	if err != nil || !found {
		return nil, 0, err
	}
	return data, int64(len(data)), nil
}

// batch returns the registry's cat-file process, starting it on first use:
// one process serves every read of a command (tags, commits, files).
func (r *Registry) batch(ctx context.Context) (*gitcmd.Batch, error) {
	if r.b == nil {
		open := r.git.OpenBatch
		if r.storeOnly {
			open = r.git.OpenStoreBatch
		}
		b, err := open(ctx)
		if err != nil {
			return nil, err
		}
		r.b = b
	}
	return r.b, nil
}

// readStore switches the registry's reads to the object store alone (on)
// or back to the object cache; the cat-file process of the other kind, if
// any, is ended so that the next read starts the right one.
func (r *Registry) readStore(on bool) {
	if r.storeOnly == on {
		return
	}
	r.storeOnly = on
	if r.b != nil {
		r.b.Close()
		r.b = nil
	}
}

func (r *Registry) noRepoError() error {
	return &Error{Kind: ErrNotARepository, Msg: fmt.Sprintf("no git repository found in %q", r.path)}
}

// scpLike matches scp-like remote addresses: user@host:path.
var scpLike = regexp.MustCompile(`^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:`)

// IsRemoteURL reports whether repo names a remote repository rather than a
// local path: a URL with a scheme (https://, ssh://, git://, file://) or an
// scp-like address (git@host:org/repo.git).
func IsRemoteURL(repo string) bool {
	if strings.Contains(repo, "://") {
		return true
	}
	if scpLike.MatchString(repo) {
		if _, err := os.Stat(repo); err == nil {
			return false // an existing local path that merely looks like one
		}
		return true
	}
	return false
}

// cloneRemote clones the remote into a temporary folder: with --no-cache,
// and for annotate/remove, which need a work tree to commit the file in.
func (r *Registry) cloneRemote(ctx context.Context, worktree bool) error {
	tmp, err := os.MkdirTemp("", "gto-remote-")
	if err != nil {
		return err
	}
	r.clean = func() { os.RemoveAll(tmp) }
	dir := filepath.Join(tmp, "repo")
	repo, err := gitcmd.Clone(ctx, r.opts.Repo, dir, gitcmd.CloneOptions{Bare: !worktree, Progress: r.opts.Progress, Verbose: r.opts.Log})
	if err != nil {
		return fmt.Errorf("cannot clone %s: %w", r.opts.Repo, err)
	}
	repo.NoObjectCache = r.noObjectCache()
	r.git = repo
	r.dir = repo.WorkTree()
	r.remote = r.opts.Repo
	return nil
}
