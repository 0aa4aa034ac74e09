package registry

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/tagname"
)

// The event stream: every registry event (a registration, deregistration,
// assignment, unassignment or deprecation tag) in the order of its date,
// oldest first, each with a stable id and a cursor to resume after it; and
// the tags that disappear, as "deleted" events. Events lists the stream
// from a cursor; a Detector, or a Poller around one, follows it as it
// grows (see docs/events.md).

// KindDeleted is the Kind of the event that reports a tag that
// disappeared (deleted with `deprecate --delete`, or on the remote).
const KindDeleted = "deleted"

// Event is one entry of the event stream.
type Event struct {
	// ID identifies the event for ever: it is derived from the tag name and
	// the tag object id (and the deletion, for a deleted event), so the
	// same tag always gives the same id and a tag made again is a new one.
	ID string
	// Cursor resumes the stream after this event (Events, DetectorOptions.Since).
	Cursor string
	// Kind is the event's name: "registration", "deregistration",
	// "assignment", "unassignment", "deprecation", or KindDeleted.
	Kind string
	// Tag is the tag name, Object the tag object it named.
	Tag, Object string
	// Artifact, Version and Stage are the event's (for a deleted event,
	// what the tag name says: a stage tag's version is not in its name).
	Artifact, Version, Stage string
	// Time is the tag's date; for a deleted event, when the deletion was
	// seen.
	Time time.Time
	// Event is the registry event, as History returns it; nil for a
	// deleted event.
	Event *model.Event

	pos position
}

// EventID is the id of the event of the tag name that names object.
func EventID(tag, object string) string { return hashID("event", tag, object) }

func deletedID(tag, object string) string { return hashID(KindDeleted, tag, object) }

func hashID(fields ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(fields, "\x00")))
	return hex.EncodeToString(sum[:16])
}

// position is where an event is in the stream: its date, then the order of
// the journal (priority, counter, tag name). Tag names are unique, so no
// two events of a repository share a position.
type position struct {
	unix    int64
	kind    int
	counter int
	tag     string
}

// start is before every event.
var start = position{unix: math.MinInt64}

func positionOf(e *model.Event) position {
	return position{unix: e.Time.Unix(), kind: int(e.Kind), counter: e.Counter, tag: e.Tag}
}

func (p position) compare(q position) int {
	switch {
	case p.unix != q.unix:
		return cmp.Compare(p.unix, q.unix)
	case p.kind != q.kind:
		return cmp.Compare(p.kind, q.kind)
	case p.counter != q.counter:
		return cmp.Compare(p.counter, q.counter)
	}
	return strings.Compare(p.tag, q.tag)
}

// StartCursor is the cursor before every event ("" means it too).
const StartCursor = "0"

const cursorPrefix = "c1."

func (p position) cursor() string {
	if p == start {
		return StartCursor
	}
	raw := strconv.AppendInt(nil, p.unix, 10)
	raw = append(strconv.AppendInt(append(raw, ':'), int64(p.kind), 10), ':')
	raw = append(strconv.AppendInt(raw, int64(p.counter), 10), ':')
	return cursorPrefix + base64.RawURLEncoding.EncodeToString(append(raw, p.tag...))
}

// parseCursor reads a cursor of the stream; "" and StartCursor are the
// start.
func parseCursor(c string) (position, error) {
	if c == "" || c == StartCursor {
		return start, nil
	}
	bad := model.Invalidf("cursor", "%q is not a cursor of the event stream (it resumes after an event, as printed with the event)", c)
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(c, cursorPrefix))
	if err != nil || !strings.HasPrefix(c, cursorPrefix) {
		return position{}, bad
	}
	parts := strings.SplitN(string(raw), ":", 4)
	if len(parts) != 4 {
		return position{}, bad
	}
	var p position
	var errs [3]error
	p.unix, errs[0] = strconv.ParseInt(parts[0], 10, 64)
	p.kind, errs[1] = strconv.Atoi(parts[1])
	p.counter, errs[2] = strconv.Atoi(parts[2])
	p.tag = parts[3]
	if errs[0] != nil || errs[1] != nil || errs[2] != nil || p.tag == "" {
		return position{}, bad
	}
	return p, nil
}

// CheckCursor reports whether c is a cursor of the event stream.
func CheckCursor(c string) error {
	_, err := parseCursor(c)
	return err
}

// Events returns the event stream after the cursor since ("" or
// StartCursor: from the first event), oldest first. It reads every tag
// once (no commits, no annotations), then yields the events in order; an
// error is yielded last, alone. A tag dated before since that was made
// after the cursor was given is not in it: a Detector with the tags
// already seen (DetectorOptions.Known) finds those too.
func (r *Registry) Events(ctx context.Context, since string) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		from, err := parseCursor(since)
		if err != nil {
			yield(Event{}, err)
			return
		}
		list, err := r.eventList(ctx)
		if err != nil {
			yield(Event{}, err)
			return
		}
		for _, e := range list {
			if e.pos.compare(from) > 0 && !yield(e, nil) {
				return
			}
		}
	}
}

// eventList reads every event of the repository, oldest first, each with
// the cursor of its own position.
func (r *Registry) eventList(ctx context.Context) ([]Event, error) {
	var out []Event
	err := r.view(ctx, func(s *session) error {
		snap, err := r.load(ctx, s, scope{commits: commitsNone, noAnnotations: true})
		if err != nil {
			return err
		}
		out = EventsOf(snap.state)
		return nil
	})
	return out, err
}

// EventsOf returns the event stream of a state (a Snapshot's, for
// instance), oldest first: its tag events, each with the cursor of its own
// position.
func EventsOf(st *model.State) []Event {
	// Sorted as positions with an index (small to swap), then made.
	type ranked struct {
		pos position
		e   *model.Event
	}
	var rows []ranked
	for _, a := range st.Artifacts {
		for _, e := range a.Events() {
			if e.Tag == "" || e.Kind == model.KindCommit || e.Kind == model.KindCreation {
				continue
			}
			rows = append(rows, ranked{positionOf(e), e})
		}
	}
	slices.SortFunc(rows, func(a, b ranked) int { return a.pos.compare(b.pos) })
	out := make([]Event, len(rows))
	for i, r := range rows {
		e := r.e
		out[i] = Event{ID: EventID(e.Tag, e.Object), Cursor: r.pos.cursor(), Kind: e.Kind.String(),
			Tag: e.Tag, Object: e.Object, Artifact: e.Artifact, Version: e.Version, Stage: e.Stage,
			Time: e.Time, Event: e, pos: r.pos}
	}
	return out
}

// After returns the events of list (oldest first, as EventsOf gives them)
// after the cursor since.
func After(list []Event, since string) ([]Event, error) {
	from, err := parseCursor(since)
	if err != nil {
		return nil, err
	}
	i, _ := slices.BinarySearchFunc(list, from, func(e Event, p position) int { return e.pos.compare(p) })
	for i < len(list) && list[i].pos.compare(from) <= 0 {
		i++
	}
	return list[i:], nil
}

// deletedEvent is the event of tag, naming object, found gone at t.
func deletedEvent(tag, object string, t time.Time) Event {
	e := Event{ID: deletedID(tag, object), Kind: KindDeleted, Tag: tag, Object: object, Time: t}
	if p, ok := tagname.Parse(tag); ok {
		e.Artifact, e.Version, e.Stage = p.Artifact, p.Version, p.Stage
	}
	return e
}
