package registry

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

// openMirror opens (cloning or updating) the cached mirror of the remote.
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
	r.mirror = true
	if repo, err := r.updateMirror(ctx, dir); err == nil {
		r.git = repo
		return nil
	} else if !errors.Is(err, errRebuild) {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("cannot remove the broken cache %s: %w", dir, err)
	}
	repo, err := gitcmd.Clone(ctx, r.opts.Repo, dir, gitcmd.CloneOptions{
		Bare: true, Filter: "blob:none", Progress: r.opts.Progress, Verbose: r.opts.Log, NonInteractive: true,
	})
	if err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("cannot clone %s: %w", r.opts.Repo, err)
	}
	if err := os.WriteFile(filepath.Join(repo.GitDir(), cacheMarker), []byte(r.opts.Repo+"\n"), 0o644); err != nil {
		return err
	}
	r.git = repo
	return nil
}

// errRebuild says the mirror is missing or unusable and must be cloned again.
var errRebuild = errors.New("rebuild the mirror")

// updateMirror fetches what changed into an existing mirror.
func (r *Registry) updateMirror(ctx context.Context, dir string) (*gitcmd.Repo, error) {
	marker, err := os.ReadFile(filepath.Join(dir, cacheMarker))
	if err != nil || strings.TrimSpace(string(marker)) != r.opts.Repo {
		return nil, errRebuild
	}
	repo, err := gitcmd.OpenWith(ctx, dir, gitcmd.Options{Verbose: r.opts.Log, NonInteractive: true})
	if err != nil || !repo.IsBare() {
		return nil, errRebuild
	}
	// Listing the remote's refs costs a fraction of a fetch negotiation:
	// when they are what the last fetch saw, there is nothing to fetch.
	refs, err := repo.LsRemote(ctx, "origin", "refs/heads/*", "refs/tags/*")
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, errRebuild
	}
	seenFile := filepath.Join(dir, remoteRefsFile)
	sum := sha256.Sum256([]byte(refs))
	if seen, err := os.ReadFile(seenFile); err == nil && string(seen) == hex.EncodeToString(sum[:]) {
		return repo, nil
	}
	if err := repo.Fetch(ctx, "origin", fetchRefspecs, true); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// A fetch fails when the network or the remote does, or when the
		// mirror is damaged: rebuilding tells the two apart, since a clone
		// fails too when the remote cannot be reached.
		return nil, errRebuild
	}
	// Remember the refs listed before the fetch: if the remote changed in
	// between, the next command sees a difference and fetches again.
	os.WriteFile(seenFile, []byte(hex.EncodeToString(sum[:])), 0o644)
	return repo, nil
}

// remoteRefsFile holds the hash of the remote's refs as last fetched.
const remoteRefsFile = "gto-remote-refs"

// resync makes the mirror match the remote again after a refused push.
func (r *Registry) resync(ctx context.Context) {
	if r.mirror {
		_ = r.git.Fetch(ctx, "origin", fetchRefspecs, true)
	}
}
