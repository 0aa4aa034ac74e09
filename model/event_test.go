package model

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// Tagger dates have one-second resolution and clocks drift, so the order of
// an artifact's events must not depend on anything finer than the second:
// time (seconds), then kind, then counter, then tag name.
func TestBeforeOrder(t *testing.T) {
	base := time.Unix(1640995200, 0).UTC()
	ev := func(sec int, nsec int, kind EventKind, counter int, tag string) *Event {
		return &Event{Kind: kind, Counter: counter, Tag: tag, Time: base.Add(time.Duration(sec)*time.Second + time.Duration(nsec))}
	}
	tests := []struct {
		name string
		a, b *Event
	}{
		{"earlier second first, whatever the counter", ev(0, 0, KindAssignment, 9, "m#prod#9"), ev(1, 0, KindAssignment, 1, "m#prod#1")},
		{"equal times: kind first", ev(0, 0, KindRegistration, 9, "m@v1.0.0#9"), ev(0, 0, KindAssignment, 1, "m#prod#1")},
		{"equal times and kinds: counter tie-break", ev(0, 0, KindAssignment, 7, "m#prod#7"), ev(0, 0, KindAssignment, 8, "m#dev#8")},
		{"counter beats tag name", ev(0, 0, KindAssignment, 2, "m#zzz#2"), ev(0, 0, KindAssignment, 10, "m#aaa#10")},
		{"no counter (simple tag) before a counter", ev(0, 0, KindAssignment, 0, "m#prod"), ev(0, 0, KindAssignment, 1, "m#prod#1")},
		{"sub-second differences are ignored", ev(0, 900_000_000, KindAssignment, 7, "m#prod#7"), ev(0, 0, KindAssignment, 8, "m#prod#8")},
		{"equal counters: tag name", ev(0, 0, KindAssignment, 3, "m#dev#3"), ev(0, 0, KindAssignment, 3, "m#prod#3")},
	}
	for _, tt := range tests {
		if !Before(tt.a, tt.b) {
			t.Errorf("%s: %s is not before %s", tt.name, tt.a.Tag, tt.b.Tag)
		}
		if Before(tt.b, tt.a) {
			t.Errorf("%s: %s is also before %s", tt.name, tt.b.Tag, tt.a.Tag)
		}
	}
	// Time zones do not matter: the same instant in two zones is a tie,
	// which the counter breaks.
	a := ev(0, 0, KindAssignment, 8, "m#prod#8")
	b := &Event{Kind: KindAssignment, Counter: 7, Tag: "m#prod#7", Time: base.In(time.FixedZone("+0530", 5*3600+1800))}
	if !Before(b, a) || Before(a, b) {
		t.Error("same instant in another zone: the counter must decide")
	}
	// An event is never before itself.
	if Before(a, a) {
		t.Error("Before(a, a)")
	}
}

// Two assignments of one stage in the same second (two writers, or a
// clock that went back): the greater counter is the later event and wins
// the stage, whatever the order the tags are read in.
func TestEqualTimesCounterDecidesTheStage(t *testing.T) {
	for _, order := range [][]string{{"m#prod#7", "m#prod#8"}, {"m#prod#8", "m#prod#7"}} {
		f := newFixture(t)
		c1, c2 := f.commit("c1", 0), f.commit("c2", 1)
		f.tag("m@v1.0.0", c1, 5)
		f.tag("m@v2.0.0", c2, 5)
		targets := map[string]string{"m#prod#7": c2, "m#prod#8": c1}
		for _, name := range order {
			f.tag(name, targets[name], 10) // same second
		}
		a := f.build().Artifact("m")
		v1, v2 := a.FindVersion("v1.0.0"), a.FindVersion("v2.0.0")
		if !v1.Stage("prod").IsActive() || !v2.Stage("prod").IsActive() {
			t.Fatalf("order %v: both versions should have prod", order)
		}
		sv := a.StageVersions(DefaultStageView)
		var got []string
		for _, vs := range sv.Stages["prod"] {
			got = append(got, vs.Version)
		}
		if !slices.Equal(got, []string{"v1.0.0"}) {
			t.Errorf("order %v: prod = %v, want v1.0.0 (#8 is the later event)", order, got)
		}
	}
}

func TestVersionUnknown(t *testing.T) {
	t.Parallel()
	hex := strings.Repeat("ab", 20)
	for _, tc := range []struct {
		e       Event
		named   string
		unknown bool
	}{
		{Event{Kind: KindAssignment, Version: "v1.2.0", Commit: hex, Message: "Assigning stage prod to artifact m version v1.2.0"}, "v1.2.0", false},
		{Event{Kind: KindAssignment, Version: hex, Commit: hex, Message: "Assigning stage prod to artifact m version v1.2.0"}, "v1.2.0", true},
		{Event{Kind: KindAssignment, Version: hex, Commit: hex, Message: "Assigning stage prod to artifact m version " + hex}, hex, false},
		{Event{Kind: KindUnassignment, Version: hex, Commit: hex, Message: "Unassigning stage 'prod' to artifact 'm' version '" + hex + "'"}, hex, false},
		{Event{Kind: KindAssignment, Version: hex, Commit: hex, Message: "promote for the launch"}, "", true},
		{Event{Kind: KindRegistration, Version: "v1.0.0", Commit: hex, Message: "Assigning stage x to artifact m version v9"}, "", false},
	} {
		if got := tc.e.NamedVersion(); got != tc.named {
			t.Errorf("%q: NamedVersion = %q, want %q", tc.e.Message, got, tc.named)
		}
		if got := tc.e.VersionUnknown(); got != tc.unknown {
			t.Errorf("%q (version %.7s): VersionUnknown = %v", tc.e.Message, tc.e.Version, got)
		}
	}
}
