package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/registry"
)

// RegisterOptions are the parsed flags and arguments of `gto register`.
type RegisterOptions struct {
	Env      *Env
	Register registry.RegisterOptions
	// JSON prints what the command did as one JSON document.
	JSON bool
}

const registerLong = `Register a version of an artifact: create the annotated tag NAME@VERSION
on a commit (HEAD by default) to mark an important, published or released
iteration.

Without --version, the version is the greatest active version with its patch
bumped (or --bump-minor / --bump-major), and v0.0.1 for the first one.
A commit holds one active version per artifact. Concurrent gto processes in
one repository take turns: two of them never register the same version.

--push pushes the tag to origin. When origin already has that version (another
clone registered it first), nothing is published: the local tag is kept, as
in gto 0.2.4, and the error gives the command that takes origin's instead.

--sign signs the tag (git tag -s, with your GPG or SSH key as git is
configured); without it git's tag.gpgSign decides, and --no-sign never signs.`

const registerExample = `  # register a new version at HEAD
  gto register nn

  # register a new version at a specific ref
  gto register nn abc1234

  # name the version explicitly
  gto register nn --version v1.0.0

  # choose the part of the version to bump
  gto register nn --bump-minor

  # write the tag and push it to origin
  gto register nn --push

  # sign the tag (GPG, or SSH with gpg.format=ssh)
  gto register nn --version v1.0.0 --sign

  # for scripts: what was created and how to publish it, as JSON
  gto register nn --json`

// NewCmdRegister builds `gto register`.
func NewCmdRegister(env *Env) *cobra.Command {
	opts := &RegisterOptions{Env: env}
	var simple simpleFlag
	var sign signFlags
	var major, minor, patch bool
	cmd := &cobra.Command{
		Use:               "register NAME [REF]",
		Short:             "Create an artifact version to mark an important, published or released iteration",
		Long:              registerLong,
		Example:           registerExample,
		GroupID:           groupModify,
		Args:              argsBetween(1, 2, "NAME", "REF"),
		ValidArgsFunction: completeArtifacts(env),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := exclusive(cmd, "bump-major", "bump-minor", "bump-patch"); err != nil {
				return err
			}
			opts.Register.Name = args[0]
			opts.Register.Ref = "HEAD"
			if len(args) == 2 {
				opts.Register.Ref = args[1]
			}
			switch {
			case major:
				opts.Register.Bump = model.BumpMajor
			case minor:
				opts.Register.Bump = model.BumpMinor
			case patch:
				opts.Register.Bump = model.BumpPatch
			}
			opts.Register.Counter = simple.v
			var err error
			if opts.Register.Sign, err = sign.value(cmd); err != nil {
				return err
			}
			return registerRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Register.Version, "version", "", "Version name in SemVer format with a leading v, e.g. v1.0.0 (default: bump the greatest version)")
	addAlias(f, "version", "ver")
	f.StringVarP(&opts.Register.Message, "message", "m", "", "Message of the git tag")
	addSimpleFlag(f, &simple, "auto, true or false: true writes NAME@VERSION, false adds the event counter #N (auto: true)")
	f.BoolVar(&opts.Register.Force, "force", false, "Register a commit that already holds an active version")
	f.BoolVar(&major, "bump-major", false, "Bump the major part of the greatest version")
	f.BoolVar(&minor, "bump-minor", false, "Bump the minor part of the greatest version")
	f.BoolVar(&patch, "bump-patch", false, "Bump the patch part of the greatest version (the default)")
	f.BoolVar(&opts.Register.Push, "push", false, "Push the created tag to origin")
	addSignFlags(f, &sign)
	f.BoolVar(&opts.JSON, "json", false, "Print what was created, deleted, committed and pushed as JSON")
	return cmd
}

func registerRun(ctx context.Context, opts *RegisterOptions) error {
	r, err := opts.Env.Open(ctx, false)
	if err != nil {
		return err
	}
	defer r.Close()
	res, err := r.Register(ctx, opts.Register)
	if perr := opts.Env.reportWrite(res, opts.JSON); err == nil {
		err = perr
	}
	return err
}
