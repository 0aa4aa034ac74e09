package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/internal/server"
	"github.com/gto-dev/gto/registryset"
)

// SiteOptions are the parsed arguments of `gto site`.
type SiteOptions struct {
	Env *Env
	Dir string
	// Registries is the --registries file: write a registry set's site.
	Registries string
	set        *registryset.Set // of --registries or repeated -r
}

const siteLong = `Write the registry as a static web site in DIR: the pages of gto serve
(index.html, artifacts/NAME.html, history.html) with relative links, their
style sheet and script, and the API documents as files (api/v1/show.json,
api/v1/show/NAME.json, api/v1/history.json, api/v1/history/NAME.json,
api/v1/stages.json, api/v1/describe/NAME.json) — the same bytes as the
commands' --json. Host DIR on any static web host, e.g. from CI after every
tag push. Filters work in the browser; pages do not refresh themselves and
offer no writes.

DIR is created if needed; files of the same names are replaced, other files
are left alone.

` + registriesHelp + `

For a set, DIR/index.html lists every artifact of every repository, each
repository's own site is in DIR/repos/NAME/, and DIR/api/v1/repos.json lists
the repositories. A repository that cannot be read is listed with its error
and warned about; the site is still written and gto site exits 0.`

const siteExample = `  gto site public
  gto site -r https://github.com/org/models.git public
  gto site --registries gto-registries.yaml public
  gto site -r churn=../churn -r fraud=https://github.com/org/fraud.git public`

// NewCmdSite builds `gto site`.
func NewCmdSite(env *Env) *cobra.Command {
	opts := &SiteOptions{Env: env}
	cmd := &cobra.Command{
		Use:     "site DIR",
		Short:   "Write the registry's pages and JSON as a static web site",
		Long:    siteLong,
		Example: siteExample,
		GroupID: groupRead,
		Args:    argsBetween(1, 1, "DIR"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = args[0]
			set, err := env.registrySet(cmd, opts.Registries, 0, 0)
			if err != nil {
				return err
			}
			opts.set = set
			return siteRun(cmd.Context(), opts)
		},
	}
	registriesFlag(cmd, &opts.Registries)
	return cmd
}

func siteRun(ctx context.Context, opts *SiteOptions) error {
	env := opts.Env
	env.defaultGC()
	if opts.set != nil {
		return siteSetRun(ctx, opts)
	}
	r, err := env.Open(ctx, false)
	if err != nil {
		return err
	}
	defer r.Close()
	n, err := server.WriteSite(ctx, r, opts.Dir, server.SiteOptions{Source: env.Repo, Now: env.Now})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Out, "%sWrote %d files to %s\n", env.emoji("✅"), n, opts.Dir)
	return nil
}

// siteSetRun writes a registry set's site; members that cannot be read
// are warned about, and do not fail the command.
func siteSetRun(ctx context.Context, opts *SiteOptions) error {
	env := opts.Env
	n, failed, err := server.WriteSetSite(ctx, opts.set, opts.Dir, server.SiteOptions{Now: env.Now})
	for _, m := range failed {
		fmt.Fprintf(env.ErrOut, "%sthe repository %s (%s) could not be read, so it is listed with its error and has no pages: %v\n", env.emoji("⚠️"), m.Name, m.Repo, m.State().Err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Out, "%sWrote %d files to %s (%d of %d repositories)\n", env.emoji("✅"), n, opts.Dir, len(opts.set.Members())-len(failed), len(opts.set.Members()))
	return nil
}
