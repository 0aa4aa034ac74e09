package policy

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/semver"
)

// Signature is what verifying a tag's signature found (the registry asks
// git verify-tag).
type Signature struct {
	// Signed reports that the tag carries a signature.
	Signed bool
	// Verified reports that the signature verifies with the keys git
	// trusts (gpg's keyring, gpg.ssh.allowedSignersFile).
	Verified bool
	// Signers name who made it, as git reports it: the ssh principal and
	// key fingerprint, or the GPG key fingerprints and the e-mail of the
	// key's user id.
	Signers []string
	// Reason says why the signature does not verify ("" when it does).
	Reason string
}

// subject is the assignment a check is about.
type subject struct {
	artifact, version, commit, stage string
	// tag is the tag's name; "" before it is written.
	tag string
	// event is the assignment; nil before its tag exists.
	event *model.Event
	// pending: the event is not in the artifact's state (a tag just
	// made, or pushed): every event of the state came before it.
	pending bool
}

// what names the assignment's tag in messages.
func (s subject) what() string {
	if s.pending || s.tag == "" {
		return "the assignment's tag"
	}
	return fmt.Sprintf("tag %q", s.tag)
}

// CheckPlanned judges an assignment about to be written, before its tag
// exists: of the version called version at commit of artifact a (nil when
// the artifact has no tags yet; a version it does not hold yet never held a
// stage) to stage; sign reports that the tag will be signed. It checks
// after, prerelease, and that a stage asking for signed tags gets one: who
// tags and who signs is known only once the tag object is made, which
// CheckEvent judges. The errors come in the order of the rules; nil when
// the assignment conforms.
func (p *Policy) CheckPlanned(a *model.Artifact, artifact, version, commit, stage string, sign bool) []*model.PolicyError {
	r := p.Rule(artifact, stage)
	if r.Empty() {
		return nil
	}
	s := subject{artifact: artifact, version: version, commit: commit, stage: stage, pending: true}
	out := p.checkHistory(r, a, s)
	if r.Signed && !sign {
		out = append(out, p.violation(r, model.RuleSigned, s, model.Detail{Code: model.CodePolicyUnsigned,
			Msg: fmt.Sprintf("%s requires a signed tag", stage), Hint: "sign the assignment"}))
	}
	return out
}

// CheckEvent judges the assignment event e of artifact a: an event of a
// (doctor, check-ref), or one that is not in a yet (a tag just made but
// not referenced, a tag being pushed), which then comes after all of a's
// events. sig is what verifying the tag's signature found; it is read only
// when the rule asks for signed tags, where nil counts as unsigned. Other
// events than assignments conform to every policy. The errors come in the
// order of the rules; nil when e conforms.
func (p *Policy) CheckEvent(a *model.Artifact, e *model.Event, sig *Signature) []*model.PolicyError {
	if e == nil || e.Kind != model.KindAssignment {
		return nil
	}
	r := p.Rule(e.Artifact, e.Stage)
	if r.Empty() {
		return nil
	}
	s := subject{artifact: e.Artifact, version: e.Version, commit: e.Commit, stage: e.Stage, tag: e.Tag, event: e, pending: !holds(a, e)}
	out := p.checkHistory(r, a, s)
	if len(r.Taggers) > 0 && !matchesAny(r.Taggers, e.AuthorEmail) {
		by := e.AuthorEmail
		if by == "" {
			by = "nobody known (it has no tagger e-mail)"
		}
		out = append(out, p.violation(r, model.RuleTaggers, s, model.Detail{
			Msg: fmt.Sprintf("%s takes tags by %s only: %s is by %s", r.Stage, orList(r.Taggers), s.what(), by)}))
	}
	if r.Signed {
		if v := p.checkSignature(r, s, sig); v != nil {
			out = append(out, v)
		}
	}
	return out
}

// checkHistory checks the rules about the version: after and prerelease.
func (p *Policy) checkHistory(r Rule, a *model.Artifact, s subject) []*model.PolicyError {
	var out []*model.PolicyError
	if len(r.After) > 0 && !heldBefore(a, s, r.After) {
		out = append(out, p.violation(r, model.RuleAfter, s, model.Detail{
			Msg: fmt.Sprintf("%s requires a version that was in %s: %s never was", r.Stage, orList(r.After), s.version)}))
	}
	if !r.Prerelease {
		if v, err := semver.Parse(s.version); err == nil && v.Prerelease() != "" {
			out = append(out, p.violation(r, model.RulePrerelease, s, model.Detail{
				Msg: fmt.Sprintf("%s takes no pre-release versions: %s is one", r.Stage, s.version)}))
		}
	}
	return out
}

// checkSignature checks signed and signers.
func (p *Policy) checkSignature(r Rule, s subject, sig *Signature) *model.PolicyError {
	switch {
	case sig == nil || !sig.Signed:
		return p.violation(r, model.RuleSigned, s, model.Detail{
			Msg: fmt.Sprintf("%s requires a signed tag: %s is not signed", r.Stage, s.what())})
	case !sig.Verified:
		reason := sig.Reason
		if reason == "" {
			reason = "git gave no reason"
		}
		return p.violation(r, model.RuleSigned, s, model.Detail{
			Msg: fmt.Sprintf("%s requires a signed tag whose signature verifies: the signature of %s does not (%s)", r.Stage, s.what(), reason)})
	case len(r.Signers) > 0 && !signedByAny(r.Signers, sig.Signers):
		by := "a key that names no signer"
		if len(sig.Signers) > 0 {
			by = sig.Signers[0]
		}
		return p.violation(r, model.RuleSigners, s, model.Detail{
			Msg: fmt.Sprintf("%s requires a signature by %s: %s is signed by %s", r.Stage, orList(r.Signers), s.what(), by)})
	}
	return nil
}

func (p *Policy) violation(r Rule, rule string, s subject, d model.Detail) *model.PolicyError {
	d.Artifact = r.Artifact
	return &model.PolicyError{Detail: d, Rule: rule, Artifact: s.artifact, Version: s.version, Stage: s.stage, Tag: s.tag, File: p.File, Ref: p.Ref}
}

// holds reports whether e is one of a's events.
func holds(a *model.Artifact, e *model.Event) bool {
	for _, v := range versionsOf(a, e.Version, e.Commit) {
		if vs := v.Stage(e.Stage); vs != nil && slices.Contains(vs.Assignments, e) {
			return true
		}
	}
	return false
}

// versionsOf returns the versions of a called name at commit.
func versionsOf(a *model.Artifact, name, commit string) []*model.Version {
	if a == nil {
		return nil
	}
	var out []*model.Version
	for _, v := range a.Versions {
		if v.Name == name && v.Commit == commit {
			out = append(out, v)
		}
	}
	return out
}

// heldBefore reports whether the subject's version was assigned one of
// stages before the subject's event (or at all, for a pending one).
func heldBefore(a *model.Artifact, s subject, stages []string) bool {
	for _, v := range versionsOf(a, s.version, s.commit) {
		for _, vs := range v.Stages {
			if !slices.Contains(stages, vs.Stage) {
				continue
			}
			for _, x := range vs.Assignments {
				if x != s.event && (s.pending || model.Before(x, s.event)) {
					return true
				}
			}
		}
	}
	return false
}

// matchesAny reports whether email matches one of the globs (compared
// case-insensitively, as e-mail addresses are in practice).
func matchesAny(globs []string, email string) bool {
	if email == "" {
		return false
	}
	email = strings.ToLower(email)
	for _, g := range globs {
		if ok, _ := path.Match(strings.ToLower(g), email); ok {
			return true
		}
	}
	return false
}

// signedByAny reports whether one of the identities git reported for a
// signature is one of the signers (e-mails and hexadecimal fingerprints
// compared case-insensitively).
func signedByAny(signers, identities []string) bool {
	for _, id := range identities {
		for _, s := range signers {
			if strings.EqualFold(s, id) {
				return true
			}
		}
	}
	return false
}

// orList joins names with commas and a final "or": "dev, qa or staging".
func orList(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
