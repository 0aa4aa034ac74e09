package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/registry"
)

// StagesOptions are the parsed flags of `gto stages`.
type StagesOptions struct {
	Env    *Env
	Stages registry.StagesOptions
	JSON   bool
}

const stagesLong = `Print the stages of the registry: the stages allowed by the configuration
(.gto "stages" or GTO_STAGES) when it restricts them, otherwise the stages
in use (assigned to an active version), sorted.`

const stagesExample = `  gto stages
  gto stages --allowed
  gto stages --used --json`

// NewCmdStages builds `gto stages`.
func NewCmdStages(env *Env) *cobra.Command {
	opts := &StagesOptions{Env: env}
	cmd := &cobra.Command{
		Use:     "stages",
		Short:   "Print the list of stages in the registry",
		Long:    stagesLong,
		Example: stagesExample,
		GroupID: groupRead,
		Args:    argsBetween(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return stagesRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.Stages.Allowed, "allowed", false, "Print the stages allowed by the configuration (JSON null when unrestricted)")
	f.BoolVar(&opts.Stages.Used, "used", false, "Print the stages in use")
	f.BoolVar(&opts.JSON, "json", false, "Print the result as JSON")
	return cmd
}

func stagesRun(ctx context.Context, opts *StagesOptions) error {
	env := opts.Env
	r, err := env.Open(ctx, false)
	if err != nil {
		return err
	}
	defer r.Close()
	stages, err := r.Stages(ctx, opts.Stages)
	if err != nil {
		return err
	}
	if opts.JSON {
		return printJSON(env.Out, stages)
	}
	printLines(env.Out, stages)
	return nil
}
