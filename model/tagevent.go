package model

import "slices"

// EventOf returns the event that the tag called tag created, nil when it
// created none (it is no event, or not the artifact's) or a is nil.
func (a *Artifact) EventOf(tag string) *Event {
	if a == nil {
		return nil
	}
	events := a.Events()
	if i := slices.IndexFunc(events, func(e *Event) bool { return e.Tag == tag }); i >= 0 {
		return events[i]
	}
	return nil
}
