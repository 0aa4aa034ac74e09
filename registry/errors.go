package registry

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the registry returns wraps one of these (or
// an error of a lower layer: gitcmd, config, annotations), so callers can
// branch with errors.Is; the message is always one sentence for users.
var (
	// ErrInvalid: bad input (name, version, stage, flag combination). Nothing was changed.
	ErrInvalid = errors.New("invalid argument")
	// ErrNotFound: the artifact, version, stage or ref does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the change contradicts the registry (version exists,
	// stage already assigned, artifact already deprecated, tag exists).
	ErrConflict = errors.New("conflict")
	// ErrNotARepository: the path is not inside a git repository.
	ErrNotARepository = errors.New("not a git repository")
	// ErrPush: tags were written locally but the push to the remote failed.
	ErrPush = errors.New("push failed")
)

// Error is an error of the registry: a user-facing message and the sentinel
// kind it wraps.
type Error struct {
	Kind error
	Msg  string
	Err  error // optional underlying error
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the kind and the underlying error.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

func newError(kind error, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

func invalidf(format string, args ...any) error  { return newError(ErrInvalid, format, args...) }
func notFoundf(format string, args ...any) error { return newError(ErrNotFound, format, args...) }
func conflictf(format string, args ...any) error { return newError(ErrConflict, format, args...) }

// wrapInvalid marks an error of a lower layer (name validation, SemVer) as ErrInvalid.
func wrapInvalid(err error) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: ErrInvalid, Msg: err.Error(), Err: err}
}
