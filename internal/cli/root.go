// Package cli is gto's command line: a thin cobra layer over the registry
// package. Each command lives in its own file with its options, its cobra
// constructor and its run function; rendering is in output.go and in
// internal/render.
package cli

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"

	"github.com/gto-dev/gto/registry"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Version is gto's version: set at build time with
// -ldflags "-X github.com/gto-dev/gto/internal/cli.Version=...", else
// filled in from the binary's build info (version.go).
var Version string

const rootLong = `Git Tag Ops. Turn your Git repository into an Artifact Registry:
  * Registry: Track new artifacts and their versions for releases and
    significant changes.
  * Lifecycle Management: Create actionable stages for versions marking the
    status of an artifact or its readiness to be consumed by an environment.
  * GitOps: Signal CI/CD automation or other downstream systems to act upon
    these new versions and lifecycle updates.
  * Enrichments: Annotate and query artifact metadata with additional
    information.

gto writes annotated Git tags in a standard format: NAME@vX.Y.Z registers a
version, NAME#STAGE#N assigns a stage, NAME@deprecated retires an artifact.
The tags are the registry: no server, no database.`

const rootExample = `  # register the first version of a model at HEAD and promote it
  gto register churn
  gto assign churn --version v0.0.1 --stage prod

  # what is where
  gto show
  gto show churn#prod --ref

  # in CI, on a tag push
  gto check-ref "$GITHUB_REF" --json`

// Command groups, as in the help of gto 0.2.4.
const (
	groupRead     = "read"
	groupModify   = "modify"
	groupAnnotate = "annotate"
)

// subcommands are gto's commands under the root, in the order of its help,
// with the names and aliases that select each one on the command line.
var subcommands = []struct {
	names []string
	build func(*Env) *cobra.Command
}{
	{[]string{"show"}, NewCmdShow}, {[]string{"history"}, NewCmdHistory}, {[]string{"stages"}, NewCmdStages},
	{[]string{"events"}, NewCmdEvents}, {[]string{"watch"}, NewCmdWatch},
	{[]string{"check-ref"}, NewCmdCheckRef}, {[]string{"doctor"}, NewCmdDoctor},
	{[]string{"register"}, NewCmdRegister}, {[]string{"assign", "promote"}, NewCmdAssign}, {[]string{"deprecate"}, NewCmdDeprecate},
	{[]string{"annotate"}, NewCmdAnnotate}, {[]string{"remove"}, NewCmdRemove}, {[]string{"describe"}, NewCmdDescribe},
	{[]string{"get"}, NewCmdGet},
	{[]string{"serve"}, NewCmdServe}, {[]string{"site"}, NewCmdSite},
	{[]string{"version"}, NewCmdVersion}, {[]string{"ci"}, NewCmdCI}, {[]string{"hook"}, NewCmdHook},
}

// NewRootCmd builds the whole command tree.
func NewRootCmd(env *Env) *cobra.Command {
	root := newRoot(env)
	addSubcommands(root, env)
	return root
}

// newRootFor builds what running args needs: the root and the one command
// args name, or the root alone for `gto --version`. Building all eighteen
// commands and their flags is a good part of what a short command costs;
// help, completion, an unknown command or no command at all (the root's
// help, or cobra's refusal of a stray argument) get the whole tree, so
// they behave as with NewRootCmd.
func newRootFor(env *Env, args []string) *cobra.Command {
	root := newRoot(env)
	name, sawDashes := commandName(root, args)
	for _, sc := range subcommands {
		if slices.Contains(sc.names, name) {
			root.AddCommand(sc.build(env))
			return root
		}
	}
	if name != "" || sawDashes || !slices.Contains(args, "--version") || slices.Contains(args, "-h") || slices.Contains(args, "--help") {
		addSubcommands(root, env)
		return root
	}
	// With the root alone, its help (--version=false) still lists every
	// command, and cobra's own.
	help := root.HelpFunc()
	root.SetHelpFunc(func(cmd *cobra.Command, args []string) {
		if cmd == root && !root.HasSubCommands() {
			addSubcommands(root, env)
			root.InitDefaultHelpCmd()
			root.InitDefaultCompletionCmd()
		}
		help(cmd, args)
	})
	return root
}

// commandName is the first word of args that is not a flag of the root or
// a flag's value, which cobra takes for the command's name, as cobra's own
// (unexported) flag stripping finds it; sawDashes tells that "--" came
// first.
func commandName(root *cobra.Command, args []string) (name string, sawDashes bool) {
	flags := pflag.NewFlagSet(root.Name(), pflag.ContinueOnError)
	flags.AddFlagSet(root.Flags())
	flags.AddFlagSet(root.PersistentFlags())
	takesValue := func(f *pflag.Flag) bool { return f == nil || f.NoOptDefVal == "" }
	for len(args) > 0 {
		s := args[0]
		args = args[1:]
		switch {
		case s == "--":
			return "", true
		case strings.HasPrefix(s, "--") && !strings.Contains(s, "=") && takesValue(flags.Lookup(s[2:])),
			strings.HasPrefix(s, "-") && !strings.Contains(s, "=") && len(s) == 2 && takesValue(flags.ShorthandLookup(s[1:])):
			if len(args) <= 1 {
				return "", false
			}
			args = args[1:]
		case s != "" && !strings.HasPrefix(s, "-"):
			return s, false
		}
	}
	return "", false
}

func addSubcommands(root *cobra.Command, env *Env) {
	for _, sc := range subcommands {
		root.AddCommand(sc.build(env))
	}
	root.SetHelpCommandGroupID(groupRead)
	root.SetCompletionCommandGroupID(groupRead)
}

// newRoot is the root command with its flags, without commands under it.
func newRoot(env *Env) *cobra.Command {
	var showVersion, traceback bool
	root := &cobra.Command{
		Use:           "gto",
		Short:         "Git Tag Ops: turn your Git repository into an artifact registry",
		Long:          rootLong,
		Example:       rootExample,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if showVersion {
				printVersion(env, readBuildInfo())
				return nil
			}
			return cmd.Help()
		},
	}
	root.Flags().BoolVar(&showVersion, "version", false, "Show version and exit")
	pf := root.PersistentFlags()
	env.Repo, env.Repos = ".", nil
	pf.VarP(repoFlag{env}, "repo", "r", "Local path (any folder inside the repository) or remote URL of the repository")
	pf.BoolVarP(&env.Verbose, "verbose", "v", false, "Print the configuration and every git command run (to stderr)")
	pf.StringVar(&env.CacheDir, "cache-dir", "", "Where mirrors of remote repositories are kept (default $GTO_CACHE_DIR, else gto/ in the user cache directory)")
	pf.BoolVar(&env.NoCache, "no-cache", false, "Clone a remote repository into a temporary folder instead of using its cached mirror")
	pf.Var(&durationFlag{&env.Timeout}, "timeout", "Give up on a remote that does not answer within this long: 30s, 2m, ... (default $GTO_TIMEOUT, else 60s)")
	pf.BoolVar(&traceback, "traceback", false, "Accepted for compatibility with gto 0.2.4 (Go prints no tracebacks)")
	addAlias(pf, "traceback", "tb")
	pf.MarkHidden("traceback")

	root.AddGroup(
		&cobra.Group{ID: groupRead, Title: "Read the registry:"},
		&cobra.Group{ID: groupModify, Title: "Modify artifacts:"},
		&cobra.Group{ID: groupAnnotate, Title: "Manage artifact annotations:"},
	)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &UsageError{Err: flagValueError(cmd, err), Command: cmd.CommandPath()}
	})
	root.SetOut(env.Out)
	root.SetErr(env.ErrOut)
	return root
}

// Main runs gto with the process's arguments and environment and returns
// the exit code. GTO_CPUPROFILE=FILE writes a CPU profile, GTO_MEMPROFILE=FILE
// a heap profile at exit (see bench/README.md).
func Main() int {
	if path := os.Getenv("GTO_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			pprof.StartCPUProfile(f)
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}
	if path := os.Getenv("GTO_MEMPROFILE"); path != "" {
		defer writeHeapProfile(path)
	}
	// gto is a short-lived process that builds one state: collect garbage
	// half as often (it is up to a fifth of the CPU on large registries),
	// within a memory limit that keeps peak RSS under 100 MB.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	env := SystemEnv()
	if os.Getenv("GOMEMLIMIT") == "" {
		env.limit = followingMemoryLimit(shortMemoryLimit)
		if !runsUntilStopped(os.Args[1:]) {
			env.ExpectTags = env.limit.expectTags
		}
	}
	mapCachesUnlessServing(os.Args[1:])
	// Ctrl-C (or a TERM from CI) cancels the command's context: a write
	// under way then finishes whole or undoes itself (its rollback is not
	// cancelled), instead of dying half-way. A second signal kills. Runs
	// that only print (the version, help, completions) or only read a
	// local repository keep the default: the handler costs a thread and
	// two goroutines, a good part of what `gto --version` takes and 7% of
	// `gto history` on 300 tags.
	ctx := context.Background()
	if !printsOnly(os.Args[1:]) && !readsLocally(os.Args[1:]) {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		context.AfterFunc(ctx, stop) // the next signal has its default effect again
	}
	return Run(ctx, env, os.Args[1:])
}

// printsOnly reports whether a run with args only prints what gto knows
// without reading a repository: the version, help, shell completion
// scripts.
func printsOnly(args []string) bool {
	if len(args) == 0 {
		return true
	}
	switch args[0] {
	case "--version", "version", "help", "-h", "--help", "completion":
		return true
	}
	return false
}

// readCommands only read the repository; what they write is the object
// cache, which a process killed at any point leaves readable (a torn
// record is ignored, a temporary file removed later).
var readCommands = []string{"show", "history", "stages", "describe", "check-ref"}

// readsLocally reports whether a run with args only reads a local
// repository, so that dying of a signal leaves nothing behind. A remote
// repository is read from a temporary clone, which the handler removes:
// any argument that names one (whatever flag it is given to) keeps it, as
// does a run with flags before the command (not parsed here).
func readsLocally(args []string) bool {
	if len(args) == 0 || !slices.Contains(readCommands, args[0]) {
		return false
	}
	for _, a := range args[1:] {
		a = strings.TrimPrefix(a, "--repo=")
		if !strings.HasPrefix(a, "--") {
			a = strings.TrimPrefix(strings.TrimPrefix(a, "-r"), "=")
		}
		if registry.IsRemoteURL(a) {
			return false
		}
	}
	return true
}

// Run runs the command line args in env and returns the exit code.
func Run(ctx context.Context, env *Env, args []string) int {
	return execute(ctx, env, newRootFor(env, args), args)
}

// execute runs args on the command tree root, built on env.
func execute(ctx context.Context, env *Env, root *cobra.Command, args []string) int {
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	if ctx.Err() != nil {
		return env.reportInterrupted(err)
	}
	if isCobraUsageError(err) {
		err = &UsageError{Err: err, Command: cmd.CommandPath()}
	}
	return env.reportError(err)
}

// writeHeapProfile writes the allocations of the run (go tool pprof
// -sample_index=alloc_space, or inuse_space for the heap at the last GC).
func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	pprof.Lookup("allocs").WriteTo(f, 0)
}
