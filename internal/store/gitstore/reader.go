package gitstore

import (
	"context"
	"errors"
	"io"
	"slices"
	"sync"
	"unsafe"

	"github.com/gto-dev/gto/internal/gitcmd"
	"github.com/gto-dev/gto/internal/store"
)

// reader is the store.Reader of one View (or Update): every read goes
// through the Store's cat-file process, or runs one git command.
type reader struct {
	s   *Store
	ctx context.Context // of the View, for the reads that take no context
	// tips, in a View's reader, keeps the branch tips once read: several
	// memos of one command are keyed by them (registry's atTips). A
	// writer's is nil, as a write may commit.
	tips *branchTips
}

// branchTips is what Branches answered first.
type branchTips struct {
	mu   sync.Mutex
	read bool
	ids  []string
	err  error
}

var (
	_ store.Reader          = (*reader)(nil)
	_ store.LooseTagCounter = (*reader)(nil)
	_ store.TagStreamer     = (*reader)(nil)
	_ store.CommitStreamer  = (*reader)(nil)
	_ store.PageDropper     = (*reader)(nil)
)

// DropPages drops the mapped pages of the Store's cat-file batch, if one
// is open (gitcmd.Batch.DropMappedPages).
func (r *reader) DropPages() {
	r.s.bmu.Lock()
	b := r.s.b
	r.s.bmu.Unlock()
	if b != nil {
		b.DropMappedPages()
	}
}

func (r *reader) Tags(ctx context.Context, prefixes []string, keep func(string) bool) ([]store.Tag, error) {
	var tags []store.Tag
	err := r.EachTag(ctx, prefixes, keep, nil, func(t *store.Tag) error {
		tags = append(tags, *t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return tags, nil
}

func (r *reader) EachTag(ctx context.Context, prefixes []string, keep func(string) bool, grow func(int), each func(*store.Tag) error) error {
	b, err := r.s.batch(ctx)
	if err != nil {
		return err
	}
	if keep == nil {
		keep = func(string) bool { return true }
	}
	p := &chainPeeler{b: b, each: each}
	if err := b.EachTagPrefix(ctx, keep, grow, p.add, prefixes...); err != nil {
		return mapError(err)
	}
	return p.finish()
}

// chainPeeler turns the records of a read into Tags and hands them to each
// as they come, except from the first tag whose object is a tag of a tag
// (hand-made chains, rare): that one and every tag after it wait for the
// end of the read, when cat-file is free to peel the chains, so that each
// still sees the tags in order.
type chainPeeler struct {
	b         *gitcmd.Batch
	each      func(*store.Tag) error
	held      []store.Tag
	chained   []gitcmd.TagObject // tag objects whose target is itself a tag
	chainedAt []int              // their positions in held
	cur       store.Tag          // the tag handed to each (one, not one on the heap a tag)
}

func (p *chainPeeler) add(rec *gitcmd.TagRecord) error {
	p.cur = store.Tag{}
	chained := tagOf(rec, &p.cur)
	if chained {
		p.chained = append(p.chained, *rec.Tag)
		p.chainedAt = append(p.chainedAt, len(p.held))
	}
	if chained || len(p.held) > 0 {
		p.held = append(p.held, p.cur)
		return nil
	}
	return p.each(&p.cur)
}

// finish peels the chains and hands over the tags held.
func (p *chainPeeler) finish() error {
	if len(p.chained) > 0 {
		targets, err := p.b.Peel(p.chained)
		if err != nil {
			return mapError(err)
		}
		for i, target := range targets {
			if target.Type == "commit" { // a chain ending on a tree or blob leads to no commit
				p.held[p.chainedAt[i]].Commit = target.ID
			}
		}
	}
	for i := range p.held {
		if err := p.each(&p.held[i]); err != nil {
			return err
		}
	}
	return nil
}

// tagOf fills t from the record rec, and reports whether the tag object is
// a tag of a tag, whose commit is still to be found (t.Commit is empty).
func tagOf(rec *gitcmd.TagRecord, t *store.Tag) (chained bool) {
	t.Name, t.Object, t.Type = rec.Name, rec.Object, rec.Type
	switch {
	case rec.Missing:
		t.Missing = true
	case rec.Malformed:
		t.Type, t.Malformed = "tag", true
	case rec.Tag != nil:
		obj := rec.Tag
		t.Type = "tag"
		t.TaggerName, t.TaggerEmail, t.Time, t.HasTagger = obj.TaggerName, obj.TaggerEmail, obj.Time, obj.HasTagger
		t.Message, t.Signed = obj.Message, obj.Signed
		switch obj.ObjectType {
		case "commit":
			t.Commit = obj.Object
		case "tag":
			return true
		}
	case rec.Type == "commit":
		t.Commit = rec.Object
	}
	return false
}

// tagsOf turns the records read into Tags, peeling tag chains.
func tagsOf(b *gitcmd.Batch, recs []gitcmd.TagRecord) ([]store.Tag, error) {
	tags := make([]store.Tag, 0, len(recs))
	p := &chainPeeler{b: b, each: func(t *store.Tag) error {
		tags = append(tags, *t)
		return nil
	}}
	for i := range recs {
		p.add(&recs[i]) // each never fails
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return tags, nil
}

func (r *reader) Refs(ctx context.Context, prefixes ...string) ([]store.Ref, error) {
	refs, err := gitcmd.ListTagsAs(ctx, r.s.repo, func(t gitcmd.TagRef) store.Ref {
		return store.Ref{Name: t.Name, Object: t.Object, Type: t.Type}
	}, gitcmd.PrefixPatterns(prefixes)...)
	if err != nil {
		return nil, mapError(err)
	}
	return refs, nil
}

func (r *reader) TagExists(ctx context.Context, name string) (bool, error) {
	ok, err := r.s.repo.TagExists(ctx, name)
	return ok, mapError(err)
}

func (r *reader) Branches(ctx context.Context) ([]string, error) {
	if r.tips == nil {
		tips, err := r.s.repo.Branches(ctx)
		return tips, mapError(err)
	}
	r.tips.mu.Lock()
	defer r.tips.mu.Unlock()
	if !r.tips.read || r.tips.err != nil { // an error (a cancelled ctx) is not kept
		tips, err := r.s.repo.Branches(ctx)
		r.tips.read, r.tips.ids, r.tips.err = true, tips, mapError(err)
	}
	return slices.Clone(r.tips.ids), r.tips.err
}

func (r *reader) ResolveCommit(ctx context.Context, rev string) (string, error) {
	b, err := r.s.batch(ctx)
	if err != nil {
		return "", err
	}
	id, err := b.ResolveCommit(rev)
	return id, mapError(err)
}

func (r *reader) Commits(ctx context.Context, ids []string) (map[string]store.Commit, error) {
	out := make(map[string]store.Commit)
	err := r.eachCommit(ctx, ids, func(name string, c *store.Commit) error {
		out[name] = *c // by the id as given, as Batch.Commits keys them
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (r *reader) EachCommit(ctx context.Context, ids []string, each func(c *store.Commit) error) error {
	return r.eachCommit(ctx, ids, func(_ string, c *store.Commit) error { return each(c) })
}

// eachCommit is EachCommit telling each the id of every commit as given.
func (r *reader) eachCommit(ctx context.Context, ids []string, each func(name string, c *store.Commit) error) error {
	if len(ids) == 0 {
		return nil
	}
	b, err := r.s.batch(ctx)
	if err != nil {
		return err
	}
	var sc store.Commit // one for every commit, not one on the heap a commit
	convert := func(name string, c *gitcmd.Commit) error {
		sc = store.Commit{
			ID:         c.Hash,
			AuthorName: c.AuthorName, AuthorEmail: c.AuthorEmail, AuthorTime: c.AuthorTime,
			CommitterName: c.CommitterName, CommitterEmail: c.CommitterEmail, CommitterTime: c.CommitterTime,
			Message: c.Message,
		}
		return each(name, &sc)
	}
	err = b.EachCommit(ids, convert)
	if errors.Is(err, gitcmd.ErrObjectNotFound) {
		// A shallow or partial clone lacks some commits: read those that
		// exist, one by one (each sees some of them again).
		for _, id := range ids {
			err := b.EachCommit([]string{id}, convert)
			if err != nil && !errors.Is(err, gitcmd.ErrObjectNotFound) {
				return mapError(err)
			}
		}
		return nil
	}
	return mapError(err)
}

func (r *reader) FilesAt(ctx context.Context, revs, paths []string) ([]store.CommitFiles, error) {
	b, err := r.s.batch(ctx)
	if err != nil {
		return nil, err
	}
	files, err := b.FilesAt(revs, paths)
	return commitFiles(files), mapError(err)
}

func (r *reader) BranchHistory(ctx context.Context, paths []string) ([]store.CommitFiles, error) {
	b, err := r.s.batch(ctx)
	if err != nil {
		return nil, err
	}
	files, err := b.BranchHistory(ctx, paths)
	return commitFiles(files), mapError(err)
}

// commitFiles views gitcmd's records as the store's, without a copy: a
// walk of 10,000 commits is 400 KB, and --all-commits reads one on every
// run. The conversion below compiles only while the two types have the
// same fields, which is what makes the cast sound.
var _ = store.CommitFiles(gitcmd.CommitFiles{})

func commitFiles(files []gitcmd.CommitFiles) []store.CommitFiles {
	return unsafe.Slice((*store.CommitFiles)(unsafe.Pointer(unsafe.SliceData(files))), len(files))
}

// Blobs asks for the sizes first, in one round trip: refusing a 1 GB file
// committed as artifacts.yaml must not cost reading 1 GB.
func (r *reader) Blobs(ctx context.Context, ids []string, limit int64) (map[string][]byte, map[string]int64, error) {
	b, err := r.s.batch(ctx)
	if err != nil {
		return nil, nil, err
	}
	infos, err := b.Info(ids)
	if err != nil {
		return nil, nil, mapError(err)
	}
	var small []string
	large := map[string]int64{}
	for i, info := range infos {
		if info.Size > limit {
			large[ids[i]] = info.Size
		} else {
			small = append(small, ids[i])
		}
	}
	blobs, err := b.Blobs(small)
	if err != nil {
		return nil, nil, mapError(err)
	}
	return blobs, large, nil
}

func (r *reader) FilesNamed(ctx context.Context, rev, name string) ([]store.TreeFile, error) {
	files, err := r.s.repo.FilesNamed(ctx, rev, name)
	if err != nil {
		return nil, mapError(err)
	}
	out := make([]store.TreeFile, len(files))
	for i, f := range files {
		out[i] = store.TreeFile{Path: f.Path, Blob: f.Blob}
	}
	return out, nil
}

func (r *reader) HistoryFilesNamed(ctx context.Context, name string) ([]string, error) {
	paths, err := r.s.repo.HistoryFilesNamed(ctx, name)
	return paths, mapError(err)
}

func (r *reader) Tree(ctx context.Context, rev, path string) ([]store.TreeEntry, error) {
	entries, err := r.s.repo.Tree(ctx, rev, path)
	if err != nil {
		return nil, mapError(err)
	}
	out := make([]store.TreeEntry, len(entries))
	for i, e := range entries {
		out[i] = store.TreeEntry{Path: e.Path, Mode: e.Mode, Type: e.Type, Object: e.Object}
	}
	return out, nil
}

// FetchBlobs fetches, for the mirror of a remote (blobless), the blobs at
// path that it lacks, listed without fetching (`rev-list --missing`), in
// one fetch; reading them one by one through cat-file would fetch them
// one by one. A local repository is taken to be complete.
func (r *reader) FetchBlobs(ctx context.Context, rev, path string) (int, error) {
	if r.s.mirror == nil {
		return 0, nil
	}
	missing, err := r.s.repo.MissingBlobs(ctx, rev, path)
	if err != nil || len(missing) == 0 {
		return 0, mapError(err)
	}
	if err := r.s.repo.FetchObjects(ctx, remoteName, missing); err != nil {
		return 0, r.s.remoteError(ctx, err)
	}
	return len(missing), nil
}

func (r *reader) ReadBlobs(ctx context.Context, ids []string, each func(i int, size int64, rd io.Reader) error) error {
	b, err := r.s.batch(ctx)
	if err != nil {
		return err
	}
	return mapError(b.StreamBlobs(ids, each))
}

func (r *reader) PathExists(ctx context.Context, rev, path string) (bool, error) {
	ok, err := r.s.repo.PathExists(ctx, rev, path)
	return ok, mapError(err)
}

func (r *reader) SignedTags(ctx context.Context) (map[string]bool, error) {
	signed, err := r.s.repo.SignedTags(ctx)
	return signed, mapError(err)
}

func (r *reader) VerifyTags(ctx context.Context, names []string) (map[string]string, error) {
	bad, err := r.s.repo.VerifyTags(ctx, names)
	return bad, mapError(err)
}

func (r *reader) Memo(slot string) (string, bool) {
	b, err := r.s.batch(r.ctx)
	if err != nil {
		return "", false
	}
	return b.Memo(slot)
}

func (r *reader) SetMemo(slot, value string) {
	if b, err := r.s.batch(r.ctx); err == nil {
		b.SetMemo(slot, value)
	}
}

func (r *reader) LooseTags() (int, error) {
	n, err := r.s.repo.LooseTags()
	return n, mapError(err)
}
