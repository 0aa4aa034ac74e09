// Package gitcmd is the only place in gto that runs the git binary.
//
// Running git (rather than an in-process implementation) means the user's
// credential helpers, SSH setup, signing configuration and hooks apply, as
// they do for the Python GTO, which drives git through GitPython.
//
// Every invocation is `git -C <dir> ...` built with exec.CommandContext
// (never a shell). Arguments that come from users (tag names, revisions,
// paths, remotes, URLs) are placed after --end-of-options or -- so that a
// value starting with "-" is never taken for an option; path arguments are
// additionally given with --literal-pathspecs so that "*" or ":(glob)" in a
// file name mean themselves.
//
// Reading a registry costs a fixed number of processes whatever the number
// of tags: one `git for-each-ref` (Repo.ListTags) and one long-lived
// `git cat-file` (Batch: --batch-command with git 2.36+, else --batch), to
// which many requests are pipelined.
//
// Failures are *Error values (arguments, exit code, stderr); conditions that
// callers branch on are also reported through the sentinel errors
// ErrNotARepository, ErrNoCommits, ErrRefNotFound, ErrTagExists,
// ErrObjectNotFound, ErrRemoteNotFound and ErrGitNotFound, tested with
// errors.Is. Messages keep the user's locale: git is never run with LC_ALL=C
// for a command whose stderr can reach the user.
//
// Git 2.30 or newer is required (rev-parse --end-of-options).
package gitcmd
