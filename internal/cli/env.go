package cli

import (
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gto-dev/gto/config"
	"github.com/gto-dev/gto/registry"
)

// Env is what every command needs from the outside world. Commands never
// touch os.Stdout, os.Getenv or the clock directly, so tests can run the
// whole command tree in-process with buffers.
type Env struct {
	Out    io.Writer
	ErrOut io.Writer
	// Getenv reads the environment.
	Getenv func(string) (string, bool)
	// Now is the clock used to date tags when GIT_COMMITTER_DATE is unset.
	Now func() time.Time
	// StderrIsTerminal enables progress output of long operations.
	StderrIsTerminal bool
	// ExpectTags is told how many tags a read is about to see
	// (registry.Options.ExpectTags); Main sizes the memory limit with it.
	ExpectTags func(n int)
	// limit is the soft memory limit Main sets (followingMemoryLimit), nil
	// when GOMEMLIMIT is set or gto runs inside a test.
	limit *memoryLimit

	// Set by the root command's persistent flags.
	Repo string
	// Repos are the -r/--repo values in order, when given (serve and site
	// read more than one as a registry set).
	Repos    []string
	Verbose  bool
	CacheDir string
	NoCache  bool
	Timeout  time.Duration // 0: GTO_TIMEOUT, else the default
	// PolicyRef is the --policy-ref of the commands that read the policy
	// (see policy.go).
	PolicyRef string

	// reg is the registry opened last: its configuration (.gto) decides
	// emojis. It is asked when output is written, as a remote registry's
	// configuration is known for sure only once the command has run.
	reg *registry.Registry
}

// SystemEnv is the environment of the real process.
func SystemEnv() *Env {
	return &Env{
		Out:              os.Stdout,
		ErrOut:           os.Stderr,
		Getenv:           os.LookupEnv,
		Now:              time.Now,
		StderrIsTerminal: isTerminal(os.Stderr),
	}
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Open opens the registry of the -r/--repo flag. folder allows a plain
// folder (annotate and remove work outside git).
func (e *Env) Open(ctx context.Context, folder bool) (*registry.Registry, error) {
	return e.open(ctx, folder, false)
}

// open is Open; keepBadConfig opens a registry with a malformed
// configuration too (doctor reports it).
func (e *Env) open(ctx context.Context, folder, keepBadConfig bool) (*registry.Registry, error) {
	opts := e.registryOptions()
	opts.KeepBadConfig = keepBadConfig
	if e.StderrIsTerminal {
		opts.Progress = e.ErrOut
	}
	var r *registry.Registry
	var err error
	if folder {
		r, err = registry.OpenFolder(ctx, opts)
	} else {
		r, err = registry.Open(ctx, opts)
	}
	if err != nil {
		return nil, err
	}
	e.reg = r
	if e.Verbose {
		if err := logConfig(ctx, e.ErrOut, r); err != nil {
			r.Close()
			return nil, err
		}
	}
	return r, nil
}

// registryOptions are the options of the registries the commands open:
// the global flags, the environment, -v's log, and stderr for notices
// (waiting for another gto's lock). A long-running command (serve) opens
// the registry again and again with them.
func (e *Env) registryOptions() registry.Options {
	opts := registry.Options{Repo: e.Repo, Getenv: e.Getenv, Now: e.Now, CacheDir: e.CacheDir, NoCache: e.NoCache,
		Timeout: e.Timeout, Notices: e.ErrOut, PolicyRef: e.PolicyRef, ExpectTags: e.ExpectTags}
	if e.Verbose {
		opts.Log = e.ErrOut
	}
	return opts
}

// Emojis reports whether output may carry emojis (GTO_EMOJIS, .gto emojis).
func (e *Env) Emojis() bool {
	if e.reg != nil {
		if cfg, err := e.reg.Config(context.Background()); err == nil {
			return cfg.Emojis
		}
	}
	// No registry (or no readable configuration): the environment alone.
	if cfg, err := config.FromEnvironment(e.Getenv); err == nil {
		return cfg.Emojis
	}
	return true
}

// emoji returns the emoji followed by a space, or "" when emojis are off.
func (e *Env) emoji(s string) string {
	if !e.Emojis() {
		return ""
	}
	return s + " "
}

func logConfig(ctx context.Context, w io.Writer, r *registry.Registry) error {
	c, err := r.Config(ctx)
	if err != nil {
		return err
	}
	list := func(l []string) string {
		if l == nil {
			return "any"
		}
		return "[" + strings.Join(l, ", ") + "]"
	}
	file := c.File
	if file == "" {
		file = "(none)"
	}
	io.WriteString(w, "config file: "+file+"\n")
	io.WriteString(w, "index: "+c.Index+"\n")
	io.WriteString(w, "types: "+list(c.Types)+"\n")
	io.WriteString(w, "stages: "+list(c.Stages)+"\n")
	io.WriteString(w, "emojis: "+strconv.FormatBool(c.Emojis)+"\n")
	io.WriteString(w, "log_level: "+c.LogLevel+"\n\n")
	return nil
}
