package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/internal/jsonout"
	"github.com/gto-dev/gto/internal/render"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/registry"
)

// ShowOptions are the parsed flags and arguments of `gto show`.
type ShowOptions struct {
	Env  *Env
	Name string // "" for the registry

	Registry registry.ShowOptions
	JSON     bool
	Plain    bool
	// Field prints one field per line: "name", "version", "stage" or "ref".
	Field string
}

const showLong = `Show the registry: every artifact with its greatest version and the
version(s) in each stage. With NAME, show the versions of one artifact
instead, newest SemVer first, with the stages each is in.

NAME can select one version:
  NAME@latest, NAME@greatest   the greatest active version
  NAME@vX.Y.Z                  that version
  NAME#STAGE                   the version(s) currently in STAGE

Which versions a stage shows is controlled by --sort (the latest assignment
wins by default; with "semver" the greatest version wins), --vs (versions per
stage, default 1, -1 for all) and --av (assignments per version, -1 for all).

Artifacts annotated in artifacts.yaml but without tags are listed as *NAME.`

const showExample = `  gto show
  gto show --json
  gto show churn
  gto show churn@greatest --ref
  gto show churn#prod --version
  gto show churn --vs -1
  gto show --plain | grep churn`

// NewCmdShow builds `gto show`.
func NewCmdShow(env *Env) *cobra.Command {
	opts := &ShowOptions{Env: env, Registry: registry.DefaultShowOptions()}
	var sortBy sortFlag
	var deprecated bool
	var field func() string
	cmd := &cobra.Command{
		Use:               "show [NAME | NAME@latest | NAME@greatest | NAME@vX.Y.Z | NAME#STAGE]",
		Short:             "Show the registry state, the versions of an artifact, or what is in a stage",
		Long:              showLong,
		Example:           showExample,
		GroupID:           groupRead,
		Args:              argsBetween(0, 1),
		ValidArgsFunction: completeArtifacts(env),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := exclusive(cmd, "json", "plain", "name", "version", "stage", "ref"); err != nil {
				return err
			}
			if len(args) == 1 {
				opts.Name = args[0]
			}
			opts.Registry.Name = opts.Name
			opts.Registry.View.Sort = sortBy.v
			opts.Field = field()
			_ = deprecated // 0.2.4 always lists deprecated artifacts; gto 1.x scripts pass -d
			return showRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.JSON, "json", false, "Print the result as JSON")
	f.BoolVar(&opts.Plain, "plain", false, "Print a borderless, grep-able table")
	field = fieldFlags(f,
		[2]string{"name", "Print only the artifact names, one per line"},
		[2]string{"version", "Print only the versions, one per line (with NAME)"},
		[2]string{"stage", "Print only the stages, one line per version (with NAME)"},
		[2]string{"ref", "Print only the git references, one per line (with NAME)"})
	f.BoolVarP(&opts.Registry.AllBranches, "all-branches", "a", false, "Also read artifacts.yaml from the tip of every branch")
	f.BoolVarP(&opts.Registry.AllCommits, "all-commits", "A", false, "Also read artifacts.yaml from every commit")
	f.BoolVar(&opts.Registry.View.RegisteredOnly, "registered-only", false, "Show only registered versions (hide stages of unregistered commits)")
	addAlias(f, "registered-only", "ro")
	f.IntVar(&opts.Registry.View.AssignmentsPerVersion, "assignments-per-version", -1, "Show the N earliest active stages of each version, -1 for all")
	addAlias(f, "assignments-per-version", "av")
	f.IntVar(&opts.Registry.View.VersionsPerStage, "versions-per-stage", 1, "Show N versions in each stage, -1 for all; applied after --av")
	addAlias(f, "versions-per-stage", "vs")
	f.Var(&sortBy, "sort", "Which version wins a stage: the latest assignment (timestamp) or the greatest version (semver)")
	f.BoolVarP(&deprecated, "deprecated", "d", false, "Include deprecated artifacts (always included; accepted for gto 1.x scripts)")
	return cmd
}

func showRun(ctx context.Context, opts *ShowOptions) error {
	env := opts.Env
	r, err := env.Open(ctx, false)
	if err != nil {
		return err
	}
	defer r.Close()
	if opts.Name == "" {
		if opts.Field != "" && opts.Field != "name" {
			return fmt.Errorf("--%s needs an artifact name: the registry table has no %s column", opts.Field, opts.Field)
		}
		view, err := r.ShowRegistry(ctx, opts.Registry)
		if err != nil {
			return err
		}
		return printRegistry(env, opts, view)
	}
	if opts.Field == "name" {
		return fmt.Errorf("--name cannot be used with an artifact name: the versions table has no name column")
	}
	opts.Registry.Annotations = opts.JSON
	view, err := r.ShowArtifact(ctx, opts.Registry)
	if err != nil {
		return err
	}
	return printVersions(env, opts, view)
}

func printRegistry(env *Env, opts *ShowOptions, view *model.RegistryView) error {
	if opts.JSON {
		return printJSON(env.Out, jsonout.Registry(view))
	}
	t := render.Table{Header: []string{"name", "latest"}}
	for _, st := range view.Stages {
		t.Header = append(t.Header, "#"+st)
	}
	var names []string
	for _, row := range view.Rows {
		name := row.Artifact.Name
		if !row.Registered {
			name = "*" + name
		}
		names = append(names, name)
		cells := []render.Cell{render.Str(name), render.Opt(row.Latest)}
		for _, st := range view.Stages {
			var vs []string
			for _, v := range row.InStage[st] {
				vs = append(vs, shortVersion(v))
			}
			cells = append(cells, render.Opt(strings.Join(vs, ", ")))
		}
		t.Rows = append(t.Rows, cells)
	}
	if opts.Field == "name" {
		printLines(env.Out, names)
		return nil
	}
	return render.Write(env.Out, t, tableStyle(opts.Plain), emptyTable)
}

func printVersions(env *Env, opts *ShowOptions, view *model.ArtifactView) error {
	if opts.JSON {
		return printJSON(env.Out, jsonout.Versions(view))
	}
	artifact := view.Artifact.Name
	if !view.Registered {
		artifact = "*" + artifact
	}
	t := render.Table{Header: []string{"artifact", "version", "stage", "created_at", "ref"}}
	var fields []string
	for _, row := range view.Versions {
		v := row.Version
		ref := ""
		if e := v.AuthoringEvent(); e != nil {
			ref = e.Ref()
		}
		stages := strings.Join(row.StageNames(), ", ")
		t.Rows = append(t.Rows, []render.Cell{
			render.Str(artifact), render.Str(shortVersion(v.Name)), render.Str(stages),
			render.Str(tableTime(v.CreatedAt())), render.Str(ref),
		})
		switch opts.Field {
		case "version":
			fields = append(fields, shortVersion(v.Name))
		case "stage":
			fields = append(fields, stages)
		case "ref":
			fields = append(fields, ref)
		}
	}
	if opts.Field != "" {
		printLines(env.Out, fields)
		return nil
	}
	return render.Write(env.Out, t, tableStyle(opts.Plain), emptyTable)
}

func tableStyle(plain bool) render.Style {
	if plain {
		return render.Plain
	}
	return render.Box
}
