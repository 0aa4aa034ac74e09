package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gto-dev/gto/jsonout"
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
	if isHexsha(v) {
		return v[:7]
	}
	return v
}

func isHexsha(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
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

// describeCreated says what a created tag does, for the user.
func describeCreated(c registry.CreatedTag) string {
	switch c.Tag.Action {
	case tagname.ActionRegister:
		return fmt.Sprintf("Created git tag '%s' that registers version '%s'", c.Name, c.Version)
	case tagname.ActionDeregister:
		return fmt.Sprintf("Created git tag '%s' that deregisters version '%s'", c.Name, c.Version)
	case tagname.ActionAssign:
		return fmt.Sprintf("Created git tag '%s' that assigns stage '%s' to version '%s'", c.Name, c.Tag.Stage, c.Version)
	case tagname.ActionUnassign:
		return fmt.Sprintf("Created git tag '%s' that unassigns stage '%s' from version '%s'", c.Name, c.Tag.Stage, c.Version)
	case tagname.ActionDeprecate:
		return fmt.Sprintf("Created git tag '%s' that deprecates artifact '%s'", c.Name, c.Tag.Artifact)
	}
	return fmt.Sprintf("Created git tag '%s'", c.Name)
}

// printWrite reports a write: the tags created or deleted, and how they
// were (or can be) published.
func (e *Env) printWrite(res *registry.WriteResult) {
	if res == nil {
		return
	}
	for _, c := range res.Created {
		fmt.Fprintf(e.Out, "%s%s\n", e.emoji("✅"), describeCreated(c))
	}
	for _, d := range res.Deleted {
		fmt.Fprintf(e.Out, "%sDeleted git tag '%s'\n", e.emoji("🗑️"), d)
	}
	for _, n := range res.Renumbered {
		from, _ := tagname.Parse(n.From)
		fmt.Fprintf(e.Out, "%sAnother clone took counter #%d of artifact '%s' on %s first: renumbered '%s' to '%s'\n",
			e.emoji("🔁"), from.Counter, from.Artifact, res.Remote, n.From, n.To)
	}
	if len(res.Created)+len(res.Deleted) == 0 {
		return
	}
	if res.Pushed {
		var names []string
		for _, c := range res.Created {
			names = append(names, c.Name)
		}
		names = append(names, res.Deleted...)
		fmt.Fprintf(e.Out, "Pushed to %s: %s\n", res.Remote, strings.Join(names, ", "))
		return
	}
	if res.Remote != "" {
		fmt.Fprintf(e.Out, "To push the changes upstream, run:\n    %s\n", registry.PushCommand(res.Remote, res))
	}
}
