package model

import "errors"

// ErrPolicy: the event breaks the repository's policy (gto-policy.yaml),
// or its signature does not verify. A PolicyError wraps it and ErrConflict
// (the change contradicts the registry's rules), so that a front end that
// knows only the older kinds still treats it as a conflict; forcing does
// not overcome it.
var ErrPolicy = errors.New("policy violation")

// The rules a PolicyError names (PolicyError.Rule): the keys of a stage in
// the policy file, and RuleSignature for a signature that does not verify
// although no rule asks for one.
const (
	RuleAfter      = "after"      // the version must hold, or have held, one of the stages
	RuleSigned     = "signed"     // the tag must carry a signature that verifies
	RuleSigners    = "signers"    // ... made by one of the signers
	RuleTaggers    = "taggers"    // the tagger's e-mail must match one of the globs
	RulePrerelease = "prerelease" // false: no SemVer pre-release may enter the stage
	RuleSignature  = "signature"  // a signed tag whose signature does not verify
)

// PolicyError is an event that breaks a rule of the policy (ErrPolicy,
// ErrConflict). Msg names the rule and what would satisfy it ("prod
// requires a version that was in staging: v1.2.0 never was"); Hint, when
// set, says what to do.
type PolicyError struct {
	Detail
	// Rule is the rule broken: RuleAfter, RuleSigned, ...
	Rule string
	// The event: its artifact, version, stage, and its tag ("" for an
	// event not written yet).
	Artifact, Version, Stage, Tag string
	// File is the policy file the rule comes from (gto-policy.yaml) and
	// Ref the revision it was read at (refs/heads/main); both "" for
	// RuleSignature.
	File, Ref string
}

func (e *PolicyError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrPolicy, ErrConflict, e.Err}
	}
	return []error{ErrPolicy, ErrConflict}
}

// The inputs of the policy (InvalidError.Field).
const (
	FieldPolicy    = "policy"     // the policy file
	FieldPolicyRef = "policy_ref" // the revision the policy is read at
)

// Problem codes of the policy (see Problem).
const (
	// ProblemPolicyViolation: an event tag breaks the policy.
	ProblemPolicyViolation = "policy-violation"
	// ProblemPolicy: the policy file is malformed (no rule is checked).
	ProblemPolicy = "policy"
)
