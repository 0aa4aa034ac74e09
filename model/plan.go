package model

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gto-dev/gto/semver"
	"github.com/gto-dev/gto/tagname"
)

// Bump says which part of the greatest version an automatic version bumps.
type Bump int

const (
	BumpNone  Bump = iota // the patch, as with BumpPatch, but a first version is v0.0.1
	BumpMajor             // v1.2.3 -> v2.0.0
	BumpMinor             // v1.2.3 -> v1.3.0
	BumpPatch             // v1.2.3 -> v1.2.4
)

// String names the part bumped: "major", "minor", "patch"; "" for BumpNone.
func (b Bump) String() string {
	return [...]string{"", "major", "minor", "patch"}[b]
}

// ParseBump reads a part name as String writes it ("" is BumpNone).
func ParseBump(s string) (Bump, error) {
	for b := BumpNone; b <= BumpPatch; b++ {
		if b.String() == s {
			return b, nil
		}
	}
	return BumpNone, &InvalidError{Field: FieldBump, Value: s, Detail: Detail{
		Msg: fmt.Sprintf("invalid bump %q", s), Hint: "use patch, minor or major"}}
}

// CounterMode says which written tags carry an event counter (#N).
type CounterMode int

const (
	// CounterAuto: assignments and unassignments carry a counter;
	// registrations, deregistrations and deprecations do not.
	CounterAuto CounterMode = iota
	// CounterNever: no tag carries a counter (NAME#STAGE, NAME@vX.Y.Z).
	CounterNever
	// CounterAlways: every tag carries a counter.
	CounterAlways
)

// Counts reports whether a tag of action carries a counter in this mode.
func (m CounterMode) Counts(a tagname.Action) bool {
	switch m {
	case CounterNever:
		return false
	case CounterAlways:
		return true
	}
	return a == tagname.ActionAssign || a == tagname.ActionUnassign
}

// PlanVersion decides the version name a registration of artifact name at
// commit gets (version, or the next one after the greatest active version,
// bumped by bump), and refuses registrations that would break the registry
// (SPEC §6): a commit holds one active version per artifact, a version name
// belongs to one commit, and a deregistered commit can only take its old
// name again. force registers a commit that holds an active version.
// counted says the registration tag carries a counter: a bumped version
// whose name a deregistered version holds can then still be written, as in
// 0.2.4 (registry.py GitRegistry.register checks a taken name only for an
// explicit version; a simple tag fails there because it exists). a is nil
// for an artifact without tags.
func PlanVersion(a *Artifact, name, commit, version string, bump Bump, force, counted bool) (string, error) {
	var found *Version
	if at := a.VersionsAt(commit); len(at) > 0 {
		found = at[0]
		for _, v := range at {
			if v.IsActive() {
				found = v
			}
		}
		if len(at) > 1 {
			names := make([]string, len(at))
			for i, v := range at {
				names[i] = v.Name
			}
			return "", Conflictf("commit %.7s already holds versions %s of artifact %q", commit, strings.Join(names, ", "), name)
		}
	}
	if found != nil {
		if !force && found.IsRegistered() && found.IsActive() {
			return "", &ConflictError{Force: true, Detail: Detail{Hint: ForceHint,
				Msg: fmt.Sprintf("artifact %q is already registered at commit %.7s with version %s", name, commit, found.Name)}}
		}
		if version == "" {
			version = found.Name
		} else if version != found.Name {
			return "", Conflictf("commit %.7s can only be registered again as %s, the version of artifact %q it held", commit, found.Name, name)
		}
	}
	if version != "" {
		if other := a.registered(version, found); other != nil {
			return "", Conflictf("version %s of artifact %q is already registered at commit %.7s", version, name, other.Commit)
		}
		return version, nil
	}
	var last *Version
	if a != nil {
		last = a.LatestVersion(true)
	}
	if last == nil {
		if bump != BumpNone {
			return "", &InvalidError{Field: FieldBump, Value: bump.String(), Detail: Detail{Code: CodeBumpWithoutVersion, Artifact: name,
				Msg: fmt.Sprintf("cannot bump the %s version: artifact %q has no version yet", bump, name), Sep: ", ", Hint: "register one first"}}
		}
		return semver.Minimal().String(), nil
	}
	cur := semver.MustParse(last.Name)
	var next semver.Version
	switch bump {
	case BumpMajor:
		next = cur.BumpMajor()
	case BumpMinor:
		next = cur.BumpMinor()
	default:
		next = cur.BumpPatch()
	}
	if other := a.registered(next.String(), nil); other != nil && !counted {
		return "", &ConflictError{Detail: Detail{Code: CodeNextVersionTaken,
			Msg:  fmt.Sprintf("the next version %s of artifact %q already exists at commit %.7s (deregistered)", next, name, other.Commit),
			Hint: "choose a version"}}
	}
	return next.String(), nil
}

// registered returns a registered version called name other than except
// (nil for a nil artifact).
func (a *Artifact) registered(name string, except *Version) *Version {
	if a == nil {
		return nil
	}
	for _, v := range a.Versions {
		if v.Name == name && v != except && !v.Discovered() {
			return v
		}
	}
	return nil
}

// NextCounter is one more than the largest counter on any tag of the
// artifact in GTO format, lightweight tags included (SPEC §6).
func NextCounter(tags []TagInput, artifact string) int {
	max := 0
	for i := range tags {
		if tags[i].Parsed.Artifact == artifact && tags[i].Parsed.Counter > max {
			max = tags[i].Parsed.Counter
		}
	}
	return max + 1
}

// EventTags lists the distinct tags of events, oldest event first (it
// sorts events).
func EventTags(events []*Event) []string {
	sort.SliceStable(events, func(i, j int) bool { return Before(events[i], events[j]) })
	var out []string
	seen := map[string]bool{}
	for _, e := range events {
		if e.Tag != "" && !seen[e.Tag] {
			seen[e.Tag] = true
			out = append(out, e.Tag)
		}
	}
	return out
}
