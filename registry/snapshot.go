package registry

import (
	"context"

	"github.com/gto-dev/gto/annotations"
	"github.com/gto-dev/gto/config"
	"github.com/gto-dev/gto/model"
)

// Snapshot is the whole registry read in one pass, for readers that keep it
// in memory and answer many queries from it (gto serve, gto site): the
// registry table, every artifact's versions, the journal and the stages are
// all computed from it with the package's pure functions (model.RegistryTable,
// model.ArtifactVersions, State.History, State.UsedStages), and give what
// ShowRegistry, ShowArtifact (with Annotations), History and Stages return.
// A Snapshot does not refer to the Registry: it stays valid after Close.
type Snapshot struct {
	// State holds every artifact with all its events, commit events
	// included; the commit event of each version carries the artifact's
	// annotation at that version's commit (the "enrichments" of
	// `show NAME --json`).
	State *model.State
	// Config is the configuration in effect.
	Config config.Config
	// Head is the HEAD commit, "" in a repository without commits.
	Head string
	// indexes are the annotations at HEAD and at every version's commit.
	indexes map[string]*annotations.Index
}

// Snapshot reads every tag, the commits of all versions and the
// annotations at HEAD and at the commit of every event.
func (r *Registry) Snapshot(ctx context.Context) (*Snapshot, error) {
	var out *Snapshot
	err := r.view(ctx, func(s *session) error {
		snap, err := r.load(ctx, s, scope{commits: commitsAll, noTags: true})
		if err != nil {
			return err
		}
		out = &Snapshot{State: snap.state, Config: s.cfg, Head: snap.head}
		if snap.head == "" {
			return nil
		}
		commits := []string{snap.head}
		seen := map[string]bool{snap.head: true}
		for _, a := range snap.state.Artifacts {
			for _, e := range a.Events() { // every version's commit, and deprecations'
				if e.Commit != "" && !seen[e.Commit] {
					seen[e.Commit] = true
					commits = append(commits, e.Commit)
				}
			}
		}
		// Strictness as in the commands: load has already read HEAD
		// strictly; a malformed file at an old version's commit is skipped.
		if out.indexes, err = readIndexes(ctx, s, commits, false, ""); err != nil {
			return err
		}
		for _, a := range snap.state.Artifacts {
			for _, v := range a.Versions {
				if ce := v.CommitEvent; ce != nil {
					ce.Annotation = out.AnnotationAt(v.Commit, a.Name)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AnnotationAt returns the annotation of artifact as committed at commit,
// which must be HEAD or the commit of an event (a version's commit, or a
// deprecation's); nil when the artifact is not annotated there (or the
// commit is another one).
func (s *Snapshot) AnnotationAt(commit, artifact string) *annotations.Artifact {
	ix := s.indexes[commit]
	if ix == nil {
		return nil
	}
	a, ok := ix.Get(artifact)
	if !ok {
		return nil
	}
	return &a
}

// Annotation returns the annotation of artifact at HEAD (what `gto
// describe NAME` prints), nil when it is not annotated there.
func (s *Snapshot) Annotation(artifact string) *annotations.Artifact {
	if s.Head == "" {
		return nil
	}
	return s.AnnotationAt(s.Head, artifact)
}

// Stages returns what `gto stages` prints: the configured stages when the
// configuration restricts them, else the stages in use.
func (s *Snapshot) Stages() []string {
	if s.Config.StagesConfigured() {
		return s.Config.Stages
	}
	return s.State.UsedStages()
}

// Table returns the registry table (what ShowRegistry returns) for view.
func (s *Snapshot) Table(view model.StageView) *model.RegistryView {
	return model.RegistryTable(s.State, s.Config.Stages, view)
}

// SnapshotIfChanged is the refresh of a long-running reader (gto serve, a
// member of a registry set): it fingerprints the registry and reads a
// Snapshot only when the fingerprint differs from known (the one of the
// Snapshot the caller holds; "" when it holds none). snap is nil when
// nothing changed; fp is the fingerprint read either way.
func (r *Registry) SnapshotIfChanged(ctx context.Context, known string) (snap *Snapshot, fp string, err error) {
	if fp, err = r.Fingerprint(ctx); err != nil {
		return nil, "", err
	}
	if known != "" && fp == known {
		return nil, fp, nil
	}
	if snap, err = r.Snapshot(ctx); err != nil {
		return nil, "", err
	}
	return snap, fp, nil
}
