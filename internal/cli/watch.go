package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/registry"
	"github.com/gto-dev/gto/watch"
)

// secretVariable holds the key webhook bodies are signed with.
const secretVariable = "GTO_WEBHOOK_SECRET"

// WatchOptions are the parsed flags of `gto watch`.
type WatchOptions struct {
	Env      *Env
	Webhooks []string
	Execs    []string
	Filter   watch.Filter
	Since    string
	State    string
	Interval time.Duration
	Attempts int
	Backoff  time.Duration
	Timeout  time.Duration
	JSON     bool
}

const watchLong = `Deliver the registry's events to webhooks and commands, as they appear.

gto watch follows the repository as gto events --follow does and delivers
every event (new tags, and deleted tags as "deleted" events):
  --webhook URL  POSTs the event as a CloudEvent (structured mode,
                 application/cloudevents+json). With $GTO_WEBHOOK_SECRET set,
                 the body is signed: X-Gto-Signature-256: sha256=HEX is its
                 HMAC-SHA256 with the secret. X-Gto-Delivery is the event id.
  --exec CMD     runs CMD with sh -c, the event's JSON line on stdin and
                 GTO_EVENT, GTO_NAME, GTO_VERSION, GTO_STAGE, GTO_TAG (and
                 GTO_EVENT_ID) in its environment.
Both are repeatable. --name, --stage and --event select the events.

Delivery is at least once, in order for each target: a non-2xx answer, a
timeout, a refused connection or a failed command is tried again after
--backoff, doubled each time (up to 5 minutes), then after --max-attempts
the event is parked in the state's dead letters and reported. The state
(the stream's position, the tags seen, the queues, the dead letters) is
written atomically after every delivery to --state (default: under the
user cache folder, one file per repository): a watcher killed at any
moment and started again loses nothing. Only the delivery in flight may be
repeated, so receivers de-duplicate on X-Gto-Delivery (docs/events.md).

Started without a state, gto watch delivers the events that follow (not
the existing ones; --since CURSOR starts after that event, --since 0 at the
first). SIGTERM or Ctrl-C finishes the delivery in flight and exits 0.
Each delivery logs one line on stderr (--json: one JSON object).`

const watchExample = `  GTO_WEBHOOK_SECRET=s3cret gto watch --webhook https://ci.example.com/gto
  gto watch --exec 'kubectl rollout restart deploy/$GTO_NAME' --stage prod --event assignment
  gto watch -r https://github.com/org/models.git --webhook http://127.0.0.1:9000/hook --interval 30s --json
  gto watch --exec ./notify.sh --name 'nlp/*' --state /var/lib/gto/watch.json`

// NewCmdWatch builds `gto watch`.
func NewCmdWatch(env *Env) *cobra.Command {
	opts := &WatchOptions{Env: env, Interval: 5 * time.Second, Attempts: 8, Backoff: time.Second, Timeout: 30 * time.Second}
	cmd := &cobra.Command{
		Use:     "watch",
		Short:   "Deliver registry events to webhooks and commands",
		Long:    watchLong,
		Example: watchExample,
		GroupID: groupRead,
		Args:    argsBetween(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkWatchOptions(cmd, opts); err != nil {
				return err
			}
			return watchRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.Webhooks, "webhook", nil, "POST each event to this URL as a CloudEvent (repeatable)")
	f.StringArrayVar(&opts.Execs, "exec", nil, "Run this command (sh -c) for each event, the event on stdin (repeatable)")
	f.StringArrayVar(&opts.Filter.Names, "name", nil, "Only the events of artifacts whose name matches this glob (repeatable)")
	f.StringArrayVar(&opts.Filter.Stages, "stage", nil, "Only the events of this stage (repeatable)")
	f.StringArrayVar(&opts.Filter.Kinds, "event", nil, "Only events of this kind: "+strings.Join(watch.Kinds, ", ")+" (repeatable)")
	f.StringVar(&opts.Since, "since", "", "Without a state, start after this cursor (0: from the first event) instead of at the end")
	f.StringVar(&opts.State, "state", "", "The state file (default: watch/ in the cache directory, one file per repository)")
	f.Var(&durationFlag{&opts.Interval}, "interval", "How often to look for new events: 1s, 30s, 2m, ...")
	f.IntVar(&opts.Attempts, "max-attempts", opts.Attempts, "Attempts per event and target before it is parked as a dead letter")
	f.Var(&durationFlag{&opts.Backoff}, "backoff", "The wait before the first retry, doubled at each next one")
	f.Var(&durationFlag{&opts.Timeout}, "delivery-timeout", "Give up on a delivery (and try it again later) after this long")
	f.BoolVar(&opts.JSON, "json", false, "Log as JSON objects, one a line (for log shippers)")
	cmd.RegisterFlagCompletionFunc("event", cobra.FixedCompletions(watch.Kinds, cobra.ShellCompDirectiveNoFileComp))
	cmd.RegisterFlagCompletionFunc("stage", completeStages(env))
	cmd.RegisterFlagCompletionFunc("name", completeArtifacts(env))
	for _, name := range []string{"webhook", "exec", "since", "max-attempts"} {
		cmd.RegisterFlagCompletionFunc(name, cobra.NoFileCompletions)
	}
	for _, name := range []string{"interval", "backoff", "delivery-timeout"} {
		cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions([]string{"1s", "5s", "30s", "1m"}, cobra.ShellCompDirectiveNoFileComp))
	}
	return cmd
}

func checkWatchOptions(cmd *cobra.Command, opts *WatchOptions) error {
	path := cmd.CommandPath()
	if len(opts.Webhooks) == 0 && len(opts.Execs) == 0 {
		return usageErrorf(path, "nothing to deliver to: pass --webhook URL or --exec CMD")
	}
	for _, u := range opts.Webhooks {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return usageErrorf(path, "--webhook takes an http:// or https:// URL, got %q", u)
		}
	}
	for _, c := range opts.Execs {
		if strings.TrimSpace(c) == "" {
			return usageErrorf(path, "--exec takes a command, got an empty one")
		}
	}
	if err := opts.Filter.Check(); err != nil {
		return usageErrorf(path, "%v", err)
	}
	if opts.Since != "" {
		if err := registry.CheckCursor(opts.Since); err != nil {
			return usageErrorf(path, "--since: %v", err)
		}
	}
	if opts.Attempts < 1 {
		return usageErrorf(path, "--max-attempts must be at least 1, got %d", opts.Attempts)
	}
	return checkInterval(cmd, opts.Interval)
}

func watchRun(ctx context.Context, opts *WatchOptions) error {
	env := opts.Env
	ropts := env.registryOptions()
	state := opts.State
	if state == "" {
		// The state is keyed by the repository as the registry names it
		// (the top of the work tree, whatever folder -r names).
		r, err := env.Open(ctx, false)
		if err != nil {
			return err
		}
		source := r.Source()
		r.Close()
		dir, err := registry.CacheDir(ropts)
		if err != nil {
			return err
		}
		state = watch.DefaultStateFile(dir, source)
	}
	secret, _ := env.Getenv(secretVariable)
	if len(opts.Webhooks) > 0 && secret == "" {
		fmt.Fprintf(env.ErrOut, "%sdeliveries are not signed: set %s to sign them\n", env.emoji("⚠️ "), secretVariable)
	}
	var targets []watch.Target
	for _, u := range opts.Webhooks {
		targets = append(targets, watch.Webhook(u, secret, nil))
	}
	// Commands get gto's environment, without the secret.
	var childEnv []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, secretVariable+"=") {
			childEnv = append(childEnv, kv)
		}
	}
	for _, c := range opts.Execs {
		targets = append(targets, watch.Exec(c, childEnv))
	}
	err := watch.Run(ctx, watch.Options{
		Repo: ropts, Targets: targets, Filter: opts.Filter, Since: opts.Since, StateFile: state,
		Interval: opts.Interval, MaxAttempts: opts.Attempts, Backoff: opts.Backoff, Timeout: opts.Timeout,
		Log: env.ErrOut, JSONLog: opts.JSON, Now: time.Now, ReleaseMemory: true,
	})
	if errors.Is(err, watch.ErrStateInUse) {
		return fmt.Errorf("%w (--state FILE)", err)
	}
	return err
}
