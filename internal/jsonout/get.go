package jsonout

import (
	"github.com/gto-dev/gto/registry"
)

// Get is the document of `gto get --json` and of /api/v1/get/NAME: the
// version resolved and where its files are. "command" is the command
// that downloads a DVC-tracked path (null otherwise); "output", "files"
// and "bytes" are there once files were written.
func Get(r *registry.Resolved, output string) *Object {
	out := &Object{}
	out.Set("name", r.Name)
	out.Set("version", r.Version)
	out.Set("stage", strOrNil(r.Stage))
	out.Set("rev", r.Rev)
	out.Set("path", r.Path)
	out.Set("type", strOrNil(r.Type))
	out.Set("source", string(r.Source))
	out.Set("repo", r.Repo)
	var command any
	if cmd := DVCCommand(r, ""); cmd != nil {
		command = cmd
	}
	out.Set("command", command)
	if output != "" {
		out.Set("output", output)
		out.Set("files", r.Files)
		out.Set("bytes", r.Bytes)
	}
	return out
}

// DVCCommand is the command line (as arguments) that downloads the
// version of a DVC-tracked artifact into output ("" for DVC's default),
// nil for a path DVC does not track. The version is named the way it was
// asked for: the stage when one was, else the version.
func DVCCommand(r *registry.Resolved, output string) []string {
	if r.Source != registry.SourceDVC {
		return nil
	}
	cmd := []string{"dvc", "artifacts", "get", r.Repo, r.Name}
	if r.Stage != "" {
		cmd = append(cmd, "--stage", r.Stage)
	} else {
		cmd = append(cmd, "--rev", r.Version)
	}
	if output != "" {
		cmd = append(cmd, "-o", output)
	}
	return cmd
}
