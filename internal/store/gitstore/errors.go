package gitstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/gto-dev/gto/internal/gitcmd"
	"github.com/gto-dev/gto/internal/store"
)

// sentinels pairs gitcmd's sentinel errors with the store's.
var sentinels = []struct{ git, store error }{
	{gitcmd.ErrNotARepository, store.ErrNotARepository},
	{gitcmd.ErrNoCommits, store.ErrNoCommits},
	{gitcmd.ErrRefNotFound, store.ErrRefNotFound},
	{gitcmd.ErrTagExists, store.ErrTagExists},
	{gitcmd.ErrObjectNotFound, store.ErrObjectNotFound},
	{gitcmd.ErrNotSigned, store.ErrNotSigned},
}

// mapError returns err with the store's sentinel added when it wraps one of
// gitcmd's, so that callers of the store need not know gitcmd. The message
// is err's own.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var te *gitcmd.TimeoutError
	if errors.As(err, &te) {
		return &storeError{kind: store.ErrTimeout, err: err}
	}
	for _, s := range sentinels {
		if errors.Is(err, s.git) {
			return &storeError{kind: s.store, err: err}
		}
	}
	return err
}

// storeError is an error of gitcmd that also matches a store sentinel;
// msg, when set, replaces err's message.
type storeError struct {
	kind, err error
	msg       string
}

func (e *storeError) Error() string {
	if e.msg != "" {
		return e.msg
	}
	return e.err.Error()
}
func (e *storeError) Unwrap() []error { return []error{e.kind, e.err} }

// remoteError is the error of a command that talked to the remote: a
// timeout names the remote by its URL (git calls it "origin").
func (s *Store) remoteError(ctx context.Context, err error) error {
	var te *gitcmd.TimeoutError
	if !errors.As(err, &te) {
		return mapError(err)
	}
	name := te.Remote
	switch {
	case s.remote != "" && name == remoteName:
		name = s.remote
	case name == remoteName:
		if url, uerr := s.repo.RemoteURL(context.WithoutCancel(ctx), remoteName); uerr == nil {
			name = "origin (" + url + ")"
		}
	}
	return &storeError{kind: store.ErrTimeout, err: err, msg: fmt.Sprintf("%s did not answer within %v", name, te.After)}
}
