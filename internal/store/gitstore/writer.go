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
		reqs[i] = gitcmd.TagRequest{Name: req.Name, Target: req.Target, Message: req.Message, Date: req.Date, Sign: req.Sign}
	}
	return mapError(w.s.repo.UpdateTags(ctx, reqs, del))
}

func (w *writer) Remote() string {
	if w.s.remote != "" {
		return w.s.remote
	}
	return remoteName
}

func (w *writer) RemoteTags(ctx context.Context) ([]store.Ref, error) {
	tags, err := w.s.repo.ListRemoteTags(ctx, remoteName)
	if err != nil {
		return nil, mapError(err)
	}
	out := make([]store.Ref, len(tags))
	for i, t := range tags {
		out[i] = store.Ref{Name: t.Name, Object: t.Object}
	}
	return out, nil
}

// Push pushes atomically when there are several refs (an assignment must
// not reach the remote without the registration it needs), or one by one
// when the remote cannot.
func (w *writer) Push(ctx context.Context, req store.PushRequest) error {
	var refspecs []string
	for _, name := range req.Create {
		refspecs = append(refspecs, "refs/tags/"+name+":refs/tags/"+name)
	}
	for _, name := range req.Delete {
		refspecs = append(refspecs, ":refs/tags/"+name)
	}
	atomic := len(refspecs) > 1
	err := w.s.repo.PushWith(ctx, remoteName, refspecs, gitcmd.PushOptions{Atomic: atomic})
	if atomic && errors.Is(err, gitcmd.ErrAtomicUnsupported) {
		err = w.s.repo.Push(ctx, remoteName, refspecs)
	}
	var pe *gitcmd.PushError
	if !errors.As(err, &pe) {
		return mapError(err)
	}
	out := &store.PushError{Remote: pe.Remote, Err: err}
	for _, rej := range pe.Rejected {
		out.Rejected = append(out.Rejected, store.RejectedRef{
			Tag:    strings.TrimPrefix(rej.Ref, "refs/tags/"),
			Reason: store.Reason(rej.Reason),
		})
	}
	return out
}

func (w *writer) FetchTags(ctx context.Context, names []string) error {
	return mapError(w.s.repo.FetchTags(ctx, remoteName, names))
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
	return mapError(w.s.repo.PushCurrentBranch(ctx))
}

// workTreeError adds store.ErrNoWorkTree to the error of a work tree
// operation in a repository without one.
func (w *writer) workTreeError(err error) error {
	if err != nil && w.s.repo.WorkTree() == "" {
		return &storeError{kind: store.ErrNoWorkTree, err: err}
	}
	return mapError(err)
}
