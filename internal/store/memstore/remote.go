package memstore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/gto-dev/gto/internal/store"
)

// The remote: pushes and fetches copy refs and objects between the Repo
// and Options.Origin, as git does between two repositories.

func (w *writer) Remote() string {
	if w.s.opts.Remote != "" {
		return w.s.opts.Remote
	}
	return "origin"
}

// withOrigin runs the hook of op, then fn with the repository and its
// origin, both locked (the repository first, always, so that two stores
// never wait for each other). Without an origin it fails as git does.
func (w *writer) withOrigin(ctx context.Context, op Op, what string, fn func(r, o *Repo) error) error {
	if err := w.s.before(ctx, op, what); err != nil {
		return err
	}
	o := w.s.opts.Origin
	if o == nil {
		return errors.New("'origin' does not appear to be a git repository")
	}
	r := w.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	o.mu.Lock()
	defer o.mu.Unlock()
	return fn(r, o)
}

func (w *writer) RemoteRefs(ctx context.Context) (*store.RemoteRefs, error) {
	out := &store.RemoteRefs{Gto: map[string]string{}}
	err := w.withOrigin(ctx, OpRemoteTags, "", func(_, o *Repo) error {
		for _, name := range slices.Sorted(maps.Keys(o.tags)) {
			out.Tags = append(out.Tags, store.Ref{Name: name, Object: o.tags[name]})
		}
		maps.Copy(out.Gto, o.gto)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// pushRef is one ref of a push: a tag to create or delete, or (set) a ref
// under refs/gto/ to compare and swap.
type pushRef struct {
	name   string
	create bool
	set    *store.RefUpdate
}

func (p pushRef) ref() string {
	if p.set != nil {
		return p.set.Ref
	}
	return "refs/tags/" + p.name
}

// refuse says why origin does not take ref from r, "" when it does: a
// different tag of that name, a deletion of a tag it lacks, a
// compare-and-swap that finds another value.
func refuse(r, o *Repo, ref pushRef) store.Reason {
	if ref.set != nil {
		if o.gto[ref.set.Ref] != ref.set.Expect {
			return store.ReasonStale
		}
		return ""
	}
	theirs, exists := o.tags[ref.name]
	switch {
	case ref.create && exists && theirs != r.tags[ref.name]:
		return store.ReasonExists
	case !ref.create && !exists:
		return "remote ref does not exist"
	}
	return ""
}

// apply makes origin's ref what the push says.
func apply(r, o *Repo, ref pushRef) {
	switch {
	case ref.set != nil:
		o.copyObjects(r, ref.set.Object)
		o.gto[ref.set.Ref] = ref.set.Object
	case ref.create:
		o.copyObjects(r, r.tags[ref.name])
		o.tags[ref.name] = r.tags[ref.name]
	default:
		delete(o.tags, ref.name)
	}
}

// Push updates origin's refs: all or none when there are several and
// origin takes atomic pushes, else each that it takes.
func (w *writer) Push(ctx context.Context, req store.PushRequest) error {
	var refs []pushRef
	for _, n := range req.Create {
		refs = append(refs, pushRef{name: n, create: true})
	}
	for _, n := range req.Delete {
		refs = append(refs, pushRef{name: n})
	}
	for i := range req.Set {
		refs = append(refs, pushRef{set: &req.Set[i]})
	}
	return w.withOrigin(ctx, OpPush, fmt.Sprintf("%d refs", len(refs)), func(r, o *Repo) error {
		atomic := len(refs) > 1 && !o.NoAtomic
		var rejected []store.RejectedRef
		for _, ref := range refs {
			if reason := refuse(r, o, ref); reason != "" {
				rejected = append(rejected, store.RejectedRef{Ref: ref.ref(), Reason: reason})
			} else if !atomic {
				apply(r, o, ref)
			}
		}
		if len(rejected) == 0 {
			if atomic {
				for _, ref := range refs {
					apply(r, o, ref)
				}
			}
			return nil
		}
		if atomic { // the refs origin would have taken are refused with the others
			refused := map[string]bool{}
			for _, rej := range rejected {
				refused[rej.Ref] = true
			}
			for _, ref := range refs {
				if !refused[ref.ref()] {
					rejected = append(rejected, store.RejectedRef{Ref: ref.ref(), Reason: store.ReasonAtomic})
				}
			}
		}
		return &store.PushError{Remote: "origin", Rejected: rejected, Err: errors.New("failed to push some refs to 'origin'")}
	})
}

func (w *writer) FetchTags(ctx context.Context, names []string) error {
	if len(names) == 0 {
		return nil
	}
	return w.withOrigin(ctx, OpFetchTags, fmt.Sprintf("%d refs", len(names)), func(r, o *Repo) error {
		for _, n := range names {
			theirs, ok := o.tags[n]
			if !ok {
				return fmt.Errorf("couldn't find remote ref refs/tags/%s", n)
			}
			if mine, ok := r.tags[n]; ok && mine != theirs {
				return fmt.Errorf("would clobber existing tag %s", n)
			}
		}
		for _, n := range names {
			r.copyObjects(o, o.tags[n])
			r.tags[n] = o.tags[n]
		}
		return nil
	})
}

// Resync makes the tags of a store that stands for a remote (Options.Remote)
// those of origin.
func (w *writer) Resync(ctx context.Context) {
	if w.s.opts.Remote == "" {
		return
	}
	_ = w.withOrigin(context.WithoutCancel(ctx), OpResync, "", func(r, o *Repo) error {
		r.tags = map[string]string{}
		for n, id := range o.tags {
			r.copyObjects(o, id)
			r.tags[n] = id
		}
		return nil
	})
}

func (w *writer) PushBranch(ctx context.Context) error {
	return w.withOrigin(ctx, OpPushBranch, "", func(r, o *Repo) error {
		if r.head == "" {
			return errors.New("you are not currently on a branch")
		}
		o.copyObjects(r, r.branches[r.head])
		o.branches[r.head] = r.branches[r.head]
		return nil
	})
}
