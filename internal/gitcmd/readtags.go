package gitcmd

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gto-dev/gto/internal/objectid"
)

// TagRecord is a tag as ReadTags reads it.
type TagRecord struct {
	// Name is the tag name without "refs/tags/".
	Name string
	// Object is the object the ref points at; Type its type ("tag" for an
	// annotated tag; "" when the tag was not kept, so its object not read).
	Object, Type string
	// Tag is the parsed tag object of an annotated tag, nil otherwise.
	Tag *TagObject
	// Malformed is set (and Tag nil) for a tag object git stores but that
	// cannot be parsed: callers skip it rather than fail the whole read.
	Malformed bool
	// Missing is set (Type "", Tag nil) when the object the ref names is not
	// in the repository: a damaged object store (deleting a ref leaves its
	// object, so this is no race with a concurrent deletion).
	Missing bool

	cached bool // known from the object cache: nothing to read
}

// ReadTags lists the tags matching patterns (as ListTags does; none: all of
// refs/tags/) and reads the objects of those for which keep(name) is true,
// parsing annotated tag objects. The output of `git for-each-ref` streams
// into the batch's cat-file requests while it is produced, so reading every
// tag costs about what the "floor" takes (`git for-each-ref
// --format=%(objectname) refs/tags | git cat-file --batch`), instead of the
// sum of the two processes. (Asking for-each-ref itself for the tagger and
// the message is slower: it formats tens of thousands of records on one
// core.) Records are in ref name order; those not kept are left out.
func (b *Batch) ReadTags(ctx context.Context, keep func(name string) bool, patterns ...string) ([]TagRecord, error) {
	var recs []TagRecord
	err := b.eachTag(ctx, keep, collectTags(&recs), patterns)
	return recs, err
}

// eachTag is ReadTags handing each record to each (see EachTagPrefix).
func (b *Batch) eachTag(ctx context.Context, keep func(name string) bool, each func(*TagRecord) error, patterns []string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	d := &delivery{each: each, byName: true}
	for {
		if b.closed {
			return errCatFileClosed
		}
		retry, err := b.readTagsOnce(ctx, keep, d, patterns)
		if !retry {
			return err
		}
	}
}

// collectTags is an EachTagPrefix callback that appends copies of the
// records to recs.
func collectTags(recs *[]TagRecord) func(*TagRecord) error {
	return func(rec *TagRecord) error {
		r := *rec
		if rec.Tag != nil {
			t := *rec.Tag
			r.Tag = &t
		}
		*recs = append(*recs, r)
		return nil
	}
}

// delivery hands the records of a read to its callback, and makes a read
// tried again (an older git, see legacyFallback) not hand over twice what
// the first attempt did: with byName the records come in strictly
// increasing ref name order (for-each-ref lists the refs again, which may
// have changed meanwhile), otherwise every attempt reads the same refs.
type delivery struct {
	each   func(*TagRecord) error
	byName bool
	n      int    // records handed over
	last   string // the last one's name
	seen   int    // records of this attempt
	err    error  // the first error of each
}

// retry starts another attempt.
func (d *delivery) retry() { d.seen = 0 }

func (d *delivery) deliver(rec *TagRecord) {
	d.seen++
	if d.err != nil || (!d.byName && d.seen <= d.n) || (d.byName && d.n > 0 && rec.Name <= d.last) {
		return
	}
	d.n++
	d.last = rec.Name
	d.err = d.each(rec)
}

// ReadTagPrefixes is ReadTags of the tags whose names begin with one of
// prefixes (literal names; none: every tag), as EachTagPrefix reads them.
func (b *Batch) ReadTagPrefixes(ctx context.Context, keep func(name string) bool, prefixes ...string) ([]TagRecord, error) {
	var recs []TagRecord
	err := b.EachTagPrefix(ctx, keep, nil, collectTags(&recs), prefixes...)
	return recs, err
}

// EachTagPrefix reads the tags whose names begin with one of prefixes
// (literal names; none: every tag) and for which keep(name) is true, as
// ReadTags does, and calls each with every record in ref name order instead
// of returning them: rec and rec.Tag are valid only during the call (their
// strings stay valid). Reading every tag of a registry this way keeps none
// of the records: the caller keeps what it needs of them. The first error
// of each is the error of the read; each is not called after it.
//
// The refs are read from the ref files when the repository allows it (see
// refsByPrefix), which starts no for-each-ref and, on loose refs, reads only
// the matching files; otherwise they come from for-each-ref with
// PrefixPatterns. All the tags are read so only up to maxDirectRefs of
// them, beyond which for-each-ref reads them faster.
//
// A read of every tag calls grow, when not nil, before the first record:
// with the number of refs read from the files, or TagCountHint's when
// for-each-ref lists them (packed-refs is read once either way).
func (b *Batch) EachTagPrefix(ctx context.Context, keep func(name string) bool, grow func(n int), each func(rec *TagRecord) error, prefixes ...string) error {
	full := make([]string, len(prefixes))
	for i, p := range prefixes {
		full[i] = "refs/tags/" + p
	}
	limit, cache := 0, b.cache.ifSmall() // a few tags of one artifact: cheaper to read than a large cache
	if len(prefixes) == 0 {
		full, limit, cache = []string{"refs/tags/"}, maxDirectRefs, b.cache
	} else if cache == nil {
		cache = b.artifactCache(full) // the last such read's tags
	}
	if cache != nil && b.repo.plainRefs {
		go cache.prefetchTags() // load the cache while the refs are read
	}
	if len(prefixes) > 0 || grow == nil {
		grow = func(int) {}
	}
	refs, ok := b.repo.refsByPrefix(b.listings(), limit, full...)
	if !ok {
		grow(b.TagCountHint())
		return b.eachTag(ctx, keep, each, PrefixPatterns(prefixes))
	}
	grow(len(refs))
	if cache != nil && len(refs) <= maxDirectRefs {
		if done, err := b.deliverCached(ctx, refs, keep, cache, each); done {
			return err
		}
	}
	var lines strings.Builder
	for _, ref := range refs {
		lines.WriteString(ref.id + " " + ref.name + "\n")
	}
	return b.streamRefs(ctx, lines.String(), keep, cache, each)
}

// TagCountHint is about how many tags a read of every tag gives, at least
// as many as packed-refs holds, and room for a few loose ones (0 without
// the file), which EachTagPrefix gives its grow when for-each-ref lists
// the tags, for a caller to make room for them before they come: growing a
// slice of 500,000 records as they come copies it again and
// again, and one grown past what it needed holds the excess to the end.
func (b *Batch) TagCountHint() int {
	path := filepath.Join(b.repo.commonDir(), "packed-refs")
	if data, ok := mapFile(path); ok {
		// Counted, not guessed from the size (a guess of 100 bytes a tag
		// was 12% too many on 500,000 tags: 13 MB of events never used).
		// The lines, less the peeled ones; the header counts one more.
		n := bytes.Count(data, []byte("\n")) - bytes.Count(data, []byte("\n^"))
		unmapFile(data)
		return min(n+n/32+64, 1<<24)
	}
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return int(min(st.Size()/packedRefBytes, 1<<24))
}

// streamRefs reads the tags of lines ("<id> refs/tags/<name>" each, as
// for-each-ref writes them) through cat-file (see streamTags); a cancelled
// ctx is the error.
func (b *Batch) streamRefs(ctx context.Context, lines string, keep func(string) bool, cache *objectCache, each func(*TagRecord) error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	d := &delivery{each: each}
	for {
		if b.closed {
			return errCatFileClosed
		}
		err := b.contents.streamTags(strings.NewReader(lines), keep, cache, d)
		if cache != nil {
			cache.releaseTags()
		}
		if err != nil && b.legacyFallback(b.contents) {
			d.retry()
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil {
			err = d.err
		}
		return err
	}
}

// deliverCached hands each the records of refs, all decoded from the
// cache, on this goroutine: a warm read of a small registry, which
// streamTags' two goroutines and its channels made 8% slower (history on
// 300 tags). done is false, and nothing was handed over, when the cache
// lacks one.
func (b *Batch) deliverCached(ctx context.Context, refs []refLine, keep func(string) bool, cache *objectCache, each func(*TagRecord) error) (done bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return true, errCatFileClosed
	}
	items := make([]tagItem, 0, len(refs))
	for _, ref := range refs {
		name, isTag := strings.CutPrefix(ref.name, "refs/tags/")
		if !isTag {
			return false, nil // streamTags says what is wrong
		}
		if !keep(name) {
			continue
		}
		items = append(items, tagItem{rec: TagRecord{Name: name, Object: ref.id, cached: true}})
		it := &items[len(items)-1]
		if cache.tagInto([]byte(ref.id), &it.tag) {
			it.rec.Object, it.rec.Type = it.tag.ID, "tag"
		} else if it.rec.Type = cache.typeOf(ref.id); it.rec.Type == "" {
			return false, nil
		}
	}
	cache.releaseTags() // as streamRefs does; not before a fallback, which needs the index
	d := &delivery{each: each}
	for i := range items {
		if items[i].rec.Type == "tag" {
			items[i].rec.Tag = &items[i].tag
		}
		d.deliver(&items[i].rec)
	}
	if ctx.Err() != nil {
		return true, ctx.Err()
	}
	return true, d.err
}

// maxDirectRefs is how many tags (loose, or packed) EachTagPrefix reads
// itself when it reads them all. for-each-ref costs a process, but streams
// its output into cat-file while it reads: on 50,000 packed tags reading
// packed-refs first made show 1.2x slower. Below a few thousand the
// process is the larger cost.
const maxDirectRefs = 2000

// PrefixPatterns turns tag name prefixes into for-each-ref patterns
// relative to refs/tags/ (for ListTags and ReadTags): "*" does not cross
// "/" in them, so every prefix needs a second pattern for the names with a
// slash after it.
func PrefixPatterns(prefixes []string) []string {
	var out []string
	for _, p := range prefixes {
		e := EscapePattern(p)
		out = append(out, e+"*", e+"*/**")
	}
	return out
}

// readTagsOnce is one attempt of ReadTags; retry reports that cat-file was
// a git without --batch-command, now replaced by the older protocol, and
// nothing more was read. The caller holds b.mu.
func (b *Batch) readTagsOnce(ctx context.Context, keep func(name string) bool, d *delivery, patterns []string) (retry bool, err error) {
	args := []string{"for-each-ref", "--format=%(objectname) %(refname)", "--end-of-options"}
	if len(patterns) == 0 {
		args = append(args, "refs/tags/")
	}
	for _, p := range patterns {
		args = append(args, "refs/tags/"+p)
	}
	cache := b.cache
	if len(patterns) > 0 {
		cache = nil // a few tags of one artifact: cheaper to read than the cache
	}
	if cache != nil {
		// for-each-ref sorts every ref before it writes the first line:
		// load the cache meanwhile, on the other core.
		go cache.prefetchTags()
	}
	list := b.repo.command(ctx, b.repo.dir(), call{args: args})
	out, err := list.StdoutPipe()
	if err != nil {
		return false, err
	}
	stderr := &cappedBuffer{max: stderrCap}
	list.Stderr = stderr
	if err := list.Start(); err != nil {
		return false, commandError(ctx, list, err, "")
	}
	d.retry()
	readErr := b.contents.streamTags(out, keep, cache, d)
	if cache != nil {
		cache.releaseTags()
	}
	if readErr != nil {
		io.Copy(io.Discard, out) // let for-each-ref finish writing
	}
	waitErr := commandError(ctx, list, list.Wait(), stderr.String())
	if readErr != nil && b.legacyFallback(b.contents) {
		return true, nil
	}
	if readErr != nil {
		return false, readErr
	}
	if waitErr != nil {
		return false, waitErr
	}
	return false, d.err
}

// tagItem is a record on its way from the writer of streamTags' requests
// to the reader of the answers, with the tag object it points at.
type tagItem struct {
	rec TagRecord
	tag TagObject
}

// tagChunk is how many records the writer hands over at once (one lock
// for a chunk, not per record), and tagChunks how many chunks a read uses,
// over and over, for 500,000 tags.
const (
	tagChunk  = 256
	tagChunks = 8
)

// errStreamStopped ends the writer of a streamTags whose reader stopped.
var errStreamStopped = errors.New("git cat-file: read stopped")

// streamTags reads "<id> refs/tags/<name>" lines from refs, requests the
// objects of the kept ones from cat-file as the lines come (those the
// cache knows are decoded from it instead), and hands the records to d in
// order.
func (p *catFile) streamTags(refs io.Reader, keep func(string) bool, cache *objectCache, d *delivery) error {
	if p.err != nil {
		return p.err
	}
	// The writer must never wait for the reader: cat-file only answers
	// requests it has received, and with --buffer only once its output
	// buffer fills or "flush" comes, so a writer blocked on a full channel
	// while requests sit in its own buffer would deadlock. Hence an
	// unbounded queue; and before each request is written, every record
	// before it is in the queue (the write may wait for cat-file, which may
	// wait for the reader to take its earlier answers).
	requested := newQueue[[]tagItem]()
	// At most tagChunks chunks are in use: a writer reading from the cache
	// outruns the reader, and would otherwise queue every record. They are
	// made as needed (300 tags need two, not 450 KB of eight).
	free := make(chan []tagItem, tagChunks)
	made := 0
	done := make(chan struct{}) // closed when the reader stops early
	written := make(chan error, 1)
	var parseErr error
	go func() {
		defer requested.close()
		w := bufio.NewWriterSize(p.stdin, 64<<10)
		in := bufio.NewReaderSize(refs, 64<<10)
		asked := false // nothing asked, nothing written: cat-file need not start
		var chunk []tagItem
		hand := func() {
			if len(chunk) > 0 {
				requested.push(chunk)
				chunk = nil
			}
		}
		next := func() (*tagItem, error) {
			if chunk == nil {
				select {
				case chunk = <-free:
				default:
					if made < tagChunks {
						made++
						chunk = make([]tagItem, 0, tagChunk)
						break
					}
					// Wait for the reader; it may wait for answers to
					// requests still in w.
					if p.mode == modeCommand && asked {
						w.WriteString("flush\n")
					}
					if err := w.Flush(); err != nil {
						return nil, err
					}
					select {
					case chunk = <-free:
					case <-done:
						return nil, errStreamStopped
					}
				}
			}
			chunk = append(chunk[:len(chunk)], tagItem{})
			return &chunk[len(chunk)-1], nil
		}
		for {
			line, err := in.ReadSlice('\n')
			if len(line) > 0 {
				id, ref, ok := bytes.Cut(bytes.TrimSuffix(line, []byte{'\n'}), []byte{' '})
				name, isTag := bytes.CutPrefix(ref, []byte("refs/tags/"))
				if !ok || !isTag || !objectid.Is(id) {
					parseErr = fmt.Errorf("git for-each-ref: unexpected output %q", line)
					break
				}
				it, err := next()
				if err != nil {
					written <- err
					return
				}
				rec := &it.rec
				if cache != nil && cache.tagInto(id, &it.tag) {
					// The record's strings are the cache's: no copies.
					rec.Object, rec.Type, rec.Tag, rec.cached = it.tag.ID, "tag", &it.tag, true
					if rec.Name = it.tag.Name; rec.Name != string(name) {
						rec.Name = string(name)
					}
				} else {
					rec.Name, rec.Object = string(name), string(id)
					if cache != nil {
						rec.Type = cache.typeOf(rec.Object)
						rec.cached = rec.Type != ""
					}
				}
				if !keep(rec.Name) {
					chunk = chunk[:len(chunk)-1]
					continue
				}
				if !rec.cached {
					last := chunk[len(chunk)-1]
					chunk = chunk[:len(chunk)-1]
					hand()
					asked = true
					if p.mode == modeCommand {
						w.WriteString("contents ")
					}
					w.WriteString(rec.Object)
					w.WriteByte('\n')
					if p.mode != modeCommand {
						// Unbuffered cat-file answers each request as it comes:
						// hand it over now, or the reader waits for nothing.
						if err := w.Flush(); err != nil {
							written <- err
							return
						}
					}
					it, err := next()
					if err != nil {
						written <- err
						return
					}
					*it = last
				}
				if len(chunk) == tagChunk || p.mode != modeCommand {
					hand()
				}
			}
			if err != nil {
				if err != io.EOF {
					parseErr = err
				}
				break
			}
		}
		hand()
		if p.mode == modeCommand && asked {
			w.WriteString("flush\n")
		}
		written <- w.Flush()
	}()
	for {
		chunk, ok := requested.pop()
		if !ok {
			break
		}
		for i := range chunk {
			it := &chunk[i]
			if err := p.readTagItem(it, cache); err != nil {
				p.fail(err)
				close(done) // unblocks a writer waiting for a chunk,
				<-written   // and the dead process's closed pipe one writing
				return p.err
			}
			d.deliver(&it.rec)
		}
		clear(chunk) // keep no strings alive
		free <- chunk[:0]
	}
	if err := <-written; err != nil {
		p.fail(err)
		return p.err
	}
	return parseErr
}

// readTagItem completes it with cat-file's answer unless it came from the
// cache, and remembers what was read in the cache.
func (p *catFile) readTagItem(it *tagItem, cache *objectCache) error {
	rec := &it.rec
	if rec.cached {
		if rec.Tag != nil {
			rec.Tag = &it.tag // this item's, wherever the writer put it
		}
		return nil
	}
	obj, err := p.read(rec.Object, true)
	if err != nil {
		return err
	}
	if obj == nil {
		rec.Missing = true
		return nil
	}
	rec.Type = obj.Type
	if obj.Type == "tag" {
		t, err := parseTag(obj.ID, obj.Data)
		switch {
		case err != nil:
			rec.Malformed = true
		case cache != nil:
			cache.addTag(t)
			fallthrough
		default:
			it.tag = t
			rec.Tag = &it.tag
		}
	} else if cache != nil {
		cache.addType(obj.ID, obj.Type)
	}
	return nil
}

// ResolveCommit returns the full hexsha of the commit rev names, peeling
// tags (rev^{commit}), through the batch process, without starting a git
// process. rev is any revision git understands (HEAD~1, a branch, a tag, a
// short sha, even one that starts with "-").
//
// Errors: ErrNoCommits when rev is HEAD (or @) in a repository without
// commits; ErrRefNotFound (message: ref "rev" was not found in the
// repository) when rev does not name a commit, is ambiguous, or holds a
// newline.
func (b *Batch) ResolveCommit(rev string) (string, error) {
	if strings.ContainsAny(rev, "\n\r") || rev == "" {
		return "", refNotFound(rev, nil)
	}
	if rev == "HEAD" {
		if id, ok, err := b.headCommit(); ok || err != nil {
			return id, err
		}
	}
	infos, err := b.Info([]string{rev + "^{commit}"})
	if err != nil {
		return "", err
	}
	if infos[0].ID == "" {
		if rev == "HEAD" || rev == "@" {
			return "", noCommits(nil)
		}
		return "", refNotFound(rev, nil)
	}
	return infos[0].ID, nil
}

// queue is an unbounded FIFO between one producer and one consumer.
type queue[T any] struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []T
	closed bool
}

func newQueue[T any]() *queue[T] {
	q := &queue[T]{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *queue[T]) push(v T) {
	q.mu.Lock()
	q.items = append(q.items, v)
	q.mu.Unlock()
	q.cond.Signal()
}

func (q *queue[T]) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Signal()
}

// pop waits for the next item; false once the queue is closed and empty.
func (q *queue[T]) pop() (T, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.closed {
		q.cond.Wait()
	}
	var zero T
	if len(q.items) == 0 {
		return zero, false
	}
	v := q.items[0]
	q.items[0] = zero
	q.items = q.items[1:]
	return v, true
}
