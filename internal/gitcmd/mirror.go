package gitcmd

import (
	"context"
)

// LsRemote returns what `git ls-remote` says of the refs of remote that
// match patterns (all refs when none): "<id>\t<ref>" lines, peeled tags
// included. A mirror compares it with what it saw last to skip a fetch when
// nothing changed: listing refs is cheaper than a fetch negotiation.
func (r *Repo) LsRemote(ctx context.Context, remote string, patterns ...string) (string, error) {
	args := append([]string{"ls-remote", "--end-of-options", remote}, patterns...)
	out, err := r.git(ctx, args...)
	return string(out), err
}

// FetchMirror fetches refspecs from remote, pruning refs the remote deleted,
// without writing FETCH_HEAD or starting maintenance: a mirror is updated
// on every command, so the update must cost as little as possible.
func (r *Repo) FetchMirror(ctx context.Context, remote string, refspecs []string) error {
	args := []string{"fetch", "--quiet", "--prune", "--no-write-fetch-head", "--no-auto-gc", "--no-auto-maintenance", "--end-of-options", remote}
	_, err := r.git(ctx, append(args, refspecs...)...)
	return err
}
