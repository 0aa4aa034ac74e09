package model

import "strings"

// Compact copies every string of the state out of the buffers it was read
// from, equal names, ids and identities sharing one copy. A state built
// from the object cache holds slices of the cache's whole file (150 MB at
// 500,000 tags), which stay in memory as long as one of them does: a
// reader that keeps the state for long (gto serve) compacts it first, and
// then holds only the state. Compact changes no value; it must not run
// while the state is being read.
func (s *State) Compact() {
	in := interner{}
	byName := make(map[string]*Artifact, len(s.byName))
	for _, a := range s.Artifacts {
		a.Name = in.intern(a.Name)
		byName[a.Name] = a
		in.events(a.Deprecations)
		for _, v := range a.Versions {
			v.Artifact, v.Name, v.Commit = in.intern(v.Artifact), in.intern(v.Name), in.intern(v.Commit)
			in.events(v.Registrations)
			in.events(v.Deregistrations)
			if v.CommitEvent != nil {
				in.event(v.CommitEvent)
			}
			for _, st := range v.Stages {
				st.Artifact, st.Version = in.intern(st.Artifact), in.intern(st.Version)
				st.Stage, st.Commit = in.intern(st.Stage), in.intern(st.Commit)
				in.events(st.Assignments)
				in.events(st.Unassignments)
			}
		}
		a.compactIndexes(in)
	}
	if s.byName != nil {
		s.byName = byName
	}
}

// compactIndexes makes the keys of the artifact's version indexes the
// interned strings (the old keys are slices of the buffers too).
func (a *Artifact) compactIndexes(in interner) {
	if a.byKey != nil {
		byKey := make(map[versionKey]*Version, len(a.byKey))
		for k, v := range a.byKey {
			byKey[versionKey{in.intern(k.name), in.intern(k.commit)}] = v
		}
		a.byKey = byKey
	}
	if a.byCommit != nil {
		byCommit := make(map[string][]*Version, len(a.byCommit))
		for k, vs := range a.byCommit {
			byCommit[in.intern(k)] = vs
		}
		a.byCommit = byCommit
	}
	if a.unreg != nil {
		unreg := make(map[string]*Version, len(a.unreg))
		for k, v := range a.unreg {
			unreg[in.intern(k)] = v
		}
		a.unreg = unreg
	}
}

// interner maps each string to its one copy.
type interner map[string]string

func (in interner) intern(s string) string {
	if s == "" {
		return ""
	}
	if c, ok := in[s]; ok {
		return c
	}
	c := strings.Clone(s)
	in[c] = c
	return c
}

func (in interner) events(events []*Event) {
	for _, e := range events {
		in.event(e)
	}
}

// event copies the strings of e: the fields that events share are
// interned, those of each tag (its name, object and message) cloned.
func (in interner) event(e *Event) {
	e.Artifact, e.Version, e.Stage = in.intern(e.Artifact), in.intern(e.Version), in.intern(e.Stage)
	e.Commit = in.intern(e.Commit)
	e.Author, e.AuthorEmail = in.intern(e.Author), in.intern(e.AuthorEmail)
	e.Committer, e.CommitterEmail = in.intern(e.Committer), in.intern(e.CommitterEmail)
	e.Tag, e.Object, e.Message = strings.Clone(e.Tag), strings.Clone(e.Object), strings.Clone(e.Message)
}
