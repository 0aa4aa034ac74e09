package registry

import (
	"context"

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
	View                    StageView
	// Annotations loads each version's annotation at its commit (the
	// "enrichments" of `show NAME --json`).
	Annotations bool
}

// DefaultShowOptions are the defaults of `gto show`.
func DefaultShowOptions() ShowOptions { return ShowOptions{View: DefaultStageView} }

// RegistryView is the registry table: one row per artifact.
type RegistryView struct {
	// Stages are the stage columns: the configured stages, or else the
	// stages in use.
	Stages []string
	Rows   []RegistryRow
}

// RegistryRow is one artifact of the registry table.
type RegistryRow struct {
	Artifact   *Artifact
	Registered bool   // false: only annotated, shown as *name
	Latest     string // greatest active registered version, "" when none
	// InStage maps each stage column to the versions shown in it (empty
	// when none).
	InStage map[string][]string
}

// ArtifactView is one artifact's versions (`show NAME`).
type ArtifactView struct {
	Artifact   *Artifact
	Registered bool
	Versions   []VersionRow
}

// VersionRow is a version with the stages it shows in.
type VersionRow struct {
	Version *Version
	Stages  []*VStage
}

// StageNames lists the row's stage names, without repetitions.
func (v VersionRow) StageNames() []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range v.Stages {
		if !seen[s.Stage] {
			seen[s.Stage] = true
			out = append(out, s.Stage)
		}
	}
	return out
}

// ShowRegistry returns the registry table.
func (r *Registry) ShowRegistry(ctx context.Context, opts ShowOptions) (*RegistryView, error) {
	if err := opts.View.Validate(); err != nil {
		return nil, err
	}
	snap, err := r.load(ctx, scope{allBranches: opts.AllBranches, allCommits: opts.AllCommits, commits: commitsUnregistered, artifactsOnly: true})
	if err != nil {
		return nil, err
	}
	return RegistryTable(snap.state, r.cfg.Stages, opts.View), nil
}

// RegistryTable computes the registry table of a state. configured are the
// stages allowed by the configuration (nil: use the stages in use).
func RegistryTable(s *State, configured []string, view StageView) *RegistryView {
	out := &RegistryView{Stages: configured}
	if configured == nil {
		out.Stages = s.UsedStages()
	}
	for _, a := range s.Artifacts {
		row := RegistryRow{Artifact: a, Registered: a.IsRegistered(), InStage: map[string][]string{}}
		if v := a.LatestVersion(true); v != nil {
			row.Latest = v.Name
		}
		shown := a.StageVersions(view)
		for _, st := range out.Stages {
			for _, vs := range shown.Stages[st] {
				row.InStage[st] = append(row.InStage[st], vs.Version)
			}
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// ShowArtifact returns the versions of one artifact, filtered by the
// shortcut in opts.Name. An unknown artifact is ErrNotFound.
func (r *Registry) ShowArtifact(ctx context.Context, opts ShowOptions) (*ArtifactView, error) {
	if err := opts.View.Validate(); err != nil {
		return nil, err
	}
	sc, err := tagname.ParseShortcut(opts.Name)
	if err != nil {
		return nil, wrapInvalid(err)
	}
	snap, err := r.load(ctx, scope{artifact: sc.Artifact, allBranches: opts.AllBranches, allCommits: opts.AllCommits})
	if err != nil {
		return nil, err
	}
	a := snap.state.Artifact(sc.Artifact)
	if a == nil {
		return nil, notFoundf("artifact %q not found", sc.Artifact)
	}
	view := ArtifactVersions(a, sc, opts.View)
	if opts.Annotations {
		if err := r.loadAnnotations(ctx, view); err != nil {
			return nil, err
		}
	}
	return view, nil
}

// ArtifactVersions lists an artifact's versions (newest SemVer first) with
// the stages each shows in, narrowed by the shortcut: @latest / @greatest
// keep the greatest version, @vX that version, #STAGE the versions shown in
// that stage (exactly that stage: gto 0.2.4 matched substrings).
func ArtifactVersions(a *Artifact, sc tagname.Shortcut, view StageView) *ArtifactView {
	stages := a.StageVersions(view)
	out := &ArtifactView{Artifact: a, Registered: a.IsRegistered()}
	for _, v := range a.ListVersions(VersionFilter{IncludeUnregistered: !view.RegisteredOnly, IncludeDiscovered: true, Sort: SortSemVer}) {
		row := VersionRow{Version: v}
		for _, name := range stages.Names {
			for _, vs := range stages.Stages[name] {
				if vs.Version == v.Name {
					row.Stages = append(row.Stages, vs)
				}
			}
		}
		out.Versions = append(out.Versions, row)
	}
	switch {
	case sc.Latest || sc.Greatest:
		if len(out.Versions) > 1 {
			out.Versions = out.Versions[:1]
		}
	case sc.Version != "":
		out.Versions = filterRows(out.Versions, func(r VersionRow) bool { return r.Version.Name == sc.Version })
	case sc.Stage != "":
		out.Versions = filterRows(out.Versions, func(r VersionRow) bool {
			for _, s := range r.Stages {
				if s.Stage == sc.Stage {
					return true
				}
			}
			return false
		})
	}
	return out
}

func filterRows(rows []VersionRow, keep func(VersionRow) bool) []VersionRow {
	var out []VersionRow
	for _, r := range rows {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// loadAnnotations fills the commit events of the view's versions with the
// artifact's annotation at each version's commit.
func (r *Registry) loadAnnotations(ctx context.Context, view *ArtifactView) error {
	b, err := r.batch(ctx)
	if err != nil {
		return err
	}
	var commits []string
	seen := map[string]bool{}
	for _, row := range view.Versions {
		if c := row.Version.Commit; !seen[c] {
			seen[c] = true
			commits = append(commits, c)
		}
	}
	indexes, err := r.readIndexes(b, commits, false)
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
