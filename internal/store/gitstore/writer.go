package gitstore

import (
	"context"
	"errors"
	"strings"

	"github.com/gto-dev/gto/internal/gitcmd"
	"github.com/gto-dev/gto/internal/store"
)

// remoteName is the remote every write is pushed to: the user's origin, or
// the URL a mirror or temporary clone was made from (its origin too).
const remoteName = "origin"

// writer is the store.Writer of one Update.
type writer struct {
	reader
}

var _ store.Writer = (*writer)(nil)

func (w *writer) WriteTags(ctx context.Context, create []store.TagRequest, del []string) error {
	reqs := make([]gitcmd.TagRequest, len(create))
	for i, req := range create {
		reqs[i] = gitcmd.TagRequest{Name: req.Name, Target: req.Target, Message: req.Message, Date: req.Date, Sign: req.Sign, Object: req.Object}
	}
	if err := w.s.repo.UpdateTags(ctx, reqs, del); err != nil {
		return mapError(err)
	}
	if len(reqs) > 0 {
		// The next command finds the new tags in the object cache instead
		// of starting cat-file for them.
		if b, err := w.s.batch(ctx); err == nil {
			b.RememberMadeTags(reqs)
		}
	}
	return nil
}

func (w *writer) Remote() string {
	if w.s.remote != "" {
		return w.s.remote
	}
	return remoteName
}

func (w *writer) RemoteRefs(ctx context.Context) (*store.RemoteRefs, error) {
	refs, err := w.s.repo.ListRemoteRefs(ctx, remoteName, "refs/tags/*", "refs/gto/*")
	if err != nil {
		return nil, w.s.remoteError(ctx, err)
	}
	out := &store.RemoteRefs{Gto: map[string]string{}}
	for _, r := range refs {
		if name, ok := strings.CutPrefix(r.Name, "refs/tags/"); ok {
			out.Tags = append(out.Tags, store.Ref{Name: name, Object: r.Object})
		} else if strings.HasPrefix(r.Name, "refs/gto/") {
			out.Gto[r.Name] = r.Object
		}
	}
	return out, nil
}

// Push pushes atomically when there are several refs (an assignment must
// not reach the remote without the registration it needs, nor a counter
// ref without its tag), or one by one when the remote cannot.
func (w *writer) Push(ctx context.Context, req store.PushRequest) error {
	var refspecs []string
	for _, name := range req.Create {
		refspecs = append(refspecs, "refs/tags/"+name+":refs/tags/"+name)
	}
	for _, name := range req.Delete {
		refspecs = append(refspecs, ":refs/tags/"+name)
	}
	opts := gitcmd.PushOptions{Atomic: len(refspecs)+len(req.Set) > 1}
	for _, u := range req.Set {
		refspecs = append(refspecs, u.Object+":"+u.Ref)
		opts.Leases = append(opts.Leases, gitcmd.Lease{Ref: u.Ref, Expect: u.Expect})
	}
	err := w.s.repo.PushWith(ctx, remoteName, refspecs, opts)
	if opts.Atomic && errors.Is(err, gitcmd.ErrAtomicUnsupported) {
		opts.Atomic = false
		err = w.s.repo.PushWith(ctx, remoteName, refspecs, opts)
	}
	var pe *gitcmd.PushError
	if !errors.As(err, &pe) {
		return w.s.remoteError(ctx, err)
	}
	out := &store.PushError{Remote: pe.Remote, Err: err}
	for _, rej := range pe.Rejected {
		out.Rejected = append(out.Rejected, store.RejectedRef{Ref: rej.Ref, Reason: store.Reason(rej.Reason)})
	}
	return out
}

func (w *writer) FetchTags(ctx context.Context, names []string) error {
	return w.s.remoteError(ctx, w.s.repo.FetchTags(ctx, remoteName, names))
}

func (w *writer) Resync(ctx context.Context) {
	if w.s.mirror != nil {
		w.s.mirror.fetch(ctx, w.s)
	}
}

func (w *writer) WorkTreeStatus(ctx context.Context, path string) (string, error) {
	status, err := w.s.repo.PathStatus(ctx, path)
	return status, w.workTreeError(err)
}

func (w *writer) CommitPaths(ctx context.Context, message string, paths ...string) (string, error) {
	commit, err := w.s.repo.CommitPaths(ctx, message, paths...)
	return commit, w.workTreeError(err)
}

func (w *writer) CurrentBranch(ctx context.Context) (string, error) {
	branch, err := w.s.repo.CurrentBranch(ctx)
	return branch, mapError(err)
}

func (w *writer) PushBranch(ctx context.Context) error {
	return w.s.remoteError(ctx, w.s.repo.PushCurrentBranch(ctx))
}

// workTreeError adds store.ErrNoWorkTree to the error of a work tree
// operation in a repository without one.
func (w *writer) workTreeError(err error) error {
	if err != nil && w.s.repo.WorkTree() == "" {
		return &storeError{kind: store.ErrNoWorkTree, err: err}
	}
	return mapError(err)
}
