package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/registry"
)

// DoctorOptions are the parsed flags of `gto doctor`.
type DoctorOptions struct {
	Env  *Env
	JSON bool
}

const doctorLong = `Print gto's version and configuration, read the whole registry and
report what is wrong or ignored: lightweight or message-less tags in GTO
format, tags on trees or blobs, counters used twice or going back in time,
two active versions at one commit, stages the configuration does not allow,
events that revive a deprecated artifact, annotation files that do not parse.
Exits with 1 when a problem was found. Changes nothing.`

// NewCmdDoctor builds `gto doctor`.
func NewCmdDoctor(env *Env, runF func(context.Context, *DoctorOptions) error) *cobra.Command {
	opts := &DoctorOptions{Env: env}
	cmd := &cobra.Command{
		Use:     "doctor",
		Short:   "Check the configuration and the registry for problems",
		Long:    doctorLong,
		Example: "  gto doctor\n  gto doctor --json",
		GroupID: groupRead,
		Args:    argsBetween(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return doctorRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "Print the report as JSON")
	return cmd
}

// doctorJSON is the document of `gto doctor --json`.
type doctorJSON struct {
	Version  string             `json:"version"`
	Config   doctorConfig       `json:"config"`
	Tags     int                `json:"tags"`
	Artifact int                `json:"artifacts"`
	Problems []registry.Problem `json:"problems"`
}

type doctorConfig struct {
	File   string   `json:"file"`
	Index  string   `json:"index"`
	Types  []string `json:"types"`
	Stages []string `json:"stages"`
	Emojis bool     `json:"emojis"`
}

func doctorRun(ctx context.Context, opts *DoctorOptions) error {
	env := opts.Env
	r, err := env.Open(ctx, false)
	if err != nil {
		return err
	}
	defer r.Close()
	rep, err := r.Doctor(ctx)
	if err != nil {
		return err
	}
	cfg := r.Config()
	if opts.JSON {
		doc := doctorJSON{Version: Version, Tags: rep.Tags, Artifact: rep.Artifacts, Problems: rep.Problems,
			Config: doctorConfig{File: cfg.File, Index: cfg.Index, Types: cfg.Types, Stages: cfg.Stages, Emojis: cfg.Emojis}}
		if doc.Problems == nil {
			doc.Problems = []registry.Problem{}
		}
		if err := printJSON(env.Out, doc); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(env.Out, "%sGTO Version: %s\n", env.emoji("🪴"), Version)
		logConfig(env.Out, r)
		fmt.Fprintf(env.Out, "Read %d tags of %d artifacts.\n", rep.Tags, rep.Artifacts)
		if len(rep.Problems) == 0 {
			fmt.Fprintf(env.Out, "%sNo problems found.\n", env.emoji("✅"))
		}
		for _, p := range rep.Problems {
			fmt.Fprintf(env.Out, "%s%s [%s]\n", env.emoji("❗"), p.Message, p.Code)
		}
	}
	if len(rep.Problems) > 0 {
		return fmt.Errorf("%d problem(s) found", len(rep.Problems))
	}
	return nil
}
