package cli

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// shortMemoryLimit is the soft memory limit of a short command: it keeps
// the peak RSS of a command on 50,000 tags under 100 MB.
const shortMemoryLimit = 80 << 20

// followingMemoryLimit sets a soft memory limit of base bytes that follows
// the live heap up: after each collection whose live heap is more than
// three quarters of the limit, the limit becomes twice the live heap. A fixed limit below
// what a command must hold (the state of 500,000 tags is several hundred
// megabytes) makes the collector run back to back, half of the CPU, to
// stay under it; this way a large registry is collected as often as with
// GOGC=100 and a small one is held to base, as before.
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
				if 4*live > 3*limit {
					limit = 2 * live
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
