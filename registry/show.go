package registry

import (
	"context"

	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/tagname"
)

// ShowOptions are the options of Show. The zero value is not useful: start
// from DefaultShowOptions.
type ShowOptions struct {
	// Name is empty for the whole registry, or an artifact name, possibly
	// with a shortcut: NAME@latest, NAME@greatest, NAME@vX.Y.Z, NAME#STAGE.
	Name string
	// AllBranches / AllCommits read artifacts.yaml from every branch tip /
	// every commit, so annotated commits become (unregistered) versions.
	AllBranches, AllCommits bool
	View                    model.StageView
	// Annotations loads each version's annotation at its commit (the
	// "enrichments" of `show NAME --json`).
	Annotations bool
}

// DefaultShowOptions are the defaults of `gto show`.
func DefaultShowOptions() ShowOptions { return ShowOptions{View: model.DefaultStageView} }

// ShowRegistry returns the registry table.
func (r *Registry) ShowRegistry(ctx context.Context, opts ShowOptions) (*model.RegistryView, error) {
	if err := opts.View.Validate(); err != nil {
		return nil, err
	}
	var view *model.RegistryView
	err := r.view(ctx, func(s *session) error {
		snap, err := r.load(ctx, s, scope{allBranches: opts.AllBranches, allCommits: opts.AllCommits, commits: commitsUnregistered, artifactsOnly: true, noTags: true})
		if err != nil {
			return err
		}
		view = model.RegistryTable(snap.state, s.cfg.Stages, opts.View)
		return nil
	})
	return view, err
}

// ShowArtifact returns the versions of one artifact, filtered by the
// shortcut in opts.Name. An unknown artifact is a *model.NotFoundError.
func (r *Registry) ShowArtifact(ctx context.Context, opts ShowOptions) (*model.ArtifactView, error) {
	if err := opts.View.Validate(); err != nil {
		return nil, err
	}
	sc, err := tagname.ParseShortcut(opts.Name)
	if err != nil {
		return nil, model.WrapInvalid(model.FieldName, err)
	}
	var view *model.ArtifactView
	err = r.view(ctx, func(s *session) error {
		snap, err := r.load(ctx, s, scope{artifact: sc.Artifact, allBranches: opts.AllBranches, allCommits: opts.AllCommits})
		if err != nil {
			return err
		}
		a := snap.state.Artifact(sc.Artifact)
		if a == nil {
			return model.NotFoundf("artifact", "artifact %q not found", sc.Artifact)
		}
		view = model.ArtifactVersions(a, sc, opts.View)
		if opts.Annotations {
			return loadAnnotations(ctx, s, view)
		}
		return nil
	})
	return view, err
}

// loadAnnotations fills the commit events of the view's versions with the
// artifact's annotation at each version's commit.
func loadAnnotations(ctx context.Context, s *session, view *model.ArtifactView) error {
	var commits []string
	seen := map[string]bool{}
	for _, row := range view.Versions {
		if c := row.Version.Commit; !seen[c] {
			seen[c] = true
			commits = append(commits, c)
		}
	}
	indexes, err := readIndexes(ctx, s, commits, false, view.Artifact.Name)
	if err != nil {
		return err
	}
	for _, row := range view.Versions {
		ce := row.Version.CommitEvent
		if ce == nil {
			continue
		}
		if ix := indexes[row.Version.Commit]; ix != nil {
			if ann, ok := ix.Get(view.Artifact.Name); ok {
				ce.Annotation = &ann
			}
		}
	}
	return nil
}
