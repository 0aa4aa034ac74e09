package registry

import (
	"context"
	"strings"

	"github.com/gto-dev/gto/tagname"
)

// HistoryOptions are the options of History.
type HistoryOptions struct {
	Artifact                string // empty: every artifact
	AllBranches, AllCommits bool
	Ascending               bool // oldest first
}

// History returns the event journal (see State.History).
func (r *Registry) History(ctx context.Context, opts HistoryOptions) ([]*Event, error) {
	snap, err := r.load(ctx, scope{artifact: opts.Artifact, allBranches: opts.AllBranches, allCommits: opts.AllCommits})
	if err != nil {
		return nil, err
	}
	return snap.state.History(opts.Artifact, opts.Ascending), nil
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
	if opts.Allowed && opts.Used {
		return nil, invalidf("--allowed and --used cannot be used together")
	}
	// The configuration decides what is read: up to date first.
	if _, err := r.ready(ctx); err != nil {
		return nil, err
	}
	if opts.Allowed || (!opts.Used && r.cfg.StagesConfigured()) {
		if r.git == nil {
			return nil, r.noRepoError()
		}
		return r.cfg.Stages, nil
	}
	snap, err := r.load(ctx, scope{commits: commitsNone})
	if err != nil {
		return nil, err
	}
	return snap.state.UsedStages(), nil
}

// CheckRef returns the event that the tag ref created, or nil when ref is
// not a GTO event tag (a branch, a commit, a missing tag, a lightweight or
// non-GTO tag): CI runs it on every tag push and must not fail on others.
// "refs/tags/" in front of the name is accepted.
func (r *Registry) CheckRef(ctx context.Context, ref string) (*Event, error) {
	if r.git == nil {
		return nil, r.noRepoError()
	}
	if strings.HasPrefix(ref, "refs/heads/") {
		return nil, nil
	}
	name := strings.TrimPrefix(ref, "refs/tags/")
	parsed, ok := tagname.Parse(name)
	if !ok {
		return nil, nil
	}
	snap, err := r.load(ctx, scope{artifact: parsed.Artifact, commits: commitsNone})
	if err != nil {
		return nil, err
	}
	a := snap.state.Artifact(parsed.Artifact)
	if a == nil {
		return nil, nil
	}
	for _, e := range a.Events() {
		if e.Tag == name {
			return e, nil
		}
	}
	return nil, nil
}
