package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

const ciRefspecsLong = `Print the git refspecs that fetch every tag of the artifact REF names, and
no other tag: +refs/tags/NAME@*:refs/tags/NAME@* (versions, deregistrations,
the deprecation) and +refs/tags/NAME#*:refs/tags/NAME#* (stages), one per
line. Nothing is printed for a ref that names no artifact (a branch, a tag
outside GTO's grammar). No repository is read.

A shallow CI clone (actions/checkout, GitLab's GIT_DEPTH) holds the pushed
tag only: fetch these before 'gto ci github' or 'gto ci gitlab', so that an
assignment finds the registration of its version. Fetching the artifact's
tags instead of all of them keeps the fetch small on large registries.`

const ciRefspecsExample = `  gto ci refspecs churn#prod#3
  git fetch --no-tags --depth=1 origin $(gto ci refspecs "$GITHUB_REF")`

// CIRefspecsOptions are the arguments of `gto ci refspecs`.
type CIRefspecsOptions struct {
	Env *Env
	Ref string
}

// NewCmdCIRefspecs builds `gto ci refspecs`.
func NewCmdCIRefspecs(env *Env) *cobra.Command {
	opts := &CIRefspecsOptions{Env: env}
	return &cobra.Command{
		Use:     "refspecs REF",
		Short:   "Print the refspecs that fetch the tags of the artifact a ref names",
		Long:    ciRefspecsLong,
		Example: ciRefspecsExample,
		Args:    argsBetween(1, 1, "REF"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			return ciRefspecsRun(cmd.Context(), opts)
		},
	}
}

func ciRefspecsRun(_ context.Context, opts *CIRefspecsOptions) error {
	for _, s := range artifactRefspecs(opts.Ref) {
		fmt.Fprintln(opts.Env.Out, s)
	}
	return nil
}

// artifactRefspecs are the refspecs of the tags of the artifact ref names
// (none when it names none). The tag prefix of a valid artifact name holds
// no glob character, and "@" and "#" end it, so the patterns match the
// tags of that artifact only ("a@*" never matches "a/b@v1").
func artifactRefspecs(ref string) []string {
	p := artifactPrefix(ref)
	if p == "" {
		return nil
	}
	return []string{
		"+refs/tags/" + p + "@*:refs/tags/" + p + "@*",
		"+refs/tags/" + p + "#*:refs/tags/" + p + "#*",
	}
}
