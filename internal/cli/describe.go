package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/internal/jsonout"
	"github.com/gto-dev/gto/registry"
)

// DescribeOptions are the parsed flags and arguments of `gto describe`.
type DescribeOptions struct {
	Env      *Env
	Describe registry.DescribeOptions
	// Field prints one field: "type", "path" or "description".
	Field string
}

const describeLong = `Print the annotation of an artifact (type, path, labels, description) as
committed in artifacts.yaml, as JSON. By default the annotation at HEAD is
read (not the work tree); --rev reads another revision, and a version
reference (NAME@vX.Y.Z, NAME#STAGE or a GTO tag) reads the
commit of that version. Nothing is printed when the artifact is not
annotated there.`

const describeExample = `  gto describe nn
  gto describe nn --rev HEAD~3
  gto describe nn@v0.0.1
  gto describe nn#prod --path`

// NewCmdDescribe builds `gto describe`.
func NewCmdDescribe(env *Env) *cobra.Command {
	opts := &DescribeOptions{Env: env}
	var field func() string
	cmd := &cobra.Command{
		Use:               "describe NAME[@VERSION|#STAGE]",
		Short:             "Display the annotation of an artifact",
		Long:              describeLong,
		Example:           describeExample,
		GroupID:           groupAnnotate,
		Args:              argsBetween(1, 1, "NAME"),
		ValidArgsFunction: completeArtifacts(env),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := exclusive(cmd, "type", "path", "description"); err != nil {
				return err
			}
			opts.Describe.Name = args[0]
			opts.Field = field()
			return describeRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Describe.Rev, "rev", "", "Git revision whose artifacts.yaml is read (default HEAD)")
	field = fieldFlags(f,
		[2]string{"type", "Print only the type"},
		[2]string{"path", "Print only the path"},
		[2]string{"description", "Print only the description"})
	return cmd
}

func describeRun(ctx context.Context, opts *DescribeOptions) error {
	env := opts.Env
	r, err := env.Open(ctx, false)
	if err != nil {
		return err
	}
	defer r.Close()
	d, err := r.Describe(ctx, opts.Describe)
	if err != nil || d.Annotation == nil {
		return err
	}
	a := d.Annotation
	var value string
	var present bool
	switch opts.Field {
	case "":
		return printJSON(env.Out, jsonout.Annotation(a))
	case "type":
		value, present = a.Type, a.HasType()
	case "path":
		value, present = a.Path, a.HasPath()
	case "description":
		value, present = a.Description, a.Description != ""
	}
	if !present {
		return fmt.Errorf("artifact %q has no %s in its annotation", d.Artifact, opts.Field)
	}
	fmt.Fprintln(env.Out, value)
	return nil
}
