package model

import (
	"fmt"
	"slices"
	"sort"

	"github.com/gto-dev/gto/semver"
)

// Sort says how versions (and the versions shown in a stage) are ordered.
type Sort int

const (
	// SortTimestamp orders by creation time: the latest assignment wins a stage.
	SortTimestamp Sort = iota
	// SortSemVer orders by SemVer: the greatest version wins a stage.
	SortSemVer
)

// ParseSort parses the --sort flag value.
func ParseSort(s string) (Sort, error) {
	switch s {
	case "timestamp":
		return SortTimestamp, nil
	case "semver":
		return SortSemVer, nil
	}
	return 0, &InvalidError{Field: FieldSort, Value: s, Detail: Detail{Msg: fmt.Sprintf("invalid sort %q", s), Hint: "use timestamp or semver"}}
}

// String returns the flag value of the sort.
func (s Sort) String() string {
	if s == SortSemVer {
		return "semver"
	}
	return "timestamp"
}

// VersionFilter selects the versions of an artifact (see Artifact.ListVersions).
type VersionFilter struct {
	// IncludeUnregistered adds active versions without a registration:
	// unregistered versions that have stage tags or annotations.
	IncludeUnregistered bool
	// IncludeDiscovered adds versions that exist only through stage tags or
	// annotations (no registration or deregistration tag).
	IncludeDiscovered bool
	Sort              Sort
}

// ListVersions returns the active versions selected by f, newest first:
// by SemVer (hexsha-named versions after all SemVer ones, in reverse
// alphabetical order) or by creation time.
func (a *Artifact) ListVersions(f VersionFilter) []*Version {
	var out []*Version
	for _, v := range a.Versions {
		if !v.IsActive() {
			continue
		}
		registered, discovered := v.IsRegistered(), v.Discovered()
		if (registered && !discovered) || (f.IncludeDiscovered && discovered) || (f.IncludeUnregistered && !registered) {
			out = append(out, v)
		}
	}
	return sortVersions(out, f.Sort)
}

// sortVersions sorts ascending with a stable sort and then reverses, exactly
// as gto 0.2.4 does: versions that compare equal end up in reverse creation
// order, and scripts may depend on that.
func sortVersions(versions []*Version, by Sort) []*Version {
	if by == SortTimestamp {
		sort.SliceStable(versions, func(i, j int) bool {
			return versions[i].CreatedAt().Unix() < versions[j].CreatedAt().Unix()
		})
		slices.Reverse(versions)
		return versions
	}
	var sem, other []*Version
	parsed := map[*Version]semver.Version{}
	for _, v := range versions {
		if p, err := semver.Parse(v.Name); err == nil {
			parsed[v] = p
			sem = append(sem, v)
		} else {
			other = append(other, v)
		}
	}
	sort.SliceStable(sem, func(i, j int) bool { return parsed[sem[i]].Compare(parsed[sem[j]]) < 0 })
	slices.Reverse(sem)
	sort.SliceStable(other, func(i, j int) bool { return other[i].Name < other[j].Name })
	slices.Reverse(other)
	return append(sem, other...)
}

// LatestVersion returns the greatest (by SemVer) active version; with
// registeredOnly, among registered versions only. Nil when there is none.
func (a *Artifact) LatestVersion(registeredOnly bool) *Version {
	vs := a.ListVersions(VersionFilter{IncludeUnregistered: !registeredOnly, Sort: SortSemVer})
	if len(vs) == 0 {
		return nil
	}
	return vs[0]
}

// ActiveStages returns the active stages of the version, ordered by the time
// they were (last) assigned, oldest first; ties keep first-assignment order.
func (v *Version) ActiveStages() []*VStage {
	var out []*VStage
	for _, s := range v.Stages {
		if s.IsActive() {
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].ActivatedAt().Unix() < out[j].ActivatedAt().Unix()
	})
	return out
}

// StageView says which versions a stage shows (show's --ro, --av, --vs and --sort).
type StageView struct {
	RegisteredOnly bool
	// AssignmentsPerVersion keeps, for each version, only its N earliest
	// active stages; -1 keeps all.
	AssignmentsPerVersion int
	// VersionsPerStage keeps N versions per stage; -1 keeps all.
	VersionsPerStage int
	Sort             Sort
}

// DefaultStageView is what `gto show` uses without flags.
var DefaultStageView = StageView{AssignmentsPerVersion: -1, VersionsPerStage: 1, Sort: SortTimestamp}

// Validate checks the -1 lower bounds.
func (v StageView) Validate() error {
	if v.AssignmentsPerVersion < -1 {
		return &InvalidError{Field: FieldAssignmentsPerVersion, Value: fmt.Sprint(v.AssignmentsPerVersion), Detail: Detail{
			Code: CodeAssignmentsPerVersion, Msg: fmt.Sprintf("the assignments shown per version must be -1 (all) or more, got %d", v.AssignmentsPerVersion)}}
	}
	if v.VersionsPerStage < -1 {
		return &InvalidError{Field: FieldVersionsPerStage, Value: fmt.Sprint(v.VersionsPerStage), Detail: Detail{
			Code: CodeVersionsPerStage, Msg: fmt.Sprintf("the versions shown per stage must be -1 (all) or more, got %d", v.VersionsPerStage)}}
	}
	return nil
}

// StageMap is an ordered map from stage name to the version stages shown in it.
type StageMap struct {
	Names  []string
	Stages map[string][]*VStage
}

// StageVersions computes which versions each stage of the artifact shows,
// following gto 0.2.4 (base.py Artifact.get_vstages) step by step, because
// the user guide's tables are its output.
func (a *Artifact) StageVersions(view StageView) StageMap {
	versions := a.ListVersions(VersionFilter{IncludeUnregistered: !view.RegisteredOnly, Sort: view.Sort})
	var assignments []*VStage
	for _, v := range versions {
		stages := v.ActiveStages()
		if n := view.AssignmentsPerVersion; n > -1 && n < len(stages) {
			stages = stages[:n]
		}
		assignments = append(assignments, stages...)
	}
	if view.Sort == SortTimestamp {
		sort.SliceStable(assignments, func(i, j int) bool {
			return assignments[i].CreatedAt().Unix() < assignments[j].CreatedAt().Unix()
		})
		slices.Reverse(assignments)
	}
	m := StageMap{Stages: map[string][]*VStage{}}
	for _, vs := range assignments {
		shown, known := m.Stages[vs.Stage]
		if !known {
			m.Names = append(m.Names, vs.Stage)
		}
		if view.VersionsPerStage > -1 && len(shown) >= view.VersionsPerStage {
			m.Stages[vs.Stage] = shown
			continue
		}
		if !slices.ContainsFunc(shown, func(s *VStage) bool { return s.Version == vs.Version }) {
			shown = append(shown, vs)
		}
		m.Stages[vs.Stage] = shown
	}
	return m
}

// UsedStages returns the stages that have an active assignment on an active
// version of any artifact, sorted by name.
func (s *State) UsedStages() []string {
	seen := map[string]bool{}
	for _, a := range s.Artifacts {
		for _, v := range a.ListVersions(VersionFilter{IncludeUnregistered: true}) {
			for _, vs := range v.Stages {
				if vs.IsActive() {
					seen[vs.Stage] = true
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for st := range seen {
		out = append(out, st)
	}
	sort.Strings(out)
	return out
}

// ActiveStageNames lists the version's active stage names.
func (v *Version) ActiveStageNames() []string {
	var out []string
	for _, s := range v.ActiveStages() {
		out = append(out, s.Stage)
	}
	return out
}

func (v *Version) String() string { return fmt.Sprintf("%s@%s", v.Artifact, v.Name) }
