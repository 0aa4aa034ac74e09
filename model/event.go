package model

import (
	"strings"
	"time"

	"github.com/gto-dev/gto/tagname"

	"github.com/gto-dev/gto/annotations"
)

// EventKind is the kind of a registry event. Its numeric value is the event's
// priority: the order in which events with equal timestamps are applied and
// the "priority" field of the JSON output.
type EventKind int

// The event kinds, in priority order.
const (
	KindCommit         EventKind = 0 // an annotated commit (artifacts.yaml), not a tag
	KindCreation       EventKind = 1 // NAME@created: parsed, never written, ignored by the state
	KindDeprecation    EventKind = 2
	KindRegistration   EventKind = 3
	KindDeregistration EventKind = 4
	KindAssignment     EventKind = 5
	KindUnassignment   EventKind = 6
)

// String returns the event name used in JSON and tables ("registration", ...).
func (k EventKind) String() string {
	switch k {
	case KindCommit:
		return "commit"
	case KindCreation:
		return "creation"
	case KindDeprecation:
		return "deprecation"
	case KindRegistration:
		return "registration"
	case KindDeregistration:
		return "deregistration"
	case KindAssignment:
		return "assignment"
	case KindUnassignment:
		return "unassignment"
	}
	return "unknown"
}

// KindOf is the kind of event a tag of action records (KindCreation for
// NAME@created, which records none).
func KindOf(a tagname.Action) EventKind {
	switch a {
	case tagname.ActionRegister:
		return KindRegistration
	case tagname.ActionDeregister:
		return KindDeregistration
	case tagname.ActionAssign:
		return KindAssignment
	case tagname.ActionUnassign:
		return KindUnassignment
	case tagname.ActionDeprecate:
		return KindDeprecation
	}
	return KindCreation
}

// Addition reports whether the event adds something (registration,
// assignment, commit, creation) rather than cancelling it.
func (k EventKind) Addition() bool {
	switch k {
	case KindDeprecation, KindDeregistration, KindUnassignment:
		return false
	}
	return true
}

// Event is one entry of the registry journal: a GTO tag, or a commit that
// annotates an artifact.
type Event struct {
	Kind     EventKind
	Artifact string
	// Version is the version name the event belongs to: a SemVer name, or the
	// commit hexsha of an unregistered version. Empty for deprecations.
	Version string
	Stage   string // assignments and unassignments only
	// Tag is the tag name; empty for commit events.
	Tag string
	// Object is the tag object's id (what the tag ref names); empty for
	// commit events.
	Object string
	// Counter is the #N suffix of the tag, 0 when absent.
	Counter int
	// Time is the tagger date (committer date for commit events), in its own zone.
	Time        time.Time
	Author      string
	AuthorEmail string
	Message     string
	Commit      string

	// Commit events only.
	Committer      string
	CommitterEmail string

	// Annotation is the artifact's annotation at Commit (commit events only);
	// nil when it is not annotated there or when it was not loaded.
	Annotation *annotations.Artifact

	// seq is the position of the event in the reference's processing order
	// (see build.go); it breaks ties that the public ordering leaves open.
	seq int
}

// Ref is what identifies the event for users: its tag, or the commit hexsha
// for commit events.
func (e *Event) Ref() string {
	if e.Tag != "" {
		return e.Tag
	}
	return e.Commit
}

// Before reports whether a is applied before b: by time, then kind
// (priority), then counter, then tag name (SPEC §2).
func Before(a, b *Event) bool {
	if ta, tb := a.Time.Unix(), b.Time.Unix(); ta != tb {
		return ta < tb
	}
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	if a.Counter != b.Counter {
		return a.Counter < b.Counter
	}
	if a.Tag != b.Tag {
		return a.Tag < b.Tag
	}
	return a.seq < b.seq
}

// latest returns the last event of events in application order, nil when empty.
func latest(events ...[]*Event) *Event {
	return pick(events, func(e, best *Event) bool { return Before(best, e) })
}

// earliest returns the first event of events in application order, nil when empty.
func earliest(events ...[]*Event) *Event {
	return pick(events, Before)
}

// pick returns the event of lists for which better(e, best) held against
// every event before it, nil when there is none.
func pick(lists [][]*Event, better func(e, best *Event) bool) *Event {
	var best *Event
	for _, list := range lists {
		for _, e := range list {
			if best == nil || better(e, best) {
				best = e
			}
		}
	}
	return best
}

// NamedVersion is the version a stage tag's default message names
// ("Assigning stage prod to artifact m version v1.2.0", "Unassigning stage
// 'prod' to artifact 'm' version 'v1.2.0'"), "" for other messages. It is
// what the writer of the tag took the version to be.
func (e *Event) NamedVersion() string {
	if e.Kind != KindAssignment && e.Kind != KindUnassignment {
		return ""
	}
	if !strings.HasPrefix(e.Message, "Assigning stage ") && !strings.HasPrefix(e.Message, "Unassigning stage ") {
		return ""
	}
	i := strings.LastIndex(e.Message, " version ")
	if i < 0 || strings.ContainsAny(e.Message[i:], "\n") {
		return ""
	}
	return strings.Trim(e.Message[i+len(" version "):], "'")
}

// VersionUnknown reports whether the event's version is a bare commit
// although its tag does not say so: the stage was assigned to a registered
// version (the message names it) whose registration tag this repository
// lacks — a shallow CI checkout that fetched the stage tag alone. A stage
// assigned with --skip-registration names the commit, and is known.
func (e *Event) VersionUnknown() bool {
	return e.Version != "" && e.Version == e.Commit && e.NamedVersion() != e.Commit
}
