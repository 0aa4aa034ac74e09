package cli

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/internal/jsonout"
	"github.com/gto-dev/gto/registry"
)

// AnnotateOptions are the parsed flags and arguments of `gto annotate`.
type AnnotateOptions struct {
	Env      *Env
	Annotate registry.AnnotateOptions
	// JSON prints what the command did as one JSON document.
	JSON bool
}

const annotateLong = `Write an artifact's annotation (type, path, labels, description) into
artifacts.yaml in the work tree. An existing annotation is updated: given
values replace old ones, labels are added. Commit the file to make the
annotation part of the registry (or pass --commit).

By default an artifact is virtual (its path may be external, e.g. s3://...);
--must-exist requires the path to be committed at HEAD and marks the artifact
as a file in git.`

const annotateExample = `  gto annotate nn --type model --path models/neural_network.h5
  gto annotate nn --label cv --label prod-ready -d "ResNet-50 fine-tuned"
  gto annotate nn --path models/nn.h5 --must-exist --commit`

// NewCmdAnnotate builds `gto annotate`.
func NewCmdAnnotate(env *Env) *cobra.Command {
	opts := &AnnotateOptions{Env: env}
	cmd := &cobra.Command{
		Use:               "annotate NAME",
		Short:             "Update the annotation of an artifact in artifacts.yaml",
		Long:              annotateLong,
		Example:           annotateExample,
		GroupID:           groupAnnotate,
		Args:              argsBetween(1, 1, "NAME"),
		ValidArgsFunction: completeArtifacts(env),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Annotate.Name = args[0]
			// --type '' and --path '' are written as empty fields on a new
			// artifact, as 0.2.4 does.
			opts.Annotate.TypeGiven = cmd.Flags().Changed("type")
			opts.Annotate.PathGiven = cmd.Flags().Changed("path")
			return annotateRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Annotate.Type, "type", "", "Artifact type (e.g. model, dataset)")
	f.StringVar(&opts.Annotate.Path, "path", "", "Artifact path (in the repository, or an external URL)")
	f.BoolVarP(&opts.Annotate.MustExist, "must-exist", "e", false, "Verify the path is committed at HEAD; the artifact is then not virtual")
	f.StringArrayVar(&opts.Annotate.Labels, "label", nil, "Label to add (repeat for several)")
	f.StringVarP(&opts.Annotate.Description, "description", "d", "", "Artifact description")
	f.BoolVar(&opts.Annotate.Commit, "commit", false, "Commit artifacts.yaml (only that file) after the change")
	f.BoolVar(&opts.Annotate.Push, "push", false, "Commit and push the current branch (implies --commit)")
	f.BoolVar(&opts.JSON, "json", false, "Print the file written, the annotation, the commit and whether it was pushed as JSON")
	return cmd
}

func annotateRun(ctx context.Context, opts *AnnotateOptions) error {
	r, err := opts.Env.Open(ctx, true)
	if err != nil {
		return err
	}
	defer r.Close()
	res, err := r.Annotate(ctx, opts.Annotate)
	if perr := opts.Env.reportAnnotate(opts.Annotate.Name, res, opts.JSON); err == nil {
		err = perr
	}
	return err
}

// reportAnnotate reports an annotation change of artifact name: in words,
// or with asJSON as one document (jsonout.Annotated).
func (e *Env) reportAnnotate(name string, res *registry.AnnotateResult, asJSON bool) error {
	if !asJSON {
		e.printAnnotate(res)
		return nil
	}
	if res == nil {
		return nil
	}
	return printJSON(e.Out, jsonout.Annotated(name, res))
}

// printAnnotate reports an annotation change.
func (e *Env) printAnnotate(res *registry.AnnotateResult) {
	if res == nil {
		return
	}
	if res.Commit != "" {
		fmt.Fprintf(e.Out, "%sCommitted %s in %.7s\n", e.emoji("💾"), filepath.Base(res.File), res.Commit)
	}
	if res.Pushed {
		fmt.Fprintf(e.Out, "Pushed the commit upstream\n")
	}
}
