package gitcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gto-dev/gto/internal/shell"
)

// Options say how git is run. The zero value inherits the process
// environment, allows git to prompt and logs nothing.
type Options struct {
	// Verbose, when not nil, receives one line per git command before it
	// runs: the command line shell-quoted, preceded by "+ " and by the
	// environment variables the call sets itself (GIT_COMMITTER_DATE=...).
	// Each line is written with a single Write call; use a writer that is
	// safe for concurrent use if the Repo is used from several goroutines.
	Verbose io.Writer
	// NonInteractive sets GIT_TERMINAL_PROMPT=0 so that git fails instead of
	// asking for a user name or password on the terminal.
	NonInteractive bool
	// Env, when not nil, replaces the inherited process environment for
	// every git command, as exec.Cmd.Env does (tests use it to seal git off
	// from the user's configuration); git itself is then looked up on
	// Env's PATH. Nil inherits the process environment.
	Env []string
	// NoObjectCache makes OpenBatch neither read nor write the object cache
	// (gto-objects.cache in the git directory).
	NoObjectCache bool
	// Timeout, when positive, bounds every command that talks to a remote
	// (ls-remote, fetch, push, clone): git's own low-speed limit for HTTP,
	// and a deadline after which git is stopped. Past it the error is a
	// *TimeoutError.
	Timeout time.Duration
	// LegacyCatFile makes OpenBatch speak the cat-file protocol of git
	// before 2.36 (`git cat-file --batch`, plus a `git cat-file
	// --batch-check` for the requests that need only ids and types) even
	// when git knows `--batch-command`: for tests of that protocol, and to
	// compare the two. It does not touch the program-wide memo of a git
	// that lacks --batch-command (only a real failure of that option
	// records one), so other Repos keep the protocol their git supports.
	LegacyCatFile bool
}

// TimeoutError is a command that talked to a remote and got no answer in
// time (Options.Timeout).
type TimeoutError struct {
	// Remote is the remote as the command named it (a remote name or a
	// URL).
	Remote string
	After  time.Duration
	Err    error
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%s did not answer within %v", e.Remote, e.After)
}

func (e *TimeoutError) Unwrap() error { return e.Err }

// networkCommands are the subcommands that talk to a remote.
var networkCommands = map[string]bool{"ls-remote": true, "fetch": true, "push": true, "clone": true}

// remoteOf is the remote a network command names: the argument after
// --end-of-options, or "the remote" (a plain `git push`).
func remoteOf(args []string) string {
	for i, a := range args {
		if a == "--end-of-options" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return "the remote"
}

// call is one git invocation.
type call struct {
	args   []string  // after "git -C <dir>"
	env    []string  // KEY=VALUE set for this call only (logged)
	stdin  io.Reader // nil: no input
	stderr io.Writer // also receives stderr as it comes (progress); nil: none
}

// stderrCap bounds how much of a command's stderr is kept for its *Error.
const stderrCap = 64 << 10

// waitDelay is how long a cancelled git may take to clean up (remove its
// lock files) after the interrupt before it is killed.
const waitDelay = 5 * time.Second

// gitProgram is the git to run: "git" on the PATH of Env when Env is set
// (an environment given to git says which git too), else on the process's
// PATH.
func (o *Options) gitProgram() string {
	if o.Env == nil {
		return "git"
	}
	for i := len(o.Env) - 1; i >= 0; i-- { // the last PATH wins, as in exec.Cmd.Env
		if path, ok := strings.CutPrefix(o.Env[i], "PATH="); ok {
			for _, dir := range filepath.SplitList(path) {
				if dir == "" {
					continue
				}
				if p, err := exec.LookPath(filepath.Join(dir, "git")); err == nil {
					return p
				}
			}
			return "git"
		}
	}
	return "git"
}

// command builds the exec.Cmd for c, run in dir ("" = the current
// directory, for clone).
func (o *Options) command(ctx context.Context, dir string, c call) *exec.Cmd {
	args := c.args
	if dir != "" {
		args = append([]string{"-C", dir}, c.args...)
	}
	cmd := exec.CommandContext(ctx, o.gitProgram(), args...)
	// On cancellation interrupt rather than kill: git removes its .lock
	// files on SIGINT, while a SIGKILL during a ref update would leave
	// refs/tags/<name>.lock behind and break every later write.
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = waitDelay
	env := o.Env
	if env == nil {
		env = os.Environ()
	}
	env = append([]string(nil), env...)
	if o.NonInteractive {
		env = append(env, "GIT_TERMINAL_PROMPT=0")
	}
	cmd.Env = append(env, c.env...)
	cmd.Stdin = c.stdin
	o.log(c.env, args)
	return cmd
}

// log writes the command line to Verbose.
func (o *Options) log(env, args []string) {
	if o.Verbose == nil {
		return
	}
	var b strings.Builder
	b.WriteString("+ ")
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		b.WriteString(k + "=" + shell.Quote(v) + " ")
	}
	b.WriteString(shell.Quote(append([]string{"git"}, args...)...))
	b.WriteByte('\n')
	io.WriteString(o.Verbose, b.String())
}

// run runs c in dir and returns its standard output. A command that talks
// to a remote is bounded by Options.Timeout.
func (o *Options) run(ctx context.Context, dir string, c call) ([]byte, error) {
	if o.Timeout > 0 && len(c.args) > 0 && networkCommands[c.args[0]] {
		var cancel context.CancelFunc
		parent := ctx
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
		secs := fmt.Sprint(max(1, int(o.Timeout/time.Second)))
		c.args = append([]string{"-c", "http.lowSpeedLimit=1", "-c", "http.lowSpeedTime=" + secs}, c.args...)
		out, err := o.exec(ctx, dir, c)
		if err != nil && parent.Err() == nil && ctx.Err() == context.DeadlineExceeded {
			return out, &TimeoutError{Remote: remoteOf(c.args), After: o.Timeout, Err: err}
		}
		return out, err
	}
	return o.exec(ctx, dir, c)
}

// exec runs c in dir and returns its standard output.
func (o *Options) exec(ctx context.Context, dir string, c call) ([]byte, error) {
	cmd := o.command(ctx, dir, c)
	var stdout bytes.Buffer
	stderr := &cappedBuffer{max: stderrCap}
	cmd.Stdout = &stdout
	cmd.Stderr = stderr
	if c.stderr != nil {
		cmd.Stderr = io.MultiWriter(stderr, c.stderr)
	}
	err := cmd.Run()
	return stdout.Bytes(), commandError(ctx, cmd, err, stderr.String())
}

// commandError turns the result of running cmd into this package's errors:
// nil stays nil, a missing binary is ErrGitNotFound, anything else an *Error.
func commandError(ctx context.Context, cmd *exec.Cmd, err error, stderr string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, exec.ErrNotFound) {
		return &kindError{kind: ErrGitNotFound, msg: ErrGitNotFound.Error(), cause: err}
	}
	e := &Error{Args: cmd.Args[1:], ExitCode: -1, Stderr: stderr}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		e.ExitCode = exit.ExitCode()
	} else if stderr == "" {
		e.Stderr = err.Error() // git did not start: say why
	}
	if ctx.Err() != nil {
		e.cause = ctx.Err()
	}
	return e
}

// exitCode returns the exit status carried by err when it is an *Error,
// else -2 (so that a comparison with a real status is false).
func exitCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.ExitCode
	}
	return -2
}

// cappedBuffer keeps the first max bytes written to it and discards the
// rest, so that a chatty git cannot grow memory without bound.
// It is safe for concurrent use: exec copies stderr from its own goroutine.
type cappedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func (b *cappedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// getenv returns the variable name as git sees it: the last setting in Env
// when Env is set, else the process's.
func (o *Options) getenv(name string) string {
	if o.Env == nil {
		return os.Getenv(name)
	}
	for i := len(o.Env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(o.Env[i], name+"="); ok {
			return v
		}
	}
	return ""
}
