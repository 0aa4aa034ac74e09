package memstore

import (
	"context"
	"errors"
	"sync"

	"github.com/gto-dev/gto/internal/store"
)

// Op names a change (or a call to the remote) a Store is about to make,
// for Options.Hook.
type Op string

// The operations Hook is called for.
const (
	OpCreateTag  Op = "create-tag"
	OpDeleteTags Op = "delete-tags"
	OpRemoteTags Op = "remote-tags"
	OpPush       Op = "push"
	OpFetchTags  Op = "fetch-tags"
	OpCommit     Op = "commit"
	OpPushBranch Op = "push-branch"
	OpResync     Op = "resync"
)

// Options configure a Store.
type Options struct {
	// Origin is the remote writes are pushed to; nil: none (pushing fails
	// as with a repository without a remote).
	Origin *Repo
	// Remote is the URL the store stands for (a mirror or a temporary
	// clone of a remote registry), "" for a local repository.
	Remote string
	// WorkTree is a folder holding the work tree's files (for
	// WorkTreeStatus and CommitPaths); "" for a bare repository.
	WorkTree string
	// Hook, when set, is called before every operation of Op's list with
	// a word about it (the tag name, "n refs"). An error it returns is the
	// operation's, and nothing is changed; a hook that cancels the
	// context makes the operation fail with the context's error, as a git
	// process killed by it would.
	Hook func(op Op, what string) error
}

// Store is the store.Store of a Repo.
type Store struct {
	repo *Repo
	opts Options

	mu     sync.Mutex // serialises View and Update
	closed bool
}

var _ store.Store = (*Store)(nil)

// New returns a Store of repo.
func New(repo *Repo, opts Options) *Store {
	return &Store{repo: repo, opts: opts}
}

// Repo returns the repository of the store.
func (s *Store) Repo() *Repo { return s.repo }

func (s *Store) View(ctx context.Context, fn func(store.Reader) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	return fn(&reader{s: s})
}

func (s *Store) Update(ctx context.Context, fn func(store.Writer) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return fn(&writer{reader{s: s}})
}

func (s *Store) Info() store.Info {
	return store.Info{WorkTree: s.opts.WorkTree, Remote: s.opts.Remote}
}

func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

var errClosed = errors.New("the repository was closed")

// before runs the hook of op and reports the context's end: what the
// operation returns instead of running.
func (s *Store) before(ctx context.Context, op Op, what string) error {
	if s.opts.Hook != nil {
		if err := s.opts.Hook(op, what); err != nil {
			return err
		}
	}
	return ctx.Err()
}
