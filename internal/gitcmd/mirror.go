package gitcmd

import (
	"context"
)

// LsRemote returns what `git ls-remote --refs` says of the refs of remote
// that match patterns (all refs when none): "<id>\t<ref>" lines, without
// the peeled values of tags (the remote need not peel them, and half the
// lines go; a tag object never changes, so its id says as much). A mirror
// compares it with what it saw last to skip a fetch when nothing changed:
// listing refs is cheaper than a fetch negotiation.
func (r *Repo) LsRemote(ctx context.Context, remote string, patterns ...string) (string, error) {
	args := append([]string{"ls-remote", "--refs", "--end-of-options", remote}, patterns...)
	out, err := r.git(ctx, args...)
	return string(out), err
}
