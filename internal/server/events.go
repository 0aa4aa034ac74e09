package server

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gto-dev/gto/internal/jsonout"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/registry"
)

// The event stream over HTTP: /api/v1/events?since=CURSOR is a page of it
// (JSON), /api/v1/events/stream the stream itself as Server-Sent Events,
// which the pages listen to for their live refresh. Both read the views:
// the events of a snapshot are listed once per fingerprint, and what
// changed between two snapshots is worked out once, for every listener.

// Limits of a page of events.
const (
	defaultEventPage = 1000
	maxEventPage     = 10000
)

// streamCheck is how often a stream looks whether the views changed (a
// pointer comparison), and streamPing how often an idle stream sends a
// comment, so that proxies keep it open.
const (
	streamCheck = 200 * time.Millisecond
	streamPing  = 15 * time.Second
)

// eventHub is the server's event state: the events of the views last
// listed, and the listeners of the stream.
type eventHub struct {
	mu     sync.Mutex
	v      *views           // the views events and diff are of
	events []registry.Event // of v, oldest first
	// diff is what changed from the views before v to v (new tags, and
	// deleted ones), prev those views.
	prev *views
	diff []registry.Event
	// closing ends every stream (the server shuts down).
	closing chan struct{}
	closed  bool
}

func (h *eventHub) init() {
	if h.closing == nil {
		h.closing = make(chan struct{})
	}
}

// close ends every stream (http.Server.Shutdown waits for none).
func (h *eventHub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.init()
	if !h.closed {
		h.closed = true
		close(h.closing)
	}
}

func (h *eventHub) done() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.init()
	return h.closing
}

// eventsOf returns the events of v, listing them once per views.
func (h *eventHub) eventsOf(v *views) []registry.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.eventsLocked(v)
}

func (h *eventHub) eventsLocked(v *views) []registry.Event {
	if h.v != v {
		if h.v != nil && h.v.builtAt.After(v.builtAt) {
			return registry.EventsOf(v.snap.State) // an old views: not kept
		}
		h.v, h.events = v, registry.EventsOf(v.snap.State)
	}
	return h.events
}

// changes returns what changed from the views from to the views to: the
// events of tags that are new (or point at another object), and deleted
// events for the tags gone, each with the cursor of to's stream.
func (h *eventHub) changes(from, to *views, now time.Time) []registry.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.prev == from && h.v == to && h.diff != nil {
		return h.diff
	}
	before := registry.EventsOf(from.snap.State)
	if h.v == from {
		before = h.events
	}
	after := h.eventsLocked(to)
	known := make(map[string]string, len(before))
	for _, e := range before {
		known[e.Tag] = e.Object
	}
	d := registry.Diff(known, after, now)
	h.prev, h.diff = from, d
	return d
}

// beginStream answers 200 with the headers of a Server-Sent Events
// stream, and returns its controller (to flush).
func beginStream(w http.ResponseWriter) *http.ResponseController {
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	return rc
}

// streamChanges answers with a Server-Sent Events stream that follows the
// server's views from v: open writes its first messages, change those of
// each change of views; a comment line keeps an idle stream open through
// proxies. It returns when the client goes away, the server shuts down,
// or a write fails.
func (s *Server) streamChanges(w http.ResponseWriter, r *http.Request, v *views, open func(v *views) error, change func(from, to *views) error) {
	rc := beginStream(w)
	if open(v) != nil || rc.Flush() != nil {
		return
	}
	check := time.NewTicker(streamCheck)
	defer check.Stop()
	lastWrite := time.Now()
	closing := s.events.done()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-closing:
			return
		case <-check.C:
		}
		cur := s.cur.Load()
		switch {
		case cur != v:
			if change(v, cur) != nil || rc.Flush() != nil {
				return
			}
			v, lastWrite = cur, time.Now()
		case time.Since(lastWrite) >= streamPing:
			fmt.Fprint(w, ": ping\n\n")
			if rc.Flush() != nil {
				return
			}
			lastWrite = time.Now()
		}
	}
}

// writeFingerprintEvent writes the message that says the views changed.
func writeFingerprintEvent(w io.Writer, fp string) {
	fmt.Fprintf(w, "event: fingerprint\ndata: {\"fingerprint\":%q}\n\n", fp)
}

// apiEvents is a page of the event stream: ?since=CURSOR (default: from
// the first), ?limit=N (default 1000, at most 10000).
func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := defaultEventPage
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxEventPage {
			writeProblem(w, 0, model.Invalidf("limit", "invalid limit %q: a number from 1 to %d", l, maxEventPage))
			return
		}
		limit = n
	}
	s.serveJSON(w, r, func(v *views) ([]byte, error) {
		since := q.Get("since")
		list, err := registry.After(s.events.eventsOf(v), since)
		if err != nil {
			return nil, err
		}
		more := len(list) > limit
		if more {
			list = list[:limit]
		}
		lines := make([]*jsonout.EventLine, len(list))
		for i := range list {
			lines[i] = jsonout.NewEventLine(&list[i])
		}
		next := since
		if len(list) > 0 {
			next = list[len(list)-1].Cursor
		}
		if next == "" {
			next = registry.StartCursor
		}
		doc := &jsonout.Object{}
		doc.Set("events", lines)
		doc.Set("cursor", next)
		doc.Set("more", more)
		return encode(doc)
	})
}

// apiEventStream is the event stream as Server-Sent Events. Each event is
// a message of its kind ("registration", ..., "deleted") whose id is its
// cursor and whose data is its line (as gto events prints it); a message
// "fingerprint" says that the registry changed (also its annotations or
// configuration), with {"fingerprint": FP}, first when the stream opens.
// With ?since=CURSOR, or the Last-Event-ID a reconnecting browser sends,
// the events after that cursor come first; without, only what follows.
func (s *Server) apiEventStream(w http.ResponseWriter, r *http.Request) {
	since := r.URL.Query().Get("since")
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		since = id
	}
	v := s.cur.Load()
	var replay []registry.Event
	if since != "" {
		var err error
		if replay, err = registry.After(s.events.eventsOf(v), since); err != nil {
			writeProblem(w, 0, err)
			return
		}
	}
	send := func(events []registry.Event, fp string) error {
		for i := range events {
			line, err := jsonout.Line(jsonout.NewEventLine(&events[i]))
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", events[i].Cursor, events[i].Kind, bytes.TrimSuffix(line, []byte("\n")))
		}
		if fp != "" {
			writeFingerprintEvent(w, fp)
		}
		return nil
	}
	s.streamChanges(w, r, v, func(v *views) error { return send(replay, v.fp) }, func(from, to *views) error {
		return send(s.events.changes(from, to, s.opts.Now()), to.fp)
	})
}
