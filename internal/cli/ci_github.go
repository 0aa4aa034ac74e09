package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

const ciGitHubLong = `Write what REF means as GitHub Actions step outputs, with one read of the
registry: is-gto (true or false), tag, event, name, version, stage, commit,
type, path, description, labels (a JSON list) and json (the whole
'gto check-ref --json' document). type, path, description and labels are the
artifact's annotation at the tag's commit. Every output is written in
GitHub's multi-line form, its value between two lines that hold a random
delimiter, so that any value survives: newlines, a line "EOF", "=" signs.

A Markdown summary (the event and the artifact's current stages) is
appended to $GITHUB_STEP_SUMMARY when it is set. The event's sentence, and
with --show / --history the artifact's tables, go to standard output (the
step's log).

REF defaults to $GITHUB_REF; the outputs are appended to $GITHUB_OUTPUT
unless --output says otherwise ("-" for standard output). A ref that is no
GTO event tag (a branch, another tag) gives is-gto=false and succeeds. An
assignment or unassignment whose version is a bare commit (its registration
tag was not fetched) fails and writes nothing, unless --allow-unregistered:
a deploy must not take a commit hexsha for a version.`

const ciGitHubExample = `  # in a workflow step, after the checkout and a fetch of the artifact's tags
  gto ci github "$GITHUB_REF" --show

  # try it outside GitHub
  gto ci github churn#prod#3 --output - --summary ''`

// CIGitHubOptions are the parsed flags and arguments of `gto ci github`.
type CIGitHubOptions struct {
	CIOptions
	// Summary is the file the Markdown summary is appended to; "" for none.
	Summary string
}

// NewCmdCIGitHub builds `gto ci github`.
func NewCmdCIGitHub(env *Env) *cobra.Command {
	opts := &CIGitHubOptions{CIOptions: CIOptions{Env: env}}
	cmd := newCICommand(&opts.CIOptions, "github [REF]", "Write GitHub Actions outputs and a step summary for a pushed tag",
		ciGitHubLong, ciGitHubExample, func(cmd *cobra.Command, args []string) error {
			ref, ok := ciRef(env, args, "GITHUB_REF")
			if !ok {
				return fmt.Errorf("no REF given and GITHUB_REF is not set: pass the ref to check")
			}
			opts.Ref = ref
			if !cmd.Flags().Changed("output") {
				v, ok := env.Getenv("GITHUB_OUTPUT")
				if !ok || v == "" {
					return fmt.Errorf("GITHUB_OUTPUT is not set: run gto ci github in a GitHub Actions step, or pass --output FILE (- for standard output)")
				}
				opts.Output = v
			}
			if !cmd.Flags().Changed("summary") {
				opts.Summary, _ = env.Getenv("GITHUB_STEP_SUMMARY")
			}
			if opts.Output == "" {
				return usageErrorf(cmd.CommandPath(), "--output needs a file name (- for standard output)")
			}
			return ciGitHubRun(cmd.Context(), opts)
		})
	f := cmd.Flags()
	f.StringVar(&opts.Output, "output", "", "File the outputs are appended to, - for standard output (default $GITHUB_OUTPUT)")
	f.StringVar(&opts.Summary, "summary", "", "File the Markdown summary is appended to, '' for none (default $GITHUB_STEP_SUMMARY)")
	return cmd
}

func ciGitHubRun(ctx context.Context, opts *CIGitHubOptions) error {
	c, err := readCIEvent(ctx, &opts.CIOptions)
	if err != nil {
		return err
	}
	outputs, err := githubOutputs(c.outputs())
	if err != nil {
		return err
	}
	if opts.Summary != "" {
		if err := writeCIOutput(opts.Env, opts.Summary, []byte(githubSummary(opts.Ref, c)), true); err != nil {
			return err
		}
	}
	return writeCIOutput(opts.Env, opts.Output, outputs, true)
}

// outputs are the step outputs, in the order they are written.
func (c *ciEvent) outputs() [][2]string {
	isGTO := "false"
	var event, name, version, stage, commit string
	if e := c.Event; e != nil {
		isGTO = "true"
		event, name, version, stage, commit = e.Kind.String(), e.Artifact, e.Version, e.Stage, e.Commit
	}
	return [][2]string{
		{"is-gto", isGTO}, {"tag", c.Tag}, {"event", event}, {"name", name},
		{"version", version}, {"stage", stage}, {"commit", commit},
		{"type", c.field("type")}, {"path", c.field("path")}, {"description", c.field("description")},
		{"labels", c.Labels()}, {"json", string(c.JSON)},
	}
}

// githubOutputs encodes outputs for $GITHUB_OUTPUT the way GitHub's own
// toolkit does: name<<DELIMITER, the value, DELIMITER, each on its own line,
// with a random delimiter per output that no line of the value equals.
func githubOutputs(outputs [][2]string) ([]byte, error) {
	var buf bytes.Buffer
	for _, kv := range outputs {
		delim, err := githubDelimiter(kv[1])
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&buf, "%s<<%s\n%s\n%s\n", kv[0], delim, kv[1], delim)
	}
	return buf.Bytes(), nil
}

// githubDelimiter is "ghadelimiter_" and 32 random hex digits, drawn
// again in the (never seen) case that value contains it.
func githubDelimiter(value string) (string, error) {
	for {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return "", fmt.Errorf("cannot draw a random delimiter for the outputs: %v", err)
		}
		d := "ghadelimiter_" + hex.EncodeToString(b)
		if !strings.Contains(value, d) {
			return d, nil
		}
	}
}

// githubSummary is the Markdown of the step summary: the event, its
// fields, and the artifact's current stages.
func githubSummary(ref string, c *ciEvent) string {
	var b strings.Builder
	e := c.Event
	if e == nil {
		fmt.Fprintf(&b, "### gto: `%s` is not a GTO tag\n\nNothing to do.\n\n", mdCode(ref))
		return b.String()
	}
	fmt.Fprintf(&b, "### gto: %s\n\n", mdText(describeEvent(e)))
	b.WriteString("| field | value |\n| --- | --- |\n")
	for _, kv := range [][2]string{
		{"event", e.Kind.String()}, {"artifact", e.Artifact}, {"version", e.Version}, {"stage", e.Stage},
		{"tag", c.Tag}, {"commit", e.Commit}, {"type", c.field("type")}, {"path", c.field("path")},
		{"by", strings.TrimSpace(e.Author + " " + angle(e.AuthorEmail))}, {"at", e.Time.UTC().Format("2006-01-02 15:04:05") + " UTC"},
	} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "| %s | `%s` |\n", kv[0], mdCode(kv[1]))
		}
	}
	fmt.Fprintf(&b, "\n**Stages of `%s` now**\n\n", mdCode(e.Artifact))
	if len(c.Stages) == 0 {
		b.WriteString("No version is in a stage.\n\n")
		return b.String()
	}
	b.WriteString("| stage | version |\n| --- | --- |\n")
	for _, s := range c.Stages {
		fmt.Fprintf(&b, "| `%s` | `%s` |\n", mdCode(s.Stage), mdCode(strings.Join(s.Versions, ", ")))
	}
	b.WriteString("\n")
	return b.String()
}

func angle(email string) string {
	if email == "" {
		return ""
	}
	return "<" + email + ">"
}

// mdCode makes s safe inside a one-line Markdown code span of a table
// cell: no line breaks, no backticks, no cell separators.
func mdCode(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ", "`", "'", "|", "¦").Replace(s)
}

// mdText makes s safe as one line of Markdown text.
func mdText(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}
