package model

import (
	"fmt"
	"strings"
	"time"
)

// State is the registry as read from the tags (and annotations) of one
// repository. It is built once per command (see Build) and only read after.
type State struct {
	// Artifacts in the order gto 0.2.4 discovers them: first by deprecation
	// tags, then registration tags, then stage tags (each by time, then tag
	// name), then annotated-only artifacts. History ties follow this order.
	Artifacts []*Artifact
	byName    map[string]*Artifact
	seq       int // next event sequence number
}

// Artifact returns the artifact called name, or nil.
func (s *State) Artifact(name string) *Artifact {
	return s.byName[name]
}

func (s *State) artifact(name string) *Artifact {
	if a := s.byName[name]; a != nil {
		return a
	}
	a := &Artifact{Name: name, rank: len(s.Artifacts)}
	s.Artifacts = append(s.Artifacts, a)
	if s.byName == nil {
		s.byName = map[string]*Artifact{}
	}
	s.byName[name] = a
	return a
}

// Artifact is everything the registry knows about one artifact.
type Artifact struct {
	Name         string
	Deprecations []*Event
	// Versions in creation order: registered versions (by their first
	// registration or deregistration tag), then unregistered versions named
	// by commit hexsha (stage tags without registration, annotated commits).
	Versions []*Version
	rank     int

	byKey    map[versionKey]*Version // registered versions: (name, commit)
	byCommit map[string][]*Version   // commit -> registered versions there
	unreg    map[string]*Version     // commit -> the unregistered version there
}

type versionKey struct{ name, commit string }

// registeredVersion finds or creates the version called name at commit.
func (a *Artifact) registeredVersion(name, commit string) *Version {
	k := versionKey{name, commit}
	if v := a.byKey[k]; v != nil {
		return v
	}
	v := a.newVersion(name, commit)
	if a.byKey == nil {
		a.byKey = map[versionKey]*Version{}
		a.byCommit = map[string][]*Version{}
	}
	a.byKey[k] = v
	a.byCommit[commit] = append(a.byCommit[commit], v)
	return v
}

// unregisteredVersion finds or creates the version named by the commit
// hexsha, used when a stage tag or an annotation points at a commit without
// a registered version. There is one per commit (gto 0.2.4 made several).
func (a *Artifact) unregisteredVersion(commit string) *Version {
	if v := a.unreg[commit]; v != nil {
		return v
	}
	v := a.newVersion(commit, commit)
	if a.unreg == nil {
		a.unreg = map[string]*Version{}
	}
	a.unreg[commit] = v
	return v
}

func (a *Artifact) newVersion(name, commit string) *Version {
	v := &Version{Artifact: a.Name, Name: name, Commit: commit, rank: len(a.Versions)}
	a.Versions = append(a.Versions, v)
	return v
}

// VersionsAt returns the registered versions at commit (usually at most
// one); none for a nil artifact.
func (a *Artifact) VersionsAt(commit string) []*Version {
	if a == nil {
		return nil
	}
	return a.byCommit[commit]
}

// UnregisteredAt returns the unregistered version (named by the commit
// hexsha) at commit, nil when there is none or the artifact is nil.
func (a *Artifact) UnregisteredAt(commit string) *Version {
	if a == nil {
		return nil
	}
	return a.unreg[commit]
}

// FindVersion returns the registered version called name (the first created
// when hand-made tags registered the same name at several commits), or nil.
// Unregistered (hexsha) versions are not found, as in gto 0.2.4; nor is
// anything in a nil artifact.
func (a *Artifact) FindVersion(name string) *Version {
	if a == nil {
		return nil
	}
	for _, v := range a.Versions {
		if v.Name == name && !v.Discovered() {
			return v
		}
	}
	return nil
}

// FindOneVersion is FindVersion for a command that acts on the version: a
// name registered at several commits (hand-made tags, or a counter tag
// re-registering a name deregistered elsewhere) is an error, as 0.2.4's
// Artifact.find_version raises ManyVersions, instead of the first of them.
func (a *Artifact) FindOneVersion(name string) (*Version, error) {
	v := a.FindVersion(name)
	if v == nil {
		return nil, nil
	}
	var commits []string
	for _, o := range a.Versions {
		if o.Name == name && !o.Discovered() {
			commits = append(commits, fmt.Sprintf("%.7s", o.Commit))
		}
	}
	if len(commits) > 1 {
		return nil, Conflictf("version %s of artifact %q exists at several commits (%s): it does not name one version",
			name, a.Name, strings.Join(commits, ", "))
	}
	return v, nil
}

// Events returns every event of the artifact: deprecations and the events of
// all its versions (commit events included).
func (a *Artifact) Events() []*Event {
	events := append([]*Event(nil), a.Deprecations...)
	for _, v := range a.Versions {
		events = append(events, v.Events()...)
	}
	return events
}

// LatestEvent is the last event of any kind, nil for an artifact without events.
func (a *Artifact) LatestEvent() *Event {
	last := latest(a.Deprecations)
	for _, v := range a.Versions {
		if e := v.latestEvent(); e != nil && (last == nil || Before(last, e)) {
			last = e
		}
	}
	return last
}

// IsActive reports whether the artifact is not deprecated: its latest event
// is not a deprecation (registering or assigning later revives it).
func (a *Artifact) IsActive() bool {
	last := a.LatestEvent()
	return last != nil && last.Kind != KindDeprecation
}

// IsRegistered reports whether the artifact has any tag (as opposed to being
// only annotated in artifacts.yaml); unregistered artifacts show as "*name".
func (a *Artifact) IsRegistered() bool {
	if len(a.Deprecations) > 0 {
		return true
	}
	for _, v := range a.Versions {
		if len(v.Registrations)+len(v.Deregistrations) > 0 {
			return true
		}
		for _, s := range v.Stages {
			if len(s.Assignments)+len(s.Unassignments) > 0 {
				return true
			}
		}
	}
	return false
}

// Version is one version of an artifact: a SemVer name registered at a
// commit, or an unregistered version named by its commit hexsha.
type Version struct {
	Artifact        string
	Name            string
	Commit          string
	Registrations   []*Event // application order
	Deregistrations []*Event // application order
	CommitEvent     *Event   // the commit's own event; nil when the commit could not be read
	// Stages in the order their first event was applied.
	Stages []*VStage
	rank   int
}

// Stage returns the stage record of this version, or nil.
func (v *Version) Stage(name string) *VStage {
	for _, s := range v.Stages {
		if s.Stage == name {
			return s
		}
	}
	return nil
}

func (v *Version) stage(name string) *VStage {
	if s := v.Stage(name); s != nil {
		return s
	}
	s := &VStage{Artifact: v.Artifact, Version: v.Name, Stage: name, Commit: v.Commit, rank: len(v.Stages)}
	v.Stages = append(v.Stages, s)
	return s
}

// Events returns the version's events: registrations, deregistrations, its
// commit event and its stage events.
func (v *Version) Events() []*Event {
	events := append(append([]*Event(nil), v.Registrations...), v.Deregistrations...)
	return append(events, v.indirectEvents()...)
}

// indirectEvents are the version's events other than its registrations and
// deregistrations: its commit event and its stage events.
func (v *Version) indirectEvents() []*Event {
	var events []*Event
	if v.CommitEvent != nil {
		events = append(events, v.CommitEvent)
	}
	for _, s := range v.Stages {
		events = append(events, s.Assignments...)
		events = append(events, s.Unassignments...)
	}
	return events
}

func (v *Version) latestEvent() *Event {
	return latest(v.Events())
}

// IsRegistered reports whether the version has a registration tag.
func (v *Version) IsRegistered() bool { return len(v.Registrations) > 0 }

// Discovered reports whether the version has no registration or
// deregistration tag: it exists only through stage tags or annotations.
func (v *Version) Discovered() bool {
	return len(v.Registrations) == 0 && len(v.Deregistrations) == 0
}

// IsActive reports whether the version counts: its latest registration or
// deregistration is a registration; a version with neither is active when it
// has any other event.
func (v *Version) IsActive() bool {
	if last := latest(v.Registrations, v.Deregistrations); last != nil {
		return last.Kind == KindRegistration
	}
	return len(v.indirectEvents()) > 0
}

// ActivatedAt is the time of the first registration, or of the first event
// of an unregistered version.
func (v *Version) ActivatedAt() time.Time {
	if e := earliest(v.Registrations); e != nil {
		return e.Time
	}
	if e := earliest(v.Events()); e != nil {
		return e.Time
	}
	return time.Time{}
}

// AuthoringEvent is the event that "made" the version: its latest
// registration, or else its latest other event. It gives the version's
// created_at, author, message and ref.
func (v *Version) AuthoringEvent() *Event {
	if e := latest(v.Registrations); e != nil {
		return e
	}
	return latest(v.indirectEvents())
}

// CreatedAt is the time of the authoring event.
func (v *Version) CreatedAt() time.Time {
	if e := v.AuthoringEvent(); e != nil {
		return e.Time
	}
	return time.Time{}
}

// VStage is the history of one stage on one version.
type VStage struct {
	Artifact, Version, Stage, Commit string
	Assignments                      []*Event // application order
	Unassignments                    []*Event // application order
	rank                             int
}

// IsActive reports whether the latest event of the stage is an assignment.
func (s *VStage) IsActive() bool {
	last := latest(s.Assignments, s.Unassignments)
	return last != nil && last.Kind == KindAssignment
}

// ActivatedAt is the time of the latest assignment when the stage is active,
// zero otherwise.
func (s *VStage) ActivatedAt() time.Time {
	if last := latest(s.Assignments, s.Unassignments); last != nil && last.Kind == KindAssignment {
		return last.Time
	}
	return time.Time{}
}

// AuthoringEvent is the latest assignment (nil for a stage that was only
// ever unassigned).
func (s *VStage) AuthoringEvent() *Event {
	return latest(s.Assignments)
}

// CreatedAt is the time of the latest assignment.
func (s *VStage) CreatedAt() time.Time {
	if e := s.AuthoringEvent(); e != nil {
		return e.Time
	}
	return time.Time{}
}
