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
	"syscall"

	"github.com/spf13/cobra"
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

// NewRootCmd builds the whole command tree.
func NewRootCmd(env *Env) *cobra.Command {
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
	pf.StringVarP(&env.Repo, "repo", "r", ".", "Local path (any folder inside the repository) or remote URL of the repository")
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
	for _, c := range []*cobra.Command{
		NewCmdShow(env), NewCmdHistory(env), NewCmdStages(env),
		NewCmdEvents(env), NewCmdWatch(env),
		NewCmdCheckRef(env), NewCmdDoctor(env),
		NewCmdRegister(env), NewCmdAssign(env), NewCmdDeprecate(env),
		NewCmdAnnotate(env), NewCmdRemove(env), NewCmdDescribe(env),
		NewCmdServe(env), NewCmdSite(env),
		NewCmdVersion(env), NewCmdCI(env), NewCmdHook(env),
	} {
		root.AddCommand(c)
	}
	root.SetHelpCommandGroupID(groupRead)
	root.SetCompletionCommandGroupID(groupRead)
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
	if os.Getenv("GOMEMLIMIT") == "" {
		followingMemoryLimit(shortMemoryLimit)
	}
	// Ctrl-C (or a TERM from CI) cancels the command's context: a write
	// under way then finishes whole or undoes itself (its rollback is not
	// cancelled), instead of dying half-way. A second signal kills.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // the next signal has its default effect again
	}()
	return Run(ctx, SystemEnv(), os.Args[1:])
}

// Run runs the command line args in env and returns the exit code.
func Run(ctx context.Context, env *Env, args []string) int {
	root := NewRootCmd(env)
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
