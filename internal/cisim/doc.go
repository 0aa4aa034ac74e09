// Package cisim tests gto's CI integrations end to end: the composite
// GitHub Action (action.yml), the GitLab CI template
// (templates/gitlab/gto.yml) and the example workflows (examples/). Its
// tests extract the shell of each step from those files, run it under a
// simulated runner (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_OS, ... or
// GitLab's CI_* variables) against a local bare origin holding thousands of
// tags, cloned shallow as actions/checkout does, and read the outputs with
// the rules GitHub and GitLab document. No network: releases are served
// from a local folder through file:// URLs.
//
// The package has no code besides this comment: everything is in its tests.
package cisim
