package registry

import (
	"context"
	"errors"
	"fmt"

	"github.com/gto-dev/gto/annotations"
	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/model"
)

// Report is the result of Doctor.
type Report struct {
	Tags      int // GTO-format tags read
	Artifacts int
	// Verified is the number of signed tags whose signature was checked
	// (DoctorOptions.Verify).
	Verified int
	Problems []model.Problem
	// Advice is what would make the registry faster to read, which is no
	// problem (model.PackRefsAdvice).
	Advice []model.Problem
}

// DoctorOptions are the options of DoctorWith.
type DoctorOptions struct {
	// Verify checks the signature of every annotated GTO tag with `git
	// verify-tag` (the user's gpg / ssh configuration and keys), and
	// reports unsigned tags and signatures that do not verify.
	Verify bool
}

// Doctor is DoctorWith without options.
func (r *Registry) Doctor(ctx context.Context) (*Report, error) {
	return r.DoctorWith(ctx, DoctorOptions{})
}

// DoctorWith reads the whole registry and reports what is inconsistent or
// ignored: a malformed configuration or annotation file, tags gto cannot
// use, counters that repeat or go back in time, two active versions at one
// commit, stages and types outside the configuration, revivals after a
// deprecation, and with Verify unsigned or badly signed tags; then a
// malformed policy file, or every assignment that breaks the policy
// (model.ProblemPolicyViolation; see Policy). It changes
// nothing. The problems come in that order; an error is returned only when
// the repository cannot be read at all.
func (r *Registry) DoctorWith(ctx context.Context, opts DoctorOptions) (*Report, error) {
	var rep *Report
	// Read the object store itself: the object cache would vouch for a tag
	// object the store has lost, and doctor would not report it missing.
	err := r.viewStore(ctx, func(s *session) error {
		rep = &Report{}
		if s.cfgErr != nil {
			rep.Problems = append(rep.Problems, model.Problem{Code: model.ProblemConfig,
				Message: fmt.Sprintf("%v: gto used the default configuration instead", s.cfgErr)})
		}
		index, problems, err := doctorAnnotations(ctx, s)
		if err != nil {
			return err
		}
		rep.Problems = append(rep.Problems, problems...)
		snap, err := r.load(ctx, s, scope{noAnnotations: len(problems) > 0})
		if err != nil {
			return err
		}
		rep.Tags = len(snap.tags)
		rep.Artifacts = len(snap.state.Artifacts)
		rep.Problems = append(rep.Problems, model.TagProblems(snap.tags)...)
		commits, err := s.rd.Commits(ctx, eventCommits(snap.tags, nil, nil))
		if err != nil {
			return err
		}
		rep.Problems = append(rep.Problems, model.MissingCommitProblems(snap.tags, func(c string) bool { _, ok := commits[c]; return ok })...)
		if opts.Verify {
			problems, verified, err := signatureProblems(ctx, s.rd, snap.tags)
			if err != nil {
				return err
			}
			rep.Verified = verified
			rep.Problems = append(rep.Problems, problems...)
		}
		rep.Problems = append(rep.Problems, model.CounterProblems(snap.tags)...)
		rep.Problems = append(rep.Problems, model.StateProblems(snap.state, s.cfg.Stages)...)
		rep.Problems = append(rep.Problems, model.TypeProblems(index, s.cfg.Types)...)
		policyProblems, err := r.policyProblems(ctx, s, snap)
		rep.Problems = append(rep.Problems, policyProblems...)
		if err != nil {
			return err
		}
		if lc, ok := s.rd.(store.LooseTagCounter); ok {
			loose, err := lc.LooseTags()
			if err != nil {
				return err
			}
			rep.Advice = model.PackRefsAdvice(loose)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// doctorAnnotations reads the annotation files at HEAD one by one, so that
// each malformed one is reported, and returns the merged annotations.
func doctorAnnotations(ctx context.Context, s *session) (*annotations.Index, []model.Problem, error) {
	head, err := s.rd.ResolveCommit(ctx, "HEAD")
	if errors.Is(err, store.ErrNoCommits) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var merged *annotations.Index
	var problems []model.Problem
	for _, f := range s.indexFiles() {
		ids, parsed, err := readAnnotationFile(ctx, s.rd, []string{head}, f, true, "")
		if errors.Is(err, model.ErrInvalid) {
			problems = append(problems, model.Problem{Code: model.ProblemAnnotations, Message: err.Error()})
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if i := parsed[ids[head]]; i != nil {
			if merged == nil {
				merged = i
			} else {
				merged.Merge(i)
			}
		}
	}
	return merged, problems, nil
}

// signatureProblems checks the signatures of the annotated GTO tags.
func signatureProblems(ctx context.Context, rd store.Reader, tags []model.TagInput) ([]model.Problem, int, error) {
	signed, err := rd.SignedTags(ctx)
	if err != nil {
		return nil, 0, err
	}
	var out []model.Problem
	var check []string
	artifact := map[string]string{}
	for i := range tags {
		t := &tags[i]
		if !t.Annotated {
			continue // reported as lightweight
		}
		if !signed[t.Name] {
			out = append(out, model.Problem{Code: model.ProblemUnsigned, Artifact: t.Parsed.Artifact, Tags: []string{t.Name},
				Message: fmt.Sprintf("tag %q is not signed", t.Name)})
			continue
		}
		check = append(check, t.Name)
		artifact[t.Name] = t.Parsed.Artifact
	}
	bad, err := rd.VerifyTags(ctx, check)
	if err != nil {
		return nil, 0, err
	}
	for _, name := range check {
		if reason, ok := bad[name]; ok {
			out = append(out, model.Problem{Code: model.ProblemBadSignature, Artifact: artifact[name], Tags: []string{name},
				Message: fmt.Sprintf("the signature of tag %q does not verify: %s", name, reason)})
		}
	}
	return out, len(check), nil
}
