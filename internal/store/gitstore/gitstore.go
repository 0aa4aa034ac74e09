// Package gitstore is the store.Store that runs the git binary (through
// internal/gitcmd): a local repository, the cached mirror of a remote
// registry, or a temporary clone of one.
//
// One `git cat-file` process serves every read of a Store; objects already
// parsed come from gto's object cache in the git directory (off with
// Options.NoObjectCache, and for ViewStore). Writes are serialised across
// processes by a lock file in the git directory (gto-write.lock).
package gitstore

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"sync"
	"time"

	"github.com/gto-dev/gto/internal/gitcmd"
	"github.com/gto-dev/gto/internal/store"
)

// Options say how a Store runs git.
type Options struct {
	// Log receives a line for every git command run (gto -v); nil: silent.
	Log io.Writer
	// Progress receives git's progress of long operations (cloning); nil:
	// silent.
	Progress io.Writer
	// NoObjectCache neither reads nor writes gto's object cache.
	NoObjectCache bool
	// Env, when not nil, replaces the process environment of every git
	// command (tests seal git off from the user's configuration with it).
	Env []string
	// Timeout bounds every git command that talks to a remote (ls-remote,
	// fetch, push, clone); zero: none.
	Timeout time.Duration
	// LockTimeout bounds the wait for a lock another process holds (the
	// write lock, a mirror's); zero: two minutes.
	LockTimeout time.Duration
	// Notices receives a line when the store waits for another process
	// (a lock it holds); nil: silent.
	Notices io.Writer
}

func (o Options) git(nonInteractive bool) gitcmd.Options {
	return gitcmd.Options{Verbose: o.Log, NonInteractive: nonInteractive, NoObjectCache: o.NoObjectCache, Env: o.Env, Timeout: o.Timeout}
}

// Store is a git repository on disk. Create it with Open, OpenMirror or
// Clone.
type Store struct {
	repo   *gitcmd.Repo
	opts   Options
	remote string // the URL of a mirror or temporary clone; "" for a local repository

	// mu serialises Views and Updates: they share one cat-file process,
	// and a mirror is brought up to date between them.
	mu sync.Mutex
	// bmu guards b, bctx and storeOnly: a View's reads may run on several
	// goroutines. b is the cat-file process of the reads, started on first
	// use; storeOnly says it reads the object store without the object
	// cache.
	bmu       sync.Mutex
	b         *gitcmd.Batch
	bctx      context.Context // the context b lives in
	storeOnly bool
	// mirror is set for the cached mirror of a remote (see mirror.go).
	mirror *mirror
	// clean releases what opening acquired (a temporary clone, the
	// mirror's lock).
	clean  func()
	closed bool
}

var _ store.Store = (*Store)(nil)

// Open opens the local repository that contains path: a folder inside a
// work tree, or a bare repository. Errors: store.ErrNotARepository when
// path is in no repository.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	repo, err := gitcmd.OpenWith(ctx, path, opts.git(false))
	if err != nil {
		return nil, mapError(err)
	}
	return &Store{repo: repo, opts: opts}, nil
}

// Info describes the repository.
func (s *Store) Info() store.Info {
	return store.Info{WorkTree: s.repo.WorkTree(), GitDir: s.repo.GitDir(), Remote: s.remote}
}

// View runs fn with a Reader; see store.Store. A mirror's first View reads
// the mirror while the remote is listed, then again if the remote changed.
func (s *Store) View(ctx context.Context, fn func(store.Reader) error) error {
	return s.view(ctx, false, fn)
}

// ViewStore is View with every object read from git's object store, not
// from gto's object cache: the cache keeps objects by id, so it would
// vouch for one the store has lost, and a check of the repository (gto
// doctor) must ask the store itself.
func (s *Store) ViewStore(ctx context.Context, fn func(store.Reader) error) error {
	return s.view(ctx, true, fn)
}

func (s *Store) view(ctx context.Context, storeOnly bool, fn func(store.Reader) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	s.readStore(storeOnly)
	defer s.readStore(false)
	newReader := func() *reader { return &reader{s: s, ctx: ctx, tips: &branchTips{}} }
	if s.mirror == nil || s.mirror.settled() {
		return fn(newReader())
	}
	err := fn(newReader())
	changed, serr := s.settle(ctx)
	if serr != nil {
		return serr
	}
	if changed {
		return fn(newReader()) // the mirror moved: its tips are read again
	}
	return err
}

// Update takes the write lock and runs fn with a Writer; see store.Store.
func (s *Store) Update(ctx context.Context, fn func(store.Writer) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	if _, err := s.settle(ctx); err != nil {
		return err
	}
	unlock, err := s.lock(ctx, filepath.Join(s.repo.GitDir(), "gto-write.lock"), "writing in "+s.name())
	if err != nil {
		return err
	}
	defer unlock()
	return fn(&writer{reader{s: s, ctx: ctx}})
}

// StartResolve starts cat-file for the ResolveCommit of the next View or
// Update of a local repository (a mirror may be replaced before then).
func (s *Store) StartResolve(ctx context.Context, rev string) {
	if s.remote != "" || s.mirror != nil {
		return
	}
	if b, err := s.batch(ctx); err == nil {
		b.StartResolve(rev)
	}
}

// name is how messages call the repository: its URL, work tree or git
// directory.
func (s *Store) name() string {
	switch {
	case s.remote != "":
		return s.remote
	case s.repo.WorkTree() != "":
		return s.repo.WorkTree()
	}
	return s.repo.GitDir()
}

// Close ends the cat-file process and the remote check, and releases what
// opening acquired. It is idempotent.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.mirror != nil {
		s.mirror.stop()
	}
	s.restartBatch()
	if s.clean != nil {
		s.clean()
	}
	return nil
}

var errClosed = errors.New("the repository was closed")

// batch returns the cat-file process of the reads, starting it on first
// use, or again when the context it was started in is done (the process
// ended with it).
func (s *Store) batch(ctx context.Context) (*gitcmd.Batch, error) {
	s.bmu.Lock()
	defer s.bmu.Unlock()
	if s.b != nil && s.bctx.Err() != nil {
		s.closeBatch()
	}
	if s.b == nil {
		open := s.repo.OpenBatch
		if s.storeOnly {
			open = s.repo.OpenStoreBatch
		}
		b, err := open(ctx)
		if err != nil {
			return nil, mapError(err)
		}
		s.b, s.bctx = b, ctx
	}
	return s.b, nil
}

// readStore switches the reads to the object store alone (on) or back to
// the object cache; the process of the other kind, if any, is ended so
// that the next read starts the right one.
func (s *Store) readStore(on bool) {
	s.bmu.Lock()
	defer s.bmu.Unlock()
	if s.storeOnly != on {
		s.storeOnly = on
		s.closeBatch()
	}
}

// restartBatch ends the cat-file process, so that the next read starts a
// new one (after a fetch: the repository's packs changed).
func (s *Store) restartBatch() {
	s.bmu.Lock()
	defer s.bmu.Unlock()
	s.closeBatch()
}

// closeBatch ends the cat-file process; the caller holds s.bmu.
func (s *Store) closeBatch() {
	if s.b != nil {
		s.b.Close()
		s.b = nil
	}
}
