package gitcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/gto-dev/gto/internal/objectid"
)

// Batch reads objects through one long-lived `git cat-file` process. Each
// method sends all its requests in one pipelined round trip, so reading
// 50,000 tags costs one process, not 50,000.
//
// With git 2.36 or newer the process is `git cat-file --batch-command
// --buffer`, which serves every method. With older git it is `git cat-file
// --batch`, plus a `git cat-file --batch-check` started on first use by the
// methods that need only ids and types (Info, FilesAt). Options.LegacyCatFile
// asks for the older protocol with any git.
//
// The processes live until Close or until the context given to OpenBatch is
// done. Methods are safe for concurrent use (they are serialised). After a
// failure of the process (it died, or was cancelled) every method returns
// that failure.
//
// Object names (ids, "rev:path") cannot contain a newline or end with a
// carriage return: the protocol is line-based.
type Batch struct {
	repo *Repo
	ctx  context.Context // lifetime of the processes

	mu       sync.Mutex
	contents *catFile // modeCommand or modeContents
	info     *catFile // modeInfo, with older git only; nil until needed
	closed   bool
	cache    *objectCache // nil when disabled
	// artifact is the last one-artifact read's cache (artifactCache)
	artifact    *objectCache
	artifactKey string
}

// OpenBatch starts `git cat-file` in the repository. The caller must Close
// the Batch; cancelling ctx also ends it.
func (r *Repo) OpenBatch(ctx context.Context) (*Batch, error) {
	return r.openBatch(ctx, !r.NoObjectCache)
}

// OpenStoreBatch is OpenBatch without the object cache, whatever the
// options say: every object comes from git's object store. The cache keeps
// objects by id, so it would vouch for an object the store has lost; a
// check of the repository (gto doctor) must ask the store.
func (r *Repo) OpenStoreBatch(ctx context.Context) (*Batch, error) {
	return r.openBatch(ctx, false)
}

func (r *Repo) openBatch(ctx context.Context, cached bool) (*Batch, error) {
	// Assume a git that knows --batch-command (2.36+, 2022): asking `git
	// version` first would cost a process on every command. An older git
	// rejects the option at once, and read switches to the old protocol.
	mode := modeCommand
	if r.LegacyCatFile || knownLegacyGit() {
		mode = modeContents
	}
	p, err := startCatFile(ctx, r, mode)
	if err != nil {
		return nil, err
	}
	b := &Batch{repo: r, ctx: ctx, contents: p}
	if cached {
		if b.cache = newObjectCache(r.gitDir); b.cache != nil {
			b.cache.made = r.newMadeTags(b.cache)
		}
	}
	return b, nil
}

// Close ends the processes and waits for them. It returns an error only
// when git reports one on exit; Close is idempotent.
func (b *Batch) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	if b.cache != nil {
		b.rememberArtifact()
		b.cache.flush()
	}
	err := b.contents.close()
	if b.info != nil {
		err = errors.Join(err, b.info.close())
	}
	return err
}

// read runs one round trip, reading contents or only ids and types. When
// the process turns out to be a git without --batch-command, the round trip
// is made again, once, with the older protocol (the lock is held
// throughout: retrying by calling read again would lock b.mu twice).
func (b *Batch) read(contents bool, specs []string, each func(i int, obj *rawObject) error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		if b.closed {
			return errCatFileClosed
		}
		p, err := b.process(contents)
		if err != nil {
			return err
		}
		err = p.roundTrip(specs, contents, each)
		if err == nil || !b.legacyFallback(p) {
			return err
		}
	}
}

// process returns the cat-file process that serves a request for contents
// or for ids and types only, starting the --batch-check process of older
// git on first use. The caller holds b.mu.
func (b *Batch) process(contents bool) (*catFile, error) {
	if contents || b.contents.mode == modeCommand {
		return b.contents, nil
	}
	if b.info == nil {
		info, err := startCatFile(b.ctx, b.repo, modeInfo)
		if err != nil {
			return nil, err
		}
		b.info = info
	}
	return b.info, nil
}

// legacyFallback restarts cat-file with the protocol of git before 2.36
// when p failed because this git does not know --batch-command. The caller
// holds b.mu and retries its request.
func (b *Batch) legacyFallback(p *catFile) bool {
	if p.mode != modeCommand || !strings.Contains(p.stderr.String(), "batch-command") {
		return false
	}
	rememberLegacyGit()
	np, err := startCatFile(b.ctx, b.repo, modeContents)
	if err != nil {
		return false
	}
	b.contents = np
	return true
}

// Object returns the type and content of the object id names (any name
// cat-file accepts: an id, "rev:path", "rev^{tree}"). Errors:
// ErrObjectNotFound when it does not resolve.
func (b *Batch) Object(id string) (typ string, data []byte, err error) {
	err = b.read(true, []string{id}, func(_ int, obj *rawObject) error {
		if obj == nil {
			return objectNotFound(id)
		}
		typ, data = obj.Type, obj.Data
		return nil
	})
	return typ, data, err
}

// ObjectInfo is the id, type and size of an object, without its content.
type ObjectInfo struct {
	ID, Type string
	Size     int64
}

// Info returns, for each name in specs, the object it resolves to, in
// order; the zero ObjectInfo (ID "") for a name that does not resolve. It
// reads no content.
func (b *Batch) Info(specs []string) ([]ObjectInfo, error) {
	out := make([]ObjectInfo, len(specs))
	err := b.read(false, specs, func(i int, obj *rawObject) error {
		if obj != nil {
			out[i] = ObjectInfo{ID: obj.ID, Type: obj.Type, Size: obj.Size}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Tags reads and parses the annotated tag objects with the given ids, in
// one round trip, returning them in the same order. Errors:
// ErrObjectNotFound when an id does not resolve; an error when one names an
// object that is not a tag. A tag of a tag has ObjectType "tag"; see Peel.
func (b *Batch) Tags(objects []string) ([]TagObject, error) {
	tags := make([]TagObject, len(objects))
	err := b.read(true, objects, func(i int, obj *rawObject) error {
		if obj == nil {
			return objectNotFound(objects[i])
		}
		if obj.Type != "tag" {
			return fmt.Errorf("object %s is a %s, not a tag", objects[i], obj.Type)
		}
		t, err := parseTag(obj.ID, obj.Data)
		tags[i] = t
		return err
	})
	if err != nil {
		return nil, err
	}
	return tags, nil
}

// Target is the object at the end of a tag chain.
type Target struct {
	// ID and Type identify the first object of the chain that is not a
	// tag (usually a commit).
	ID, Type string
}

// maxTagChain bounds Peel: git's own peeling gives up far sooner than any
// real chain would need.
const maxTagChain = 64

// Peel follows each tag to the first object that is not a tag (a tag of a
// tag of a commit gives the commit), reading each level of all chains in
// one round trip. The result is in the order of tags.
func (b *Batch) Peel(tags []TagObject) ([]Target, error) {
	out := make([]Target, len(tags))
	var pending []int // indexes whose chain continues with a tag
	for i, t := range tags {
		out[i] = Target{ID: t.Object, Type: t.ObjectType}
		if t.ObjectType == "tag" {
			pending = append(pending, i)
		}
	}
	for depth := 0; len(pending) > 0; depth++ {
		if depth == maxTagChain {
			return nil, fmt.Errorf("tag %s: chain of tags longer than %d", tags[pending[0]].ID, maxTagChain)
		}
		ids := make([]string, len(pending))
		for j, i := range pending {
			ids[j] = out[i].ID
		}
		next, err := b.Tags(ids)
		if err != nil {
			return nil, err
		}
		still := pending[:0]
		for j, i := range pending {
			out[i] = Target{ID: next[j].Object, Type: next[j].ObjectType}
			if next[j].ObjectType == "tag" {
				still = append(still, i)
			}
		}
		pending = still
	}
	return out, nil
}

// Commits reads and parses the given commits in one round trip. The map is
// keyed by the names as given (duplicates are read once). Errors:
// ErrObjectNotFound when one does not resolve; an error when one is not a
// commit (tags are not peeled).
func (b *Batch) Commits(hashes []string) (map[string]Commit, error) {
	out := make(map[string]Commit)
	err := b.EachCommit(hashes, func(name string, c *Commit) error {
		out[name] = *c
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DropMappedPages lets the system take back the pages of the object cache
// files the batch has mapped (see MapObjectCaches; on Linux, elsewhere it
// does nothing): they leave the process's RSS and come back from the page
// cache, unchanged, when touched again. The strings read from the cache
// stay valid. A caller that went through every tag and commit (150 MB of
// a cache of 500,000 tags, all touched) calls it before it goes on to
// what touches few of them again.
func (b *Batch) DropMappedPages() {
	b.mu.Lock()
	caches := []*objectCache{b.cache, b.artifact}
	b.mu.Unlock()
	for _, c := range caches {
		c.dropMapped()
	}
}

// EachCommit is Commits calling each with every commit (by the name given)
// instead of returning a map: c is valid only during the call (its strings
// stay valid). Read from the object cache, 200,000 commits then need no map
// of copies. Errors are those of Commits, each's first one included; each
// may have been called for some commits before an error.
func (b *Batch) EachCommit(hashes []string, each func(name string, c *Commit) error) error {
	specs := unique(hashes)
	cache := b.cache
	if cache != nil && len(specs) < cache.minObjects && cache.ifSmall() == nil {
		b.mu.Lock()
		cache = b.artifact // nil, or one artifact's objects
		b.mu.Unlock()
	}
	if cache != nil {
		missing := specs[:0:0]
		var c Commit
		for _, s := range specs {
			if objectid.Is(s) && cache.commitInto(s, &c) {
				if err := each(s, &c); err != nil {
					return err
				}
			} else {
				missing = append(missing, s)
			}
		}
		specs = missing
	}
	var eachErr error
	err := b.read(true, specs, func(i int, obj *rawObject) error {
		if obj == nil {
			return objectNotFound(specs[i])
		}
		if obj.Type != "commit" {
			return fmt.Errorf("object %s is a %s, not a commit", specs[i], obj.Type)
		}
		c, err := parseCommit(obj.ID, obj.Data)
		if err != nil {
			return err
		}
		if cache != nil && obj.ID == specs[i] {
			cache.addCommit(c)
		}
		if eachErr == nil {
			eachErr = each(specs[i], &c)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return eachErr
}

// Blob returns the content of the file at path in revision rev (the object
// "<rev>:<path>"; path is relative to the top of the tree). found is false
// when rev or path does not exist; a path that names a directory (or a
// submodule) is an error.
func (b *Batch) Blob(rev, path string) (data []byte, found bool, err error) {
	spec := rev + ":" + path
	err = b.read(true, []string{spec}, func(_ int, obj *rawObject) error {
		if obj == nil {
			return nil
		}
		if obj.Type != "blob" {
			return fmt.Errorf("%s in %s is a %s, not a file", path, rev, obj.Type)
		}
		data, found = obj.Data, true
		return nil
	})
	return data, found, err
}

// Blobs reads the blobs with the given ids in one round trip. Errors:
// ErrObjectNotFound when one does not resolve; an error when one is not a
// blob.
func (b *Batch) Blobs(ids []string) (map[string][]byte, error) {
	specs := unique(ids)
	out := make(map[string][]byte, len(specs))
	err := b.read(true, specs, func(i int, obj *rawObject) error {
		if obj == nil {
			return objectNotFound(specs[i])
		}
		if obj.Type != "blob" {
			return fmt.Errorf("object %s is a %s, not a blob", specs[i], obj.Type)
		}
		out[specs[i]] = obj.Data
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func objectNotFound(name string) error {
	return newKindError(ErrObjectNotFound, nil, "object %s was not found in the repository", name)
}

// unique returns s without repeated elements, in first-seen order.
func unique(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := make([]string, 0, len(s))
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// StreamBlobs reads the blobs with the given ids in one round trip and
// calls each, in order, with a blob's size and a reader of its content
// (valid only while each runs; what each leaves unread is skipped), so
// that no blob is held in memory whole. Errors: ErrObjectNotFound when an
// id does not resolve (each is not called for it); an error when one is
// not a blob; the first error each returns (the round trip still reads
// every answer).
func (b *Batch) StreamBlobs(ids []string, each func(i int, size int64, r io.Reader) error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		if b.closed {
			return errCatFileClosed
		}
		p := b.contents
		err := p.streamTrip(ids, func(i int, obj *rawObject, r io.Reader) error {
			switch {
			case obj == nil:
				return objectNotFound(ids[i])
			case obj.Type != "blob":
				return fmt.Errorf("object %s is a %s, not a blob", ids[i], obj.Type)
			}
			return each(i, obj.Size, r)
		})
		if err == nil || !b.legacyFallback(p) {
			return err
		}
	}
}
