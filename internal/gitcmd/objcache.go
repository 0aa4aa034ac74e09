package gitcmd

import (
	"encoding/binary"
	"errors"
	"hash/maphash"
	"math"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// objectCache remembers the parsed tag and commit objects of a repository
// between runs, in a file in its git directory. Git objects never change
// (an id names one content forever), so a cached object is never stale: a
// registry of 50,000 tags is then read with one for-each-ref and no
// cat-file, instead of parsing every tag object on every command. It also
// keeps memos: values derived from objects (the commits of a branch walk,
// the artifact names of an annotations blob), keyed by what they derive
// from, so they are just as immutable.
//
// Memos live in a second file of the same format (gto-memos.cache), so
// that a command that only needs a memo (a one-artifact command looking up
// the history's dvc.yaml paths) does not load the records of every tag of
// a registry: 150 MB at 500,000 tags.
//
// The file is an append-only log of records; each run appends the objects
// it had to read, in one write (O_APPEND: concurrent gto processes do not
// interleave records). A truncated last record (a crash) is ignored, and
// the next write rewrites the file; a malformed file is removed and
// rebuilt. Any I/O problem only disables the cache: it is an optimisation,
// never a source of errors.
//
// Loading is lazy: the file is scanned once for where its records are; the
// first lookup of a kind indexes that kind's records by id (positions, not
// decoded copies, which would stay on the heap), and a record is decoded
// when it is looked up. A command that reads 400 tags does not pay for the
// 10,000 commits a --all-commits run left in the same file.
type objectCache struct {
	path string
	// minObjects and compactMin are cacheMinObjects and compactMinGarbage
	// for this cache; a test lowers them on its own Batch (b.cache) to
	// reach the cache or the compaction with a small repository, without
	// changing them for the other tests.
	minObjects, compactMin int

	mu        sync.Mutex
	loaded    bool
	data      string           // the records; decoded fields are slices of it
	spans     [numKinds][]span // where each kind's record bodies are
	tags      idIndex          // nil until first used
	commits   idIndex
	types     map[string]string // objects read only for their type (lightweight tags)
	memos     map[string]memo   // by slot
	garbage   int               // bytes of memo records a newer one replaced
	truncated bool              // the file ends with an incomplete record
	pending   []byte            // records to append
	mapping   []byte            // the mapped file (see MapObjectCaches); nil when read
	// memoFile holds the memos of the object cache (its memo and setMemo
	// are memoFile's); nil in the memo file itself.
	memoFile *objectCache
	// made are the tags gto wrote lately, which a lookup of a tag the
	// cache lacks finds (madetags.go); nil when there are none to find.
	made *madeTags
}

// span is a record body's place in objectCache.data.
type span struct{ from, to int }

// idIndex finds the records of one kind by the id they start with: it maps
// a hash of the id to the record's position in the kind's spans. A lookup
// checks the record's id, so two ids of one hash (never seen in practice)
// only make the second a miss, read from git. Half the size of a map of
// id strings, and faster to build and to look up: a registry of 500,000
// tags indexes them all on every command that reads them all.
type idIndex map[uint64]int32

// idSeed seeds the hashes of idIndex; they never leave the process.
var idSeed = maphash.MakeSeed()

func idHash(id string) uint64 { return maphash.String(idSeed, id) }

// memo is a derived value: the latest record of a slot wins, and it answers
// only for the key it was computed from.
type memo struct {
	key, value string
	size       int // of the record's body, for compaction
	at         int // where the body is in objectCache.data; -1 when pending
}

// cacheMagic starts the file; a new format gets a new magic line, and a
// file with another one is replaced.
const cacheMagic = "gto-object-cache-4\n"

// cacheFileName is the cache's path inside the git directory.
const cacheFileName = "gto-objects.cache"

// memoFileName is the memo file's path inside the git directory.
const memoFileName = "gto-memos.cache"

// cacheMinObjects is the smallest read of commits worth loading the cache
// for: reading a few objects is faster than loading a 10 MB file.
const cacheMinObjects = 256

// compactMinGarbage is how many bytes of replaced memos make flush rewrite
// the file without them (when they are also half of it).
const compactMinGarbage = 1 << 20

// Record kinds.
const (
	recTag    = 't'
	recCommit = 'c'
	recType   = 'o'
	recMemo   = 'm'
	numKinds  = 128
)

func newObjectCache(gitDir string) *objectCache {
	if gitDir == "" {
		return nil
	}
	c := newCacheFile(filepath.Join(gitDir, cacheFileName))
	c.memoFile = newCacheFile(filepath.Join(gitDir, memoFileName))
	return c
}

func newCacheFile(path string) *objectCache {
	return &objectCache{path: path, minObjects: cacheMinObjects, compactMin: compactMinGarbage}
}

// load reads the file once and finds its records, without decoding them.
func (c *objectCache) load() {
	if c.loaded {
		return
	}
	c.loaded = true
	data, mapped, err := readCacheFile(c.path)
	if err != nil || len(data) < len(cacheMagic) || string(data[:len(cacheMagic)]) != cacheMagic {
		if err == nil {
			os.Remove(c.path) // not ours, or an older format
		}
		return
	}
	// One string for the whole file: every field is a slice of it.
	body := ownedString(data[len(cacheMagic):])
	// Counted first, the spans take one allocation a kind (700,000 records
	// at 500,000 tags), not a slice copied as it grows.
	var counts [numKinds]int
	truncated, corrupt := scanRecords(body, func(kind byte, _ span) { counts[kind]++ })
	if corrupt {
		c.drop() // corrupted in the middle: start afresh rather than guess
		return
	}
	for kind, n := range counts {
		if n > 0 {
			c.spans[kind] = make([]span, 0, n)
		}
	}
	scanRecords(body, func(kind byte, sp span) { c.spans[kind] = append(c.spans[kind], sp) })
	if mapped {
		// The scan touched every page; only those of the records looked
		// up need to stay (a show reads no commit records).
		dropPages(data)
		c.mapping = data
	}
	// A truncated last record (a crash while appending): appending after
	// it would make it swallow the new records, so the next flush rewrites
	// the file.
	c.truncated = truncated
	c.data = body
}

// scanRecords calls each with the kind and the body of every record of s
// up to a truncated one; corrupt reports a record of no known kind.
func scanRecords(s string, each func(kind byte, sp span)) (truncated, corrupt bool) {
	d := decoder{s: s}
	for d.more() {
		kind := d.byte()
		size := d.uvarint()
		if d.err != nil || size > uint64(len(d.s)-d.off) {
			return true, false
		}
		switch kind {
		case recTag, recCommit, recType, recMemo:
		default:
			return false, true
		}
		each(kind, span{d.off, d.off + int(size)})
		d.off += int(size)
	}
	return false, false
}

// mapCaches makes the object caches of this process map their files
// instead of reading them (see MapObjectCaches).
var mapCaches atomic.Bool

// MapObjectCaches makes the object cache files read from now on mapped
// into memory rather than read onto the heap: a registry of 500,000 tags has
// a cache of 150 MB, most of which a command that reads every tag points
// into. A mapping stays as long as the process (the strings of what was
// read point into it), so this is for processes that open a repository a
// few times: a command, not a server that reopens it on every change.
func MapObjectCaches(on bool) { mapCaches.Store(on) }

// readCacheFile returns the contents of the cache file at path, mapped when
// MapObjectCaches is on and the system allows it.
func readCacheFile(path string) (data []byte, mapped bool, err error) {
	if mapCaches.Load() {
		if data, ok := mapFile(path); ok {
			return data, true, nil
		}
	}
	data, err = os.ReadFile(path)
	return data, false, err
}

// drop forgets the file's records and removes it: it is corrupted. The
// indexes are left empty (not nil: they are not built again).
func (c *objectCache) drop() {
	os.Remove(c.path)
	c.data, c.spans, c.garbage, c.truncated = "", [numKinds][]span{}, 0, false
	c.tags, c.commits = idIndex{}, idIndex{}
	c.types, c.memos = map[string]string{}, map[string]memo{}
}

// decode calls each with a decoder on every record of kind; a malformed
// record drops the whole file (what was decoded before stays valid: it
// parsed completely).
func (c *objectCache) decode(kind byte, each func(rec *decoder, sp span)) {
	c.load()
	for _, sp := range c.spans[kind] {
		rec := &decoder{s: c.data[sp.from:sp.to]}
		each(rec, sp)
		if !c.decoded(rec) {
			return
		}
	}
}

// buildIndex indexes the records of kind by the id each starts with. The
// records are decoded on lookup: a decoded copy of 50,000 tag objects would
// stay on the heap for the whole command, and the garbage collector of a
// process held under its memory limit would scan it again and again.
func (c *objectCache) buildIndex(kind byte) idIndex {
	c.load()
	spans := c.spans[kind]
	index := make(idIndex, len(spans))
	for i, sp := range spans {
		rec := &decoder{s: c.data[sp.from:sp.to]}
		id := rec.str()
		if rec.err != nil {
			c.drop()
			return idIndex{}
		}
		if i <= math.MaxInt32 {
			index[idHash(id)] = int32(i) // the last record of an id wins
		}
	}
	return index
}

// record returns a decoder on the record of kind whose id is id, ok false
// when there is none; *index is the kind's index, built on first use.
func (c *objectCache) record(index *idIndex, kind byte, id string) (rec decoder, ok bool) {
	if rec, ok = c.recordAt(index, kind, idHash(id)); !ok || rec.str() != id || rec.err != nil {
		return decoder{}, false
	}
	rec.off = 0
	return rec, true
}

// recordAt returns a decoder on the record of kind whose id has hash h,
// which the caller checks is the id it looks for. (A decoder, not a
// pointer to one: 500,000 lookups would leave as many on the heap.)
func (c *objectCache) recordAt(index *idIndex, kind byte, h uint64) (decoder, bool) {
	if *index == nil {
		*index = c.buildIndex(kind)
	}
	i, ok := (*index)[h]
	if !ok {
		return decoder{}, false
	}
	sp := c.spans[kind][i]
	return decoder{s: c.data[sp.from:sp.to]}, true
}

// decoded checks that rec was decoded completely; a malformed record drops
// the file.
func (c *objectCache) decoded(rec *decoder) bool {
	if rec.err == nil && rec.off == len(rec.s) {
		return true
	}
	c.drop()
	return false
}

func (c *objectCache) typeIndex() map[string]string {
	if c.types == nil {
		c.load()
		c.types = make(map[string]string, len(c.spans[recType]))
		c.decode(recType, func(rec *decoder, _ span) {
			if id, typ := rec.str(), rec.str(); rec.err == nil {
				c.types[id] = typ
			}
		})
	}
	return c.types
}

func (c *objectCache) memoIndex() map[string]memo {
	if c.memos == nil {
		c.load()
		c.memos = make(map[string]memo, len(c.spans[recMemo]))
		c.decode(recMemo, func(rec *decoder, sp span) {
			slot, key, value := rec.str(), rec.str(), rec.str()
			if rec.err != nil {
				return
			}
			if old, ok := c.memos[slot]; ok {
				c.garbage += old.size
			}
			c.memos[slot] = memo{key: key, value: value, size: len(rec.s), at: sp.from}
		})
	}
	return c.memos
}

// prefetchTags decodes what streamTags looks up: the tag objects and the
// types of the other objects tags point at.
func (c *objectCache) prefetchTags() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record(&c.tags, recTag, "") // builds the index
	c.typeIndex()
}

// dropMapped lets the pages of the mapped file, if any, go (see
// Batch.DropMappedPages).
func (c *objectCache) dropMapped() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mapping != nil {
		dropPages(c.mapping)
	}
}

// releaseTags forgets the index of the tag records, which a read of every
// tag builds and no other read uses: 20 MB at 500,000 tags that the rest
// of the command need not hold. A next read builds it again.
func (c *objectCache) releaseTags() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tags = nil
}

// tagInto decodes the tag object id into t, reporting whether the cache
// has it; t's strings are slices of the cache's data. A tag gto wrote
// lately and still in the object store is found too, and from then on
// cached as if read from git.
func (c *objectCache) tagInto(id []byte, t *TagObject) bool {
	if c.cachedTagInto(id, t) {
		return true
	}
	if c.made.tagInto(id, t) {
		c.addTag(*t)
		return true
	}
	return false
}

func (c *objectCache) cachedTagInto(id []byte, t *TagObject) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	rec, ok := c.recordAt(&c.tags, recTag, maphash.Bytes(idSeed, id))
	if !ok {
		return false
	}
	if *t = rec.tag(); t.ID != string(id) || !c.decoded(&rec) {
		*t = TagObject{}
		return false
	}
	return true
}

func (c *objectCache) typeOf(id string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.typeIndex()[id]
}

// commitInto decodes the commit id into cm, reporting whether the cache has
// it; cm's strings are slices of the cache's data.
func (c *objectCache) commitInto(id string, cm *Commit) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rec, ok := c.record(&c.commits, recCommit, id); ok {
		if *cm = rec.commit(); c.decoded(&rec) {
			return true
		}
	}
	*cm = Commit{}
	return false
}

// memo returns the value last stored in slot and the key it was stored
// with (ok is false when the slot is empty).
func (c *objectCache) memo(slot string) (key, value string, ok bool) {
	if c.memoFile != nil {
		return c.memoFile.memo(slot)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.memoIndex()[slot]
	return m.key, m.value, ok
}

// setMemo stores value for key in slot, replacing what the slot held.
func (c *objectCache) setMemo(slot, key, value string) {
	if c.memoFile != nil {
		c.memoFile.setMemo(slot, key, value)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	memos := c.memoIndex()
	body := appendStr(appendStr(appendStr(nil, slot), key), value)
	if old, ok := memos[slot]; ok {
		c.garbage += old.size
	}
	memos[slot] = memo{key: key, value: value, size: len(body), at: -1}
	c.pending = appendRecord(c.pending, recMemo, body)
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

// flush appends the new records in one write, or rewrites the file when
// replaced memos (old branch walks) make up most of it or it ends with an
// incomplete record; then the memo file's.
func (c *objectCache) flush() {
	if m := c.memoFile; m != nil {
		m.compactMin = c.compactMin // a test lowers the object cache's
		defer m.flush()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) == 0 {
		return
	}
	c.load()
	if c.truncated || (c.garbage >= c.compactMin && 2*c.garbage >= len(c.data)) {
		c.compact()
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

// compact writes the live records and the pending ones to a new file and
// renames it over the old one. Records another process appended meanwhile
// may be lost: they will be read from git again.
func (c *objectCache) compact() {
	memos := c.memoIndex()
	out := []byte(cacheMagic)
	for kind, spans := range c.spans {
		for _, sp := range spans {
			body := c.data[sp.from:sp.to]
			if kind == recMemo {
				rec := &decoder{s: body}
				if memos[rec.str()].at != sp.from {
					continue // replaced
				}
			}
			out = appendRecord(out, byte(kind), []byte(body))
		}
	}
	out = append(out, c.pending...)
	c.pending = nil
	replaceFile(c.path, out) // best effort: a failure keeps the old file
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
	if d.off < len(d.s) && d.s[d.off] < 0x80 { // most lengths: one byte
		d.off++
		return uint64(d.s[d.off-1])
	}
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
