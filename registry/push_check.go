package registry

import (
	"context"
	"strings"

	"github.com/gto-dev/gto/internal/objectid"
	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/policy"
	"github.com/gto-dev/gto/tagname"
)

// RefUpdate is one ref a push changes, as git hands it to a pre-receive
// hook ("<old> <new> <ref>") or to an update hook ("<ref> <old> <new>"):
// the full ref name, the object it names now and the object the push sets
// it to, full hexadecimal ids, all zeros for none.
type RefUpdate struct {
	Ref, Old, New string
}

// CheckPush judges a push as a git server's hook sees it, before the push
// lands: updates are the refs it changes, and the objects it brings are
// readable (git's quarantine, through the environment a hook inherits).
// Every GTO tag the push creates or moves is judged against the policy at
// the tip of the default branch as it is before the push (a policy pushed
// with the tags counts once it has landed), together with the artifact's
// tags as they will be, the push's own included: staging and prod pushed
// at once are judged in their order. Deletions and other refs are not
// judged. It returns every violation, none when the push may land; the
// caller refuses the push when there is one (a pre-receive hook then
// refuses all of it, an update hook the one ref).
func (r *Registry) CheckPush(ctx context.Context, updates []RefUpdate) ([]*model.PolicyError, error) {
	changed := map[string]string{} // tag name -> its new object, "" when deleted
	pushed := map[string][]store.Ref{}
	var artifacts []string
	for _, u := range updates {
		name, ok := strings.CutPrefix(u.Ref, "refs/tags/")
		if !ok {
			continue
		}
		if strings.Trim(u.New, "0") == "" {
			changed[name] = ""
			continue
		}
		if !objectid.Is(u.New) {
			return nil, model.Invalidf(model.FieldRef, "the push sets %q to %q, which is not an object id", u.Ref, u.New)
		}
		changed[name] = u.New
		if parsed, ok := tagname.Parse(name); ok {
			if pushed[parsed.Artifact] == nil {
				artifacts = append(artifacts, parsed.Artifact)
			}
			pushed[parsed.Artifact] = append(pushed[parsed.Artifact], store.Ref{Name: name, Object: u.New})
		}
	}
	if len(artifacts) == 0 {
		return nil, nil // no GTO tag: nothing the policy governs
	}
	var out []*model.PolicyError
	err := r.view(ctx, func(s *session) error {
		out = nil
		pol, err := r.readPolicy(ctx, s, false)
		if err != nil || pol == nil {
			return err
		}
		for _, artifact := range artifacts {
			v, err := r.checkPushed(ctx, s, pol, artifact, pushed[artifact], changed)
			if err != nil {
				return err
			}
			out = append(out, v...)
		}
		return nil
	})
	return out, err
}

// checkPushed judges the tags of artifact that a push brings (refs) in
// the state the artifact's tags will have after it (changed: every tag
// the push changes).
func (r *Registry) checkPushed(ctx context.Context, s *session, pol *policy.Policy, artifact string, refs []store.Ref, changed map[string]string) ([]*model.PolicyError, error) {
	existing, err := readTags(ctx, s.rd, artifact, nil)
	if err != nil {
		return nil, err
	}
	tags := existing[:0]
	for _, t := range existing {
		if _, ok := changed[t.Name]; !ok {
			tags = append(tags, t)
		}
	}
	made, err := s.rd.ReadTagObjects(ctx, refs)
	if err != nil {
		return nil, err
	}
	for i := range made {
		tags = append(tags, tagInput(&made[i]))
	}
	a := model.Build(model.BuildInput{Tags: tags}).Artifact(artifact)
	var out []*model.PolicyError
	for _, ref := range refs {
		e := eventOf(a, ref.Name)
		if e == nil || e.Kind != model.KindAssignment {
			continue // not an event (a lightweight tag), or one the policy does not govern
		}
		rule := pol.Rule(artifact, e.Stage)
		if rule.Empty() {
			continue
		}
		var sig *policy.Signature
		if rule.Signed {
			// By object id: the ref does not exist until the push lands.
			sigs, err := s.rd.TagSignatures(ctx, []string{ref.Object})
			if err != nil {
				return nil, err
			}
			sig = policySignature(sigs[ref.Object])
		}
		out = append(out, pol.CheckEvent(a, e, sig)...)
	}
	return out, nil
}
