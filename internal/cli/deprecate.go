package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/registry"
)

// DeprecateOptions are the parsed flags and arguments of `gto deprecate`.
type DeprecateOptions struct {
	Env       *Env
	Deprecate registry.DeprecateOptions
	// JSON prints what the command did as one JSON document.
	JSON bool
}

const deprecateLong = `Deprecate an artifact, deregister a version, or unassign a stage:

  gto deprecate NAME                  writes NAME@deprecated
  gto deprecate NAME VERSION          writes NAME@VERSION!
  gto deprecate NAME VERSION STAGE    writes NAME#STAGE!#N

With --delete, the tags are deleted instead (all tags of the artifact, of the
version, or of the stage on that version): use it when no history is wanted
and no CI should react.

--push publishes the change to origin (an unassignment's counter taken on
origin meanwhile is renumbered, as for assign). --sign signs the tag (git tag
-s); without it git's tag.gpgSign decides, and --no-sign never signs.`

const deprecateExample = `  # deprecate an artifact
  gto deprecate nn

  # deregister a version
  gto deprecate nn v0.0.1

  # unassign a stage
  gto deprecate nn v0.0.1 prod

  # delete the tags of a version instead of adding one
  gto deprecate nn v0.0.1 --delete

  # deprecate with a signed tag, and push it
  gto deprecate nn --sign --push`

// NewCmdDeprecate builds `gto deprecate`.
func NewCmdDeprecate(env *Env) *cobra.Command {
	opts := &DeprecateOptions{Env: env}
	var simple simpleFlag
	var sign signFlags
	cmd := &cobra.Command{
		Use:               "deprecate NAME [VERSION [STAGE]]",
		Short:             "Deprecate an artifact, deregister a version, or unassign a stage",
		Long:              deprecateLong,
		Example:           deprecateExample,
		GroupID:           groupModify,
		Args:              argsBetween(1, 3, "NAME", "VERSION", "STAGE"),
		ValidArgsFunction: completeArtifacts(env),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Deprecate.Name = args[0]
			if len(args) > 1 {
				opts.Deprecate.Version = args[1]
			}
			if len(args) > 2 {
				opts.Deprecate.Stage = args[2]
			}
			opts.Deprecate.Counter = simple.v
			var err error
			if opts.Deprecate.Sign, err = sign.value(cmd); err != nil {
				return err
			}
			return deprecateRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Deprecate.Ref, "ref", "", "Git reference to put the deprecation tag on (artifact deprecation only; default: the commit of the latest event)")
	f.StringVarP(&opts.Deprecate.Message, "message", "m", "", "Message of the git tag")
	addSimpleFlag(f, &simple, "auto, true or false: false adds the event counter #N (auto: only for unassignments)")
	f.BoolVar(&opts.Deprecate.Force, "force", false, "Write the tag even if there is nothing to deprecate, deregister or unassign")
	f.BoolVarP(&opts.Deprecate.Delete, "delete", "d", false, "Delete the git tag(s) instead of creating a new one")
	f.BoolVar(&opts.Deprecate.Push, "push", false, "Push the change (created or deleted tags) to origin")
	addSignFlags(f, &sign)
	f.BoolVar(&opts.JSON, "json", false, "Print what was created, deleted, committed and pushed as JSON")
	return cmd
}

func deprecateRun(ctx context.Context, opts *DeprecateOptions) error {
	r, err := opts.Env.Open(ctx, false)
	if err != nil {
		return err
	}
	defer r.Close()
	var res *registry.WriteResult
	switch d := opts.Deprecate; {
	case d.Stage != "":
		res, err = r.Unassign(ctx, d)
	case d.Version != "":
		res, err = r.Deregister(ctx, d)
	default:
		res, err = r.Deprecate(ctx, d)
	}
	if perr := opts.Env.reportWrite(res, opts.JSON); err == nil {
		err = perr
	}
	if err == nil && opts.Deprecate.Delete && len(res.Deleted) == 0 {
		fmt.Fprintln(opts.Env.ErrOut, "Nothing to delete: there are no such tags")
	}
	return err
}
