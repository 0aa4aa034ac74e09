package registry

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/internal/store/memstore"
	"github.com/gto-dev/gto/model"
)

func eventTags(events []Event) []string {
	var out []string
	for _, e := range events {
		out = append(out, e.Kind+" "+e.Tag)
	}
	return out
}

func collect(t *testing.T, r *Registry, since string) []Event {
	t.Helper()
	var out []Event
	for e, err := range r.Events(t.Context(), since) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// pollWant polls d on r and fails unless it found the events want.
func pollWant(t *testing.T, d *Detector, r *Registry, want ...string) []Event {
	t.Helper()
	got, err := d.Poll(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(eventTags(got), want) {
		t.Fatalf("poll: %q, want %q", eventTags(got), want)
	}
	return got
}

// twoTags is a fake registry with the registrations a@v1.0.0 and b@v1.0.0,
// and their events.
func twoTags(t *testing.T) (*fake, []Event) {
	f := newFake(t, memstore.Options{})
	c := f.repo.Commit("first", nil)
	f.repo.Tag("a@v1.0.0", c, "r")
	f.repo.Tag("b@v1.0.0", c, "r")
	return f, collect(t, f.reg, "")
}

func TestEventsOldestFirstWithCursors(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	c := f.repo.Commit("first", nil)
	f.repo.Tag("m@v1.0.0", c, "Registering artifact m version v1.0.0")
	f.repo.Tag("m#prod#1", c, "Assigning stage prod to artifact m version v1.0.0")
	f.repo.LightTag("m@v9.9.9", c) // not an event
	f.repo.Tag("n@v0.1.0", c, "r")
	f.repo.Tag("m@deprecated", c, "d")

	all := collect(t, f.reg, "")
	want := []string{"registration m@v1.0.0", "assignment m#prod#1", "registration n@v0.1.0", "deprecation m@deprecated"}
	if got := eventTags(all); !slices.Equal(got, want) {
		t.Fatalf("events %q, want %q", got, want)
	}
	if all[1].Version != "v1.0.0" || all[1].Stage != "prod" || all[1].Object != f.repo.TagObject("m#prod#1") {
		t.Errorf("assignment: %+v", all[1])
	}
	if all[0].ID != EventID("m@v1.0.0", f.repo.TagObject("m@v1.0.0")) || all[0].ID == all[1].ID {
		t.Errorf("ids %s %s", all[0].ID, all[1].ID)
	}
	rest := collect(t, f.reg, all[1].Cursor)
	if got := eventTags(rest); !slices.Equal(got, want[2:]) {
		t.Errorf("after the second: %q", got)
	}
	if rest := collect(t, f.reg, all[3].Cursor); len(rest) != 0 {
		t.Errorf("after the last: %q", eventTags(rest))
	}
	if got := eventTags(collect(t, f.reg, StartCursor)); !slices.Equal(got, want) {
		t.Errorf("from the start cursor: %q", got)
	}
	after, err := After(all, all[0].Cursor)
	if err != nil || !slices.Equal(eventTags(after), want[1:]) {
		t.Errorf("After: %q %v", eventTags(after), err)
	}
}

func TestEventsBadCursor(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	for _, c := range []string{"x", "c1.!!", "c1.bm9jb2xvbnM", "c1.YTpiOmM6dA"} {
		var got error
		for _, err := range f.reg.Events(t.Context(), c) {
			got = err
		}
		var invalid *model.InvalidError
		if !errors.As(got, &invalid) || invalid.Field != "cursor" || strings.Contains(got.Error(), "--") {
			t.Errorf("cursor %q: %v", c, got)
		}
		if _, err := NewDetector(DetectorOptions{Since: c}); err == nil {
			t.Errorf("detector since %q: no error", c)
		}
		if _, err := NewDetector(DetectorOptions{Cursor: c}); err == nil {
			t.Errorf("detector cursor %q: no error", c)
		}
		if _, err := After(nil, c); err == nil {
			t.Errorf("After %q: no error", c)
		}
	}
}

func TestDetectorNewDeletedAndRemade(t *testing.T) {
	t.Parallel()
	f := newFake(t, memstore.Options{})
	c := f.repo.Commit("first", nil)
	f.repo.Tag("m@v1.0.0", c, "r")
	d, err := NewDetector(DetectorOptions{SkipExisting: true})
	if err != nil {
		t.Fatal(err)
	}
	poll := func(want ...string) []Event {
		t.Helper()
		return pollWant(t, d, f.reg, want...)
	}
	poll() // the existing tags are skipped
	if !maps.Equal(d.Known(), map[string]string{"m@v1.0.0": f.repo.TagObject("m@v1.0.0")}) {
		t.Fatalf("known %v", d.Known())
	}
	poll()
	f.repo.Tag("m#prod#1", c, "a")
	first := poll("assignment m#prod#1")
	f.repo.DeleteTag("m#prod#1")
	gone := poll("deleted m#prod#1")
	if gone[0].Stage != "prod" || gone[0].Artifact != "m" || gone[0].ID == first[0].ID || gone[0].Cursor != first[0].Cursor {
		t.Errorf("deleted: %+v", gone[0])
	}
	poll() // reported once
	f.repo.Tag("m#prod#1", c, "again")
	again := poll("assignment m#prod#1")
	if again[0].ID == first[0].ID {
		t.Error("a tag made again kept its id")
	}
	// replaced in place: deleted, then new
	f.repo.Tag("m#prod#1", c, "third")
	poll("deleted m#prod#1", "assignment m#prod#1")
}

func TestDetectorResumesFromKnownTags(t *testing.T) {
	t.Parallel()
	f, list := twoTags(t)
	// a state saved when only b was seen: a (dated before b's cursor) is
	// still found, which a cursor alone would miss
	d, err := NewDetector(DetectorOptions{Known: map[string]string{"b@v1.0.0": list[1].Object, "gone@v1.0.0": "1234"}, Cursor: list[1].Cursor})
	if err != nil {
		t.Fatal(err)
	}
	got := pollWant(t, d, f.reg, "deleted gone@v1.0.0", "registration a@v1.0.0")
	for _, e := range got {
		if e.Cursor != list[1].Cursor {
			t.Errorf("%s: cursor went back to %s", e.Tag, e.Cursor)
		}
	}
	if len(collect(t, f.reg, d.Cursor())) != 0 {
		t.Error("events after the detector's cursor")
	}
}

func TestDetectorSince(t *testing.T) {
	t.Parallel()
	f, list := twoTags(t)
	d, _ := NewDetector(DetectorOptions{Since: list[0].Cursor})
	pollWant(t, d, f.reg, "registration b@v1.0.0")
	if d.Cursor() != list[1].Cursor {
		t.Errorf("cursor %s, want %s", d.Cursor(), list[1].Cursor)
	}
}

// A remote registry (file://) followed by a Poller: new tags and tags
// deleted on the remote, through the mirror and ls-remote.
func TestPollerRemoteWithDeletions(t *testing.T) {
	t.Parallel()
	f := newRemoteFixture(t)
	d, _ := NewDetector(DetectorOptions{})
	p := NewPoller(f.options(), d)
	poll := func(want ...string) {
		t.Helper()
		got, err := p.Poll(context.Background())
		if err != nil || !slices.Equal(eventTags(got), want) {
			t.Fatalf("poll: %q (%v), want %q", eventTags(got), err, want)
		}
	}
	poll("registration model@v1.0.0")
	if p.Source() != f.url {
		t.Errorf("source %q", p.Source())
	}
	poll()
	f.clone.Tag("model#prod#1", f.commit, "Assigning stage prod to artifact model version v1.0.0")
	f.clone.Git("push", "-q", "origin", "--tags")
	poll("assignment model#prod#1")
	f.clone.Git("push", "-q", "origin", ":refs/tags/model@v1.0.0")
	poll("deleted model@v1.0.0")
	poll()
}

// A local repository: the detector sees git's ref files change without
// listing the tags when they did not.
func TestDetectorLocalRepository(t *testing.T) {
	t.Parallel()
	g := gittest.NewRepo(t)
	c := g.Commit("first", nil)
	g.Tag("m@v1.0.0", c, "r")
	r, err := Open(t.Context(), sealedAt(g, g.Dir))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	d, _ := NewDetector(DetectorOptions{})
	pollWant(t, d, r, "registration m@v1.0.0")
	g.Tag("m#prod#1", c, "a")
	pollWant(t, d, r, "assignment m#prod#1")
	g.Git("pack-refs", "--all")
	g.Git("tag", "-d", "m#prod#1")
	pollWant(t, d, r, "deleted m#prod#1")
	if r.Source() != g.Dir {
		t.Errorf("source %q, want %q", r.Source(), g.Dir)
	}
}
