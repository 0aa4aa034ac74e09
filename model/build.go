package model

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/gto-dev/gto/tagname"
)

// TagInput is one tag of the repository whose name is in GTO format.
type TagInput struct {
	Name      string
	Object    string // the object the ref names (the tag object of an annotated tag)
	Parsed    tagname.Tag
	Annotated bool
	// Commit is the commit the tag points to after peeling tag chains; empty
	// when the tag points at a tree or a blob (such tags are not events).
	Commit      string
	Tagger      string
	TaggerEmail string
	NoTagger    bool // the tag object has no tagger line (very old git)
	Malformed   bool // the tag object cannot be parsed: not an event
	Missing     bool // the ref names an object the repository lacks: not an event
	Time        time.Time
	Message     string
	// Signed: the tag object carries a signature (not checked; the state
	// does not use it).
	Signed bool
}

// IsEvent reports whether the tag is a registry event: annotated, pointing
// at a commit, and carrying an action (NAME@created carries none).
func (t *TagInput) IsEvent() bool {
	return t.Annotated && t.Commit != "" && t.Parsed.Action != tagname.ActionCreate
}

// CommitInfo is what a commit event needs to know about a commit.
type CommitInfo struct {
	AuthorName, AuthorEmail       string
	CommitterName, CommitterEmail string
	CommitterTime                 time.Time
	Message                       string // full message, trailing newline included
}

// AnnotatedCommit lists the artifacts annotated (artifacts.yaml) at a commit.
type AnnotatedCommit struct {
	Commit string
	Names  []string // in the file's order
}

// BuildInput is everything Build needs. Nothing in it is read lazily.
type BuildInput struct {
	Tags []TagInput
	// Commits holds the commits of versions and annotated commits; a missing
	// entry (shallow clone, pruned object) only means no commit event.
	Commits map[string]*CommitInfo
	// Annotated are the commits whose annotations are read (HEAD by default;
	// branch tips with --all-branches, every commit with --all-commits), in
	// the order they are discovered.
	Annotated []AnnotatedCommit
	// Events, when Tags is empty, are the events of the event tags
	// (TagEvent of each tag that IsEvent, in the order of the tags) for a
	// caller that keeps no tags: reading 500,000 tags, it holds no second
	// copy of them beside the events. The state points into the slice.
	Events []Event
	// AnnotatedArtifactsOnly makes annotations create only the artifacts,
	// not a version per annotated commit: the registry table shows the same
	// either way (such versions have no stages and are not registered), and
	// --all-commits on a long history would create one per commit.
	AnnotatedArtifactsOnly bool
}

// phase orders tag processing like gto 0.2.4, which reads deprecations, then
// registrations, then stage tags. The order decides which artifacts and
// versions exist first, and through that the order of ties in history.
func phase(k EventKind) int {
	switch k {
	case KindDeprecation:
		return 0
	case KindRegistration, KindDeregistration:
		return 1
	}
	return 2
}

// TagEvent is the event an event tag (IsEvent) records, before Build
// places it: the version of a stage tag is found then.
func TagEvent(t *TagInput) Event {
	p := t.Parsed
	e := Event{
		Kind:        KindOf(p.Action),
		Artifact:    p.Artifact,
		Tag:         t.Name,
		Object:      t.Object,
		Counter:     p.Counter,
		Time:        t.Time,
		Author:      t.Tagger,
		AuthorEmail: t.TaggerEmail,
		Message:     t.Message,
		Commit:      t.Commit,
	}
	switch p.Action {
	case tagname.ActionRegister, tagname.ActionDeregister:
		e.Version = p.Version
	case tagname.ActionAssign, tagname.ActionUnassign:
		e.Stage = p.Stage
	}
	return e
}

// Build builds the registry state from tags (or their events) and
// annotations in one pass.
func Build(in BuildInput) *State {
	s := &State{byName: map[string]*Artifact{}}
	events := in.Events
	if len(in.Tags) > 0 {
		n := 0
		for i := range in.Tags {
			if in.Tags[i].IsEvent() {
				n++
			}
		}
		events = make([]Event, 0, n) // one allocation, not one an event
		for i := range in.Tags {
			if t := &in.Tags[i]; t.IsEvent() {
				events = append(events, TagEvent(t))
			}
		}
	}
	// Sorted on keys copied out of the events (comparing through pointers
	// misses the cache on 50,000 tags); the input order breaks ties, as a
	// stable sort would.
	type keyed struct {
		event *Event
		phase int
		time  int64
		name  string
		index int
	}
	keys := make([]keyed, len(events))
	for i := range events {
		e := &events[i]
		keys[i] = keyed{e, phase(e.Kind), e.Time.Unix(), e.Tag, i}
	}
	slices.SortFunc(keys, func(a, b keyed) int {
		if a.phase != b.phase {
			return cmp.Compare(a.phase, b.phase)
		}
		if a.time != b.time {
			return cmp.Compare(a.time, b.time)
		}
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return cmp.Compare(a.index, b.index)
	})
	order := make([]*Event, len(keys))
	for i, k := range keys {
		order[i] = k.event
	}
	for _, i := range byArtifact(order) {
		applyEvent(s, order[i], int(i))
	}
	s.seq = len(order)
	for _, ac := range in.Annotated {
		for _, name := range ac.Names {
			a := s.artifact(name)
			if !in.AnnotatedArtifactsOnly && len(a.VersionsAt(ac.Commit)) == 0 {
				a.unregisteredVersion(ac.Commit) // registered there: nothing to discover
			}
		}
	}
	s.AttachCommits(in.Commits)
	return s
}

// AttachCommits gives every version whose commit is in commits its commit
// event. Commands that need no commit events (check-ref, the writes) do not
// read commits at all; the registry table reads only the commits of
// unregistered versions (see CommitsNeeded).
func (s *State) AttachCommits(commits map[string]*CommitInfo) {
	for _, a := range s.Artifacts {
		for _, v := range a.Versions {
			addCommitEvent(v, commits, &s.seq)
		}
	}
}

// CommitsNeeded lists the distinct commits of the versions that lack a
// commit event; with unregisteredOnly, of unregistered versions only (the
// registry table needs their dates; registered versions are dated by
// their tags).
func (s *State) CommitsNeeded(unregisteredOnly bool) []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range s.Artifacts {
		for _, v := range a.Versions {
			if v.CommitEvent != nil || seen[v.Commit] || (unregisteredOnly && !v.Discovered()) {
				continue
			}
			seen[v.Commit] = true
			out = append(out, v.Commit)
		}
	}
	return out
}

// byArtifact returns the positions of events grouped by artifact: the
// artifacts in the order they first appear, each one's events in order.
// An event changes only its artifact's state, so applying them in this
// order (each with its position in events as its seq) builds the same
// state as applying them in turn; but on thousands of artifacts, time
// order jumps to another artifact's maps and versions at every event, a
// cache miss each (on 500,000 tags, applying them took 2.6 times as long
// per event as on 50,000), where grouped they stay in the cache.
func byArtifact(events []*Event) []int32 {
	group := map[string]int32{}
	of := make([]int32, len(events))
	var counts []int32
	for i, e := range events {
		g, ok := group[e.Artifact]
		if !ok {
			g = int32(len(counts))
			group[e.Artifact] = g
			counts = append(counts, 0)
		}
		of[i] = g
		counts[g]++
	}
	next := make([]int32, len(counts)) // where each group's next event goes
	var at int32
	for g, n := range counts {
		next[g] = at
		at += n
	}
	out := make([]int32, len(events))
	for i, g := range of {
		out[next[g]] = int32(i)
		next[g]++
	}
	return out
}

// applyEvent places the event of a tag (TagEvent) in the state: on its
// artifact, version and stage.
func applyEvent(s *State, e *Event, seq int) {
	e.seq = seq
	a := s.artifact(e.Artifact)
	switch e.Kind {
	case KindDeprecation:
		a.Deprecations = append(a.Deprecations, e)
	case KindRegistration, KindDeregistration:
		v := a.registeredVersion(e.Version, e.Commit)
		e.Version = v.Name
		addTo(e.Kind == KindRegistration, e, &v.Registrations, &v.Deregistrations)
	case KindAssignment, KindUnassignment:
		v := stageTarget(a, e)
		e.Version = v.Name
		vs := v.stage(e.Stage)
		addTo(e.Kind == KindAssignment, e, &vs.Assignments, &vs.Unassignments)
	}
}

// addTo appends e to adds (an addition) or to cancels.
func addTo(addition bool, e *Event, adds, cancels *[]*Event) {
	if addition {
		*adds = append(*adds, e)
	} else {
		*cancels = append(*cancels, e)
	}
}

// stageTarget is the version a stage event belongs to: the version
// registered at its commit (even when registered later), or else the
// unregistered version of that commit. With several versions at one commit
// (hand-made or racing tags) it is the one most recently registered when the
// stage tag was written, or the first registered if all came later.
func stageTarget(a *Artifact, t *Event) *Version {
	candidates := a.VersionsAt(t.Commit)
	switch len(candidates) {
	case 0:
		return a.unregisteredVersion(t.Commit)
	case 1:
		return candidates[0]
	}
	var best, first *Version
	var bestAt, firstAt int64
	for _, v := range candidates {
		e := earliest(v.Registrations, v.Deregistrations)
		if e == nil {
			continue
		}
		at := e.Time.Unix()
		if first == nil || at < firstAt {
			first, firstAt = v, at
		}
		if at <= t.Time.Unix() && (best == nil || at >= bestAt) {
			best, bestAt = v, at
		}
	}
	if best != nil {
		return best
	}
	if first != nil {
		return first
	}
	return candidates[0]
}

func addCommitEvent(v *Version, commits map[string]*CommitInfo, seq *int) {
	if v.CommitEvent != nil {
		return
	}
	c := commits[v.Commit]
	if c == nil {
		return
	}
	v.CommitEvent = &Event{
		Kind:           KindCommit,
		Artifact:       v.Artifact,
		Version:        v.Name,
		Time:           c.CommitterTime,
		Author:         c.AuthorName,
		AuthorEmail:    c.AuthorEmail,
		Message:        c.Message,
		Commit:         v.Commit,
		Committer:      c.CommitterName,
		CommitterEmail: c.CommitterEmail,
		seq:            *seq,
	}
	*seq++
}
