package memstore

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/gto-dev/gto/internal/store"
)

type reader struct{ s *Store }

var _ store.Reader = (*reader)(nil)

// tagNames lists the tags whose names start with one of prefixes (all
// when none) and that keep (nil: all) keeps, sorted; the caller holds
// r.mu.
func (r *Repo) tagNames(prefixes []string, keep func(string) bool) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(r.tags)) {
		if matches(name, prefixes) && (keep == nil || keep(name)) {
			out = append(out, name)
		}
	}
	return out
}

func matches(name string, prefixes []string) bool {
	if len(prefixes) == 0 {
		return true
	}
	for _, p := range prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func (rd *reader) Tags(ctx context.Context, prefixes []string, keep func(string) bool) ([]store.Tag, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []store.Tag
	for _, name := range r.tagNames(prefixes, keep) {
		out = append(out, r.readTag(name, r.tags[name]))
	}
	return out, nil
}

// readTag reads the tag name would be with its ref at the object id; the
// caller holds r.mu.
func (r *Repo) readTag(name, id string) store.Tag {
	t := store.Tag{Name: name, Object: id, Type: r.typeOf(id)}
	obj := r.tagObjs[id]
	switch {
	case t.Type == "":
		t.Missing = true
	case obj != nil && obj.malformed:
		t.Malformed = true
	case obj != nil:
		t.TaggerName, t.TaggerEmail, t.Time, t.HasTagger = obj.taggerName, obj.taggerEmail, obj.time, obj.hasTagger
		t.Message, t.Signed = obj.message, obj.signed
		t.Commit = r.peel(id)
	case t.Type == "commit":
		t.Commit = id
	}
	return t
}

// peel follows tag objects to the commit they lead to (by what their
// headers say, as git does: a commit the repository lacks is still their
// commit), "" when the chain ends on a tree or a blob; the caller holds
// r.mu.
func (r *Repo) peel(id string) string {
	for range 64 {
		t := r.tagObjs[id]
		switch {
		case t == nil:
			if r.commits[id] != nil {
				return id
			}
			return ""
		case t.malformed:
			return ""
		case t.typ == "commit":
			return t.target
		case t.typ != "tag":
			return ""
		}
		id = t.target
	}
	return ""
}

func (rd *reader) Refs(ctx context.Context, prefixes ...string) ([]store.Ref, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []store.Ref
	for _, name := range r.tagNames(prefixes, nil) {
		out = append(out, store.Ref{Name: name, Object: r.tags[name], Type: r.typeOf(r.tags[name])})
	}
	return out, nil
}

func (rd *reader) TagExists(ctx context.Context, name string) (bool, error) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.tags[name]
	return ok, ctx.Err()
}

func (rd *reader) Branches(ctx context.Context) ([]string, error) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	var tips []string
	for _, name := range slices.Sorted(maps.Keys(r.branches)) {
		if tip := r.branches[name]; !seen[tip] {
			seen[tip] = true
			tips = append(tips, tip)
		}
	}
	return tips, ctx.Err()
}

func (rd *reader) ResolveCommit(ctx context.Context, rev string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	id, err := r.resolve(rev)
	if err != nil {
		return "", err
	}
	return id, nil
}

func (rd *reader) Commits(ctx context.Context, ids []string) (map[string]store.Commit, error) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]store.Commit{}
	for _, id := range ids {
		if c := r.commits[id]; c != nil {
			out[id] = store.Commit{ID: id, AuthorName: Name, AuthorEmail: Email, AuthorTime: c.time,
				CommitterName: Name, CommitterEmail: Email, CommitterTime: c.time, Message: c.message}
		}
	}
	return out, ctx.Err()
}

func (rd *reader) FilesAt(ctx context.Context, revs, paths []string) ([]store.CommitFiles, error) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]store.CommitFiles, len(revs))
	for i, rev := range revs {
		out[i] = store.CommitFiles{Commit: rev, Blobs: make([]string, len(paths))}
		id, err := r.resolve(rev)
		if err != nil {
			continue
		}
		for j, p := range paths {
			out[i].Blobs[j] = r.commits[id].files[p]
		}
	}
	return out, ctx.Err()
}

func (rd *reader) BranchHistory(ctx context.Context, paths []string) ([]store.CommitFiles, error) {
	r := rd.s.repo
	r.mu.Lock()
	var all []*commit
	seen := map[string]bool{}
	for _, tip := range r.branches {
		for id := tip; id != "" && !seen[id]; id = r.commits[id].parent {
			seen[id] = true
			all = append(all, r.commits[id])
		}
	}
	r.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { // newest first, as git rev-list
		if !all[i].time.Equal(all[j].time) {
			return all[i].time.After(all[j].time)
		}
		return all[i].id < all[j].id
	})
	revs := make([]string, len(all))
	for i, c := range all {
		revs[i] = c.id
	}
	return rd.FilesAt(ctx, revs, paths)
}

func (rd *reader) Blobs(ctx context.Context, ids []string, limit int64) (map[string][]byte, map[string]int64, error) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	blobs, large := map[string][]byte{}, map[string]int64{}
	for _, id := range ids {
		data, ok := r.blobs[id]
		switch {
		case !ok:
			return nil, nil, fmt.Errorf("object %s was not found in the repository: %w", id, store.ErrObjectNotFound)
		case int64(len(data)) > limit:
			large[id] = int64(len(data))
		default:
			blobs[id] = data
		}
	}
	return blobs, large, ctx.Err()
}

// withCommit runs fn on the commit rev names, with the repository locked.
func (rd *reader) withCommit(rev string, fn func(c *commit)) error {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	id, err := r.resolve(rev)
	if err != nil {
		return err
	}
	fn(r.commits[id])
	return nil
}

func (rd *reader) FilesNamed(ctx context.Context, rev, name string) ([]store.TreeFile, error) {
	var out []store.TreeFile
	err := rd.withCommit(rev, func(c *commit) {
		for p, blob := range c.files {
			if p == name || strings.HasSuffix(p, "/"+name) {
				out = append(out, store.TreeFile{Path: p, Blob: blob})
			}
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, cmp.Or(err, ctx.Err())
}

func (rd *reader) HistoryFilesNamed(ctx context.Context, name string) ([]string, error) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	for _, tip := range r.branches {
		for id := tip; id != "" && !seen[id]; id = r.commits[id].parent {
			seen[id] = true
			for p := range r.commits[id].files {
				if p == name || strings.HasSuffix(p, "/"+name) {
					seen["\x00"+p] = true
				}
			}
		}
	}
	var out []string
	for k := range seen {
		if p, ok := strings.CutPrefix(k, "\x00"); ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, ctx.Err()
}

func (rd *reader) Tree(ctx context.Context, rev, path string) ([]store.TreeEntry, error) {
	path = strings.Trim(path, "/")
	var out []store.TreeEntry
	err := rd.withCommit(rev, func(c *commit) {
		for p, blob := range c.files {
			if path == "" || p == path || strings.HasPrefix(p, path+"/") {
				mode := cmp.Or(c.modes[p], store.ModeFile)
				typ := "blob"
				if mode == store.ModeSubmodule {
					typ = "commit"
				}
				out = append(out, store.TreeEntry{Path: p, Mode: mode, Type: typ, Object: blob})
			}
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, cmp.Or(err, ctx.Err())
}

// FetchBlobs has nothing to fetch: the fake holds every blob.
func (rd *reader) FetchBlobs(ctx context.Context, rev, path string) (int, error) {
	return 0, ctx.Err()
}

func (rd *reader) ReadBlobs(ctx context.Context, ids []string, each func(i int, size int64, rd io.Reader) error) error {
	r := rd.s.repo
	r.mu.Lock()
	blobs := make([][]byte, len(ids))
	for i, id := range ids {
		data, ok := r.blobs[id]
		if !ok {
			r.mu.Unlock()
			return fmt.Errorf("object %s was not found in the repository: %w", id, store.ErrObjectNotFound)
		}
		blobs[i] = data
	}
	r.mu.Unlock()
	var first error
	for i, data := range blobs {
		if err := each(i, int64(len(data)), bytes.NewReader(data)); err != nil && first == nil {
			first = err
		}
	}
	return cmp.Or(first, ctx.Err())
}

func (rd *reader) PathExists(ctx context.Context, rev, path string) (bool, error) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	id, err := r.resolve(rev)
	if err != nil {
		return false, nil
	}
	for p := range r.commits[id].files {
		if p == path || strings.HasPrefix(p, path+"/") {
			return true, nil
		}
	}
	return false, ctx.Err()
}

func (rd *reader) SignedTags(ctx context.Context) (map[string]bool, error) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]bool{}
	for name, id := range r.tags {
		if t := r.tagObjs[id]; t != nil && !t.malformed {
			out[name] = t.signed
		}
	}
	return out, ctx.Err()
}

func (rd *reader) VerifyTags(ctx context.Context, names []string) (map[string]string, error) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	bad := map[string]string{}
	for _, name := range names {
		if sig := signatureOf(r.tagObjs[r.tags[name]]); !sig.Verified {
			bad[name] = sig.Reason
		}
	}
	return bad, ctx.Err()
}

func (rd *reader) Memo(slot string) (string, bool) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.memos[slot]
	return v, ok
}

func (rd *reader) SetMemo(slot, value string) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	r.memos[slot] = value
}
