package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gto-dev/gto/internal/shell"
	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/tagname"
)

// pushAttempts bounds how often publish renumbers and pushes again when
// other clones keep taking the counters it chose.
const pushAttempts = 5

// publish pushes created (and deleted) tags when asked to, or always for a
// registry opened from a URL. A refused push keeps the local tags and says
// how to retry (SPEC §5).
//
// Counters are per artifact, not per tag name, so before tags with a
// counter are pushed, the remote's tags are listed: a counter another
// clone pushed meanwhile (under any name) is not reused. Such a tag, or a
// tag whose very name the remote has (another clone pushed between the
// listing and the push), is renumbered: written again with the next counter
// free both locally and on the remote, its old local tag deleted, the
// remote's tags of the artifact fetched, and pushed again, at most
// pushAttempts times. A tag without counter cannot be renumbered (its name
// says what it means): the local tags stay, as in 0.2.4, and the error says
// they contradict the remote's and how to take the remote's instead (see
// abandon).
func (r *Registry) publish(ctx context.Context, w store.Writer, res *WriteResult, push bool) error {
	res.Remote = "origin"
	remoteRegistry := r.IsRemote()
	if !push && !remoteRegistry {
		return nil
	}
	if len(res.Created)+len(res.Deleted) == 0 {
		return nil
	}
	if hasCounter(res.Created) {
		remoteTags, err := w.RemoteTags(ctx)
		if err != nil {
			w.Resync(ctx)
			return r.pushError(w, err, res)
		}
		if err := r.resolveConflicts(ctx, w, res, nil, nil, remoteTags); err != nil {
			return err
		}
	}
	for attempt := 1; ; attempt++ {
		err := w.Push(ctx, pushRequest(res))
		if err == nil {
			res.Pushed = true
			if remoteRegistry {
				res.Remote = w.Remote()
			}
			return nil
		}
		rejected, accepted := tagConflicts(err, res)
		if len(rejected) == 0 {
			w.Resync(ctx)
			return r.pushError(w, err, res)
		}
		remoteTags, lerr := w.RemoteTags(ctx)
		if lerr != nil {
			return r.pushError(w, fmt.Errorf("%w; listing origin's tags failed too: %v", err, lerr), res)
		}
		if err := r.resolveConflicts(ctx, w, res, rejected, accepted, remoteTags); err != nil {
			return err
		}
		if attempt == pushAttempts {
			w.Resync(ctx)
			if remoteRegistry {
				return &model.PushError{Detail: model.Detail{Err: err, Msg: fmt.Sprintf("%s kept taking the counters gto chose (%d attempts), nothing was published", w.Remote(), pushAttempts), Hint: "run the command again"}}
			}
			return &model.PushError{Detail: model.Detail{Err: err, Msg: fmt.Sprintf("origin kept taking the counters gto chose (%d attempts); the local repository keeps the renumbered change", pushAttempts),
				Hint: fmt.Sprintf("run `%s` to publish it", PushCommand("origin", res))}}
		}
	}
}

func pushRequest(res *WriteResult) store.PushRequest {
	req := store.PushRequest{Delete: res.Deleted}
	for _, c := range res.Created {
		req.Create = append(req.Create, c.Name)
	}
	return req
}

func hasCounter(created []CreatedTag) bool {
	for _, c := range created {
		if c.Tag.Counter > 0 {
			return true
		}
	}
	return false
}

// pushError is the error of a push that failed for another reason than a
// tag the remote already has.
func (r *Registry) pushError(w store.Writer, err error, res *WriteResult) error {
	if r.IsRemote() {
		names := make([]string, 0, len(res.Created)+len(res.Deleted))
		for _, c := range res.Created {
			names = append(names, c.Name)
		}
		names = append(names, res.Deleted...)
		return &model.PushError{Detail: model.Detail{Err: err, Msg: fmt.Sprintf("pushing %s to %s failed, nothing was published: %v", strings.Join(names, ", "), w.Remote(), err)}}
	}
	return &model.PushError{Detail: model.Detail{Err: err, Msg: fmt.Sprintf("pushing to origin failed (%v); the local repository keeps the change", err),
		Hint: fmt.Sprintf("run `%s` once the remote accepts it", PushCommand("origin", res))}}
}

// tagConflicts returns the indexes in res.Created of the tags the remote
// rejected because it has a different tag of that name, and the names of
// the created tags it accepted (a push that could not be atomic). It
// returns no conflicts when some ref was rejected for another reason:
// renumbering would not help then.
func tagConflicts(err error, res *WriteResult) (conflicts []int, accepted map[string]bool) {
	var pe *store.PushError
	if !errors.As(err, &pe) {
		return nil, nil
	}
	index := map[string]int{}
	for i, c := range res.Created {
		index[c.Name] = i
	}
	rejected := map[string]bool{}
	for _, rej := range pe.Rejected {
		i, ours := index[rej.Tag]
		switch {
		case ours && rej.Reason == store.ReasonExists:
			conflicts = append(conflicts, i)
		case ours && rej.Reason == store.ReasonAtomic:
		default:
			return nil, nil
		}
		rejected[rej.Tag] = true
	}
	accepted = map[string]bool{}
	for _, c := range res.Created {
		if !rejected[c.Name] {
			accepted[c.Name] = true
		}
	}
	return conflicts, accepted
}

// resolveConflicts handles the tags of res.Created that the remote
// rejected because it has a different tag of that name (the indexes
// rejected), and the tags whose counter the remote's tags (remoteTags)
// already use under another name: tags with a counter get the next counter
// free both locally and on the remote, and the remote's tags of the
// artifacts are fetched, so that the local repository has the events that
// took the counters. When a rejected tag has no counter, an error says
// what to do (see abandon).
func (r *Registry) resolveConflicts(ctx context.Context, w store.Writer, res *WriteResult, rejected []int, accepted map[string]bool, remoteTags []store.Ref) error {
	artifacts := map[string]bool{}
	for _, c := range res.Created {
		artifacts[c.Tag.Artifact] = true
	}
	var fixed []int // rejected tags without counter
	conflict := map[int]bool{}
	for _, i := range rejected {
		if res.Created[i].Tag.Counter == 0 {
			fixed = append(fixed, i)
		}
		conflict[i] = true
	}
	if len(fixed) > 0 {
		return r.abandon(ctx, w, res, fixed, accepted)
	}
	// Counters the remote uses, per artifact, and under which names.
	taken := map[string]map[int][]string{}
	for _, rt := range remoteTags {
		if p, ok := tagname.Parse(rt.Name); ok && artifacts[p.Artifact] && p.Counter > 0 {
			if taken[p.Artifact] == nil {
				taken[p.Artifact] = map[int][]string{}
			}
			taken[p.Artifact][p.Counter] = append(taken[p.Artifact][p.Counter], rt.Name)
		}
	}
	for i, c := range res.Created {
		if c.Tag.Counter == 0 || accepted[c.Name] {
			continue
		}
		for _, name := range taken[c.Tag.Artifact][c.Tag.Counter] {
			if name != c.Name {
				conflict[i] = true
			}
		}
	}
	if len(conflict) == 0 {
		return nil
	}
	for i := range res.Created {
		if !conflict[i] {
			continue
		}
		old := res.Created[i]
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
		c := created[0]
		res.Created[i] = c
		res.Renumbered = append(res.Renumbered, Renumbering{From: old.Name, To: c.Name})
	}
	fetchMissing(ctx, w, remoteTags, artifacts)
	return nil
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
// pushed). It is best effort: the registry stays consistent without them,
// only less complete.
func fetchMissing(ctx context.Context, w store.Writer, remoteTags []store.Ref, artifacts map[string]bool) {
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
		if p, ok := tagname.Parse(rt.Name); ok && artifacts[p.Artifact] && !have[rt.Name] {
			missing = append(missing, rt.Name)
		}
	}
	_ = w.FetchTags(ctx, missing)
}
