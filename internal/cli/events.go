package cli

import (
	"bufio"
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/internal/jsonout"
	"github.com/gto-dev/gto/registry"
)

// EventsOptions are the parsed flags of `gto events`.
type EventsOptions struct {
	Env      *Env
	Since    string
	Follow   bool
	Interval time.Duration
	Format   string // "json" or "cloudevents"
}

const eventsLong = `Print every registry event as one line of JSON (NDJSON), oldest first:
registrations, deregistrations, stage assignments and unassignments, and
deprecations, in the order of their tags' dates.

Each event has an "id" that never changes (made from the tag name and the
tag object: a tag deleted and made again is a new event) and a "cursor":
--since CURSOR prints only the events after that one, so a script resumes
where it stopped. With --follow gto keeps running and prints new events as
they appear: it checks the repository every --interval (for a local
repository a look at git's ref files, for a remote one git ls-remote), and
reports tags that disappear (deprecate --delete, a tag deleted on the
remote) as "deleted" events, once. Ctrl-C or SIGTERM ends it (exit 0).

--format cloudevents prints CloudEvents 1.0 JSON instead: specversion, id,
source (the repository), type dev.gto.EVENT, subject (the tag), time, and
as data the event as gto history --json prints it (docs/events.md).`

const eventsExample = `  gto events
  gto events --since "$(gto events | tail -n 1 | jq -r .cursor)"
  gto events --follow --interval 10s | jq -c 'select(.stage == "prod")'
  gto events -r https://github.com/org/models.git --format cloudevents`

// NewCmdEvents builds `gto events`.
func NewCmdEvents(env *Env) *cobra.Command {
	opts := &EventsOptions{Env: env, Interval: 5 * time.Second}
	cmd := &cobra.Command{
		Use:     "events",
		Short:   "Print the registry's events as NDJSON, and follow them",
		Long:    eventsLong,
		Example: eventsExample,
		GroupID: groupRead,
		Args:    argsBetween(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(cmd, opts.Format); err != nil {
				return err
			}
			if err := checkInterval(cmd, opts.Interval); err != nil {
				return err
			}
			if err := registry.CheckCursor(opts.Since); err != nil {
				return usageErrorf(cmd.CommandPath(), "--since: %v", err)
			}
			return eventsRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Since, "since", "", "Print only the events after this cursor (the \"cursor\" of the last event seen)")
	f.BoolVarP(&opts.Follow, "follow", "f", false, "Keep running and print new events (and deleted tags) as they appear")
	f.Var(&durationFlag{&opts.Interval}, "interval", "With --follow, how often to look for new events: 1s, 30s, 2m, ...")
	f.StringVar(&opts.Format, "format", "json", "Output format: json (gto's event lines) or cloudevents (CloudEvents 1.0 JSON)")
	cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"json", "cloudevents"}, cobra.ShellCompDirectiveNoFileComp))
	cmd.RegisterFlagCompletionFunc("since", cobra.NoFileCompletions)
	cmd.RegisterFlagCompletionFunc("interval", cobra.FixedCompletions([]string{"1s", "5s", "30s", "1m"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func checkFormat(cmd *cobra.Command, format string) error {
	if format != "json" && format != "cloudevents" {
		return usageErrorf(cmd.CommandPath(), "--format must be json or cloudevents, got %q", format)
	}
	return nil
}

func checkInterval(cmd *cobra.Command, d time.Duration) error {
	if d < 10*time.Millisecond {
		return usageErrorf(cmd.CommandPath(), "--interval must be at least 10ms, got %s", d)
	}
	return nil
}

// eventWriter prints events in the chosen format.
type eventWriter struct {
	w           *bufio.Writer
	cloudevents bool
	source      string
	buf         []byte
}

func (ew *eventWriter) write(events []registry.Event) error {
	for i := range events {
		line := jsonout.AppendEventLine(ew.buf[:0], &events[i])
		if ew.cloudevents {
			var err error
			if line, err = jsonout.Line(jsonout.NewCloudEvent(&events[i], ew.source)); err != nil {
				return err
			}
		}
		ew.buf = line[:0]
		if _, err := ew.w.Write(line); err != nil {
			return err
		}
	}
	return nil
}

func eventsRun(ctx context.Context, opts *EventsOptions) error {
	env := opts.Env
	ew := &eventWriter{w: bufio.NewWriterSize(env.Out, 64<<10), cloudevents: opts.Format == "cloudevents"}
	if !opts.Follow {
		r, err := env.Open(ctx, false)
		if err != nil {
			return err
		}
		defer r.Close()
		ew.source = r.Source()
		n := 0
		for e, err := range r.Events(ctx, opts.Since) {
			if err != nil {
				return err
			}
			if err := ew.write([]registry.Event{e}); err != nil {
				return err
			}
			if n++; n == 1 { // the first event at once, the others in blocks
				if err := ew.w.Flush(); err != nil {
					return err
				}
			}
		}
		return ew.w.Flush()
	}
	// Ctrl-C or SIGTERM (which cancel ctx) end the following: exit 0.
	det, err := registry.NewDetector(registry.DetectorOptions{Since: opts.Since})
	if err != nil {
		return err
	}
	p := registry.NewPoller(env.registryOptions(), det)
	first := true
	return p.Follow(ctx, opts.Interval, func(events []registry.Event, err error) error {
		if err != nil {
			if first { // the repository cannot be read at all
				return err
			}
			fmt.Fprintf(env.ErrOut, "%s%s\n", env.emoji("⚠️ "), sentence(cliMessage(err)))
			return nil
		}
		first = false
		ew.source = p.Source()
		if err := ew.write(events); err != nil {
			return err
		}
		return ew.w.Flush()
	})
}
