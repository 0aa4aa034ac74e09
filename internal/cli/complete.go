package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/registry"
)

// completeArtifacts completes the first argument with the registry's
// artifact names (shell completion: `gto completion bash|zsh|fish`).
func completeArtifacts(env *Env) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveDefault
		}
		r, err := env.Open(cmd.Context(), false)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		defer r.Close()
		view, err := r.ShowRegistry(cmd.Context(), registry.DefaultShowOptions())
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, row := range view.Rows {
			if strings.HasPrefix(row.Artifact.Name, toComplete) {
				out = append(out, row.Artifact.Name)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeStages completes --stage with the allowed or used stages.
func completeStages(env *Env) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		r, err := env.Open(cmd.Context(), false)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		defer r.Close()
		stages, _ := r.Stages(cmd.Context(), registry.StagesOptions{})
		return stages, cobra.ShellCompDirectiveNoFileComp
	}
}
