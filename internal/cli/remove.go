package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/registry"
)

// RemoveOptions are the parsed flags and arguments of `gto remove`.
type RemoveOptions struct {
	Env    *Env
	Remove registry.RemoveOptions
	// JSON prints what the command did as one JSON document.
	JSON bool
}

// NewCmdRemove builds `gto remove`.
func NewCmdRemove(env *Env) *cobra.Command {
	opts := &RemoveOptions{Env: env}
	cmd := &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove the annotation of an artifact from artifacts.yaml",
		Long: `Remove an artifact's annotation from artifacts.yaml in the work tree. Its
tags are not touched (see gto deprecate).`,
		Example:           "  gto remove nn\n  gto remove nn --commit",
		GroupID:           groupAnnotate,
		Args:              argsBetween(1, 1, "NAME"),
		ValidArgsFunction: completeArtifacts(env),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Remove.Name = args[0]
			return removeRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.Remove.Commit, "commit", false, "Commit artifacts.yaml (only that file) after the change")
	f.BoolVar(&opts.Remove.Push, "push", false, "Commit and push the current branch (implies --commit)")
	f.BoolVar(&opts.JSON, "json", false, "Print the file written, the annotation, the commit and whether it was pushed as JSON")
	return cmd
}

func removeRun(ctx context.Context, opts *RemoveOptions) error {
	r, err := opts.Env.Open(ctx, true)
	if err != nil {
		return err
	}
	defer r.Close()
	res, err := r.Remove(ctx, opts.Remove)
	if perr := opts.Env.reportAnnotate(opts.Remove.Name, res, opts.JSON); err == nil {
		err = perr
	}
	return err
}
