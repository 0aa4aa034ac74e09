package gitcmd

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors for the conditions callers branch on. Errors returned by
// this package wrap them (test with errors.Is); the message of the returned
// error is always more specific than the sentinel's own text.
var (
	// ErrNotARepository: the path given to Open is not inside a git
	// repository (or does not exist).
	ErrNotARepository = errors.New("not a git repository")
	// ErrNoCommits: the repository has no HEAD commit (a fresh `git init`,
	// or HEAD on an unborn branch).
	ErrNoCommits = errors.New("repository has no commits")
	// ErrRefNotFound: a revision or ref does not resolve.
	ErrRefNotFound = errors.New("ref not found")
	// ErrTagExists: a tag of that name already exists (locally, or on the
	// remote for Push).
	ErrTagExists = errors.New("tag already exists")
	// ErrObjectNotFound: an object id requested through a Batch is not in
	// the object database.
	ErrObjectNotFound = errors.New("object not found")
	// ErrRemoteNotFound: no remote of that name is configured.
	ErrRemoteNotFound = errors.New("remote not found")
	// ErrGitNotFound: the git executable is not in $PATH. It also matches
	// exec.ErrNotFound through errors.Is.
	ErrGitNotFound = errors.New("git executable not found in $PATH")
)

// Error describes a git command that failed: it ran and exited non-zero, or
// it was stopped by its context (ExitCode -1, and errors.Is(err,
// context.Canceled) or context.DeadlineExceeded holds).
type Error struct {
	// Args are the arguments given to git (without "git" itself), including
	// the leading "-C <dir>".
	Args []string
	// ExitCode is git's exit status; -1 when git was killed by a signal.
	ExitCode int
	// Stderr is what git wrote to its standard error (capped at 64 KiB), in
	// the user's locale.
	Stderr string

	cause error // the context error when git was stopped, else nil
}

// Error returns a one-line message: the first meaningful line of git's
// stderr without its "fatal: " or "error: " prefix, or, when git said
// nothing, the subcommand and its exit status.
func (e *Error) Error() string {
	if line := firstMessageLine(e.Stderr); line != "" {
		return line
	}
	if e.cause != nil {
		return fmt.Sprintf("git %s: %v", e.subcommand(), e.cause)
	}
	return fmt.Sprintf("git %s: exit status %d", e.subcommand(), e.ExitCode)
}

// Unwrap returns the context error that stopped git, if any.
func (e *Error) Unwrap() error { return e.cause }

// subcommand is the first argument after the global options.
func (e *Error) subcommand() string {
	for i := 0; i < len(e.Args); i++ {
		switch a := e.Args[i]; {
		case a == "-C" || a == "-c":
			i++ // skip the option's value
		case strings.HasPrefix(a, "-"):
		default:
			return a
		}
	}
	return "command"
}

// firstMessageLine picks the line of stderr that explains a failure: hints,
// warnings and blank lines are noise next to it.
func firstMessageLine(stderr string) string {
	for line := range strings.Lines(stderr) {
		line = strings.TrimSpace(line)
		switch {
		case line == "",
			strings.HasPrefix(line, "hint:"),
			strings.HasPrefix(line, "warning:"):
			continue
		}
		for _, p := range []string{"fatal: ", "error: "} {
			line = strings.TrimPrefix(line, p)
		}
		return line
	}
	return ""
}

// kindError is an error with its own message that matches a sentinel (kind)
// and, when git failed, the *Error underneath (cause).
type kindError struct {
	kind  error
	msg   string
	cause error
}

func (e *kindError) Error() string { return e.msg }

func (e *kindError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

// newKindError returns an error with message msg wrapping kind and cause
// (cause may be nil).
func newKindError(kind error, cause error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...), cause: cause}
}

// refNotFound is the error for a revision that does not resolve.
func refNotFound(rev string, cause error) error {
	return newKindError(ErrRefNotFound, cause, "ref %q was not found in the repository", rev)
}

// noCommits is the error for a HEAD that does not resolve.
func noCommits(cause error) error {
	return newKindError(ErrNoCommits, cause, "the repository has no commits yet")
}
