// Package watch is gto's deliverer of registry events (gto watch): it
// follows a repository's event stream (registry.Poller) and delivers each
// event to its targets — webhooks, which get a signed CloudEvent, and
// commands, which get the event on stdin — at least once, in order per
// target, retrying with exponential backoff and parking what keeps
// failing as a dead letter. Its state (the stream's cursor, the tags seen,
// the queues and the dead letters) is one file written atomically after
// every delivery, so a watcher killed at any moment and started again
// loses nothing: only the delivery in flight may be made twice, and
// receivers de-duplicate on the event id (docs/events.md).
//
// A Go program embeds it with Run:
//
//	err := watch.Run(ctx, watch.Options{Repo: registry.Options{Repo: "."}, StateFile: "watch.json",
//		Targets: []watch.Target{watch.Webhook("https://ci.example.com/hook", secret, nil)}})
package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/gto-dev/gto/registry"
)

// Target is where events are delivered.
type Target interface {
	// Key names the target in the state file and in logs ("webhook URL",
	// "exec COMMAND").
	Key() string
	// Body is what the target is given for event e of the repository
	// source.
	Body(e *registry.Event, source string) ([]byte, error)
	// Deliver delivers one item; ctx bounds it. The error says why it
	// failed (an HTTP status, an exit status, a refused connection).
	Deliver(ctx context.Context, it *Item) error
}

// Filter selects the events delivered; an empty field selects all.
type Filter struct {
	Names  []string // artifact name globs (path.Match)
	Stages []string
	Kinds  []string // registration, ..., deprecation, deleted
}

// Kinds are the event kinds a Filter may name.
var Kinds = []string{"registration", "deregistration", "assignment", "unassignment", "deprecation", registry.KindDeleted}

// Check reports whether the filter's patterns and kinds are valid.
func (f Filter) Check() error {
	for _, n := range f.Names {
		if _, err := path.Match(n, ""); err != nil {
			return fmt.Errorf("the name pattern %q is malformed", n)
		}
	}
	for _, k := range f.Kinds {
		if !slices.Contains(Kinds, k) {
			return fmt.Errorf("%q is not an event kind (one of %v)", k, Kinds)
		}
	}
	return nil
}

// Match reports whether e passes the filter.
func (f Filter) Match(e *registry.Event) bool {
	if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, e.Kind) {
		return false
	}
	if len(f.Stages) > 0 && !slices.Contains(f.Stages, e.Stage) {
		return false
	}
	if len(f.Names) > 0 && !slices.ContainsFunc(f.Names, func(p string) bool { ok, _ := path.Match(p, e.Artifact); return ok }) {
		return false
	}
	return true
}

// Options configure Run.
type Options struct {
	// Repo is the repository to watch.
	Repo registry.Options
	// Since is where a watcher without state starts: "" at the end of the
	// stream (only the events that follow are delivered), else after that
	// cursor (registry.StartCursor: every event). A state file that has a
	// position overrides it.
	Since string
	// Targets receive every event that passes Filter.
	Targets []Target
	Filter  Filter
	// StateFile is the state's file (see DefaultStateFile).
	StateFile string
	// Interval is the time between two looks at the repository (default 5s).
	Interval time.Duration
	// MaxAttempts is how many times an event is tried before it is
	// parked (default 8).
	MaxAttempts int
	// Backoff is the wait after the first failure, doubled after each
	// next one up to MaxBackoff (defaults 1s and 5m).
	Backoff, MaxBackoff time.Duration
	// Timeout bounds one delivery (default 30s).
	Timeout time.Duration
	// Log receives one line per delivery and per problem; nil: silent.
	// JSONLog writes them as JSON objects.
	Log     io.Writer
	JSONLog bool
	// Now is the clock of the logs and dead letters (default time.Now).
	Now func() time.Time
	// Looked, when set, is called after each look at the repository
	// (tests and embedders wait on it).
	Looked func()
	// ReleaseMemory returns the memory of a look that read the tags to
	// the operating system at once (debug.FreeOSMemory), so that a
	// watcher of a large registry stays small between changes.
	ReleaseMemory bool
}

func (o *Options) defaults() {
	if o.Interval <= 0 {
		o.Interval = 5 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Minute
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// watcher is one Run.
type watcher struct {
	opts Options
	poll *registry.Poller
	log  *logger
	mu   sync.Mutex // guards st and its file
	st   *State
	// wake tells each target's worker that its queue grew.
	wake map[string]chan struct{}
}

// Run watches until ctx ends, then lets the deliveries in flight finish
// and returns nil. It fails at once when the state file cannot be read, is
// held by another watcher (ErrStateInUse), or the repository's first look
// fails; later failures of a look are logged
// and tried again at the next interval.
func Run(ctx context.Context, opts Options) error {
	opts.defaults()
	if len(opts.Targets) == 0 {
		return ErrNoTargets
	}
	if err := opts.Filter.Check(); err != nil {
		return err
	}
	unlock, err := lockState(opts.StateFile)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := ReadState(opts.StateFile)
	if err != nil {
		return err
	}
	removeTemporaries(opts.StateFile)
	if st.Version < stateVersion && st.Known != nil {
		// A version-1 state: save the tags seen beside it now, before a
		// delivery saves the state without them.
		if err := st.saveKnown(opts.StateFile); err != nil {
			return err
		}
	}
	dopts := registry.DetectorOptions{Since: opts.Since, SkipExisting: opts.Since == ""}
	if st.Known != nil {
		dopts = registry.DetectorOptions{Known: st.Known, Cursor: st.Cursor}
	}
	det, err := registry.NewDetector(dopts)
	if err != nil {
		return err
	}
	w := &watcher{opts: opts, poll: registry.NewPoller(opts.Repo, det), st: st,
		log: &logger{w: opts.Log, json: opts.JSONLog, now: opts.Now}, wake: map[string]chan struct{}{}}
	var wg sync.WaitGroup
	for _, t := range opts.Targets {
		ch := make(chan struct{}, 1)
		w.wake[t.Key()] = ch
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.work(ctx, t, ch)
		}()
	}
	first, reads := true, 0
	err = w.poll.Follow(ctx, opts.Interval, func(events []registry.Event, err error) error {
		if opts.Looked != nil {
			defer opts.Looked()
		}
		if err != nil {
			if first {
				return err
			}
			w.log.problem("cannot read the repository", err, opts.Interval)
			return nil
		}
		wasFirst := first
		first = false
		err = w.enqueue(events, wasFirst)
		if opts.ReleaseMemory && w.poll.Detector().Reads() != reads {
			reads = w.poll.Detector().Reads()
			debug.FreeOSMemory()
		}
		return err
	})
	wg.Wait()
	return err
}

// enqueue adds events to the targets' queues and saves the state with the
// detector's new position, before anything is delivered: a watcher killed
// after this delivers them when started again.
func (w *watcher) enqueue(events []registry.Event, first bool) error {
	if len(events) == 0 && !first {
		return nil
	}
	source := w.poll.Source()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.st.Source = source
	var woken []string
	for i := range events {
		e := &events[i]
		if !w.opts.Filter.Match(e) {
			continue
		}
		for _, t := range w.opts.Targets {
			body, err := t.Body(e, source)
			if err != nil {
				return err
			}
			ts := w.st.target(t.Key())
			ts.Queue = append(ts.Queue, &Item{ID: e.ID, Event: e.Kind, Tag: e.Tag, Artifact: e.Artifact, Version: e.Version, Stage: e.Stage, Body: body})
			woken = append(woken, t.Key())
		}
	}
	det := w.poll.Detector()
	w.st.Known, w.st.Cursor = det.Known(), det.Cursor()
	if err := w.st.saveKnown(w.opts.StateFile); err != nil {
		return err
	}
	for _, k := range woken {
		select {
		case w.wake[k] <- struct{}{}:
		default:
		}
	}
	return nil
}

// work delivers the queue of target t in order until ctx ends; a delivery
// in flight when it ends is finished first.
func (w *watcher) work(ctx context.Context, t Target, wake chan struct{}) {
	key := t.Key()
	for {
		w.mu.Lock()
		var it *Item
		if ts := w.st.Targets[key]; ts != nil && len(ts.Queue) > 0 {
			it = ts.Queue[0]
		}
		w.mu.Unlock()
		if ctx.Err() != nil {
			return
		}
		if it == nil {
			select {
			case <-ctx.Done():
				return
			case <-wake:
				continue
			}
		}
		// The delivery is not cut short by the end of ctx (SIGTERM): it
		// finishes, or times out, and its outcome is saved.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.opts.Timeout)
		began := w.opts.Now()
		err := t.Deliver(dctx, it)
		cancel()
		took := w.opts.Now().Sub(began)
		wait, serr := w.settle(key, it, err, took)
		if serr != nil {
			w.log.problem("cannot save the state", serr, 0)
		}
		if wait > 0 {
			timer := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				timer.Stop()
				return
			case <-timer.C:
			}
		}
	}
}

// settle records the outcome of delivering it (the head of key's queue),
// saves the state and logs it; it returns how long to wait before trying
// again (0: go on with the next).
func (w *watcher) settle(key string, it *Item, err error, took time.Duration) (time.Duration, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ts := w.st.target(key)
	attempt := it.Attempts + 1
	var wait time.Duration
	switch {
	case err == nil:
		ts.Queue = ts.Queue[1:]
		w.log.delivery("delivered", key, it, attempt, w.opts.MaxAttempts, took, nil, 0)
	case attempt >= w.opts.MaxAttempts:
		ts.Queue = ts.Queue[1:]
		it.Attempts = attempt
		ts.Dead = append(ts.Dead, &DeadLetter{Item: *it, Error: err.Error(), ParkedAt: w.opts.Now().UTC()})
		w.log.delivery("parked", key, it, attempt, w.opts.MaxAttempts, took, err, 0)
	default:
		it.Attempts = attempt
		wait = w.backoff(attempt)
		w.log.delivery("retry", key, it, attempt, w.opts.MaxAttempts, took, err, wait)
	}
	return wait, w.st.write(w.opts.StateFile)
}

// backoff is the wait after the attempt-th failure.
func (w *watcher) backoff(attempt int) time.Duration {
	d := w.opts.Backoff
	for i := 1; i < attempt && d < w.opts.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, w.opts.MaxBackoff)
}

// ErrStateInUse is returned (wrapped) by Run when another watcher holds
// the state file: two watchers on one state would deliver every event
// twice and overwrite each other's position.
var ErrStateInUse = errors.New("the watch state is in use")

// ErrNoTargets is returned by Run without targets.
var ErrNoTargets = errors.New("no target to deliver to")
