package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gto-dev/gto/internal/jsonout"
	"github.com/gto-dev/gto/internal/objectid"
	"github.com/gto-dev/gto/registry"
	"github.com/gto-dev/gto/tagname"
)

// emptyTable is what an empty table prints (as gto 0.2.4 does).
const emptyTable = "Nothing found in the current workspace"

// tableTime formats a timestamp for tables: local time of this machine
// (TZ), without zone, like gto 0.2.4. JSON keeps the tag's own zone.
func tableTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

// shortVersion shortens the version names that are commit hexshas to 7
// characters in tables; SemVer versions are printed in full (gto 0.2.4 cut
// them too, printing "v1.0.0-" for "v1.0.0-rc.1").
func shortVersion(v string) string {
	if objectid.Is(v) {
		return v[:7]
	}
	return v
}

// printJSON writes v as gto's JSON.
func printJSON(w io.Writer, v any) error {
	return jsonout.Encode(w, v)
}

// printLines writes one value per line.
func printLines(w io.Writer, lines []string) {
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}

// describeCreated says what a created tag does, in 0.2.4's words (scripts
// and people read them).
func describeCreated(c registry.CreatedTag) string {
	switch c.Tag.Action {
	case tagname.ActionRegister:
		return fmt.Sprintf("Created git tag '%s' that registers version", c.Name)
	case tagname.ActionDeregister:
		return fmt.Sprintf("Created git tag '%s' that deregisters version", c.Name)
	case tagname.ActionAssign:
		return fmt.Sprintf("Created git tag '%s' that assigns stage to version '%s'", c.Name, c.Version)
	case tagname.ActionUnassign:
		return fmt.Sprintf("Created git tag '%s' that unassigns stage from version '%s'", c.Name, c.Version)
	case tagname.ActionDeprecate:
		return fmt.Sprintf("Created git tag '%s' that deprecates artifact", c.Name)
	}
	return fmt.Sprintf("Created git tag '%s'", c.Name)
}

// reportWrite reports a write: in 0.2.4's words, or with asJSON as the
// write document (jsonout.Write). What was written is reported also when
// the command then failed (a refused push keeps its local tags).
func (e *Env) reportWrite(res *registry.WriteResult, asJSON bool) error {
	if !asJSON {
		e.printWrite(res)
		return nil
	}
	if res == nil {
		return nil
	}
	return printJSON(e.Out, jsonout.Write(res))
}

// printWrite reports a write in 0.2.4's words: the tags created or
// deleted, and how they were (or can be) published. The tags of one
// command are pushed in one `git push` (atomically), so its command line
// is printed once, shell-quoted.
func (e *Env) printWrite(res *registry.WriteResult) {
	if res == nil {
		return
	}
	for _, c := range res.Created {
		fmt.Fprintln(e.Out, describeCreated(c))
	}
	for _, d := range res.Deleted {
		fmt.Fprintf(e.Out, "Deleted git tag '%s'\n", d)
	}
	for _, n := range res.Renumbered {
		from, _ := tagname.Parse(n.From)
		fmt.Fprintf(e.Out, "%sAnother clone took counter #%d of artifact '%s' on %s first: renumbered '%s' to '%s'\n",
			e.emoji("🔁"), from.Counter, from.Artifact, res.Remote, n.From, n.To)
	}
	if len(res.Created)+len(res.Deleted) == 0 {
		return
	}
	switch {
	case res.Pushed && res.Remote == "origin":
		fmt.Fprintf(e.Out, "Running `%s`\n", registry.PushCommand(res.Remote, res))
		for _, c := range res.Created {
			fmt.Fprintf(e.Out, "Successfully pushed git tag %s on remote.\n", c.Name)
		}
		for _, d := range res.Deleted {
			fmt.Fprintf(e.Out, "Successfully deleted git tag %s on remote.\n", d)
		}
	case res.Pushed: // a remote registry: its mirror pushed to the URL
		var names []string
		for _, c := range res.Created {
			names = append(names, c.Name)
		}
		names = append(names, res.Deleted...)
		fmt.Fprintf(e.Out, "Pushed to %s: %s\n", res.Remote, strings.Join(names, ", "))
	case res.Remote != "":
		fmt.Fprintf(e.Out, "To push the changes upstream, run:\n    %s\n", registry.PushCommand(res.Remote, res))
	}
}
