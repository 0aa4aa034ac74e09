package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/annotations"
	"github.com/gto-dev/gto/internal/jsonout"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/registry"
	"github.com/gto-dev/gto/tagname"
)

const ciLong = `Tell a CI system what a pushed git tag means, in the form it reads: GitHub
Actions step outputs and a step summary ('gto ci github'), a GitLab dotenv
report ('gto ci gitlab'). One call computes every field (the event, the
artifact, version and stage, the annotation at the tag's commit, the whole
'check-ref --json' document) and writes them so that no description can break
them. 'gto ci refspecs' prints what to fetch first in a shallow clone: the
tags of the artifact the ref names, and no others. See docs/ci.md.`

const ciExample = `  # a GitHub Actions step (what action.yml runs)
  git fetch --no-tags --depth=1 origin $(gto ci refspecs "$GITHUB_REF")
  gto ci github "$GITHUB_REF" --show

  # a GitLab CI job on a tag pipeline, with artifacts:reports:dotenv: gto.env
  gto ci gitlab "$CI_COMMIT_TAG" --output gto.env

  # refuse a tag that breaks the policy of the default branch (fetched first)
  gto ci github "$GITHUB_REF" --verify --policy-ref origin/main`

// NewCmdCI builds `gto ci` and its subcommands.
func NewCmdCI(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "ci",
		Short:   "Publish what a pushed tag means to GitHub Actions or GitLab CI",
		Long:    ciLong,
		Example: ciExample,
		GroupID: groupRead,
		Args:    argsBetween(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	cmd.AddCommand(NewCmdCIGitHub(env), NewCmdCIGitLab(env), NewCmdCIRefspecs(env))
	return cmd
}

// CIOptions are the options the CI commands share.
type CIOptions struct {
	Env *Env
	// Ref is the pushed ref: a tag name, refs/tags/NAME, or any other ref
	// (which is no GTO event).
	Ref string
	// Show and History print the artifact's `gto show NAME` and `gto
	// history NAME` tables to standard output (the job's log).
	Show, History bool
	// AllowUnregistered accepts an assignment whose version is a bare
	// commit (assigned with --skip-registration); without it that is an
	// error, since a deploy must not take a hexsha for a version.
	AllowUnregistered bool
	// Output is where the outputs go: a file (appended to for GitHub,
	// replaced for GitLab), or "-" for standard output.
	Output string
	// Verify fails, before anything is written, on an event that breaks
	// the policy or whose signature does not verify (check-ref --verify).
	Verify bool
}

// newCICommand builds a `gto ci` subcommand taking an optional REF, with
// the shared flags.
func newCICommand(opts *CIOptions, use, short, long, example string, run func(cmd *cobra.Command, args []string) error) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Long: long, Example: example, Args: argsBetween(0, 1), RunE: run}
	f := cmd.Flags()
	f.BoolVar(&opts.Show, "show", false, "Also print the artifact's versions and stages (gto show NAME) to the log")
	f.BoolVar(&opts.History, "history", false, "Also print the artifact's history (gto history NAME) to the log")
	f.BoolVar(&opts.AllowUnregistered, "allow-unregistered", false, "Accept an assignment whose version is a bare commit (assigned with --skip-registration) and publish the commit hexsha as its version")
	f.BoolVar(&opts.Verify, "verify", false, "Fail, writing nothing, when the event breaks the policy or its signature does not verify (see check-ref --verify)")
	addPolicyRefFlag(cmd, opts.Env)
	return cmd
}

// ciEvent is what the CI commands publish about a ref.
type ciEvent struct {
	Tag   string       // the tag name; "" when the ref is no GTO event
	Event *model.Event // nil when the ref is no GTO event
	// Annotation is the artifact's annotation at the tag's commit, nil
	// when it is not annotated there.
	Annotation *annotations.Artifact
	// JSON is the `gto check-ref --json` document.
	JSON []byte
	// Stages are the artifact's stages now, with the versions in each.
	Stages []ciStage
}

// ciStage is one stage of the artifact and the versions it shows.
type ciStage struct {
	Stage    string
	Versions []string
}

// IsGTO reports whether the ref is a GTO event tag.
func (c *ciEvent) IsGTO() bool { return c.Event != nil }

// Labels is the annotation's labels as a JSON list ("[]" when none).
func (c *ciEvent) Labels() string {
	labels := []string{}
	if c.Annotation != nil && c.Annotation.Labels != nil {
		labels = c.Annotation.Labels
	}
	b, _ := json.Marshal(labels)
	return string(b)
}

// field returns the annotation fields by name: "type", "path", "description".
func (c *ciEvent) field(name string) string {
	a := c.Annotation
	if a == nil {
		return ""
	}
	switch name {
	case "type":
		return a.Type
	case "path":
		return a.Path
	}
	return a.Description
}

// readCIEvent reads what ref means: the event, the annotation at its
// commit and the artifact's current stages, and prints the --show and
// --history tables. It fails, before anything is written, on an event
// whose version is a bare commit unless AllowUnregistered.
func readCIEvent(ctx context.Context, opts *CIOptions) (*ciEvent, error) {
	env := opts.Env
	r, err := env.Open(ctx, false)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if opts.Output == "-" { // the log goes to stderr, out of the outputs' way
		logEnv := *env
		logEnv.Out = env.ErrOut
		env = &logEnv
	}
	// The core's rule for a version known only by its commit is applied
	// below, stricter and in CI's words.
	e, err := r.CheckRefWith(ctx, registry.CheckRefOptions{Ref: opts.Ref, AllowUnknownVersion: true})
	if err != nil {
		return nil, err
	}
	if e == nil {
		fmt.Fprintf(env.Out, "%q is not a GTO event tag: nothing to do\n", opts.Ref)
		return &ciEvent{}, nil
	}
	tag := strings.TrimPrefix(opts.Ref, "refs/tags/")
	if e.Version != "" && e.Version == e.Commit && !opts.AllowUnregistered {
		return nil, fmt.Errorf("the version of %q is unknown: no registration tag of artifact %q points at its commit %s; fetch the artifact's tags first (gto ci refspecs names them), or pass --allow-unregistered if the stage was assigned with --skip-registration",
			tag, e.Artifact, shortVersion(e.Commit))
	}
	if err := verifyCITag(ctx, opts, r, tag); err != nil {
		return nil, err
	}
	out := &ciEvent{Tag: tag, Event: e}
	var buf bytes.Buffer
	if err := printJSON(&buf, jsonout.CheckRef(e)); err != nil {
		return nil, err
	}
	out.JSON = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	d, err := r.Describe(ctx, registry.DescribeOptions{Name: tag})
	if err != nil {
		return nil, err
	}
	out.Annotation = d.Annotation
	show := registry.DefaultShowOptions()
	show.Name = e.Artifact
	view, err := r.ShowArtifact(ctx, show)
	if err != nil {
		return nil, err
	}
	out.Stages = artifactStages(view)
	fmt.Fprintf(env.Out, "%s%s\n", env.emoji("✅"), describeEvent(e))
	if opts.Show {
		if err := printVersions(env, &ShowOptions{Env: env, Name: e.Artifact, Registry: show}, view); err != nil {
			return nil, err
		}
	}
	if opts.History {
		if err := historyRun(ctx, &HistoryOptions{Env: env, History: registry.HistoryOptions{Artifact: e.Artifact}}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// verifyCITag judges the tag with --verify (as check-ref --verify does):
// its first violation is the error.
func verifyCITag(ctx context.Context, opts *CIOptions, r *registry.Registry, tag string) error {
	if !opts.Verify {
		return nil
	}
	violations, err := r.CheckTag(ctx, tag)
	if err == nil && len(violations) > 0 {
		err = violations[0]
	}
	return err
}

// artifactStages lists the stages of an artifact's versions table, sorted,
// each with its versions (greatest first).
func artifactStages(view *model.ArtifactView) []ciStage {
	byStage := map[string][]string{}
	for _, row := range view.Versions {
		for _, s := range row.StageNames() {
			byStage[s] = append(byStage[s], row.Version.Name)
		}
	}
	var out []ciStage
	for s, vs := range byStage {
		out = append(out, ciStage{Stage: s, Versions: vs})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Stage < out[j].Stage })
	return out
}

// ciRef is the REF argument, or the CI system's variable when it is absent.
func ciRef(env *Env, args []string, variable string) (ref string, ok bool) {
	if len(args) > 0 {
		return args[0], true
	}
	v, ok := env.Getenv(variable)
	return v, ok
}

// writeCIOutput writes data to path, or to standard output for "-";
// appending or replacing the file.
func writeCIOutput(env *Env, path string, data []byte, appendTo bool) error {
	if path == "-" {
		_, err := env.Out.Write(data)
		return err
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if appendTo {
		flags = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", path, pathErr(err))
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("cannot write %s: %v", path, pathErr(err))
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %v", path, pathErr(err))
	}
	return nil
}

// pathErr drops the path an *os.PathError repeats.
func pathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// artifactPrefix is the tag prefix of the artifact a ref names, "" when
// the ref names none (a branch, another tag).
func artifactPrefix(ref string) string {
	name, isTag := strings.CutPrefix(ref, "refs/tags/")
	if !isTag && strings.HasPrefix(ref, "refs/") {
		return ""
	}
	t, ok := tagname.Parse(name)
	if !ok {
		return ""
	}
	return tagname.TagPrefix(t.Artifact)
}
