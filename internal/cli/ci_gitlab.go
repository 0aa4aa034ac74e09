package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

const ciGitLabLong = `Write what TAG means as a GitLab CI dotenv report (artifacts:reports:dotenv),
with one read of the registry, for the jobs that need this one:

  GTO_IS_GTO       true or false
  GTO_TAG          the tag, e.g. churn#prod#3
  GTO_EVENT        registration, deregistration, assignment, unassignment, deprecation
  GTO_NAME         the artifact
  GTO_VERSION      the version (not for a deprecation)
  GTO_STAGE        the stage (assignments and unassignments)
  GTO_COMMIT       the commit hexsha of the tag
  GTO_TYPE         the annotation's type at that commit
  GTO_PATH         the annotation's path at that commit
  GTO_LABELS       the annotation's labels, a JSON list: ["a","b"]
  GTO_DESCRIPTION  the annotation's description, a JSON string: "line 1\nline 2"
  GTO_JSON         the 'gto check-ref --json' document on one line

A dotenv value cannot hold a newline, so the two fields that may (the
description, and the tag message inside GTO_JSON) travel JSON-encoded: a
downstream job decodes them with any JSON parser, e.g.
  python3 -c 'import json,os; print(json.loads(os.environ["GTO_DESCRIPTION"]))'
A field the event does not have is left out of the report. A type or path
with a line break, or with blanks at either end (GitLab strips them), is an
error, as is a report over GitLab's limit of 5 KiB.

TAG defaults to $CI_COMMIT_TAG; on a pipeline that is not for a tag (GITLAB_CI
set, CI_COMMIT_TAG unset) the report says GTO_IS_GTO=false. The report
replaces --output (default gto.env; "-" for standard output). An assignment
whose version is a bare commit fails and writes nothing, unless
--allow-unregistered (see gto ci github --help).`

const ciGitLabExample = `  # in a job of a tag pipeline, with artifacts: reports: dotenv: gto.env
  gto ci gitlab --show
  # a downstream job (needs: [gto]) then reads $GTO_VERSION, $GTO_STAGE, ...

  gto ci gitlab churn#prod#3 --output -`

// gitlabDotenvLimit is GitLab's limit on the size of a dotenv report.
const gitlabDotenvLimit = 5 * 1024

// CIGitLabOptions are the parsed flags and arguments of `gto ci gitlab`.
type CIGitLabOptions struct {
	CIOptions
}

// NewCmdCIGitLab builds `gto ci gitlab`.
func NewCmdCIGitLab(env *Env) *cobra.Command {
	opts := &CIGitLabOptions{CIOptions: CIOptions{Env: env}}
	cmd := newCICommand(&opts.CIOptions, "gitlab [TAG]", "Write a GitLab CI dotenv report for a pushed tag",
		ciGitLabLong, ciGitLabExample, func(cmd *cobra.Command, args []string) error {
			ref, ok := ciRef(env, args, "CI_COMMIT_TAG")
			if !ok || ref == "" {
				if _, inGitLab := env.Getenv("GITLAB_CI"); !inGitLab && len(args) == 0 {
					return fmt.Errorf("no TAG given and CI_COMMIT_TAG is not set: pass the tag to check")
				}
			}
			opts.Ref = ref
			if opts.Output == "" {
				return usageErrorf(cmd.CommandPath(), "--output needs a file name (- for standard output)")
			}
			return ciGitLabRun(cmd.Context(), opts)
		})
	cmd.Flags().StringVar(&opts.Output, "output", "gto.env", "File the dotenv report is written to (replaced), - for standard output")
	return cmd
}

func ciGitLabRun(ctx context.Context, opts *CIGitLabOptions) error {
	c := &ciEvent{}
	if opts.Ref != "" {
		var err error
		if c, err = readCIEvent(ctx, &opts.CIOptions); err != nil {
			return err
		}
	}
	report, err := c.dotenv()
	if err != nil {
		return err
	}
	return writeCIOutput(opts.Env, opts.Output, report, false)
}

// dotenv is the report: KEY=VALUE lines, values that dotenv carries as
// written, the free text JSON-encoded.
func (c *ciEvent) dotenv() ([]byte, error) {
	var buf bytes.Buffer
	e := c.Event
	if e == nil {
		buf.WriteString("GTO_IS_GTO=false\n")
		return buf.Bytes(), nil
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, c.JSON); err != nil {
		return nil, err
	}
	description := ""
	if d := c.field("description"); d != "" {
		b, _ := json.Marshal(d) // json.Marshal escapes line breaks: one line
		description = string(b)
	}
	for _, kv := range [][2]string{
		{"GTO_IS_GTO", "true"}, {"GTO_TAG", c.Tag}, {"GTO_EVENT", e.Kind.String()}, {"GTO_NAME", e.Artifact},
		{"GTO_VERSION", e.Version}, {"GTO_STAGE", e.Stage}, {"GTO_COMMIT", e.Commit},
		{"GTO_TYPE", c.field("type")}, {"GTO_PATH", c.field("path")},
		{"GTO_LABELS", c.Labels()}, {"GTO_DESCRIPTION", description}, {"GTO_JSON", compact.String()},
	} {
		if kv[1] == "" {
			continue
		}
		if strings.ContainsAny(kv[1], "\r\n") || strings.TrimSpace(kv[1]) != kv[1] {
			field := strings.ToLower(strings.TrimPrefix(kv[0], "GTO_"))
			return nil, fmt.Errorf("the %s of artifact %q, %q, has a line break or blanks at an end, which a dotenv report cannot carry", field, e.Artifact, kv[1])
		}
		fmt.Fprintf(&buf, "%s=%s\n", kv[0], kv[1])
	}
	if buf.Len() > gitlabDotenvLimit {
		return nil, fmt.Errorf("the dotenv report of %q would be %d bytes, over GitLab's limit of 5 KiB: shorten the tag message or the artifact's description", c.Tag, buf.Len())
	}
	return buf.Bytes(), nil
}
