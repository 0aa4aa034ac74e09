package gitcmd

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
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
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		if b.closed {
			return nil, errCatFileClosed
		}
		records, retry, err := b.readTagsOnce(ctx, keep, patterns)
		if !retry {
			return records, err
		}
	}
}

// ReadTagPrefixes is ReadTags of the tags whose names begin with one of
// prefixes (literal names; none: every tag). The refs are read from the
// ref files when the repository allows it (see refsByPrefix), which
// starts no for-each-ref and, on loose refs, reads only the matching
// files; otherwise they come from for-each-ref with PrefixPatterns. All
// the tags are read so only up to maxDirectRefs of them, beyond which
// for-each-ref reads them faster.
func (b *Batch) ReadTagPrefixes(ctx context.Context, keep func(name string) bool, prefixes ...string) ([]TagRecord, error) {
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
	refs, ok := b.repo.refsByPrefix(limit, full...)
	if !ok {
		return b.ReadTags(ctx, keep, PrefixPatterns(prefixes)...)
	}
	var lines strings.Builder
	for _, ref := range refs {
		lines.WriteString(ref.id + " " + ref.name + "\n")
	}
	return b.streamRefs(ctx, lines.String(), keep, cache)
}

// streamRefs reads the tags of lines ("<id> refs/tags/<name>" each, as
// for-each-ref writes them) through cat-file (see streamTags); a cancelled
// ctx is the error.
func (b *Batch) streamRefs(ctx context.Context, lines string, keep func(string) bool, cache *objectCache) ([]TagRecord, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		if b.closed {
			return nil, errCatFileClosed
		}
		records, err := b.contents.streamTags(strings.NewReader(lines), keep, cache)
		if err != nil && b.legacyFallback(b.contents) {
			continue
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return records, err
	}
}

// maxDirectRefs is how many tags (loose, or packed) ReadTagPrefixes reads
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
// nothing was read. The caller holds b.mu.
func (b *Batch) readTagsOnce(ctx context.Context, keep func(name string) bool, patterns []string) (records []TagRecord, retry bool, err error) {
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
		return nil, false, err
	}
	stderr := &cappedBuffer{max: stderrCap}
	list.Stderr = stderr
	if err := list.Start(); err != nil {
		return nil, false, commandError(ctx, list, err, "")
	}
	records, readErr := b.contents.streamTags(out, keep, cache)
	if readErr != nil {
		io.Copy(io.Discard, out) // let for-each-ref finish writing
	}
	waitErr := commandError(ctx, list, list.Wait(), stderr.String())
	if readErr != nil && b.legacyFallback(b.contents) {
		return nil, true, nil
	}
	if readErr != nil {
		return nil, false, readErr
	}
	if waitErr != nil {
		return nil, false, waitErr
	}
	return records, false, nil
}

// streamTags reads "<id> refs/tags/<name>" lines from refs, requests the
// objects of the kept ones from cat-file as the lines come, and parses the
// answers.
func (p *catFile) streamTags(refs io.Reader, keep func(string) bool, cache *objectCache) ([]TagRecord, error) {
	if p.err != nil {
		return nil, p.err
	}
	// The writer must never wait for the reader: cat-file only answers
	// requests it has received, and with --buffer only once its output
	// buffer fills or "flush" comes, so a writer blocked on a full channel
	// while requests sit in its own buffer would deadlock. Hence an
	// unbounded queue.
	requested := newQueue[TagRecord]()
	written := make(chan error, 1)
	var parseErr error
	go func() {
		defer requested.close()
		w := bufio.NewWriterSize(p.stdin, 64<<10)
		in := bufio.NewReaderSize(refs, 64<<10)
		asked := false // nothing asked, nothing written: cat-file need not start
		for {
			line, err := in.ReadSlice('\n')
			if len(line) > 0 {
				id, ref, ok := bytes.Cut(bytes.TrimSuffix(line, []byte{'\n'}), []byte{' '})
				name, isTag := bytes.CutPrefix(ref, []byte("refs/tags/"))
				if !ok || !isTag || !objectid.Is(id) {
					parseErr = fmt.Errorf("git for-each-ref: unexpected output %q", line)
					break
				}
				rec := TagRecord{Name: string(name), Object: string(id)}
				if !keep(rec.Name) {
					continue
				}
				if cache != nil {
					if t := cache.tag(rec.Object); t != nil {
						rec.Type, rec.Tag, rec.cached = "tag", t, true
					} else if typ := cache.typeOf(rec.Object); typ != "" {
						rec.Type, rec.cached = typ, true
					}
					if rec.cached {
						requested.push(rec)
						continue
					}
				}
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
				requested.push(rec)
			}
			if err != nil {
				if err != io.EOF {
					parseErr = err
				}
				break
			}
		}
		if p.mode == modeCommand && asked {
			w.WriteString("flush\n")
		}
		written <- w.Flush()
	}()
	var records []TagRecord
	for {
		rec, ok := requested.pop()
		if !ok {
			break
		}
		if rec.cached {
			records = append(records, rec)
			continue
		}
		obj, err := p.read(rec.Object, true)
		if err != nil {
			p.fail(err)
			<-written // the dead process's closed pipe unblocks the writer
			return nil, p.err
		}
		if obj == nil {
			rec.Missing = true
			records = append(records, rec)
			continue
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
				rec.Tag = &t
			}
		} else if cache != nil {
			cache.addType(obj.ID, obj.Type)
		}
		records = append(records, rec)
	}
	if err := <-written; err != nil {
		p.fail(err)
		return nil, p.err
	}
	if parseErr != nil {
		return nil, parseErr
	}
	return records, nil
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
