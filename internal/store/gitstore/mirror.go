package gitstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/gto-dev/gto/internal/gitcmd"
	"github.com/gto-dev/gto/internal/store"
)

// A registry opened from a URL reads a bare, blobless mirror kept in the
// user's cache directory: the first command clones it, later commands only
// fetch what changed, so a remote registry costs about what a local one
// does. A file lock next to the mirror serialises gto processes that use
// it. Writes create their tags in the mirror and push them; a refused push
// re-syncs the mirror, so it never holds tags the remote does not have.

// fetchRefspecs are what a mirror keeps: every branch (annotations are read
// at HEAD and branch tips) and every tag, pruned when deleted remotely.
var fetchRefspecs = []string{"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"}

// cacheMarker is written after a complete clone; a mirror without it (an
// interrupted clone) is rebuilt.
const cacheMarker = "gto-mirror"

// remoteRefsFile holds the hash of the remote's refs as last fetched.
const remoteRefsFile = "gto-remote-refs"

// mirror is the state of a Store that is the cached mirror of url.
type mirror struct {
	url, dir string
	// check is the listing of the remote's refs, running in the background
	// from OpenMirror until the first View or Update settles it; nil after.
	check *remoteCheck
}

func (m *mirror) settled() bool { return m.check == nil }

// stop ends a listing still running.
func (m *mirror) stop() {
	if m.check != nil {
		m.check.stop()
		m.check = nil
	}
}

// OpenMirror opens the cached mirror of the remote url in cacheDir,
// cloning it when there is none (or it is damaged). An existing mirror is
// used at once: listing the remote's refs (`git ls-remote`, a network round
// trip) runs in the background while the first View reads the mirror, and
// the mirror is fetched, and the View's reads made again, only when the
// remote changed.
func OpenMirror(ctx context.Context, url, cacheDir string, opts Options) (*Store, error) {
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create the cache directory %s: %w", cacheDir, err)
	}
	dir := filepath.Join(cacheDir, MirrorName(url))
	s := &Store{opts: opts, remote: url, mirror: &mirror{url: url, dir: dir}}
	unlock, err := s.lock(ctx, dir+".lock", "with the cache of "+url)
	if err != nil {
		return nil, err
	}
	s.clean = unlock
	if repo, ok := s.existingMirror(ctx); ok {
		s.repo = repo
		s.mirror.check = checkRemote(ctx, repo)
		return s, nil
	}
	if err := s.cloneMirror(ctx); err != nil {
		unlock()
		return nil, err
	}
	return s, nil
}

var unsafeChars = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9._-]+`) })

// MirrorName is the folder name of url's mirror: readable, and unique per
// URL.
func MirrorName(url string) string {
	sum := sha256.Sum256([]byte(url))
	readable := url
	if i := strings.Index(readable, "://"); i >= 0 {
		readable = readable[i+3:]
	}
	readable = strings.Trim(unsafeChars().ReplaceAllString(readable, "-"), "-.")
	if len(readable) > 60 {
		readable = readable[len(readable)-60:]
	}
	return readable + "-" + hex.EncodeToString(sum[:6]) + ".git"
}

// gitOptions are those of a mirror: git never prompts for credentials
// (a mirror is used in the background).
func (s *Store) gitOptions() gitcmd.Options { return s.opts.git(true) }

// existingMirror opens the mirror when it is complete and of this remote.
func (s *Store) existingMirror(ctx context.Context) (*gitcmd.Repo, bool) {
	m := s.mirror
	marker, err := os.ReadFile(filepath.Join(m.dir, cacheMarker))
	if err != nil || strings.TrimSpace(string(marker)) != m.url {
		return nil, false
	}
	repo, err := gitcmd.OpenWith(ctx, m.dir, s.gitOptions())
	if err != nil || !repo.IsBare() {
		return nil, false
	}
	return repo, true
}

// cloneMirror (re)builds the mirror from the remote. The clone is made next
// to the mirror and takes its place only when complete: when the remote
// cannot be reached, the command fails but the old mirror stays for the
// next one (which fetches what it lacks instead of cloning everything).
func (s *Store) cloneMirror(ctx context.Context) error {
	m := s.mirror
	s.restartBatch()
	fresh := m.dir + ".new"
	if err := os.RemoveAll(fresh); err != nil { // left by an interrupted clone
		return fmt.Errorf("cannot remove %s: %w", fresh, err)
	}
	repo, err := gitcmd.Clone(ctx, m.url, fresh, gitcmd.CloneOptions{
		Bare: true, Filter: "blob:none", Progress: s.opts.Progress, Verbose: s.opts.Log, NonInteractive: true, Env: s.opts.Env, Timeout: s.opts.Timeout,
	})
	if err == nil {
		err = os.WriteFile(filepath.Join(repo.GitDir(), cacheMarker), []byte(m.url+"\n"), 0o644)
	}
	if err != nil {
		os.RemoveAll(fresh)
		if err := s.remoteError(ctx, err); errors.Is(err, store.ErrTimeout) {
			return err // names the remote already
		}
		return fmt.Errorf("cannot clone %s: %w", m.url, err)
	}
	if err := os.RemoveAll(m.dir); err != nil {
		return fmt.Errorf("cannot remove the broken cache %s: %w", m.dir, err)
	}
	if err := os.Rename(fresh, m.dir); err != nil {
		return fmt.Errorf("cannot move the new cache into place: %w", err)
	}
	if s.repo, err = gitcmd.OpenWith(ctx, m.dir, s.gitOptions()); err != nil {
		return fmt.Errorf("cannot open the new cache %s: %w", m.dir, err)
	}
	return nil
}

// remoteCheck is the listing of a remote's refs, running in the background.
type remoteCheck struct {
	done   chan struct{}
	cancel context.CancelFunc
	refs   string
	err    error
}

func checkRemote(ctx context.Context, repo *gitcmd.Repo) *remoteCheck {
	ctx, cancel := context.WithCancel(ctx)
	c := &remoteCheck{done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(c.done)
		c.refs, c.err = repo.LsRemote(ctx, remoteName, "refs/heads/*", "refs/tags/*")
	}()
	return c
}

// stop ends the listing if it still runs, and waits for it.
func (c *remoteCheck) stop() {
	c.cancel()
	<-c.done
}

// settle makes sure a mirror is what the remote holds: it waits for the
// listing of the remote's refs and fetches when they differ from what the
// last fetch saw (and rebuilds the mirror when the fetch fails). changed
// reports that the mirror moved: what was read from it before is stale.
// Without a pending listing (a local repository, or already settled) it
// does nothing. The caller holds s.mu.
func (s *Store) settle(ctx context.Context) (changed bool, err error) {
	m := s.mirror
	if m == nil || m.check == nil {
		return false, nil
	}
	c := m.check
	m.check = nil
	select {
	case <-c.done:
	case <-ctx.Done():
		c.stop()
		return false, ctx.Err()
	}
	c.cancel()
	seenFile := filepath.Join(m.dir, remoteRefsFile)
	sum := sha256.Sum256([]byte(c.refs))
	if c.err == nil {
		if seen, err := os.ReadFile(seenFile); err == nil && string(seen) == hex.EncodeToString(sum[:]) {
			return false, nil
		}
		err = s.repo.Fetch(ctx, remoteName, fetchRefspecs, true)
	} else {
		err = c.err
	}
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		var te *gitcmd.TimeoutError
		if errors.As(err, &te) { // the remote is silent: a clone would be too
			return false, s.remoteError(ctx, err)
		}
		// Listing or fetching fails when the network or the remote does,
		// or when the mirror is damaged: rebuilding tells the two apart,
		// since a clone fails too when the remote cannot be reached.
		if err := s.cloneMirror(ctx); err != nil {
			return false, err
		}
	} else {
		// Remember the refs listed before the fetch: if the remote changed
		// in between, the next command sees a difference and fetches again.
		os.WriteFile(seenFile, []byte(hex.EncodeToString(sum[:])), 0o644)
		// Years of fetches must not slow the mirror down; a failure here
		// costs speed, not correctness.
		_ = s.repo.Tidy(ctx)
	}
	s.restartBatch()
	return true, nil
}

// fetch makes the mirror match the remote again (after a refused push);
// best effort.
func (m *mirror) fetch(ctx context.Context, s *Store) {
	_ = s.repo.Fetch(ctx, remoteName, fetchRefspecs, true)
	s.restartBatch()
}
