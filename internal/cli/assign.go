package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/registry"
)

// AssignOptions are the parsed flags and arguments of `gto assign`.
type AssignOptions struct {
	Env    *Env
	Assign registry.AssignOptions
	// JSON prints what the command did as one JSON document.
	JSON bool
}

const assignLong = `Assign a stage to a version of an artifact: create the annotated tag
NAME#STAGE#N (N is the artifact's event counter).

Give the version with --version, or a git reference: the version registered
at that commit gets the stage; an unregistered commit is registered first
(with --version as the name of the new version, or the next version), unless
--skip-registration. Without either, HEAD is used.

A stage the version already has is refused unless --force.

The counter N is one more than the largest counter of the artifact; gto
processes writing at the same time in one repository each get their own.
With --push, a counter that another clone pushed to origin meanwhile is not
reused: the tag is written again with the next counter free on origin (the
old local tag is deleted, origin's tags are fetched) and pushed, and gto
says so. An assignment that registers its commit pushes both tags at once.

--sign signs the tags (git tag -s); without it git's tag.gpgSign decides,
and --no-sign never signs.

A policy (gto-policy.yaml, committed at the tip of the default branch, or at
--policy-ref) may restrict the assignment: a stage to enter only from others,
no pre-releases, certain taggers, signed tags by certain signers. An
assignment it refuses writes nothing, with --force too, and the message names
the rule and what would satisfy it (see docs/policy.md). A stage whose rule
says signed: true needs --sign.`

const assignExample = `  # assign "prod" to a registered version
  gto assign nn --version v1.0.0 --stage prod

  # assign "prod" to the version at a commit (registering it if needed)
  gto assign nn abcd123 --stage prod

  # register the commit as v1.0.0 and assign "prod"
  gto assign nn abcd123 --version v1.0.0 --stage prod

  # write NAME#STAGE without the counter
  gto assign nn HEAD --stage prod --simple true

  # push the tag (renumbered if another clone took the counter) and sign it
  gto assign nn --version v1.0.0 --stage prod --push --sign

  # for scripts: the tags written (the registration too) and the push, as JSON
  gto assign nn HEAD --stage prod --push --json

  # a stage the policy protects (signed: true)
  gto assign nn --version v1.0.0 --stage prod --sign`

// NewCmdAssign builds `gto assign` (alias `promote`).
func NewCmdAssign(env *Env) *cobra.Command {
	opts := &AssignOptions{Env: env}
	var simple simpleFlag
	var sign signFlags
	var version string
	cmd := &cobra.Command{
		Use:               "assign NAME [REF] --stage STAGE",
		Aliases:           []string{"promote"},
		Short:             "Assign a stage to a version of an artifact",
		Long:              assignLong,
		Example:           assignExample,
		GroupID:           groupModify,
		Args:              argsBetween(1, 2, "NAME", "REF"),
		ValidArgsFunction: completeArtifacts(env),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Assign.Name = args[0]
			switch {
			case len(args) == 2:
				opts.Assign.Ref = args[1]
				opts.Assign.NewVersion = version
			case version != "":
				opts.Assign.Version = version
			default:
				opts.Assign.Ref = "HEAD"
			}
			opts.Assign.Counter = simple.v
			var err error
			if opts.Assign.Sign, err = sign.value(cmd); err != nil {
				return err
			}
			return assignRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Assign.Stage, "stage", "", "Stage to assign (required)")
	f.StringVar(&version, "version", "", "Version to assign; with REF: the name of the version to register at REF")
	f.StringVarP(&opts.Assign.Message, "message", "m", "", "Message of the git tag")
	addSimpleFlag(f, &simple, "auto, true or false: true writes NAME#STAGE, false adds the event counter #N (auto: false)")
	f.BoolVar(&opts.Assign.Force, "force", false, "Assign the stage even if the version already has it")
	f.BoolVar(&opts.Assign.Push, "push", false, "Push the created tag(s) to origin")
	f.BoolVar(&opts.Assign.SkipRegistration, "skip-registration", false, "Do not register the commit: the version is named by its hexsha")
	addAlias(f, "skip-registration", "sr")
	cmd.RegisterFlagCompletionFunc("stage", completeStages(env))
	addSignFlags(f, &sign)
	f.BoolVar(&opts.JSON, "json", false, "Print what was created, deleted, committed and pushed as JSON")
	addPolicyRefFlag(cmd, env)
	return cmd
}

func assignRun(ctx context.Context, opts *AssignOptions) error {
	r, err := opts.Env.Open(ctx, false)
	if err != nil {
		return err
	}
	defer r.Close()
	res, err := r.Assign(ctx, opts.Assign)
	if perr := opts.Env.reportWrite(res, opts.JSON); err == nil {
		err = perr
	}
	return err
}
