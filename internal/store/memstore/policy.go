package memstore

import (
	"context"
	"fmt"
	"time"

	"github.com/gto-dev/gto/internal/store"
)

// The methods the registry's policy needs.

// SignedTagBy is SignedTag with a good signature made by signer (an ssh
// principal, a GPG e-mail: what TagSignatures reports), as the tagger
// email.
func (r *Repo) SignedTagBy(name, target, message, email, signer string) string {
	return r.tagWith(name, target, message, true, func(t *tagObject) { t.taggerEmail, t.signer = email, signer })
}

// TagBy is Tag with another tagger e-mail.
func (r *Repo) TagBy(name, target, message, email string) string {
	return r.tagWith(name, target, message, false, func(t *tagObject) { t.taggerEmail = email })
}

// tagWith creates the tag name as Tag does, set changing its object.
func (r *Repo) tagWith(name, target, message string, signed bool, set func(*tagObject)) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.newTagObject(name, target, message, r.tick(), signed)
	set(t)
	r.tags[name] = t.id
	return t.id
}

// DefaultBranch is the branch HEAD is on, else main or master when it
// exists. (The fake keeps no remote-tracking refs.)
func (rd *reader) DefaultBranch(ctx context.Context) (string, error) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.head != "" {
		return "refs/heads/" + r.head, ctx.Err()
	}
	for _, b := range []string{"main", "master"} {
		if r.branches[b] != "" {
			return "refs/heads/" + b, ctx.Err()
		}
	}
	return "", ctx.Err()
}

func (rd *reader) ReadTagObjects(ctx context.Context, refs []store.Ref) ([]store.Tag, error) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]store.Tag, len(refs))
	for i, ref := range refs {
		out[i] = r.readTag(ref.Name, ref.Object)
	}
	return out, ctx.Err()
}

// TagSignatures: a signed tag object verifies unless it was made bad
// (SignedTag); its signer is the one SignedTagBy gave, else the fake
// identity's e-mail.
func (rd *reader) TagSignatures(ctx context.Context, tags []string) (map[string]store.Signature, error) {
	out := make(map[string]store.Signature, len(tags))
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, tag := range tags {
		t := r.tagObjs[tag]
		if t == nil {
			t = r.tagObjs[r.tags[tag]]
		}
		if t == nil {
			return nil, fmt.Errorf("tag %q was not found in the repository: %w", tag, store.ErrRefNotFound)
		}
		out[tag] = signatureOf(t)
	}
	return out, ctx.Err()
}

// signatureOf is what verifying the signature of t (nil: no tag object)
// finds.
func signatureOf(t *tagObject) store.Signature {
	switch {
	case t == nil || !t.signed:
		return store.Signature{Reason: "no signature found"}
	case t.badSig:
		return store.Signature{Signed: true, Reason: "bad signature"}
	}
	signer := t.signer
	if signer == "" {
		signer = Email
	}
	return store.Signature{Signed: true, Verified: true, Signers: []string{signer}}
}

// MakeTags makes the tag objects (the hook is called for each, as
// OpCreateTag) without refs.
func (w *writer) MakeTags(ctx context.Context, create []store.TagRequest) ([]string, error) {
	for _, req := range create {
		if err := w.s.before(ctx, OpCreateTag, req.Name); err != nil {
			return nil, err
		}
	}
	r := w.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make([]string, len(create))
	for i, req := range create {
		target, err := r.resolve(req.Target)
		if err != nil {
			return nil, err
		}
		when := time.Time{}
		if req.Date != "" {
			if when, err = parseDate(req.Date); err != nil {
				return nil, err
			}
		} else {
			when = r.tick()
		}
		ids[i] = r.newTagObject(req.Name, target, req.Message, when, req.Sign != nil && *req.Sign).id
	}
	return ids, nil
}
