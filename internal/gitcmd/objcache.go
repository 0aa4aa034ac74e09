package gitcmd

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// objectCache remembers the parsed tag and commit objects of a repository
// between runs, in a file in its git directory. Git objects never change
// (an id names one content forever), so a cached object is never stale: a
// registry of 50,000 tags is then read with one for-each-ref and no
// cat-file, instead of parsing every tag object on every command.
//
// The file is an append-only log of records; each run appends the objects
// it had to read, in one write (O_APPEND: concurrent gto processes do not
// interleave records). A truncated last record (a crash) is ignored; a
// malformed file is removed and rebuilt. Any I/O problem only disables the
// cache: it is an optimisation, never a source of errors.
type objectCache struct {
	path string

	mu      sync.Mutex
	loaded  bool
	tags    map[string]*TagObject
	commits map[string]*Commit
	types   map[string]string // objects read only for their type (lightweight tags)
	paths   map[string]string // commit + "\x00" + path -> blob id, "" when absent
	pending []byte            // records to append
}

// cacheMagic starts the file; a new format gets a new file name.
const cacheMagic = "gto-object-cache-2\n"

// cacheFileName is the cache's path inside the git directory.
const cacheFileName = "gto-objects.cache"

// cacheMinObjects is the smallest read of commits worth loading the cache
// for: reading a few objects is faster than loading a 10 MB file. (A
// variable for tests.)
var cacheMinObjects = 256

// Record kinds.
const (
	recTag    = 't'
	recCommit = 'c'
	recType   = 'o'
	recPath   = 'p'
)

func newObjectCache(gitDir string) *objectCache {
	if gitDir == "" || os.Getenv("GTO_NO_OBJECT_CACHE") != "" {
		return nil
	}
	return &objectCache{path: filepath.Join(gitDir, cacheFileName)}
}

// load reads the file once.
func (c *objectCache) load() {
	if c.loaded {
		return
	}
	c.loaded = true
	c.reset()
	data, err := os.ReadFile(c.path)
	if err != nil || len(data) < len(cacheMagic) || string(data[:len(cacheMagic)]) != cacheMagic {
		if err == nil {
			os.Remove(c.path) // not ours, or an older format
		}
		return
	}
	// One string for the whole file: every field is a slice of it.
	d := &decoder{s: ownedString(data[len(cacheMagic):])}
	for d.more() {
		kind := d.byte()
		size := d.uvarint()
		if d.err != nil || size > uint64(len(d.s)-d.off) {
			break // a truncated last record
		}
		rec := &decoder{s: d.s[d.off : d.off+int(size)]}
		d.off += int(size)
		switch kind {
		case recTag:
			t := rec.tag()
			if rec.err == nil {
				c.tags[t.ID] = &t
			}
		case recCommit:
			cm := rec.commit()
			if rec.err == nil {
				c.commits[cm.Hash] = &cm
			}
		case recType:
			id, typ := rec.str(), rec.str()
			if rec.err == nil {
				c.types[id] = typ
			}
		case recPath:
			key, blob := rec.str(), rec.str()
			if rec.err == nil {
				c.paths[key] = blob
			}
		default:
			rec.err = errors.New("unknown record")
		}
		if rec.err != nil {
			// Corrupted in the middle: start afresh rather than guess.
			os.Remove(c.path)
			c.reset()
			return
		}
	}
}

func (c *objectCache) reset() {
	c.tags, c.commits = map[string]*TagObject{}, map[string]*Commit{}
	c.types, c.paths = map[string]string{}, map[string]string{}
}

// pathBlob returns the blob at path in commit, "" when the path is absent
// there; ok is false when the cache does not know.
func (c *objectCache) pathBlob(commit, path string) (blob string, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.load()
	blob, ok = c.paths[commit+"\x00"+path]
	return blob, ok
}

func (c *objectCache) addPathBlob(commit, path, blob string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending = appendRecord(c.pending, recPath, appendStr(appendStr(nil, commit+"\x00"+path), blob))
}

func (c *objectCache) tag(id string) *TagObject {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.load()
	return c.tags[id]
}

func (c *objectCache) typeOf(id string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.load()
	return c.types[id]
}

func (c *objectCache) commit(id string) *Commit {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.load()
	return c.commits[id]
}

func (c *objectCache) addTag(t TagObject) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending = appendRecord(c.pending, recTag, appendTag(nil, &t))
}

func (c *objectCache) addType(id, typ string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending = appendRecord(c.pending, recType, appendStr(appendStr(nil, id), typ))
}

func (c *objectCache) addCommit(cm Commit) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending = appendRecord(c.pending, recCommit, appendCommit(nil, &cm))
}

// flush appends the new records in one write.
func (c *objectCache) flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) == 0 {
		return
	}
	f, err := os.OpenFile(c.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() == 0 {
		c.pending = append([]byte(cacheMagic), c.pending...)
	}
	f.Write(c.pending)
	c.pending = nil
}

func appendRecord(buf []byte, kind byte, body []byte) []byte {
	buf = append(buf, kind)
	buf = binary.AppendUvarint(buf, uint64(len(body)))
	return append(buf, body...)
}

func appendStr(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

func appendTime(buf []byte, t time.Time) []byte {
	if t.IsZero() {
		return appendStr(binary.AppendVarint(buf, 0), "")
	}
	return appendStr(binary.AppendVarint(buf, t.Unix()), t.Location().String())
}

func appendBool(buf []byte, b bool) []byte {
	if b {
		return append(buf, 1)
	}
	return append(buf, 0)
}

func appendTag(buf []byte, t *TagObject) []byte {
	for _, s := range []string{t.ID, t.Name, t.Object, t.ObjectType, t.TaggerName, t.TaggerEmail} {
		buf = appendStr(buf, s)
	}
	buf = appendTime(buf, t.Time)
	buf = appendBool(buf, t.HasTagger)
	buf = appendBool(buf, t.Signed)
	return appendStr(buf, t.Message)
}

func appendCommit(buf []byte, c *Commit) []byte {
	buf = appendStr(buf, c.Hash)
	buf = appendStr(buf, c.Tree)
	buf = binary.AppendUvarint(buf, uint64(len(c.Parents)))
	for _, p := range c.Parents {
		buf = appendStr(buf, p)
	}
	buf = appendStr(appendStr(buf, c.AuthorName), c.AuthorEmail)
	buf = appendTime(buf, c.AuthorTime)
	buf = appendStr(appendStr(buf, c.CommitterName), c.CommitterEmail)
	buf = appendTime(buf, c.CommitterTime)
	buf = appendStr(buf, c.Encoding)
	return appendStr(buf, c.Message)
}

// decoder reads the fields of records; the first error sticks.
type decoder struct {
	s   string
	off int
	err error
}

var errCacheFormat = errors.New("malformed object cache")

func (d *decoder) more() bool { return d.err == nil && d.off < len(d.s) }

func (d *decoder) byte() byte {
	if d.off >= len(d.s) {
		d.err = errCacheFormat
		return 0
	}
	d.off++
	return d.s[d.off-1]
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint([]byte(d.s[d.off:min(len(d.s), d.off+binary.MaxVarintLen64)]))
	if n <= 0 {
		d.err = errCacheFormat
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint([]byte(d.s[d.off:min(len(d.s), d.off+binary.MaxVarintLen64)]))
	if n <= 0 {
		d.err = errCacheFormat
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) str() string {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.s)-d.off) {
		d.err = errCacheFormat
		return ""
	}
	s := d.s[d.off : d.off+int(n)]
	d.off += int(n)
	return s
}

func (d *decoder) bool() bool { return d.byte() == 1 }

func (d *decoder) time() time.Time {
	secs, zone := d.varint(), d.str()
	if zone == "" {
		return time.Time{}
	}
	t, ok := zoneTime(secs, zone)
	if !ok {
		d.err = errCacheFormat
	}
	return t
}

func (d *decoder) tag() TagObject {
	t := TagObject{ID: d.str(), Name: d.str(), Object: d.str(), ObjectType: d.str(), TaggerName: d.str(), TaggerEmail: d.str()}
	t.Time = d.time()
	t.HasTagger = d.bool()
	t.Signed = d.bool()
	t.Message = d.str()
	return t
}

func (d *decoder) commit() Commit {
	c := Commit{Hash: d.str(), Tree: d.str()}
	n := d.uvarint()
	for i := uint64(0); i < n && d.err == nil; i++ {
		c.Parents = append(c.Parents, d.str())
	}
	c.AuthorName, c.AuthorEmail = d.str(), d.str()
	c.AuthorTime = d.time()
	c.CommitterName, c.CommitterEmail = d.str(), d.str()
	c.CommitterTime = d.time()
	c.Encoding = d.str()
	c.Message = d.str()
	return c
}
