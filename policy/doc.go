// Package policy is gto's promotion rules as code: the policy file
// (gto-policy.yaml) and the evaluation of its rules against an assignment.
// It is pure: it parses bytes and judges values of the model, and reads
// neither git nor the environment; the registry finds the file (at the tip
// of the default branch), verifies signatures with git and hands both in.
//
// The file holds rules per stage, with overrides per artifact name glob:
//
//	stages:
//	  staging: {after: [dev]}
//	  prod:
//	    after: [staging]           # the version must hold, or have held, one of these stages
//	    signed: true               # the tag must carry a signature that verifies
//	    signers: [ops@example.com] # ... by one of these (ssh principal, GPG fingerprint or e-mail)
//	    taggers: ["*@example.com"] # the tagger's e-mail must match one of these globs
//	    prerelease: false          # no SemVer pre-release may enter the stage
//	artifacts:
//	  "experimental/*": {stages: {prod: {after: []}}}
//
// The rules govern assignments (a version entering a stage); other events
// are not checked. An artifact override replaces the fields it sets and
// keeps the others; several matching globs apply in the order of the file.
// See docs/policy.md for the whole contract and the trust model.
package policy
