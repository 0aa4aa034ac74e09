package jsonout

import (
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/registry"
)

// Write is the document of a write command's --json, and of the API's
// answer to a write: the tags created (each with the event it records),
// deleted and renumbered, whether they were pushed and to which remote,
// and, when they were not, the command that publishes them.
//
//	{"created": [{"tag", "event", "artifact", "version", "stage"}], "deleted": [...],
//	 "renumbered": [{"from", "to"}], "pushed": false, "remote": "origin",
//	 "push_command": "git push origin m@v0.0.1"}
func Write(res *registry.WriteResult) *Object {
	created := []*Object{}
	for _, c := range res.Created {
		o := &Object{}
		o.Set("tag", c.Name)
		o.Set("event", model.KindOf(c.Tag.Action).String())
		o.Set("artifact", c.Tag.Artifact)
		o.Set("version", c.Version)
		if c.Tag.Stage != "" {
			o.Set("stage", c.Tag.Stage)
		}
		created = append(created, o)
	}
	renumbered := []*Object{}
	for _, n := range res.Renumbered {
		o := &Object{}
		o.Set("from", n.From)
		o.Set("to", n.To)
		renumbered = append(renumbered, o)
	}
	deleted := append([]string{}, res.Deleted...)
	doc := &Object{}
	doc.Set("created", created)
	doc.Set("deleted", deleted)
	doc.Set("renumbered", renumbered)
	doc.Set("pushed", res.Pushed)
	doc.Set("remote", res.Remote)
	var push *string
	if !res.Pushed && len(res.Created)+len(res.Deleted) > 0 {
		cmd := registry.PushCommand(res.Remote, res)
		push = &cmd
	}
	doc.Set("push_command", push)
	return doc
}

// Annotated is the document of `gto annotate --json` and `gto remove
// --json`: the file written, the artifact and its annotation now (null
// after remove), the commit made (null when not committing) and whether it
// was pushed.
func Annotated(name string, res *registry.AnnotateResult) *Object {
	doc := &Object{}
	doc.Set("artifact", name)
	doc.Set("file", res.File)
	var ann *Object
	if res.Artifact != nil {
		ann = Annotation(res.Artifact)
	}
	doc.Set("annotation", ann)
	doc.Set("commit", strOrNil(res.Commit))
	doc.Set("pushed", res.Pushed)
	return doc
}
