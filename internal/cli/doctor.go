package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/registry"
)

// DoctorOptions are the parsed flags of `gto doctor`.
type DoctorOptions struct {
	Env    *Env
	JSON   bool
	Verify bool
}

const doctorLong = `Print gto's version and configuration, read the whole registry and
report what is wrong or ignored, one line per problem with its code:

  config                      .gto (or a GTO_* variable) is malformed: the
                              defaults were used
  annotations                 artifacts.yaml or dvc.yaml at HEAD does not parse
  lightweight-tag             a tag in GTO format is not annotated: not an event
  tag-not-on-commit           a tag in GTO format points at a tree or a blob
  created-tag                 NAME@created: gto never writes nor uses it
  no-tagger, empty-message    a tag without tagger or without message
  unsigned-tag, bad-signature with --verify: a GTO tag without signature, or
                              whose signature git cannot verify
  duplicate-counter           two tags of one artifact share a counter #N
  counter-out-of-order        a greater counter dated before a smaller one
                              (clocks drifted, or a hand-made tag)
  versions-at-one-commit      two active versions of an artifact at one commit
  version-at-several-commits  one version registered at several commits
  event-after-deprecation     an event after the deprecation revived an artifact
  stage-not-allowed           an active stage that .gto does not allow
  type-not-allowed            an annotated type that .gto does not allow
  policy                      the policy file (gto-policy.yaml) is malformed
  policy-violation            an assignment tag breaks the policy: the rule,
                              and what would have satisfied it

and, as advice that is no problem (the exit code does not change):

  pack-refs                   1,000 tags or more are loose ref files, which
                              every command reading all tags opens one by
                              one: "git pack-refs" packs them into one file

--verify checks the signature of every annotated GTO tag with git
(git verify-tag: GnuPG keyring, or gpg.ssh.allowedSignersFile for SSH keys).

The policy is the one committed at the tip of the default branch (or at
--policy-ref); its signed rules are checked with git verify-tag, --verify
or not (see docs/policy.md).

Exits with 1 when a problem was found. Changes nothing.`

const doctorExample = `  # check the registry
  gto doctor

  # the report as JSON, for scripts
  gto doctor --json

  # also check that every GTO tag is signed by a trusted key
  gto doctor --verify

  # judge the past against the policy of origin's main
  gto doctor --policy-ref origin/main`

// NewCmdDoctor builds `gto doctor`.
func NewCmdDoctor(env *Env) *cobra.Command {
	opts := &DoctorOptions{Env: env}
	cmd := &cobra.Command{
		Use:     "doctor",
		Short:   "Check the configuration and the registry for problems",
		Long:    doctorLong,
		Example: doctorExample,
		GroupID: groupRead,
		Args:    argsBetween(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return doctorRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "Print the report as JSON")
	cmd.Flags().BoolVar(&opts.Verify, "verify", false, "Also check the signature of every GTO tag with git verify-tag")
	addPolicyRefFlag(cmd, env)
	return cmd
}

// doctorJSON is the document of `gto doctor --json`.
type doctorJSON struct {
	Version  string          `json:"version"`
	Config   doctorConfig    `json:"config"`
	Tags     int             `json:"tags"`
	Artifact int             `json:"artifacts"`
	Verified *int            `json:"verified,omitempty"` // with --verify: signed tags checked
	Problems []model.Problem `json:"problems"`
	Advice   []model.Problem `json:"advice,omitempty"`
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
	r, err := env.open(ctx, false, true)
	if err != nil {
		return err
	}
	defer r.Close()
	rep, err := r.DoctorWith(ctx, registry.DoctorOptions{Verify: opts.Verify})
	if err != nil {
		return err
	}
	cfg, err := r.Config(ctx)
	if err != nil {
		return err
	}
	if opts.JSON {
		doc := doctorJSON{Version: Version, Tags: rep.Tags, Artifact: rep.Artifacts, Problems: rep.Problems, Advice: rep.Advice,
			Config: doctorConfig{File: cfg.File, Index: cfg.Index, Types: cfg.Types, Stages: cfg.Stages, Emojis: cfg.Emojis}}
		if opts.Verify {
			doc.Verified = &rep.Verified
		}
		if doc.Problems == nil {
			doc.Problems = []model.Problem{}
		}
		if err := printJSON(env.Out, doc); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(env.Out, "%sGTO Version: %s\n", env.emoji("🪴"), Version)
		if err := logConfig(ctx, env.Out, r); err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "Read %d tags of %d artifacts.\n", rep.Tags, rep.Artifacts)
		if opts.Verify {
			fmt.Fprintf(env.Out, "Checked the signatures of %d signed tags.\n", rep.Verified)
		}
		if len(rep.Problems) == 0 {
			fmt.Fprintf(env.Out, "%sNo problems found.\n", env.emoji("✅"))
		}
		for _, p := range rep.Problems {
			fmt.Fprintf(env.Out, "%s%s [%s]\n", env.emoji("❗"), p.Message, p.Code)
		}
		for _, a := range rep.Advice {
			fmt.Fprintf(env.Out, "%sAdvice: %s [%s]\n", env.emoji("💡"), a.Message, a.Code)
		}
	}
	if len(rep.Problems) > 0 {
		return fmt.Errorf("%d problem(s) found", len(rep.Problems))
	}
	return nil
}
