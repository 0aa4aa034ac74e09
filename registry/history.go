package registry

import (
	"slices"
	"sort"
)

// History returns the journal of events, newest first (oldest first with
// ascending), optionally for one artifact only (an unknown artifact gives an
// empty journal, not an error).
//
// Events are ordered by time, then priority. Ties are ordered exactly as gto
// 0.2.4 orders them (its sorts are stable and reversed several times over
// nested lists), because `history --plain` rows of different artifacts at the
// same second are compared by scripts and by the conformance suite:
// newest-first output lists tied events by artifact discovery order
// reversed, then version creation order, then for registrations and commits
// the reverse of tag order, and for stage events the reverse of stage order
// then tag order.
func (s *State) History(artifact string, ascending bool) []*Event {
	type ranked struct {
		e                    *Event
		artifact, version    int
		stage                int
		inStage, deprecation bool
	}
	var rows []ranked
	for _, a := range s.Artifacts {
		if artifact != "" && a.Name != artifact {
			continue
		}
		for _, e := range a.Deprecations {
			rows = append(rows, ranked{e: e, artifact: a.rank, deprecation: true})
		}
		for _, v := range a.Versions {
			for _, e := range v.Events() {
				r := ranked{e: e, artifact: a.rank, version: v.rank}
				if e.Kind == KindAssignment || e.Kind == KindUnassignment {
					r.inStage = true
					r.stage = v.Stage(e.Stage).rank
				}
				rows = append(rows, r)
			}
		}
	}
	// newest first
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if ta, tb := a.e.Time.Unix(), b.e.Time.Unix(); ta != tb {
			return ta > tb
		}
		if a.e.Kind != b.e.Kind {
			return a.e.Kind > b.e.Kind
		}
		if a.artifact != b.artifact {
			return a.artifact > b.artifact
		}
		if a.deprecation {
			return a.e.seq < b.e.seq
		}
		if a.version != b.version {
			return a.version < b.version
		}
		if a.inStage {
			if a.stage != b.stage {
				return a.stage > b.stage
			}
			return a.e.seq < b.e.seq
		}
		return a.e.seq > b.e.seq
	})
	out := make([]*Event, len(rows))
	for i, r := range rows {
		out[i] = r.e
	}
	if ascending {
		slices.Reverse(out)
	}
	return out
}
