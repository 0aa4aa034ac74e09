package cli

import (
	"context"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/internal/jsonout"
	"github.com/gto-dev/gto/internal/render"
	"github.com/gto-dev/gto/registry"
)

// HistoryOptions are the parsed flags and arguments of `gto history`.
type HistoryOptions struct {
	Env     *Env
	History registry.HistoryOptions
	JSON    bool
	Plain   bool
}

const historyLong = `Show the journal of registry events, newest first: registrations,
deregistrations, stage assignments and unassignments, deprecations, and the
commits of the versions (with the commit's author). With NAME, only the
events of that artifact.`

const historyExample = `  gto history
  gto history churn
  gto history churn --json
  gto history --plain --ascending`

// NewCmdHistory builds `gto history`.
func NewCmdHistory(env *Env) *cobra.Command {
	opts := &HistoryOptions{Env: env}
	cmd := &cobra.Command{
		Use:               "history [NAME]",
		Short:             "Show the journal of registry events",
		Long:              historyLong,
		Example:           historyExample,
		GroupID:           groupRead,
		Args:              argsBetween(0, 1),
		ValidArgsFunction: completeArtifacts(env),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := exclusive(cmd, "json", "plain"); err != nil {
				return err
			}
			if len(args) == 1 {
				opts.History.Artifact = args[0]
			}
			return historyRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.JSON, "json", false, "Print the result as JSON")
	f.BoolVar(&opts.Plain, "plain", false, "Print a borderless, grep-able table")
	f.BoolVar(&opts.History.Ascending, "ascending", false, "Show the oldest events first")
	addAlias(f, "ascending", "asc")
	f.BoolVarP(&opts.History.AllBranches, "all-branches", "a", false, "Also read artifacts.yaml from the tip of every branch")
	f.BoolVarP(&opts.History.AllCommits, "all-commits", "A", false, "Also read artifacts.yaml from every commit")
	return cmd
}

// freeBeforePrintingEvents is the number of events from which history
// --json gives the state's memory back before printing: some 20 MB of
// state, where the collection pays for itself.
const freeBeforePrintingEvents = 20_000

func historyRun(ctx context.Context, opts *HistoryOptions) error {
	env := opts.Env
	r, err := env.Open(ctx, false)
	if err != nil {
		return err
	}
	defer r.Close()
	events, err := r.History(ctx, opts.History)
	if err != nil {
		return err
	}
	if opts.JSON {
		// The state the journal came from is garbage now: give its
		// memory back before the messages of every tag are printed from
		// the mapped object cache, whose pages then count in the RSS
		// (on 500,000 tags, 150 MB of them instead of 150 MB more). Not
		// on a small registry, where a forced collection and the return
		// of its pages would cost more than the whole read.
		if len(events) >= freeBeforePrintingEvents {
			debug.FreeOSMemory()
		}
		return jsonout.WriteHistory(env.Out, events)
	}
	t := render.Table{Header: []string{"timestamp", "artifact", "event", "version", "stage", "commit", "ref"}}
	for _, e := range events {
		ref := e.Ref()
		if ref == e.Commit {
			ref = shortVersion(ref)
		}
		t.Rows = append(t.Rows, []render.Cell{
			render.Str(tableTime(e.Time)), render.Str(e.Artifact), render.Str(e.Kind.String()),
			render.Opt(shortVersion(e.Version)), render.Opt(e.Stage), render.Str(shortVersion(e.Commit)), render.Str(ref),
		})
	}
	return render.Write(env.Out, t, tableStyle(opts.Plain), emptyTable)
}
