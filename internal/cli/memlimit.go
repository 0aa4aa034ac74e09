package cli

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strings"

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

// followingMemoryLimit sets a soft memory limit of base bytes that follows
// the live heap up: after each collection whose live heap is more than four
// fifths of the limit, the limit becomes the live heap and a quarter (an
// eighth above 256 MB, see headroom). A
// fixed limit below what a command must hold (the state of 500,000 tags is
// a few hundred megabytes) makes the collector run back to back to stay
// under it; following it, a command that builds a large state collects a
// few times more than with GOGC=100 (a read of 500,000 tags: 15% more CPU,
// 7% more time) for a peak RSS 15% lower, and a small one is held to base,
// as before.
func followingMemoryLimit(base int64) {
	debug.SetMemoryLimit(base)
	limit := base // finalizers run one at a time
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var arm func()
	arm = func() {
		// A sentinel the next collection frees: its finalizer runs after
		// that collection, and arms the next one. (It holds a pointer, so
		// it is not packed with others by the tiny allocator, whose
		// objects may never be finalized.)
		runtime.SetFinalizer(new(gcSentinel), func(*gcSentinel) {
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				live := int64(sample[0].Value.Uint64())
				if follow := live + headroom(live); follow > limit {
					limit = follow
					debug.SetMemoryLimit(limit)
				}
			}
			arm()
		})
	}
	arm()
}

type gcSentinel struct {
	_ *byte
	_ [24]byte
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
