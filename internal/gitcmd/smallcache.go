package gitcmd

import "os"

// smallCacheBytes is the size up to which an object cache file loads
// faster than cat-file answers a few requests (git's start-up, 0.5–3 ms,
// before its first answer): some 5,000 tags. Up to it, the reads that
// skip the cache to spare loading a large file (one artifact's tags, a
// few hundred commits) use it too, and a warm command on a small registry
// starts no git.
const smallCacheBytes = 1 << 20

// ifSmall returns c when its file is small (see smallCacheBytes) or does
// not exist yet (what is read now fills it), nil otherwise (and for a nil
// c).
func (c *objectCache) ifSmall() *objectCache {
	if c == nil {
		return nil
	}
	st, err := os.Stat(c.path)
	if err == nil && st.Size() <= smallCacheBytes || os.IsNotExist(err) {
		return c
	}
	return nil
}
