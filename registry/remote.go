package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/gto-dev/gto/internal/gitcmd"
)

// A registry opened from a URL reads a bare, blobless mirror kept in the
// user's cache directory: the first command clones it, later commands only
// fetch what changed, so a remote registry costs about what a local one
// does. A file lock next to the mirror serialises gto processes that use it.
// Writes create their tags in the mirror and push them; a refused push
// re-syncs the mirror, so it never holds tags the remote does not have.

// fetchRefspecs are what a mirror keeps: every branch (annotations are read
// at HEAD and branch tips) and every tag, pruned when deleted remotely.
var fetchRefspecs = []string{"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"}

// cacheMarker is written after a complete clone; a mirror without it (an
// interrupted clone) is rebuilt.
const cacheMarker = "gto-mirror"

// CacheDir returns the folder that holds the mirrors: opts.CacheDir,
// GTO_CACHE_DIR, or gto/ in the user cache directory ($XDG_CACHE_HOME).
func CacheDir(opts Options) (string, error) {
	if opts.CacheDir != "" {
		return opts.CacheDir, nil
	}
	if v, ok := opts.Getenv("GTO_CACHE_DIR"); ok && v != "" {
		return v, nil
	}
	if v, ok := opts.Getenv("XDG_CACHE_HOME"); ok && v != "" {
		return filepath.Join(v, "gto"), nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("cannot find a cache directory (set GTO_CACHE_DIR or pass --cache-dir): %w", err)
	}
	return filepath.Join(base, "gto"), nil
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// mirrorName is the mirror's folder name: readable, and unique per URL.
func mirrorName(url string) string {
	sum := sha256.Sum256([]byte(url))
	readable := url
	if i := strings.Index(readable, "://"); i >= 0 {
		readable = readable[i+3:]
	}
	readable = strings.Trim(unsafeChars.ReplaceAllString(readable, "-"), "-.")
	if len(readable) > 60 {
		readable = readable[len(readable)-60:]
	}
	return readable + "-" + hex.EncodeToString(sum[:6]) + ".git"
}

// openMirror opens the cached mirror of the remote, cloning it when there
// is none (or it is damaged). An existing mirror is used at once: listing
// the remote's refs (`git ls-remote`, a network round trip) runs in the
// background while the command reads the mirror, and ready, which every
// command calls before it answers, fetches what changed, if anything.
func (r *Registry) openMirror(ctx context.Context) error {
	base, err := CacheDir(r.opts)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		return fmt.Errorf("cannot create the cache directory %s: %w", base, err)
	}
	dir := filepath.Join(base, mirrorName(r.opts.Repo))
	unlock, err := lockFile(ctx, dir+".lock")
	if err != nil {
		return err
	}
	r.clean = unlock
	r.remote = r.opts.Repo
	r.mirror = dir
	if repo, ok := r.existingMirror(ctx); ok {
		r.git = repo
		r.check = checkRemote(ctx, repo)
		return nil
	}
	return r.cloneMirror(ctx)
}

// existingMirror opens the mirror when it is complete and of this remote.
func (r *Registry) existingMirror(ctx context.Context) (*gitcmd.Repo, bool) {
	marker, err := os.ReadFile(filepath.Join(r.mirror, cacheMarker))
	if err != nil || strings.TrimSpace(string(marker)) != r.opts.Repo {
		return nil, false
	}
	repo, err := gitcmd.OpenWith(ctx, r.mirror, gitcmd.Options{Verbose: r.opts.Log, NonInteractive: true, NoObjectCache: r.noObjectCache()})
	if err != nil || !repo.IsBare() {
		return nil, false
	}
	return repo, true
}

// cloneMirror (re)builds the mirror from the remote. The clone is made next
// to the mirror and takes its place only when complete: when the remote
// cannot be reached, the command fails but the old mirror stays for the
// next one (which fetches what it lacks instead of cloning everything).
func (r *Registry) cloneMirror(ctx context.Context) error {
	if r.b != nil {
		r.b.Close()
		r.b = nil
	}
	fresh := r.mirror + ".new"
	if err := os.RemoveAll(fresh); err != nil { // left by an interrupted clone
		return fmt.Errorf("cannot remove %s: %w", fresh, err)
	}
	repo, err := gitcmd.Clone(ctx, r.opts.Repo, fresh, gitcmd.CloneOptions{
		Bare: true, Filter: "blob:none", Progress: r.opts.Progress, Verbose: r.opts.Log, NonInteractive: true,
	})
	if err == nil {
		err = os.WriteFile(filepath.Join(repo.GitDir(), cacheMarker), []byte(r.opts.Repo+"\n"), 0o644)
	}
	if err != nil {
		os.RemoveAll(fresh)
		return fmt.Errorf("cannot clone %s: %w", r.opts.Repo, err)
	}
	if err := os.RemoveAll(r.mirror); err != nil {
		return fmt.Errorf("cannot remove the broken cache %s: %w", r.mirror, err)
	}
	if err := os.Rename(fresh, r.mirror); err != nil {
		return fmt.Errorf("cannot move the new cache into place: %w", err)
	}
	if r.git, err = gitcmd.OpenWith(ctx, r.mirror, gitcmd.Options{Verbose: r.opts.Log, NonInteractive: true, NoObjectCache: r.noObjectCache()}); err != nil {
		return fmt.Errorf("cannot open the new cache %s: %w", r.mirror, err)
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
		c.refs, c.err = repo.LsRemote(ctx, "origin", "refs/heads/*", "refs/tags/*")
	}()
	return c
}

// stop ends the listing if it still runs, and waits for it.
func (c *remoteCheck) stop() {
	c.cancel()
	<-c.done
}

// ready makes sure the mirror is what the remote holds: it waits for the
// listing of the remote's refs and fetches when they differ from what the
// last fetch saw (and rebuilds the mirror when the fetch fails). changed
// reports that the mirror moved: what was read from it before is stale.
// Without a pending listing (a local registry, or already done) it does
// nothing. Every method that reads the registry calls it: load after its
// optimistic read, the others first.
func (r *Registry) ready(ctx context.Context) (changed bool, err error) {
	c := r.check
	if c == nil {
		return false, nil
	}
	r.check = nil
	select {
	case <-c.done:
	case <-ctx.Done():
		c.stop()
		return false, ctx.Err()
	}
	c.cancel()
	seenFile := filepath.Join(r.mirror, remoteRefsFile)
	sum := sha256.Sum256([]byte(c.refs))
	if c.err == nil {
		if seen, err := os.ReadFile(seenFile); err == nil && string(seen) == hex.EncodeToString(sum[:]) {
			return false, nil
		}
	}
	if c.err == nil {
		err = r.git.Fetch(ctx, "origin", fetchRefspecs, true)
	} else {
		err = c.err
	}
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		// Listing or fetching fails when the network or the remote does,
		// or when the mirror is damaged: rebuilding tells the two apart,
		// since a clone fails too when the remote cannot be reached.
		if err := r.cloneMirror(ctx); err != nil {
			return false, err
		}
	} else {
		// Remember the refs listed before the fetch: if the remote changed
		// in between, the next command sees a difference and fetches again.
		os.WriteFile(seenFile, []byte(hex.EncodeToString(sum[:])), 0o644)
		// Years of fetches must not slow the mirror down; a failure here
		// costs speed, not correctness.
		_ = r.git.Tidy(ctx)
	}
	if r.b != nil {
		r.b.Close()
		r.b = nil
	}
	return true, r.configure(ctx)
}

// remoteRefsFile holds the hash of the remote's refs as last fetched.
const remoteRefsFile = "gto-remote-refs"

// resync makes the mirror match the remote again after a refused push.
func (r *Registry) resync(ctx context.Context) {
	if r.mirror != "" {
		_ = r.git.Fetch(ctx, "origin", fetchRefspecs, true)
	}
}
