package registry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/tagname"
)

// pushAttempts bounds how often publish renumbers and pushes again when
// other clones keep taking the counters it chose.
const pushAttempts = 10

// CounterRef is the ref of origin that holds the last counted event of an
// artifact (it points at that event's tag object). gto updates it by
// compare-and-swap in the same atomic push as the tag, so that two clones
// can never both push a counter computed from the same listing: counters
// are linearizable on every remote that takes atomic pushes.
func CounterRef(artifact string) string {
	return "refs/gto/counters/" + tagname.TagPrefix(artifact)
}

// publish pushes created (and deleted) tags when asked to, or always for a
// registry opened from a URL. A refused push keeps the local tags and says
// how to retry (SPEC §5).
//
// Counters are per artifact, not per tag name. Before tags with a counter
// are pushed, origin's tags and counter refs are listed: a counter origin
// already has (under any name) is not reused, and the push swaps the
// artifact's counter ref (CounterRef) from the value listed to the new tag.
// When another writer changed any of these refs in between (its tag, the
// counter ref: a lost race, whatever git calls the refusal), the tags are
// renumbered — written again with the next counter free locally and on
// origin, the old local tags deleted in the same write, origin's tags of
// the artifact fetched — and pushed again, at most pushAttempts times,
// with a growing, jittered pause. A tag without counter cannot be
// renumbered (its name says what it means): when origin has the same tag
// object it is already there; otherwise the local tags stay, as in 0.2.4,
// and the error says they contradict origin's and how to take origin's
// instead (see abandon). Clients that do not know counter refs (gto 0.2.4,
// plain git) are caught after the push: a tag of theirs with one of our
// counters makes gto renumber its own (see renumberAfterPush).
func (r *Registry) publish(ctx context.Context, w store.Writer, res *WriteResult, push bool) error {
	res.Remote = "origin"
	if !push && !r.IsRemote() {
		return nil
	}
	if len(res.Created)+len(res.Deleted) == 0 {
		return nil
	}
	var lastErr error
	for attempt := 1; attempt <= pushAttempts; attempt++ {
		if attempt > 1 {
			if err := pause(ctx, attempt); err != nil {
				return r.pushError(w, err, res)
			}
		}
		var remote *store.RemoteRefs
		var req store.PushRequest
		if hasCounter(res.Created) || attempt > 1 {
			var err error
			if remote, err = w.RemoteRefs(ctx); err != nil {
				w.Resync(ctx)
				return r.pushError(w, err, res)
			}
			done, err := r.reconcile(ctx, w, res, remote)
			if err != nil || done {
				return err
			}
		}
		req, err := pushRequest(ctx, w, res, remote)
		if err != nil {
			return err
		}
		err = w.Push(ctx, req)
		if err == nil {
			return r.pushed(ctx, w, res)
		}
		if !lostRace(err) {
			w.Resync(ctx)
			return r.pushError(w, err, res)
		}
		lastErr = err
	}
	w.Resync(ctx)
	if r.IsRemote() {
		return &model.PushError{Detail: model.Detail{Err: lastErr, Msg: fmt.Sprintf("%s kept taking the counters gto chose (%d attempts), nothing was published", w.Remote(), pushAttempts), Hint: "run the command again"}}
	}
	return &model.PushError{Detail: model.Detail{Err: lastErr, Msg: fmt.Sprintf("origin kept taking the counters gto chose (%d attempts); the local repository keeps the renumbered change", pushAttempts),
		Hint: fmt.Sprintf("run `%s` to publish it", PushCommand("origin", res))}}
}

// pushed records a successful push, after checking that no client
// without counter refs took one of its counters at the same moment.
func (r *Registry) pushed(ctx context.Context, w store.Writer, res *WriteResult) error {
	res.Pushed = true
	if r.IsRemote() {
		res.Remote = w.Remote()
	}
	if !hasCounter(res.Created) {
		return nil
	}
	return r.renumberAfterPush(ctx, w, res)
}

// pause waits before the next attempt: 20 ms doubling up to about a
// second, each time between half and one and a half of it, so that clones
// that lost a race to each other do not meet again.
func pause(ctx context.Context, attempt int) error {
	d := min(20*time.Millisecond<<(attempt-2), time.Second)
	d = d/2 + rand.N(d)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// lostRace reports whether err is a push that origin refused only because
// other writers changed the refs meanwhile.
func lostRace(err error) bool {
	var pe *store.PushError
	if !errors.As(err, &pe) || len(pe.Rejected) == 0 {
		return false
	}
	for _, rej := range pe.Rejected {
		if rej.Reason != store.ReasonAtomic && !rej.Reason.Moved() {
			return false
		}
	}
	return true
}

// pushRequest is the push of res: its tags, its deletions, and for each
// artifact whose counted tags it pushes, the swap of the artifact's
// counter ref from what remote listed to the greatest counted tag.
func pushRequest(ctx context.Context, w store.Writer, res *WriteResult, remote *store.RemoteRefs) (store.PushRequest, error) {
	req := store.PushRequest{Delete: res.Deleted}
	top := map[string]CreatedTag{} // per artifact, its greatest counted tag
	for _, c := range res.Created {
		req.Create = append(req.Create, c.Name)
		if c.Tag.Counter > 0 && c.Tag.Counter > top[c.Tag.Artifact].Tag.Counter {
			top[c.Tag.Artifact] = c
		}
	}
	if len(top) == 0 || remote == nil {
		return req, nil
	}
	objects, err := localObjects(ctx, w, req.Create)
	if err != nil {
		return req, err
	}
	for artifact, c := range top {
		ref := CounterRef(artifact)
		req.Set = append(req.Set, store.RefUpdate{Ref: ref, Object: objects[c.Name], Expect: remote.Gto[ref]})
	}
	return req, nil
}

// localObjects returns the objects of the named local tags.
func localObjects(ctx context.Context, w store.Writer, names []string) (map[string]string, error) {
	refs, err := w.Refs(ctx, names...)
	if err != nil {
		return nil, err
	}
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	out := make(map[string]string, len(names))
	for _, ref := range refs { // Refs takes prefixes: m#prod#1 also lists m#prod#10
		if want[ref.Name] {
			out[ref.Name] = ref.Object
		}
	}
	return out, nil
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
// lost race.
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
