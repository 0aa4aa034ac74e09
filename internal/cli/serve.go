package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/internal/server"
	"github.com/gto-dev/gto/registry"
	"github.com/gto-dev/gto/registryset"
)

// ServeOptions are the parsed flags of `gto serve`.
type ServeOptions struct {
	Env  *Env
	Addr string
	// Refresh is how often the registry is checked for new or deleted
	// tags; zero picks 2 s for a local repository, 30 s for a remote one.
	Refresh    time.Duration
	AllowWrite bool
	// AllowedHosts are the --allowed-host values: more names (Host
	// headers) the server answers to.
	AllowedHosts []string
	// Registries is the --registries file: serve a registry set.
	Registries string
	set        *registryset.Set // of --registries or repeated -r
}

// tokenVariable holds the secret writes must carry.
const tokenVariable = "GTO_SERVE_TOKEN"

const serveLong = `Serve the registry over HTTP: pages to browse it, and a JSON API that
returns exactly what the commands' --json print.

Pages: / (the registry: artifacts × stages, with filters), /artifacts/NAME
(annotation, versions, a board with one column per stage, history) and
/history (the journal, with filters). They refresh themselves when tags are
created or deleted, and show times in the reader's time zone.

API (GET; ETag and If-None-Match, so pollers get 304 while nothing changed):
  /api/v1/show                 gto show --json  (?vs=N&av=N&ro=1&sort=semver)
  /api/v1/show/NAME            gto show NAME --json (NAME@latest, NAME%23STAGE, ...)
  /api/v1/history[/NAME]       gto history [NAME] --json  (?ascending=1)
  /api/v1/stages               gto stages --json  (?allowed=1, ?used=1)
  /api/v1/check-ref/REF        gto check-ref REF --json  (204 for other refs)
  /api/v1/describe/NAME        gto describe NAME  (204 when not annotated)

The registry is read once and kept in memory; it is read again only when its
refs change (checked every --refresh seconds; for a remote URL, a fetch into
the cached mirror).

Writes are off unless --allow-write, and then need the secret in
GTO_SERVE_TOKEN (at least 16 characters): POST /api/v1/register,
/api/v1/assign and /api/v1/deprecate with "Authorization: Bearer TOKEN", or
the forms of the pages. Cross-site requests are refused, and a client that
sent 5 wrong tokens gets 429 until it may try again (one more every 10 s).
A write to a remote registry is pushed.

The server listens on 127.0.0.1 unless --addr says otherwise, and answers
only to the host names localhost, 127.0.0.1 and [::1] and the address it
listens on (421 for any other Host, which defeats DNS rebinding): to reach
it by another name, as with --addr 0.0.0.0:8080 or behind a proxy, pass
--allowed-host NAME for each. It stops cleanly on Ctrl-C (SIGINT) or SIGTERM.

` + registriesHelp + `

Over a set: / is every artifact, /repos/NAME/ a repository's own pages,
/api/v1/repos the repositories with the state of their last read, and
/api/v1/repos/NAME/show, .../history, .../stages, .../check-ref/REF,
.../describe/NAME, .../fingerprint, .../events the API above for one of
them. A set is read-only; local repositories are checked every --refresh
seconds (default 10), remote ones every --refresh or 60 s, whichever is
longer.`

const serveExample = `  gto serve
  gto serve --addr 127.0.0.1:9000
  gto serve -r https://github.com/org/models.git --refresh 60
  GTO_SERVE_TOKEN=$(openssl rand -hex 16) gto serve --allow-write
  gto serve --addr 0.0.0.0:8080 --allowed-host models.example.com
  curl -s localhost:8080/api/v1/show/churn%23prod
  gto serve --registries gto-registries.yaml
  gto serve -r churn=../churn -r https://github.com/org/fraud.git
  curl -s localhost:8080/api/v1/repos/fraud/show`

// NewCmdServe builds `gto serve`.
func NewCmdServe(env *Env) *cobra.Command {
	opts := &ServeOptions{Env: env}
	var refresh int
	cmd := &cobra.Command{
		Use:     "serve",
		Short:   "Browse the registry in a web browser and serve its JSON over HTTP",
		Long:    serveLong,
		Example: serveExample,
		GroupID: groupRead,
		Args:    argsBetween(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if refresh < 0 {
				return usageErrorf(cmd.CommandPath(), "--refresh must be a number of seconds >= 0, got %d", refresh)
			}
			opts.Refresh = time.Duration(refresh) * time.Second
			set, err := env.registrySet(cmd, opts.Registries, cmp.Or(opts.Refresh, 10*time.Second), max(opts.Refresh, 60*time.Second))
			if err != nil {
				return err
			}
			if set != nil && opts.AllowWrite {
				return usageErrorf(cmd.CommandPath(), "--allow-write needs one repository: a registry set is served read-only")
			}
			opts.set = set
			return serveRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Addr, "addr", "127.0.0.1:8080", "Address to listen on (host:port; the default listens on this machine only)")
	f.IntVar(&refresh, "refresh", 0, "Check for new or deleted tags every N seconds (default: 2 for a local repository, 30 for a remote one; in a registry set 10, and 60 or N for a remote one)")
	f.BoolVar(&opts.AllowWrite, "allow-write", false, "Allow register, assign and deprecate from the pages and the API, with the token in $"+tokenVariable+" (at least 16 characters)")
	f.StringArrayVar(&opts.AllowedHosts, "allowed-host", nil, "Also answer requests for this host (NAME, with any port, or NAME:PORT; repeatable): any host but these, localhost and the listening address gets 421")
	registriesFlag(cmd, &opts.Registries)
	return cmd
}

func serveRun(ctx context.Context, opts *ServeOptions) error {
	env := opts.Env
	token, _ := env.Getenv(tokenVariable)
	if opts.AllowWrite {
		if err := tokenError(server.CheckToken(token)); err != nil {
			return err
		}
	} else {
		token = "" // never needed: keep it out of memory
	}
	remote := registry.IsRemoteURL(env.Repo)
	refresh := opts.Refresh
	if refresh == 0 {
		refresh = 2 * time.Second
		if remote {
			refresh = 30 * time.Second
		}
	}
	rested := env.serverGC()
	// Ctrl-C or SIGTERM stops the first read (a clone) as well as the server.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Listen first: a busy port fails at once, before a long first read.
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", opts.Addr, err)
	}
	ropts := env.registryOptions()
	sopts := server.Options{
		Open:         func(ctx context.Context) (*registry.Registry, error) { return registry.Open(ctx, ropts) },
		Source:       env.Repo,
		Remote:       remote,
		Refresh:      refresh,
		AllowWrite:   opts.AllowWrite,
		Token:        token,
		AllowedHosts: opts.AllowedHosts,
		Log:          env.ErrOut,
		Now:          env.Now,
		Rested:       rested,
	}
	what := "the registry " + env.Repo
	if opts.set != nil {
		// Each member is checked when due (set.Options.Every); the loop
		// only asks which are.
		sopts.Set, sopts.Open, sopts.Source = opts.set, nil, ""
		sopts.ReadSetLater = true // serve at once; members appear as they are read
		what = "the registry " + describeSet(opts.Registries, opts.set)
	}
	srv, err := server.New(ctx, sopts)
	if err != nil {
		ln.Close()
		return err
	}
	addr := ln.Addr().String()
	if host, _, err := net.SplitHostPort(addr); err == nil {
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			also := ""
			if opts.AllowWrite {
				also = ", and so are its writes (with the token)"
			}
			fmt.Fprintf(env.ErrOut, "%slistening on %s: the registry is reachable from other machines%s; it answers only to %s, and any other host name gets 421 Misdirected Request: pass --allowed-host NAME for each name people reach it by\n",
				env.emoji("⚠️"), addr, also, answersTo(addr, opts.AllowedHosts))
		}
	}
	writes := "read-only"
	if opts.AllowWrite {
		writes = "writes allowed with the token"
	}
	fmt.Fprintf(env.Out, "Serving %s at http://%s/ (%s; Ctrl-C to stop)\n", what, addr, writes)
	err = srv.Serve(ctx, ln)
	if err == nil {
		fmt.Fprintln(env.ErrOut, "gto serve: stopped")
	}
	return err
}

// tokenError words CheckToken's refusals in the CLI's terms.
func tokenError(err error) error {
	switch {
	case errors.Is(err, server.ErrNoToken):
		return fmt.Errorf("--allow-write needs a token: set %s to a secret that every write must carry", tokenVariable)
	case errors.Is(err, server.ErrShortToken):
		return fmt.Errorf("%s is too short: --allow-write needs a secret of at least %d characters, such as the output of openssl rand -hex 16", tokenVariable, server.MinTokenLength)
	case errors.Is(err, server.ErrTokenSpace):
		return fmt.Errorf("%s contains a space or a control character, which a request header cannot carry: use a secret such as the output of openssl rand -hex 16", tokenVariable)
	}
	return err
}

// answersTo lists the hosts a server listening on addr answers to, for
// the start-up warning.
func answersTo(addr string, allowed []string) string {
	_, port, _ := net.SplitHostPort(addr)
	names := append([]string{"localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "this machine's addresses on port " + port}, allowed...)
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// defaultGC undoes Main's tuning for short commands (GOGC=200 and a soft
// memory limit of 80 MiB), which makes the collector run without pause in
// a command that keeps a large registry in memory while it works (site):
// it then uses the runtime's defaults, unless GOGC or GOMEMLIMIT are set.
// (Main's limit follows the live heap up after each collection, see
// memoryLimit.collected, and so comes back once the live heap passes four
// fifths of 80 MiB.)
func (e *Env) defaultGC() {
	if _, ok := e.Getenv("GOGC"); !ok {
		debug.SetGCPercent(100)
	}
	if _, ok := e.Getenv("GOMEMLIMIT"); !ok {
		debug.SetMemoryLimit(math.MaxInt64)
	}
}

// serverGC tunes the collector for gto serve, which holds one registry's
// views for as long as it runs, unless GOGC is set: the heap may grow by
// half of what is live (GOGC=50) between collections instead of by all of
// it. Unless GOMEMLIMIT is set too, Main's soft memory limit stays, and
// comes down after each refresh to the views and half as much again (see
// memoryLimit.rested): the runtime then gives back to the system what the
// heap grows past that, so that a check for changes (its transient peak is
// a few hundred megabytes at 500,000 tags) no longer leaves the RSS a
// quarter above it. It returns what the server calls after each refresh,
// nil when nothing.
func (e *Env) serverGC() (rested func()) {
	_, gogc := e.Getenv("GOGC")
	_, memlimit := e.Getenv("GOMEMLIMIT")
	if gogc || memlimit || e.limit == nil {
		e.defaultGC()
		if !gogc {
			debug.SetGCPercent(50)
		}
		return nil
	}
	debug.SetGCPercent(50)
	return e.limit.rested
}
