package cli

import (
	"context"
	"fmt"
	"path"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/internal/jsonout"
	"github.com/gto-dev/gto/internal/shell"
	"github.com/gto-dev/gto/registry"
)

// GetOptions are the parsed flags and arguments of `gto get`.
type GetOptions struct {
	Env *Env
	Get registry.GetOptions
	// Output is the folder the artifact is written into; "" when -o was
	// not given (the current folder, or nothing with --json).
	Output string
	JSON   bool
}

const getLong = `Write the files of an artifact version: its path (a file or a whole folder)
as committed at the version's commit, streamed from git's objects, with no
checkout and no work tree. NAME alone is its greatest version; NAME@vX.Y.Z
a version; NAME#STAGE the version in that stage now. The artifact lands in
the output folder (-o, default the current folder) under the base name of
its path; it must not exist there yet. -o - writes a tar archive of the
same files to standard output instead.

From a remote repository (-r URL) the blobless mirror fetches the blobs of
that path only.

A path that git does not hold is not downloaded: gto says where it is and
what to run instead (a DVC-tracked path: the dvc artifacts get command; a
URL such as s3://...: gto does not fetch it). --json prints the resolution
{name, version, stage, rev, path, type, source, repo, command}; without -o
it only resolves and writes nothing.

Names from the tree are checked before anything is written: none may be
absolute or contain "..", symlinks are written as links and never
followed, and executables keep their mode.`

const getExample = `  gto get churn#prod -o deploy/
  gto get churn@v1.2.0
  gto get projects/churn:churn@latest -o /tmp/model
  gto get churn#prod --json
  gto get churn#prod -o - | ssh deploy tar -x -C /srv/models
  gto get churn#prod -r https://github.com/acme/models.git -o out/`

// NewCmdGet builds `gto get`.
func NewCmdGet(env *Env) *cobra.Command {
	opts := &GetOptions{Env: env}
	cmd := &cobra.Command{
		Use:               "get NAME[@VERSION|#STAGE|@latest] [-o DIR]",
		Short:             "Write the files of an artifact version, from git objects",
		Long:              getLong,
		Example:           getExample,
		GroupID:           groupRead,
		Args:              argsBetween(1, 1, "NAME"),
		ValidArgsFunction: completeArtifacts(env),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Get.Ref = args[0]
			if cmd.Flags().Changed("output") && opts.Output == "" {
				return usageErrorf(cmd.CommandPath(), "--output must name a folder")
			}
			if opts.Output == "-" && opts.JSON {
				return usageErrorf(cmd.CommandPath(), "--json cannot be used with --output -, which writes the files to standard output")
			}
			return getRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Output, "output", "o", "", "Folder to write the artifact into (default: the current folder; with --json: resolve only); - writes a tar to standard output")
	f.BoolVar(&opts.JSON, "json", false, "Print the resolution (and what was written) as JSON")
	cmd.MarkFlagDirname("output")
	return cmd
}

func getRun(ctx context.Context, opts *GetOptions) error {
	env := opts.Env
	r, err := env.Open(ctx, false)
	if err != nil {
		return err
	}
	defer r.Close()
	if opts.JSON && opts.Output == "" {
		res, err := r.Resolve(ctx, opts.Get)
		if err != nil {
			return err
		}
		return printJSON(env.Out, jsonout.Get(res, ""))
	}
	dir := opts.Output
	if dir == "" {
		dir = "."
	}
	res, err := r.Resolve(ctx, opts.Get)
	if err != nil {
		return err
	}
	if res.Source != registry.SourceGit {
		if opts.JSON {
			printJSON(env.Out, jsonout.Get(res, ""))
		}
		return notInGit(res, opts.Output)
	}
	if dir == "-" {
		// The tar writes a file's content in large writes of its own; a
		// buffer would only copy it once more.
		tw := registry.NewTar(env.Out, res.Time)
		if err := r.Stream(ctx, res, tw.File); err != nil {
			return err
		}
		return tw.Close()
	}
	name := path.Base(res.Path)
	w, err := registry.NewDirWriter(dir, name)
	if err != nil {
		return err
	}
	if err := r.Stream(ctx, res, w.File); err != nil {
		w.Abort()
		return err
	}
	if err := w.Commit(); err != nil {
		return err
	}
	out := filepath.Join(dir, name)
	if opts.JSON {
		return printJSON(env.Out, jsonout.Get(res, out))
	}
	fmt.Fprintf(env.Out, "Wrote %s: %s %s (commit %.7s), %d files, %d bytes\n", out, res.Name, res.Version, res.Rev, res.Files, res.Bytes)
	return nil
}

// notInGit is the error of a version whose path is not committed, with
// what to do instead.
func notInGit(res *registry.Resolved, output string) error {
	err := &registry.NotInGitError{Resolved: res}
	switch res.Source {
	case registry.SourceDVC:
		return fmt.Errorf("%w: download it with: %s", err, shell.Quote(jsonout.DVCCommand(res, output)...))
	case registry.SourceURL:
		return fmt.Errorf("%w: gto does not download it; fetch it from there", err)
	}
	return fmt.Errorf("%w: commit it, or annotate the artifact with the right path", err)
}
