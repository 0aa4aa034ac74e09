package registry

import (
	"strings"

	"github.com/gto-dev/gto/model"
)

// heapCopies holds one heap copy of each string the model keys its maps
// on (artifact, version and stage names, commit ids) while a large
// registry is read from a mapped object cache (store.PageDropper). The
// tags' strings point into the mapping; without copies, building the
// state hashes every one of them and touches every page of the cache
// again, so all of it stays resident beside the state (on 500,000 tags,
// 110 MB of the peak RSS). With them, the pages can be dropped once the
// tags are read: only the messages and names printed later touch them.
type heapCopies map[string]string

// of returns the copy of s, made on first use.
func (h heapCopies) of(s string) string {
	if c, ok := h[s]; ok {
		return c
	}
	c := strings.Clone(s)
	h[c] = c
	return c
}

// keys replaces the keyed strings of t with their copies.
func (h heapCopies) keys(t *model.TagInput) {
	t.Parsed.Artifact = h.of(t.Parsed.Artifact)
	t.Parsed.Version = h.of(t.Parsed.Version)
	t.Parsed.Stage = h.of(t.Parsed.Stage)
	t.Commit = h.of(t.Commit)
}
