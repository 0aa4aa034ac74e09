package gitstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gto-dev/gto/internal/gitcmd"
)

// Clone clones the remote url into a temporary folder, with a work tree
// when workTree is set (to commit an annotation in), else bare, and opens
// it; Close removes the folder. Writes are pushed back to url.
func Clone(ctx context.Context, url string, workTree bool, opts Options) (*Store, error) {
	tmp, err := os.MkdirTemp("", "gto-remote-")
	if err != nil {
		return nil, err
	}
	clean := func() { os.RemoveAll(tmp) }
	repo, err := gitcmd.Clone(ctx, url, filepath.Join(tmp, "repo"), gitcmd.CloneOptions{
		Bare: !workTree, Progress: opts.Progress, Verbose: opts.Log, Env: opts.Env, Timeout: opts.Timeout,
	})
	if err != nil {
		clean()
		return nil, fmt.Errorf("cannot clone %s: %w", url, err)
	}
	repo.NoObjectCache = opts.NoObjectCache
	return &Store{repo: repo, opts: opts, remote: url, clean: clean}, nil
}
