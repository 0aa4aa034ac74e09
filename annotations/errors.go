package annotations

import "errors"

// ErrArtifactNotFound is wrapped by the error of Remove when the artifact is
// not annotated.
var ErrArtifactNotFound = errors.New("artifact is not annotated")

// ErrPathConflict is wrapped by the error of Annotate when the path is used
// by another artifact.
var ErrPathConflict = errors.New("path is used by another artifact")

// kindError is an error whose message is one full sentence and which
// unwraps to kind (a sentinel, or the tagname error behind an invalid name)
// for errors.Is/As, without appending kind's text to the sentence.
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }
