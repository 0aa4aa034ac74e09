package cli

import (
	"errors"
	"fmt"
	"strings"
)

// Exit codes, a documented interface (docs/cli.md).
const (
	ExitOK    = 0
	ExitError = 1 // the command failed; nothing was changed (except what a failed push reports)
	ExitUsage = 2 // the command line is wrong: unknown command or flag, missing argument
	// ExitInterrupted: the command was interrupted (Ctrl-C, SIGTERM). A
	// write then left either all of its change or none of it locally; the
	// message says what failed.
	ExitInterrupted = 130
)

// UsageError is a wrong command line. It exits with ExitUsage and points
// the user to the command's help.
type UsageError struct {
	Err     error
	Command string // the command path, e.g. "gto show"
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usageErrorf(cmd string, format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...), Command: cmd}
}

// reportError prints err for the user and returns the exit code.
func (e *Env) reportError(err error) int {
	var ue *UsageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.ErrOut, "%s%s\n", e.emoji("❌"), sentence(cliMessage(err)))
		if ue.Command != "" {
			fmt.Fprintf(e.ErrOut, "Run '%s --help' for usage.\n", ue.Command)
		}
		return ExitUsage
	}
	fmt.Fprintf(e.ErrOut, "%s%s\n", e.emoji("❌"), sentence(cliMessage(err)))
	return ExitError
}

// reportInterrupted prints the error of an interrupted command and
// returns ExitInterrupted.
func (e *Env) reportInterrupted(err error) int {
	fmt.Fprintf(e.ErrOut, "%sInterrupted: %s\n", e.emoji("❌"), cliMessage(err))
	return ExitInterrupted
}

// sentence capitalises the first letter of an error message, unless the
// message starts with a name that must stay as written (artifacts.yaml,
// --flag, .gto, git). A message is one line: line breaks that an error of
// a lower layer carries are folded into spaces.
func sentence(msg string) string {
	msg = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(strings.TrimSpace(msg))
	if msg == "" {
		return "unknown error"
	}
	first, _, _ := strings.Cut(msg, " ")
	for _, c := range first {
		if !(c >= 'a' && c <= 'z') {
			return msg
		}
	}
	if first == "git" {
		return msg
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}
