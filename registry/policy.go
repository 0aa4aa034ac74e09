package registry

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode"

	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/policy"
	"github.com/gto-dev/gto/tagname"
)

// The policy (gto-policy.yaml, see package policy and docs/policy.md):
// which file counts, and the checks of the four places that enforce it —
// Assign before it writes, CheckRefWith with Verify, Doctor, CheckPush.

// Policy returns the policy that counts for the registry: the policy file
// (gto-policy.yaml, or the path GTO_POLICY names) as committed at the tip
// of the default branch (store.Reader.DefaultBranch: origin's HEAD, else
// the branch HEAD is on, else main or master), or at Options.PolicyRef.
// Never the file of the work tree, nor the one in the commit being tagged:
// whoever makes that commit could relax the rules in it.
//
// It is nil when that revision holds no such file, when the default branch
// has no commits, or when no default branch is found (a detached HEAD
// without origin/HEAD, main or master). A malformed file is a
// *model.InvalidError naming the file, the revision and the line; a
// PolicyRef that names no commit one with Code model.CodePolicyRef.
func (r *Registry) Policy(ctx context.Context) (*policy.Policy, error) {
	var p *policy.Policy
	err := r.view(ctx, func(s *session) error {
		var err error
		p, err = r.readPolicy(ctx, s, false)
		return err
	})
	return p, err
}

// policyFileVar reads GTO_POLICY: the policy file's path, relative to the
// root of the repository.
func policyFileVar(v string) (string, error) {
	if v == "" {
		return policy.DefaultFile, nil
	}
	clean := path.Clean(v)
	if strings.ContainsFunc(v, unicode.IsControl) || strings.Contains(v, `\`) || path.IsAbs(clean) ||
		clean == "." || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", &model.InvalidError{Field: "GTO_POLICY", Value: v, Detail: model.Detail{
			Msg: fmt.Sprintf("GTO_POLICY must name a file inside the repository, relative to its root (like %s), got %q", policy.DefaultFile, v)}}
	}
	return clean, nil
}

// readPolicy reads the policy that counts in session s (see Policy). With
// required, finding no default branch is an error (Code
// model.CodeNoDefaultBranch): a verification must not pass for want of a
// policy it could not find.
func (r *Registry) readPolicy(ctx context.Context, s *session, required bool) (*policy.Policy, error) {
	ref := r.opts.PolicyRef
	if ref != "" {
		if strings.ContainsFunc(ref, unicode.IsControl) {
			return nil, policyRefError(ref, nil)
		}
		if _, err := s.rd.ResolveCommit(ctx, ref); err != nil {
			if errors.Is(err, store.ErrRefNotFound) || errors.Is(err, store.ErrNoCommits) {
				return nil, policyRefError(ref, err)
			}
			return nil, err
		}
	} else {
		var err error
		if ref, err = s.rd.DefaultBranch(ctx); err != nil {
			return nil, err
		}
		if ref == "" {
			if required {
				return nil, &model.InvalidError{Field: model.FieldPolicyRef, Detail: model.Detail{Code: model.CodeNoDefaultBranch,
					Msg:  "cannot tell which policy counts: there is no default branch to read it at (HEAD is detached, and there is no origin/HEAD, main or master)",
					Hint: "name the revision of the default branch to read the policy at"}}
			}
			return nil, nil
		}
		// A default branch without commits yet holds no file: FilesAt
		// finds none there.
	}
	name := r.env.policyFile
	files, err := s.rd.FilesAt(ctx, []string{ref}, []string{name})
	if err != nil || files[0].Blobs[0] == "" {
		return nil, err
	}
	id := files[0].Blobs[0]
	blobs, large, err := s.rd.Blobs(ctx, []string{id}, policy.MaxFileSize)
	if err != nil {
		return nil, err
	}
	where := shortRef(ref) + ":" + name
	if size, ok := large[id]; ok {
		return nil, model.WrapInvalid(model.FieldPolicy, policy.CheckSize(where, size))
	}
	p, err := policy.Parse(blobs[id], where, s.cfg.Stages)
	if err != nil {
		return nil, model.WrapInvalid(model.FieldPolicy, err)
	}
	p.File, p.Ref = name, ref
	return p, nil
}

func policyRefError(ref string, cause error) error {
	return &model.InvalidError{Field: model.FieldPolicyRef, Value: ref, Detail: model.Detail{Code: model.CodePolicyRef, Err: cause,
		Msg: fmt.Sprintf("the revision %q to read the policy at names no commit", ref)}}
}

// shortRef is a ref as people name it: main, origin/main.
func shortRef(ref string) string {
	for _, p := range []string{"refs/heads/", "refs/remotes/", "refs/tags/"} {
		if s, ok := strings.CutPrefix(ref, p); ok {
			return s
		}
	}
	return ref
}

// CheckAssign reports whether the policy lets Assign make the assignment
// that opts describes, writing nothing: nil when it does, else the first
// rule broken as a *model.PolicyError (or the error Assign would return
// for opts). The rules on the tag itself (who tags it, who signs it) are
// judged by Assign on the tag object it makes, before any ref exists: a
// tag they refuse is never created.
func (r *Registry) CheckAssign(ctx context.Context, opts AssignOptions) error {
	return r.view(ctx, func(s *session) error {
		snap, plans, err := r.planAssign(ctx, s, opts)
		if err != nil {
			return err
		}
		return r.checkAssignPolicy(ctx, s, snap, plans, opts)
	})
}

// checkAssignPolicy judges the assignment plans make (the last plan; a
// registration before it is not judged) before anything is written, and
// gives the plan a judge of its tag object when the rule is about who
// tags or signs it.
func (r *Registry) checkAssignPolicy(ctx context.Context, s *session, snap *snapshot, plans []*tagPlan, opts AssignOptions) error {
	pol, err := r.readPolicy(ctx, s, false)
	if err != nil || pol == nil {
		return err
	}
	p := plans[len(plans)-1]
	a := snap.state.Artifact(opts.Name)
	sign := opts.Sign != nil && *opts.Sign
	if errs := pol.CheckPlanned(a, opts.Name, p.version, p.commit, opts.Stage, sign); len(errs) > 0 {
		return errs[0]
	}
	rule := pol.Rule(opts.Name, opts.Stage)
	if !rule.Signed && len(rule.Taggers) == 0 {
		return nil
	}
	p.judge = func(ctx context.Context, rd store.Reader, made store.Tag) error {
		e := madeEvent(made, p)
		var sig *policy.Signature
		if rule.Signed {
			sigs, err := rd.TagSignatures(ctx, []string{made.Object})
			if err != nil {
				return err
			}
			sig = policySignature(sigs[made.Object])
		}
		if errs := pol.CheckEvent(a, e, sig); len(errs) > 0 {
			return errs[0]
		}
		return nil
	}
	return nil
}

// madeEvent is the assignment event of a tag object made for plan p.
func madeEvent(made store.Tag, p *tagPlan) *model.Event {
	parsed, _ := tagname.Parse(made.Name)
	return &model.Event{Kind: model.KindAssignment, Artifact: p.tag.Artifact, Version: p.version, Stage: p.tag.Stage,
		Tag: made.Name, Counter: parsed.Counter, Time: made.Time, Author: made.TaggerName, AuthorEmail: made.TaggerEmail,
		Message: made.Message, Commit: made.Commit}
}

func policySignature(s store.Signature) *policy.Signature {
	return &policy.Signature{Signed: s.Signed, Verified: s.Verified, Signers: s.Signers, Reason: s.Reason}
}

// judge makes the tag objects of reqs when a plan has a judge, and has
// each judge look at its plan's object; then reqs name the objects made,
// so that WriteTags creates the refs of exactly what was judged, all in
// one transaction. A refusal leaves only unreferenced objects (git's gc
// removes them): no ref changes.
func (tw *tagWriter) judge(ctx context.Context, plans []*tagPlan, reqs []store.TagRequest) error {
	judged := false
	for _, p := range plans {
		judged = judged || p.judge != nil
	}
	if !judged {
		return nil
	}
	ids, err := tw.w.MakeTags(ctx, reqs)
	if err != nil {
		return err
	}
	refs := make([]store.Ref, len(reqs))
	for i := range reqs {
		refs[i] = store.Ref{Name: reqs[i].Name, Object: ids[i]}
	}
	made, err := tw.w.ReadTagObjects(ctx, refs)
	if err != nil {
		return err
	}
	for i, p := range plans {
		if p.judge != nil {
			if err := p.judge(ctx, tw.w, made[i]); err != nil {
				return err
			}
		}
	}
	for i := range reqs {
		reqs[i].Object = ids[i]
	}
	return nil
}

// CheckTag judges an existing tag as a verification does (CheckRefWith
// with Verify): the rules of the policy, and that a signed tag's
// signature verifies. It returns every violation, none when the tag
// conforms or is no event; a tag that does not exist is a
// *model.NotFoundError. The policy must be found (see Policy): without a
// default branch and Options.PolicyRef it is an *model.InvalidError.
func (r *Registry) CheckTag(ctx context.Context, name string) ([]*model.PolicyError, error) {
	name = strings.TrimPrefix(name, "refs/tags/")
	parsed, ok := tagname.Parse(name)
	if !ok {
		return nil, model.NotFoundf("tag", "%q is not a tag in GTO format", name)
	}
	var out []*model.PolicyError
	err := r.view(ctx, func(s *session) error {
		snap, err := r.load(ctx, s, scope{artifact: parsed.Artifact, commits: commitsNone})
		if err != nil {
			return err
		}
		a := snap.state.Artifact(parsed.Artifact)
		e := eventOf(a, name)
		if e == nil {
			for i := range snap.tags {
				if snap.tags[i].Name == name {
					out = nil
					return nil // not an event (lightweight, NAME@created): nothing to judge
				}
			}
			return model.NotFoundf("tag", "tag %q was not found in the repository", name)
		}
		out, err = r.tagViolations(ctx, s, a, e, signedTag(snap.tags, name))
		return err
	})
	return out, err
}

// eventOf is the event of a (nil: none) that tag created.
func eventOf(a *model.Artifact, tag string) *model.Event {
	return a.EventOf(tag)
}

// signedTag reports whether the tag called name among tags carries a
// signature.
func signedTag(tags []model.TagInput, name string) bool {
	for i := range tags {
		if tags[i].Name == name {
			return tags[i].Signed
		}
	}
	return false
}

// tagViolations is what verifying the event e of a finds: the policy's
// rules (the policy must be found), and a signature that does not verify.
// signed says whether the tag carries a signature: git verifies it then,
// or when a rule asks for one (an unsigned tag in a stage without such a
// rule costs no git process).
func (r *Registry) tagViolations(ctx context.Context, s *session, a *model.Artifact, e *model.Event, signed bool) ([]*model.PolicyError, error) {
	pol, err := r.readPolicy(ctx, s, true)
	if err != nil {
		return nil, err
	}
	var sig store.Signature
	if signed || pol.Rule(e.Artifact, e.Stage).Signed {
		sigs, err := s.rd.TagSignatures(ctx, []string{e.Tag})
		if err != nil {
			return nil, err
		}
		sig = sigs[e.Tag]
	}
	out := pol.CheckEvent(a, e, policySignature(sig))
	signatureRuled := false
	for _, v := range out {
		signatureRuled = signatureRuled || v.Rule == model.RuleSigned || v.Rule == model.RuleSigners
	}
	if sig.Signed && !sig.Verified && !signatureRuled {
		out = append(out, &model.PolicyError{Rule: model.RuleSignature, Artifact: e.Artifact, Version: e.Version, Stage: e.Stage, Tag: e.Tag,
			Detail: model.Detail{Artifact: e.Artifact, Msg: fmt.Sprintf("the signature of tag %q does not verify: %s", e.Tag, sig.Reason)}})
	}
	return out, nil
}

// judgedEvent is an assignment doctor judges, with its artifact.
type judgedEvent struct {
	a *model.Artifact
	e *model.Event
}

// doctorSignatures verifies the signatures the rules of events ask about,
// as cheaply as a whole registry allows: a tag object without signature
// needs no git; the others are verified many per git call (VerifyTags), and
// only the good signatures in stages that name signers are verified again
// one by one, for who made them.
func (r *Registry) doctorSignatures(ctx context.Context, s *session, tags []model.TagInput, events []judgedEvent, rules []policy.Rule) (map[string]*policy.Signature, error) {
	signed := make(map[string]bool, len(tags))
	for i := range tags {
		signed[tags[i].Name] = tags[i].Signed
	}
	out := map[string]*policy.Signature{}
	var check []string
	for i, j := range events {
		if !rules[i].Signed {
			continue
		}
		out[j.e.Tag] = &policy.Signature{Reason: "no signature found"}
		if signed[j.e.Tag] {
			check = append(check, j.e.Tag)
		}
	}
	bad, err := s.rd.VerifyTags(ctx, check)
	if err != nil {
		return nil, err
	}
	var who []string
	for i, j := range events {
		tag := j.e.Tag
		if !rules[i].Signed || !signed[tag] {
			continue
		}
		reason, failed := bad[tag]
		out[tag] = &policy.Signature{Signed: true, Verified: !failed, Reason: reason}
		if !failed && len(rules[i].Signers) > 0 {
			who = append(who, tag)
		}
	}
	sigs, err := s.rd.TagSignatures(ctx, who)
	if err != nil {
		return nil, err
	}
	for tag, sig := range sigs {
		out[tag] = policySignature(sig)
	}
	return out, nil
}

// policyProblems are doctor's reports of the policy: a malformed file, or
// every assignment tag that breaks it.
func (r *Registry) policyProblems(ctx context.Context, s *session, snap *snapshot) ([]model.Problem, error) {
	pol, err := r.readPolicy(ctx, s, false)
	var invalid *model.InvalidError
	if errors.As(err, &invalid) {
		return []model.Problem{{Code: model.ProblemPolicy, Message: fmt.Sprintf("%v: gto checked no rule of the policy", err)}}, nil
	}
	if err != nil || pol == nil {
		return nil, err
	}
	var events []judgedEvent
	var rules []policy.Rule
	for _, a := range snap.state.Artifacts {
		for _, e := range a.Events() {
			if e.Kind != model.KindAssignment {
				continue
			}
			if rule := pol.Rule(a.Name, e.Stage); !rule.Empty() {
				events, rules = append(events, judgedEvent{a, e}), append(rules, rule)
			}
		}
	}
	sigs, err := r.doctorSignatures(ctx, s, snap.tags, events, rules)
	if err != nil {
		return nil, err
	}
	var out []model.Problem
	for _, j := range events {
		for _, v := range pol.CheckEvent(j.a, j.e, sigs[j.e.Tag]) {
			out = append(out, model.Problem{Code: model.ProblemPolicyViolation, Artifact: j.a.Name, Tags: []string{j.e.Tag},
				Message: fmt.Sprintf("tag %q breaks the policy: %s", j.e.Tag, v.Error())})
		}
	}
	return out, nil
}
