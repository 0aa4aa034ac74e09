package policy

import (
	"maps"
	"path"
	"slices"
)

// Rule is what the policy asks of an assignment of one artifact to one
// stage: the stage's rules with the artifact's overrides applied. The zero
// Rule asks nothing (but allows no pre-release; see Prerelease).
type Rule struct {
	Artifact, Stage string
	// After: the version must hold, or have held, one of these stages
	// (none: no requirement).
	After []string
	// Signed: the tag must carry a signature that verifies (git
	// verify-tag) and, when Signers lists any, made by one of them.
	Signed  bool
	Signers []string
	// Taggers: the tagger's e-mail must match one of these globs (none:
	// anyone may tag).
	Taggers []string
	// Prerelease reports whether a SemVer pre-release (v1.0.0-rc.1) may
	// enter the stage.
	Prerelease bool
}

// Empty reports whether the rule asks nothing of an assignment.
func (r Rule) Empty() bool {
	return len(r.After) == 0 && !r.Signed && len(r.Taggers) == 0 && r.Prerelease
}

// Rule returns the rule for assigning stage to artifact: the stage's rules
// in the file, with the fields each artifact glob that matches the name
// sets, in the order of the file. A stage the policy does not mention asks
// nothing. A nil Policy has no rules.
func (p *Policy) Rule(artifact, stage string) Rule {
	r := Rule{Artifact: artifact, Stage: stage, Prerelease: true}
	if p == nil {
		return r
	}
	r.apply(p.stages[stage])
	for _, o := range p.overrides {
		if ok, _ := path.Match(o.pattern, artifact); ok {
			r.apply(o.stages[stage])
		}
	}
	return r
}

func (r *Rule) apply(b *block) {
	if b == nil {
		return
	}
	if b.after != nil {
		r.After = b.after
	}
	if b.signed != nil {
		r.Signed = *b.signed
	}
	if b.signers != nil {
		r.Signers = b.signers
	}
	if b.taggers != nil {
		r.Taggers = b.taggers
	}
	if b.prerelease != nil {
		r.Prerelease = *b.prerelease
	}
}

// Stages returns the stages the policy has rules for, at the top level or
// in an override, sorted.
func (p *Policy) Stages() []string {
	if p == nil {
		return nil
	}
	set := maps.Clone(p.stages)
	if set == nil {
		set = map[string]*block{}
	}
	for _, o := range p.overrides {
		maps.Copy(set, o.stages)
	}
	return slices.Sorted(maps.Keys(set))
}

// NeedsSignatures reports whether some rule asks for signed tags: the
// registry then verifies the signatures of the assignments it checks.
func (p *Policy) NeedsSignatures() bool {
	if p == nil {
		return false
	}
	for _, b := range p.stages {
		if b.signed != nil && *b.signed {
			return true
		}
	}
	for _, o := range p.overrides {
		for _, b := range o.stages {
			if b.signed != nil && *b.signed {
				return true
			}
		}
	}
	return false
}
