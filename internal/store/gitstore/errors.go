package gitstore

import (
	"errors"

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
	for _, s := range sentinels {
		if errors.Is(err, s.git) {
			return &storeError{kind: s.store, err: err}
		}
	}
	return err
}

// storeError is an error of gitcmd that also matches a store sentinel.
type storeError struct {
	kind, err error
}

func (e *storeError) Error() string   { return e.err.Error() }
func (e *storeError) Unwrap() []error { return []error{e.kind, e.err} }
