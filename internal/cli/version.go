package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/internal/buildinfo"
)

// Release builds set these with -ldflags -X (see release/main.go); empty,
// they come from the build info Go stamps into the binary (Version in
// root.go is set the same way):
//
//	-X github.com/gto-dev/gto/internal/cli.Version=v0.3.0
//	-X github.com/gto-dev/gto/internal/cli.Commit=HEXSHA
//	-X github.com/gto-dev/gto/internal/cli.CommitTime=2026-11-25T10:00:00Z
//	-X github.com/gto-dev/gto/internal/cli.Dirty=false
var (
	Commit     string
	CommitTime string
	Dirty      string
)

// readBuildInfo is the build info of this binary; tests replace it.
var readBuildInfo = func() buildinfo.Info {
	return buildinfo.Read(buildinfo.Overrides{Version: Version, Commit: Commit, CommitTime: CommitTime, Dirty: Dirty})
}

// init resolves Version once, before any command runs (gto doctor prints it
// too): the -X value when a release build set one, else what the build
// info says, never a made-up number.
func init() {
	Version = readBuildInfo().Version
}

// VersionOptions are the parsed flags of `gto version`.
type VersionOptions struct {
	Env  *Env
	JSON bool
}

const versionLong = `Print gto's version, the commit it was built from, that commit's time,
whether the work tree had uncommitted changes, and the Go toolchain that
built it. The first line is what 'gto --version' prints, as gto 0.2.4 does.

The version is the release version of a release build; for a build from a
git checkout, Go's version of that commit (the nearest release tag, then the
commit's date and hash, "+dirty" with uncommitted changes); "devel-" and the
commit when Go recorded no version; "devel" when nothing is known.`

const versionExample = `  gto version
  gto version --json
  gto --version`

// versionJSON is the document of `gto version --json`.
type versionJSON struct {
	Version    string  `json:"version"`
	Commit     *string `json:"commit"`
	CommitTime *string `json:"commit_time"`
	Dirty      bool    `json:"dirty"`
	GoVersion  string  `json:"go_version"`
	Platform   string  `json:"platform"`
}

// NewCmdVersion builds `gto version`.
func NewCmdVersion(env *Env) *cobra.Command {
	opts := &VersionOptions{Env: env}
	cmd := &cobra.Command{
		Use:     "version",
		Short:   "Show the version of gto, the commit it was built from and the Go version",
		Long:    versionLong,
		Example: versionExample,
		Args:    argsBetween(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return versionRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "Print JSON: version, commit, commit_time, dirty, go_version, platform")
	return cmd
}

func versionRun(_ context.Context, opts *VersionOptions) error {
	info := readBuildInfo()
	if opts.JSON {
		doc := versionJSON{Version: info.Version, Dirty: info.Dirty, GoVersion: info.GoVersion, Platform: info.Platform}
		if info.Commit != "" {
			doc.Commit = &info.Commit
		}
		if !info.CommitTime.IsZero() {
			t := info.CommitTime.Format(time.RFC3339)
			doc.CommitTime = &t
		}
		return printJSON(opts.Env.Out, doc)
	}
	printVersion(opts.Env, info)
	return nil
}

// printVersion prints the text of `gto version` and `gto --version`: the
// line of gto 0.2.4, then one line per detail.
func printVersion(env *Env, info buildinfo.Info) {
	fmt.Fprintf(env.Out, "%sGTO Version: %s\n", env.emoji("🪴"), info.Version)
	printLines(env.Out, info.Lines())
}
