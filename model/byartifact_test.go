package model

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestByArtifactGroupsInFirstAppearanceKeepingOrder(t *testing.T) {
	t.Parallel()
	names := []string{"b", "a", "b", "c", "a", "b"}
	events := make([]*Event, len(names))
	for i, n := range names {
		events[i] = &Event{Artifact: n}
	}
	if got, want := byArtifact(events), []int32{0, 2, 5, 1, 4, 3}; !slices.Equal(got, want) {
		t.Errorf("byArtifact = %v, want %v", got, want)
	}
	if got := byArtifact(nil); len(got) != 0 {
		t.Errorf("byArtifact(nil) = %v", got)
	}
}

// Applying the events artifact by artifact builds the state that applying
// them in turn builds: events of many artifacts, interleaved, on shared
// commits, with deregistrations, stages on unregistered commits and
// deprecations.
func TestByArtifactBuildsTheSameState(t *testing.T) {
	t.Parallel()
	kinds := []EventKind{KindRegistration, KindDeregistration, KindAssignment, KindUnassignment, KindDeprecation}
	base := time.Unix(1700000000, 0)
	fresh := func() []*Event {
		r := rand.New(rand.NewPCG(3, 4))
		var events []*Event
		for i := range 400 {
			e := &Event{
				Kind:     kinds[r.IntN(len(kinds))],
				Artifact: fmt.Sprintf("m%d", r.IntN(7)),
				Commit:   fmt.Sprintf("%040d", r.IntN(12)),
				Time:     base.Add(time.Duration(i) * time.Second),
				Tag:      fmt.Sprintf("t%d", i),
			}
			switch e.Kind {
			case KindRegistration, KindDeregistration:
				e.Version = fmt.Sprintf("v0.0.%d", r.IntN(5))
			case KindAssignment, KindUnassignment:
				e.Stage = []string{"dev", "prod"}[r.IntN(2)]
			}
			events = append(events, e)
		}
		return events
	}
	inTurn, grouped := &State{byName: map[string]*Artifact{}}, &State{byName: map[string]*Artifact{}}
	events := fresh()
	for i, e := range events {
		applyEvent(inTurn, e, i)
	}
	events = fresh()
	for _, i := range byArtifact(events) {
		applyEvent(grouped, events[i], int(i))
	}
	if !reflect.DeepEqual(inTurn, grouped) {
		t.Error("the state built artifact by artifact differs from the one built in turn")
	}
}
