package cli

import "github.com/spf13/cobra"

// addPolicyRefFlag adds --policy-ref to a command that reads the policy
// (assign, check-ref, doctor, ci, hook).
func addPolicyRefFlag(cmd *cobra.Command, env *Env) {
	cmd.Flags().StringVar(&env.PolicyRef, "policy-ref", "", "Read the policy (gto-policy.yaml) at this revision instead of the tip of the default branch")
}
