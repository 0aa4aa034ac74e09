package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/internal/jsonout"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/registry"
)

// CheckRefOptions are the parsed flags and arguments of `gto check-ref`.
type CheckRefOptions struct {
	Env  *Env
	Ref  string
	JSON bool
	// Field prints one field: "name", "version", "stage" or "event".
	Field string
	// Verify fails on an event that breaks the policy or whose signature
	// does not verify.
	Verify bool
}

const checkRefLong = `Tell which registry event a git tag created: the artifact, the version and
the stage it registered, assigned or cancelled. This is what CI runs when a
tag is pushed. A ref that is not a GTO event tag (a branch, a commit, another
tag) prints nothing and succeeds, so the same job can run on every push.

--verify also judges the event before printing it, as CI should before it
deploys: an event that breaks the policy (gto-policy.yaml at the tip of the
default branch, or at --policy-ref; see docs/policy.md), or a signed tag
whose signature does not verify (git verify-tag), fails with exit code 1,
the violation on stderr, and nothing on stdout. In a CI checkout of a tag
(detached HEAD), fetch the default branch first, or name it with
--policy-ref.`

const checkRefExample = `  gto check-ref rf@v1.0.0
  gto check-ref rf#prod#3 --json
  gto check-ref "$GITHUB_REF" --name
  gto check-ref refs/tags/rf#prod#3 --stage

  # in CI, before deploying: the event must conform to the policy of main
  gto check-ref "$GITHUB_REF" --verify --policy-ref origin/main --json`

// NewCmdCheckRef builds `gto check-ref`.
func NewCmdCheckRef(env *Env) *cobra.Command {
	opts := &CheckRefOptions{Env: env}
	var field func() string
	cmd := &cobra.Command{
		Use:     "check-ref REF",
		Short:   "Find out the artifact version registered or assigned by a git tag",
		Long:    checkRefLong,
		Example: checkRefExample,
		GroupID: groupRead,
		Args:    argsBetween(1, 1, "REF"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := exclusive(cmd, "json", "name", "version", "stage", "event"); err != nil {
				return err
			}
			opts.Ref = args[0]
			opts.Field = field()
			return checkRefRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.JSON, "json", false, "Print the event as JSON")
	field = fieldFlags(f,
		[2]string{"name", "Print only the artifact name"},
		[2]string{"version", "Print only the version (nothing for a deprecation)"},
		[2]string{"stage", "Print only the stage (nothing for other events)"},
		[2]string{"event", "Print only the event kind (registration, assignment, ...)"})
	f.BoolVar(&opts.Verify, "verify", false, "Fail (exit 1) when the event breaks the policy or its signature does not verify")
	addPolicyRefFlag(cmd, env)
	return cmd
}

func checkRefRun(ctx context.Context, opts *CheckRefOptions) error {
	env := opts.Env
	r, err := env.Open(ctx, false)
	if err != nil {
		return err
	}
	defer r.Close()
	e, err := r.CheckRefWith(ctx, registry.CheckRefOptions{Ref: opts.Ref, Verify: opts.Verify})
	if err != nil || e == nil {
		return err
	}
	switch {
	case opts.JSON:
		return printJSON(env.Out, jsonout.CheckRef(e))
	case opts.Field == "name":
		fmt.Fprintln(env.Out, e.Artifact)
	case opts.Field == "version":
		if e.Version != "" {
			fmt.Fprintln(env.Out, e.Version)
		}
	case opts.Field == "stage":
		if e.Stage != "" {
			fmt.Fprintln(env.Out, e.Stage)
		}
	case opts.Field == "event":
		fmt.Fprintln(env.Out, e.Kind.String())
	default:
		fmt.Fprintf(env.Out, "%s%s\n", env.emoji("✅"), describeEvent(e))
	}
	return nil
}

// describeEvent is the sentence check-ref prints for an event.
func describeEvent(e *model.Event) string {
	switch e.Kind {
	case model.KindRegistration:
		return fmt.Sprintf("Version %q of artifact %q was registered", e.Version, e.Artifact)
	case model.KindDeregistration:
		return fmt.Sprintf("Version %q of artifact %q was deregistered", e.Version, e.Artifact)
	case model.KindAssignment:
		return fmt.Sprintf("Stage %q was assigned to version %q of artifact %q", e.Stage, e.Version, e.Artifact)
	case model.KindUnassignment:
		return fmt.Sprintf("Stage %q was unassigned from version %q of artifact %q", e.Stage, e.Version, e.Artifact)
	case model.KindDeprecation:
		return fmt.Sprintf("Artifact %q was deprecated", e.Artifact)
	}
	return fmt.Sprintf("Artifact %q is annotated", e.Artifact)
}
