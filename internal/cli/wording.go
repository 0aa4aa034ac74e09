package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gto-dev/gto/model"
)

// The registry words its errors in the domain's terms ("a stage is
// required"); where a case is about what the user typed, the CLI says it
// in terms of its own flags ("a stage is required: pass --stage"). These
// are the words gto has always printed (scripts and the conformance suite
// compare them).

// flagWording returns the CLI's words for a registry error whose case
// concerns a flag, keyed by the error's Code; ok is false for the others,
// whose message suits the CLI as it is.
func flagWording(err error) (msg string, ok bool) {
	d, found := model.DetailOf(err)
	var conflict *model.ConflictError
	if found && d.Code == "" && d.Hint == model.ForceHint && errors.As(err, &conflict) && conflict.Force {
		return strings.Replace(err.Error(), d.Error(), d.WithHint("use --force to do it anyway"), 1), true
	}
	if !found || d.Code == "" {
		return "", false
	}
	value := ""
	var invalid *model.InvalidError
	if errors.As(err, &invalid) {
		value = invalid.Value
	}
	switch d.Code {
	case model.CodeStageRequired:
		msg = d.WithHint("pass --stage")
	case model.CodeVersionOrRef:
		msg = "pass either a version (--version) or a git reference, not both"
	case model.CodeVersionAndSkip:
		msg = "--version names the version to register, which --skip-registration skips: pass only one of them"
	case model.CodeRefOnlyForArtifact:
		msg = "--ref only applies to deprecating a whole artifact (gto deprecate NAME --ref REF)"
	case model.CodeRevWithVersion:
		msg = fmt.Sprintf("--rev cannot be used with a version reference such as %q", value)
	case model.CodeAllowedAndUsed:
		msg = "--allowed and --used cannot be used together"
	case model.CodeVersionAndBump:
		msg = fmt.Sprintf("use either --version or --bump-%s, not both", value)
	case model.CodeBumpWithoutVersion:
		msg = fmt.Sprintf("cannot apply --bump-%s: artifact %q has no version yet, register one first", value, d.Artifact)
	case model.CodeNextVersionTaken:
		msg = d.WithHint("choose one with --version")
	case model.CodeStageAssigned:
		msg = d.WithHint("use --force to assign it again")
	case model.CodeVersionsAtRef:
		msg = d.WithHint("name the version with --version instead of a git reference")
	case model.CodePathRequired:
		msg = "--must-exist needs --path"
	case model.CodePathAbsolute:
		msg = d.WithHint("with --must-exist the path is relative to the root of the repository")
	case model.CodePathNotCommitted:
		msg = d.WithHint("commit it before annotating with --must-exist")
	case model.CodeDetachedHead:
		msg = d.WithHint("check out a branch and push it")
	case model.CodeAssignmentsPerVersion:
		msg = fmt.Sprintf("--av/--assignments-per-version must be >= -1, got %s", value)
	case model.CodeVersionsPerStage:
		msg = fmt.Sprintf("--vs/--versions-per-stage must be >= -1, got %s", value)
	case model.CodePushConflictRegister:
		msg = d.WithHint(fmt.Sprintf("register again: without --version gto takes the next free version of %q", d.Artifact))
	case model.CodePushConflictAssign:
		msg = d.WithHint("assign again without --simple true, so that the tag gets the next free counter")
	case model.CodePushConflictUnassign:
		msg = d.WithHint("unassign again without --simple true, so that the tag gets the next free counter")
	case model.CodePolicyUnsigned:
		msg = d.WithHint("pass --sign")
	case model.CodePolicyRef:
		msg = fmt.Sprintf("--policy-ref %s names no commit, so the policy cannot be read there", value)
	case model.CodeNoDefaultBranch:
		msg = d.WithHint("pass --policy-ref with the default branch (e.g. --policy-ref origin/main)")
	case model.CodeNoCacheDir:
		msg = fmt.Sprintf("cannot find a cache directory (set GTO_CACHE_DIR or pass --cache-dir): %v", d.Err)
	default:
		return "", false
	}
	// A wrapping error keeps its own words around the registry's.
	return strings.Replace(err.Error(), d.Error(), msg, 1), true
}

// cliMessage is the message the CLI prints for err.
func cliMessage(err error) string {
	if msg, ok := flagWording(err); ok {
		return msg
	}
	return err.Error()
}
