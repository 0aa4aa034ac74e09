package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/internal/server"
)

// SiteOptions are the parsed arguments of `gto site`.
type SiteOptions struct {
	Env *Env
	Dir string
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
are left alone.`

const siteExample = `  gto site public
  gto site -r https://github.com/org/models.git public`

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
			return siteRun(cmd.Context(), opts)
		},
	}
	return cmd
}

func siteRun(ctx context.Context, opts *SiteOptions) error {
	env := opts.Env
	env.defaultGC()
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
