package registry

import (
	"context"
	"fmt"
	"strings"

	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/tagname"
)

// HistoryOptions are the options of History.
type HistoryOptions struct {
	Artifact                string // empty: every artifact
	AllBranches, AllCommits bool
	Ascending               bool // oldest first
}

// History returns the event journal (see model.State.History).
func (r *Registry) History(ctx context.Context, opts HistoryOptions) ([]*model.Event, error) {
	var events []*model.Event
	err := r.view(ctx, func(s *session) error {
		snap, err := r.load(ctx, s, scope{artifact: opts.Artifact, allBranches: opts.AllBranches, allCommits: opts.AllCommits, noTags: true})
		if err != nil {
			return err
		}
		events = snap.state.History(opts.Artifact, opts.Ascending)
		return nil
	})
	return events, err
}

// StagesOptions are the options of Stages. Allowed and Used exclude each other.
type StagesOptions struct {
	Allowed bool // the stages the configuration allows (nil when unrestricted)
	Used    bool // the stages in use
}

// Stages returns the stage list of `gto stages`: the configured stages when
// the configuration restricts them, else the stages in use (active
// assignments of active versions), sorted.
func (r *Registry) Stages(ctx context.Context, opts StagesOptions) ([]string, error) {
	if err := CheckStagesOptions(opts); err != nil {
		return nil, err
	}
	var stages []string
	err := r.view(ctx, func(s *session) error {
		if opts.Allowed || (!opts.Used && s.cfg.StagesConfigured()) {
			stages = s.cfg.Stages
			return nil
		}
		snap, err := r.load(ctx, s, scope{commits: commitsNone, noTags: true})
		if err != nil {
			return err
		}
		stages = snap.state.UsedStages()
		return nil
	})
	return stages, err
}

// CheckRef returns the event that the tag ref created, or nil when ref is
// not a GTO event tag (a branch, a commit, a missing tag, a lightweight or
// non-GTO tag): CI runs it on every tag push and must not fail on others.
// "refs/tags/" in front of the name is accepted.
//
// A stage event whose version this repository can only name by its commit,
// although the tag says it was another (model.Event.VersionUnknown: the
// registration tag was not fetched), is a *model.NotFoundError: a deploy
// job must not take a commit hexsha for a version.
func (r *Registry) CheckRef(ctx context.Context, ref string) (*model.Event, error) {
	return r.CheckRefWith(ctx, CheckRefOptions{Ref: ref})
}

// CheckRefOptions are the options of CheckRefWith.
type CheckRefOptions struct {
	Ref string
	// AllowUnknownVersion returns a stage event whose version is known
	// only by its commit (see CheckRef) instead of an error.
	AllowUnknownVersion bool
	// Verify judges the event as CheckTag does: an event that breaks the
	// policy, or whose signature does not verify, is the first violation,
	// a *model.PolicyError (and no event). A ref that is no GTO event tag
	// is not judged.
	Verify bool
}

// CheckRefWith is CheckRef with options.
func (r *Registry) CheckRefWith(ctx context.Context, opts CheckRefOptions) (*model.Event, error) {
	ref := opts.Ref
	if r.store == nil {
		return nil, r.noRepoError(nil)
	}
	if strings.HasPrefix(ref, "refs/heads/") {
		return nil, nil
	}
	name := strings.TrimPrefix(ref, "refs/tags/")
	parsed, ok := tagname.Parse(name)
	if !ok {
		return nil, nil
	}
	var event *model.Event
	var violations []*model.PolicyError
	err := r.view(ctx, func(s *session) error {
		snap, err := r.load(ctx, s, scope{artifact: parsed.Artifact, commits: commitsNone})
		if err != nil {
			return err
		}
		event, violations = nil, nil
		if a := snap.state.Artifact(parsed.Artifact); a != nil {
			for _, e := range a.Events() {
				if e.Tag == name {
					event = e
					break
				}
			}
		}
		if opts.Verify && event != nil && !(event.VersionUnknown() && !opts.AllowUnknownVersion) {
			violations, err = r.tagViolations(ctx, s, snap.state.Artifact(parsed.Artifact), event, signedTag(snap.tags, name))
		}
		return err
	})
	if err == nil && event != nil && event.VersionUnknown() && !opts.AllowUnknownVersion {
		named := event.NamedVersion()
		hint := fmt.Sprintf("fetch the artifact's tags first (`git fetch origin 'refs/tags/%s@*:refs/tags/%s@*'`)", tagname.TagPrefix(parsed.Artifact), tagname.TagPrefix(parsed.Artifact))
		msg := fmt.Sprintf("the version of %q is not known here: the tag was written for version %s, whose registration tag is not in this repository", name, named)
		if named == "" { // a message of the user's: it does not say
			msg = fmt.Sprintf("the version of %q is not known here: no registration tag of artifact %q is on its commit %.7s, and the tag's message does not say it was assigned without one", name, parsed.Artifact, event.Commit)
		}
		return nil, &model.NotFoundError{What: "version", Detail: model.Detail{Msg: msg, Hint: hint}}
	}
	if err == nil && len(violations) > 0 {
		return nil, violations[0]
	}
	return event, err
}

// CheckStagesOptions reports whether opts are valid options of Stages.
func CheckStagesOptions(opts StagesOptions) error {
	if opts.Allowed && opts.Used {
		return &model.InvalidError{Detail: model.Detail{Code: model.CodeAllowedAndUsed,
			Msg: "the allowed stages and the stages in use cannot be listed together"}}
	}
	return nil
}
