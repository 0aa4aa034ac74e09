package registry

import (
	"context"
	"fmt"
	"strings"

	"github.com/gto-dev/gto/internal/shell"
	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/tagname"
)

// reconcile compares the tags of res with origin's (remote) before a push:
// a tag with a counter origin already uses, under another name or with
// another object under the same name, is renumbered (see renumber); a tag
// without counter that origin has with another object cannot be, and the
// write is abandoned (see abandon). A tag origin has with the same object
// is already there, which is fine.
func (r *Registry) reconcile(ctx context.Context, w store.Writer, res *WriteResult, remote *store.RemoteRefs) (done bool, err error) {
	names := make([]string, len(res.Created))
	for i, c := range res.Created {
		names[i] = c.Name
	}
	ours, err := localObjects(ctx, w, names)
	if err != nil {
		return false, err
	}
	theirs := make(map[string]string, len(remote.Tags))
	counters := map[string]map[int][]string{} // artifact -> counter -> origin's names
	for _, rt := range remote.Tags {
		theirs[rt.Name] = rt.Object
		if p, ok := tagname.Parse(rt.Name); ok && p.Counter > 0 {
			if counters[p.Artifact] == nil {
				counters[p.Artifact] = map[int][]string{}
			}
			counters[p.Artifact][p.Counter] = append(counters[p.Artifact][p.Counter], rt.Name)
		}
	}
	var fixed, taken []int
	accepted := map[string]bool{}
	for i, c := range res.Created {
		obj, exists := theirs[c.Name]
		switch {
		case exists && obj == ours[c.Name]:
			accepted[c.Name] = true // already on origin
		case c.Tag.Counter == 0 && exists:
			fixed = append(fixed, i)
		case c.Tag.Counter > 0 && (exists || len(counters[c.Tag.Artifact][c.Tag.Counter]) > 0):
			taken = append(taken, i)
		}
	}
	if len(fixed) > 0 {
		return true, r.abandon(ctx, w, res, fixed, accepted)
	}
	if len(taken) > 0 {
		if err := r.renumber(ctx, w, res, taken, remote.Tags); err != nil {
			return false, err
		}
	}
	return false, nil
}

// renumber writes the tags taken (indexes into res.Created) again with the
// next counter free both locally and on origin (remoteTags), each with its
// old name deleted in the same write, and fetches origin's tags of the
// artifacts, so that the local repository has the events that took the
// counters.
func (r *Registry) renumber(ctx context.Context, w store.Writer, res *WriteResult, taken []int, remoteTags []store.Ref) error {
	artifacts := map[string]bool{}
	var oldNames []string
	for _, i := range taken {
		oldNames = append(oldNames, res.Created[i].Name)
	}
	// Our old tags as origin may have them (pushed before a client without
	// counter refs was seen): not fetched back.
	ours, err := localObjects(ctx, w, oldNames)
	if err != nil {
		return err
	}
	skip := map[string]bool{}
	for _, rt := range remoteTags {
		if ours[rt.Name] == rt.Object {
			skip[rt.Name] = true
		}
	}
	for _, i := range taken {
		old := res.Created[i]
		artifacts[old.Tag.Artifact] = true
		tw := r.newTagWriter(w, nil)
		for _, rt := range remoteTags {
			if p, ok := tagname.Parse(rt.Name); ok && p.Artifact == old.Tag.Artifact {
				tw.remote = append(tw.remote, model.TagInput{Name: rt.Name, Parsed: p})
			}
		}
		if err := tw.refresh(ctx, old.Tag.Artifact); err != nil {
			return err
		}
		plan := *old.plan
		plan.counter = model.CounterAlways
		plan.tag.Counter = 0
		// The event under its new name and the old name gone, at once.
		created, err := tw.writeAll(ctx, []*tagPlan{&plan}, old.Name)
		if err != nil {
			return err
		}
		res.Created[i] = created[0]
		res.Renumbered = append(res.Renumbered, Renumbering{From: old.Name, To: created[0].Name})
	}
	fetchMissing(ctx, w, remoteTags, artifacts, skip)
	return nil
}

// renumberAfterPush catches clients that do not know counter refs (gto
// 0.2.4, plain git): when one of them pushed a tag with one of the counters
// res just pushed, at the same moment, res's tag is renumbered on origin
// too — the event again under the next free counter, its first name
// deleted, in one atomic push — so that no two tags of an artifact share a
// counter. Tags pushed by gto never meet here: their counter refs already
// ordered them.
func (r *Registry) renumberAfterPush(ctx context.Context, w store.Writer, res *WriteResult) error {
	for range pushAttempts {
		remote, err := w.RemoteRefs(ctx)
		if err != nil {
			return nil // the push is done; doctor reports a shared counter, if any
		}
		taken := sharedCounters(res, remote)
		if len(taken) == 0 {
			return nil
		}
		before := len(res.Renumbered)
		if err := r.renumber(ctx, w, res, taken, remote.Tags); err != nil {
			return err
		}
		req, err := pushRequest(ctx, w, res, remote)
		if err != nil {
			return err
		}
		for _, n := range res.Renumbered[before:] {
			req.Delete = append(req.Delete, n.From)
		}
		if err := w.Push(ctx, req); err != nil && !lostRace(err) {
			return r.pushError(w, err, res)
		}
	}
	return nil
}

// sharedCounters returns the indexes in res.Created of the tags whose
// counter another tag of origin (remote) has too.
func sharedCounters(res *WriteResult, remote *store.RemoteRefs) []int {
	var taken []int
	for i, c := range res.Created {
		if c.Tag.Counter == 0 {
			continue
		}
		for _, rt := range remote.Tags {
			if p, ok := tagname.Parse(rt.Name); ok && rt.Name != c.Name && p.Artifact == c.Tag.Artifact && p.Counter == c.Tag.Counter {
				taken = append(taken, i)
				break
			}
		}
	}
	return taken
}

// abandon handles a tag without counter that the remote refused because it
// has a different tag of that name (the name says what the tag means, so it
// cannot take another). A local repository keeps the command's tags, as
// 0.2.4 does (SPEC §5: the local tag is kept), and the error says that they
// contradict origin and how to take origin's instead; a remote registry's
// mirror is left as the remote is.
func (r *Registry) abandon(ctx context.Context, w store.Writer, res *WriteResult, fixed []int, accepted map[string]bool) error {
	first := res.Created[fixed[0]]
	var published, kept []string
	for _, c := range res.Created {
		if accepted[c.Name] {
			published = append(published, fmt.Sprintf("%q", c.Name))
		} else {
			kept = append(kept, c.Name)
		}
	}
	what := "nothing was pushed"
	if len(published) > 0 {
		what = strings.Join(published, ", ") + " reached origin"
	}
	fetch := []string{"git", "fetch", "origin"}
	for _, i := range fixed {
		fetch = append(fetch, "tag", res.Created[i].Name)
	}
	res.Created = nil // the error says what became of each tag
	cause := fmt.Sprintf("%q (%s)", first.Name, conflictCause(first))
	code, next, done := conflictNext(first)
	if r.IsRemote() {
		w.Resync(ctx)
		return &model.ConflictError{Detail: model.Detail{Code: code, Sep: "; ", Hint: next, Artifact: first.Tag.Artifact,
			Msg: fmt.Sprintf("%s already has a different tag %s: %s", w.Remote(), cause, what)}}
	}
	take := shell.Quote(append([]string{"git", "tag", "-d"}, kept...)...) + " && " + shell.Quote(fetch...)
	sep := ", then "
	if done {
		sep = ": "
	}
	return &model.ConflictError{Detail: model.Detail{Code: code, Sep: sep, Hint: next, Artifact: first.Tag.Artifact,
		Msg: fmt.Sprintf("origin already has a different tag %s: %s, and the local %s kept, contradicting origin; to take origin's, run `%s`",
			cause, what, tagsAre(kept), take)}}
}

// conflictCause says what another clone did to take the name of c.
func conflictCause(c CreatedTag) string {
	switch c.Tag.Action {
	case tagname.ActionRegister:
		return fmt.Sprintf("another clone registered version %s first", c.Tag.Version)
	case tagname.ActionDeregister:
		return fmt.Sprintf("another clone deregistered version %s first", c.Tag.Version)
	case tagname.ActionDeprecate:
		return "another clone deprecated the artifact first"
	}
	return "another clone wrote it first"
}

// conflictNext says what to do after a conflict on c, once the registry
// has origin's tags, and the code of the case; done reports that origin
// already holds what the command wanted (nothing more to do).
func conflictNext(c CreatedTag) (code, next string, done bool) {
	switch c.Tag.Action {
	case tagname.ActionRegister:
		return model.CodePushConflictRegister, fmt.Sprintf("register again without a version: gto takes the next free version of %q", c.Tag.Artifact), false
	case tagname.ActionDeregister:
		return "", "the version is deregistered on origin, nothing more to do", true
	case tagname.ActionDeprecate:
		return "", "the artifact is deprecated on origin, nothing more to do", true
	case tagname.ActionAssign:
		return model.CodePushConflictAssign, "assign again with a counter, so that the tag gets the next free one", false
	case tagname.ActionUnassign:
		return model.CodePushConflictUnassign, "unassign again with a counter, so that the tag gets the next free one", false
	}
	return "", "run the command again", false
}

// fetchMissing fetches the remote's tags of the artifacts that the local
// repository does not have (after a conflict: the tags another clone
// pushed), except those of skip. It is best effort: the registry stays
// consistent without them, only less complete.
func fetchMissing(ctx context.Context, w store.Writer, remoteTags []store.Ref, artifacts, skip map[string]bool) {
	var prefixes []string
	for a := range artifacts {
		prefixes = append(prefixes, tagPrefixes(a)...)
	}
	local, err := w.Refs(ctx, prefixes...)
	if err != nil {
		return
	}
	have := make(map[string]bool, len(local))
	for _, t := range local {
		have[t.Name] = true
	}
	var missing []string
	for _, rt := range remoteTags {
		if p, ok := tagname.Parse(rt.Name); ok && artifacts[p.Artifact] && !have[rt.Name] && !skip[rt.Name] {
			missing = append(missing, rt.Name)
		}
	}
	_ = w.FetchTags(ctx, missing)
}
