package model

import (
	"errors"
	"fmt"
)

// The kinds of error. Every error of the model and of the registry wraps
// one of them (errors.Is) or is an error of a lower layer (git, a file);
// the typed errors below say more (errors.As).
var (
	// ErrInvalid: bad input (a name, version, stage, or a combination of
	// options). Nothing was changed.
	ErrInvalid = errors.New("invalid argument")
	// ErrNotFound: the artifact, version, stage, ref or path does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the change contradicts the registry (the version exists,
	// the stage is assigned already, the artifact is deprecated, a tag of
	// that name exists).
	ErrConflict = errors.New("conflict")
	// ErrNotARepository: the path is not inside a git repository.
	ErrNotARepository = errors.New("not a git repository")
	// ErrPush: the change was written locally but could not be pushed.
	ErrPush = errors.New("push failed")
)

// Detail is what every typed error carries: a message and a hint in the
// domain's words (never the words of one front end, such as a flag name),
// and a code for front ends that word some cases their own way.
type Detail struct {
	// Code identifies the case among those a front end may word in its own
	// terms (see the Code constants); "" for the others, whose message
	// suits every front end.
	Code string
	// Msg says what is wrong: one sentence, no trailing period.
	Msg string
	// Hint says what to do about it ("" when nothing); the message is Msg
	// and Hint joined by ": " (or by Sep).
	Hint string
	// Sep joins Msg and Hint; "" means ": ".
	Sep string
	// Artifact is the artifact the error is about, when a front end's
	// wording needs it.
	Artifact string
	// Err is the cause, if any.
	Err error
}

// Error returns Msg followed by the hint.
func (d *Detail) Error() string {
	if d.Hint == "" {
		return d.Msg
	}
	sep := d.Sep
	if sep == "" {
		sep = ": "
	}
	return d.Msg + sep + d.Hint
}

// WithHint returns the error's message with hint in place of its own (a
// front end's advice in its own terms).
func (d *Detail) WithHint(hint string) string {
	c := *d
	c.Hint = hint
	return c.Error()
}

func (d *Detail) unwrap(kind error) []error {
	if d.Err != nil {
		return []error{kind, d.Err}
	}
	return []error{kind}
}

// InvalidError is an input that is wrong (ErrInvalid).
type InvalidError struct {
	Detail
	// Field names the input in the domain's words: FieldName, FieldStage,
	// FieldVersion, ... ("" when the problem is a combination).
	Field string
	// Value is the value given, when the message is about it.
	Value string
}

func (e *InvalidError) Unwrap() []error { return e.unwrap(ErrInvalid) }

// NotFoundError is something that does not exist (ErrNotFound).
type NotFoundError struct {
	Detail
	// What is the kind of thing: "artifact", "version", "stage", "ref",
	// "tag", "path", "folder".
	What string
}

func (e *NotFoundError) Unwrap() []error { return e.unwrap(ErrNotFound) }

// ConflictError is a change that contradicts the registry (ErrConflict).
type ConflictError struct {
	Detail
	// Force reports that forcing the write (RegisterOptions.Force,
	// AssignOptions.Force, DeprecateOptions.Force) would overcome it.
	Force bool
}

func (e *ConflictError) Unwrap() []error { return e.unwrap(ErrConflict) }

// ForceHint is the hint of a ConflictError that forcing the write
// overcomes (Force), when the case has no hint of its own.
const ForceHint = "force the write to do it anyway"

// PushError is a change written locally that could not be pushed
// (ErrPush); the message says what became of it and how to retry.
type PushError struct {
	Detail
}

func (e *PushError) Unwrap() []error { return e.unwrap(ErrPush) }

// RepositoryError is a path that is not in a git repository
// (ErrNotARepository).
type RepositoryError struct {
	Detail
	Path string
}

func (e *RepositoryError) Unwrap() []error { return e.unwrap(ErrNotARepository) }

// DetailOf returns the Detail of the first typed error in err's chain.
func DetailOf(err error) (*Detail, bool) {
	var (
		invalid  *InvalidError
		notFound *NotFoundError
		conflict *ConflictError
		push     *PushError
		repo     *RepositoryError
		policy   *PolicyError
	)
	switch {
	case errors.As(err, &invalid):
		return &invalid.Detail, true
	case errors.As(err, &notFound):
		return &notFound.Detail, true
	case errors.As(err, &conflict):
		return &conflict.Detail, true
	case errors.As(err, &push):
		return &push.Detail, true
	case errors.As(err, &repo):
		return &repo.Detail, true
	case errors.As(err, &policy):
		return &policy.Detail, true
	}
	return nil, false
}

// The inputs InvalidError.Field names.
const (
	FieldName                  = "name"
	FieldStage                 = "stage"
	FieldVersion               = "version"
	FieldRef                   = "ref"
	FieldRev                   = "rev"
	FieldBump                  = "bump"
	FieldPath                  = "path"
	FieldType                  = "type"
	FieldLabel                 = "label"
	FieldSort                  = "sort"
	FieldAssignmentsPerVersion = "assignments_per_version"
	FieldVersionsPerStage      = "versions_per_stage"
)

// The cases a front end may word in its own terms (Detail.Code). The
// comment says what the case is; the message says it in the domain's words.
const (
	CodeStageRequired         = "stage-required"          // assign without a stage
	CodeVersionOrRef          = "version-or-ref"          // assign needs exactly one of a version and a ref
	CodeVersionAndSkip        = "version-and-skip"        // assign: a version to register, and no registration
	CodeRefOnlyForArtifact    = "ref-only-for-artifact"   // deregister or unassign given a ref
	CodeRevWithVersion        = "rev-with-version"        // describe: a revision and a version reference
	CodeAllowedAndUsed        = "allowed-and-used"        // stages: allowed and used together
	CodeVersionAndBump        = "version-and-bump"        // register: a version and a bump
	CodeBumpWithoutVersion    = "bump-without-version"    // register: a bump of an artifact without versions
	CodeNextVersionTaken      = "next-version-taken"      // register: the bumped version exists, deregistered
	CodeStageAssigned         = "stage-assigned"          // assign: the version is in the stage already
	CodeVersionsAtRef         = "versions-at-ref"         // assign: the commit of the ref holds several versions
	CodePathRequired          = "path-required"           // annotate: must exist, without a path
	CodePathAbsolute          = "path-absolute"           // annotate: an absolute path that must exist
	CodePathNotCommitted      = "path-not-committed"      // annotate: a path that must exist is not committed
	CodeDetachedHead          = "detached-head"           // annotate: push from a detached HEAD
	CodeAssignmentsPerVersion = "assignments-per-version" // show: assignments per version below -1
	CodeVersionsPerStage      = "versions-per-stage"      // show: versions per stage below -1
	CodePushConflictRegister  = "push-conflict-register"  // push: another clone registered the version first
	CodePushConflictAssign    = "push-conflict-assign"    // push: another clone took the name of a simple assignment
	CodePushConflictUnassign  = "push-conflict-unassign"  // push: another clone took the name of a simple unassignment
	CodeNoCacheDir            = "no-cache-dir"            // no folder for the mirrors of remote registries
	CodePolicyUnsigned        = "policy-unsigned"         // assign: the policy asks for a signed tag, and the write would not sign
	CodePolicyRef             = "policy-ref"              // the revision asked to read the policy at names no commit
	CodeNoDefaultBranch       = "no-default-branch"       // the policy is asked for, and no default branch is found to read it at
)

// Invalidf returns an InvalidError about field with a formatted message.
func Invalidf(field, format string, args ...any) *InvalidError {
	return &InvalidError{Field: field, Detail: Detail{Msg: fmt.Sprintf(format, args...)}}
}

// WrapInvalid marks an error of a lower layer (name validation, SemVer, a
// malformed file) as an InvalidError about field; nil stays nil.
func WrapInvalid(field string, err error) error {
	if err == nil {
		return nil
	}
	return &InvalidError{Field: field, Detail: Detail{Msg: err.Error(), Err: err}}
}

// NotFoundf returns a NotFoundError about a thing of kind what, with a
// formatted message.
func NotFoundf(what, format string, args ...any) *NotFoundError {
	return &NotFoundError{What: what, Detail: Detail{Msg: fmt.Sprintf(format, args...)}}
}

// Conflictf returns a ConflictError with a formatted message.
func Conflictf(format string, args ...any) *ConflictError {
	return &ConflictError{Detail: Detail{Msg: fmt.Sprintf(format, args...)}}
}
