package cli

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"

	"github.com/gto-dev/gto/internal/gitcmd"
)

// mapCachesUnlessServing maps the object cache files of the repositories a
// run of gto with args reads (gitcmd.MapObjectCaches): their pages then
// count once and off the heap. Not for the commands that run until stopped
// and open the repository again and again (see runsUntilStopped): each
// opening would keep one more mapping.
func mapCachesUnlessServing(args []string) {
	gitcmd.MapObjectCaches(!runsUntilStopped(args))
}

// runsUntilStopped reports whether a run of gto with args may be one that
// runs until stopped: serve, watch, events --follow. An argument that only
// looks like them (an artifact called "watch", a -f of another command)
// just makes the caller take the safe side.
func runsUntilStopped(args []string) bool {
	if slices.Contains(args, "serve") || slices.Contains(args, "watch") {
		return true
	}
	if !slices.Contains(args, "events") {
		return false
	}
	return slices.ContainsFunc(args, func(a string) bool {
		long := strings.HasPrefix(a, "--")
		return (long && strings.HasPrefix(a[2:], "follow")) || (!long && len(a) > 1 && a[0] == '-' && strings.ContainsRune(a, 'f'))
	})
}

// shortMemoryLimit is the soft memory limit of a short command: it keeps
// the peak RSS of a command on 50,000 tags under 100 MB.
const shortMemoryLimit = 80 << 20

// memoryLimit is a soft memory limit (debug.SetMemoryLimit) that follows
// the live heap: after each collection it becomes what nextLimit says.
type memoryLimit struct {
	mu    sync.Mutex
	base  int64 // the least limit
	limit int64 // the limit in effect
	rest  int64 // a server's limit at rest (see rested); 0: none yet
}

// followingMemoryLimit sets a soft memory limit of base bytes that follows
// the live heap up (nextLimit). A fixed limit below what a command must
// hold (the state of 500,000 tags is a few hundred megabytes) makes the
// collector run back to back to stay under it; following it, a command
// that builds a large state collects a few times more than with GOGC=100
// (a read of 500,000 tags: 15% more CPU, 7% more time) for a peak RSS 15%
// lower, and a small one is held to base, as before.
func followingMemoryLimit(base int64) *memoryLimit {
	m := &memoryLimit{base: base, limit: base}
	debug.SetMemoryLimit(base)
	var arm func()
	arm = func() {
		// A sentinel the next collection frees: its finalizer runs after
		// that collection, and arms the next one. (It holds a pointer, so
		// it is not packed with others by the tiny allocator, whose
		// objects may never be finalized.)
		runtime.SetFinalizer(new(gcSentinel), func(*gcSentinel) {
			if live, ok := liveHeap(); ok {
				m.collected(live)
			}
			arm()
		})
	}
	arm()
	return m
}

type gcSentinel struct {
	_ *byte
	_ [24]byte
}

// liveHeap reads the live heap the last collection left.
func liveHeap() (int64, bool) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0, false
	}
	return int64(sample[0].Value.Uint64()), true
}

// setLocked makes to the limit in effect; m.mu is held.
func (m *memoryLimit) setLocked(to int64) {
	if to != m.limit {
		m.limit = to
		debug.SetMemoryLimit(to)
	}
}

// collected moves the limit after a collection that left live bytes live.
func (m *memoryLimit) collected(live int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.setLocked(nextLimit(m.limit, m.rest, live))
}

// rested is called by a server once it holds only its views, right after
// a full collection (a refresh ends with debug.FreeOSMemory): the limit
// comes down to restingLimit of the live heap, and stays there while the
// heap fits under it.
func (m *memoryLimit) rested() {
	live, ok := liveHeap()
	if !ok {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rest = restingLimit(m.base, live)
	m.limit = m.rest
	// Set even when unchanged, as srvmem measured it: huge after 1,000
	// requests 409 MB with the call after every refresh, 556 MB in a run
	// that skipped it when the limit had not moved.
	debug.SetMemoryLimit(m.rest)
}

// nextLimit is the soft memory limit after a collection that left live
// bytes live, under limit. It follows the live heap up: when live is more
// than four fifths of limit, the limit becomes live and a quarter (an
// eighth above 256 MB, see headroom). A server at rest (limit is rest, see
// restingLimit) keeps its limit until the live heap itself outgrows it: the
// transient of a check for changes
// (the refs of 500,000 tags, up to 160 MB live over views of 370 MB) fits
// under it, and the collector then works to stay under the limit instead
// of letting the heap, and the RSS, grow by a quarter of that transient's
// peak. Past it (a rebuild holds the old views and the new state), it
// follows up again.
func nextLimit(limit, rest, live int64) int64 {
	trigger := limit - limit/5
	if limit == rest {
		trigger = limit
	}
	if live <= trigger {
		return limit
	}
	return max(limit, live+headroom(live))
}

// restingLimit is the soft memory limit of a server whose views are live
// bytes: half as much again (the heap goal of GOGC=50, which the limit
// makes the runtime give back to the system above), and at least base.
func restingLimit(base, live int64) int64 {
	return max(base, live+live/2)
}

// headroom is how far above a live heap of live bytes the following limit
// sits: a quarter, and an eighth from 256 MB on, where the peak RSS of a
// read of 500,000 tags is made (each collection then marks more, but there
// are only a few more of them).
func headroom(live int64) int64 {
	if live >= 256<<20 {
		return live / 8
	}
	return live / 4
}

// expectedBytesPerTag is what a read of every tag of a large registry is
// let hold per tag before its collections begin to follow the live heap:
// about what history --json holds at its end (330 MB on 500,000 tags;
// show --json holds 250, stages 200).
const expectedBytesPerTag = 660

// expectTags raises the limit ahead of a read of n tags
// (registry.Options.ExpectTags) to what such a read will hold: the heap
// then grows to it between few collections, where following the live heap
// from the base collected at every eighth to quarter of growth on the way,
// marking the growing state again each time (on 500,000 tags: 11
// collections against 5, history --json 12% faster, its peak RSS 5 MB
// higher). Below 120,000 tags it stays under the base and changes nothing.
func (m *memoryLimit) expectTags(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.setLocked(max(m.limit, int64(n)*expectedBytesPerTag))
}
