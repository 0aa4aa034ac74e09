package gitcmd

import "strings"

// A one-artifact read (show NAME, check-ref, describe, register, assign)
// reads its few tags through cat-file rather than load a large object
// cache (147 MB for 500,000 tags) for them. The tag objects it read last
// are a memo instead: a few dozen records in the memo file, which every
// command loads anyway. Tag objects never change, so a record answers for
// its object id whatever the refs say now; a tag moved or added since is
// simply not in it, and is read from git.

// artifactTagsSlot is the memo slot of the last one-artifact read: key
// its ref prefixes, value its records (tags, types, and the commits read
// after them) in the object cache's format.
const artifactTagsSlot = "artifact-tags"

// maxArtifactMemoBytes bounds the memo: past it, only what the last read
// added is kept.
const maxArtifactMemoBytes = 1 << 20

// artifactCache returns an object cache in memory that holds the records
// the last one-artifact read of the same prefixes kept (empty for other
// prefixes); the batch keeps it for the commits it reads next (see
// Commits) and Close remembers what was added to it. nil without an
// object cache.
func (b *Batch) artifactCache(prefixes []string) *objectCache {
	if b.cache == nil {
		return nil
	}
	key := strings.Join(prefixes, "\x00")
	c := &objectCache{loaded: true, minObjects: cacheMinObjects, compactMin: compactMinGarbage, made: b.cache.made}
	if k, v, ok := b.cache.memo(artifactTagsSlot); ok && k == key && artifactRecords(c, v) {
		c.data = v
	} else {
		c.spans = [numKinds][]span{}
	}
	b.mu.Lock()
	b.artifact, b.artifactKey = c, key
	b.mu.Unlock()
	return c
}

// artifactRecords finds the records of v (the memo's value) for c; false
// when v is damaged.
func artifactRecords(c *objectCache, v string) bool {
	d := &decoder{s: v}
	for d.more() {
		kind := d.byte()
		size := d.uvarint()
		if d.err != nil || size > uint64(len(d.s)-d.off) || (kind != recTag && kind != recType && kind != recCommit) {
			return false
		}
		c.spans[kind] = append(c.spans[kind], span{d.off, d.off + int(size)})
		d.off += int(size)
	}
	return d.err == nil
}

// rememberArtifact stores, at Close, the records of the artifact's cache
// with what the command added to it. The caller holds b.mu.
func (b *Batch) rememberArtifact() {
	c := b.artifact
	if c == nil || len(c.pending) == 0 {
		return
	}
	value := c.data + string(c.pending)
	if len(value) > maxArtifactMemoBytes {
		value = string(c.pending)
	}
	if len(value) <= maxArtifactMemoBytes {
		b.cache.setMemo(artifactTagsSlot, b.artifactKey, value)
	}
}
