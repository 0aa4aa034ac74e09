package model

import "github.com/gto-dev/gto/tagname"

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
