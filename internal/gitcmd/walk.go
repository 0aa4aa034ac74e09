package gitcmd

import (
	"context"
	"encoding/binary"
	"slices"
	"strings"

	"github.com/gto-dev/gto/internal/objectid"
)

// CommitFiles is a commit and the ids of some files in it.
type CommitFiles struct {
	Commit string
	// Blobs holds one id per path asked for, "" where the path is absent
	// (or is not a file).
	Blobs []string
}

// BranchHistory returns every commit reachable from a local branch, newest
// first (the order of `git rev-list --branches`), with the ids of the files
// at paths in each.
//
// Walking 10,000 commits and looking the files up costs git about 100 ms,
// and the answer only depends on the branch tips: it is remembered in the
// object cache for the tips it was computed from, so an unchanged
// repository answers from there (one for-each-ref), and after new commits
// only those are looked up.
func (b *Batch) BranchHistory(ctx context.Context, paths []string) ([]CommitFiles, error) {
	tips, err := b.repo.Branches(ctx)
	if err != nil {
		return nil, err
	}
	slot := "branch-history\x00" + strings.Join(paths, "\x00")
	key := strings.Join(tips, " ")
	var known map[string][]string // commit -> blobs, from an older walk
	if b.cache != nil {
		if oldKey, value, ok := b.cache.memo(slot); ok {
			if walk, ok := decodeWalk(value, len(paths)); ok {
				if oldKey == key {
					return walk, nil
				}
				known = make(map[string][]string, len(walk))
				for _, cf := range walk {
					known[cf.Commit] = cf.Blobs
				}
			}
		}
	}
	var commits []string
	if len(tips) > 0 {
		if commits, err = b.repo.AllCommits(ctx); err != nil {
			return nil, err
		}
	}
	walk := make([]CommitFiles, len(commits))
	var unknown []string
	var unknownAt []int // where in walk
	for i, c := range commits {
		walk[i].Commit = c
		if blobs, ok := known[c]; ok {
			walk[i].Blobs = blobs
		} else {
			unknown = append(unknown, c)
			unknownAt = append(unknownAt, i)
		}
	}
	looked, err := b.FilesAt(unknown, paths)
	if err != nil {
		return nil, err
	}
	for j, i := range unknownAt {
		walk[i] = looked[j]
	}
	if b.cache != nil {
		b.cache.setMemo(slot, key, encodeWalk(walk))
	}
	return walk, nil
}

// FilesAt returns, for each revision in revs (in order), the ids of the
// files at paths in it ("" where a path is missing, or is not a file, or
// the revision does not resolve), without reading contents: one round trip.
// Callers read each distinct id once with Blobs or Object.
//
// The answers for commit ids (the annotation files at HEAD, read by every
// command, and at the commits of one artifact's versions) are remembered
// in the memos; see filesAtMemo.
func (b *Batch) FilesAt(revs, paths []string) ([]CommitFiles, error) {
	at := b.repo.refsFromFiles(revs)
	files, err := b.filesAt(at, paths)
	for i := range files {
		files[i].Commit = revs[i] // as asked, whether or not a ref was read
	}
	return files, err
}

// refsFromFiles returns revs with every full ref name (refs/heads/main,
// which the policy is read at) replaced by the object id its ref file
// holds, as cat-file would resolve it: the files of an id are remembered
// (filesAtMemo), those of a name, which moves, are not. revs itself is
// returned when there is nothing to replace.
func (r *Repo) refsFromFiles(revs []string) []string {
	out := revs
	copied := false
	for i, rev := range revs {
		if !r.plainRefs || r.Verbose != nil || !strings.HasPrefix(rev, "refs/") || !refNameOK(rev) {
			continue
		}
		if id, ok := r.refFromFiles(rev); ok && objectid.Is(id) {
			if !copied {
				out, copied = slices.Clone(revs), true
			}
			out[i] = id
		}
	}
	return out
}

func (b *Batch) filesAt(revs, paths []string) ([]CommitFiles, error) {
	if files, ok := b.filesAtMemo(revs, paths); ok {
		return files, nil
	}
	n := len(paths)
	out := make([]CommitFiles, len(revs))
	ids := make([]string, len(revs)*n)
	specs := make([]string, 0, len(revs)*n)
	for i, rev := range revs {
		out[i] = CommitFiles{Commit: rev, Blobs: ids[i*n : (i+1)*n : (i+1)*n]}
		for _, path := range paths {
			specs = append(specs, rev+":"+path)
		}
	}
	err := b.read(false, specs, func(k int, obj *rawObject) error {
		if obj != nil && obj.Type == "blob" {
			ids[k] = obj.ID // specs and ids are laid out alike
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	b.setFilesAtMemo(out, paths)
	return out, nil
}

// walkFormat starts an encoded walk. A walk of the format before it began
// with the number of commits, and "\x00" could only have been a whole,
// empty walk: an older memo never decodes as this one, it is looked up
// again and replaced.
const walkFormat = "\x00\x02"

// encodeWalk writes walkFormat and the number of commits, then each commit
// as a length-prefixed string and a byte: sameBlobs when its blobs are
// those of the commit before it (annotation files change rarely, so most
// commits are 42 bytes), or newBlobs followed by its blobs.
func encodeWalk(walk []CommitFiles) string {
	buf := binary.AppendUvarint([]byte(walkFormat), uint64(len(walk)))
	for i, cf := range walk {
		buf = appendStr(buf, cf.Commit)
		if i > 0 && slices.Equal(cf.Blobs, walk[i-1].Blobs) {
			buf = append(buf, sameBlobs)
			continue
		}
		buf = append(buf, newBlobs)
		for _, id := range cf.Blobs {
			buf = appendStr(buf, id)
		}
	}
	return string(buf)
}

const (
	sameBlobs = 0
	newBlobs  = 1
)

// decodeWalk reads what encodeWalk wrote; the strings are slices of value,
// and commits with the same blobs as the one before share its Blobs slice
// (which nobody writes to).
func decodeWalk(value string, paths int) ([]CommitFiles, bool) {
	rest, ok := strings.CutPrefix(value, walkFormat)
	if !ok {
		return nil, false
	}
	d := &decoder{s: rest}
	n := d.uvarint()
	if d.err != nil || n > uint64(len(rest)) {
		return nil, false
	}
	walk := make([]CommitFiles, n)
	var blobs []string // the distinct ones, laid end to end
	for i := range walk {
		walk[i].Commit = d.str()
		switch d.byte() {
		case sameBlobs:
			if i == 0 {
				return nil, false
			}
			walk[i].Blobs = walk[i-1].Blobs
		case newBlobs:
			if len(blobs)+paths > cap(blobs) {
				blobs = make([]string, 0, max(paths*16, paths*int(n)/64))
			}
			at := len(blobs)
			for range paths {
				blobs = append(blobs, d.str())
			}
			walk[i].Blobs = blobs[at : at+paths : at+paths]
		default:
			return nil, false
		}
		if d.err != nil {
			return nil, false
		}
	}
	return walk, d.off == len(rest)
}

// Memo returns the value SetMemo stored in slot, in this run or an earlier
// one (it lives in the object cache; ok is false when it is disabled).
// Memos are for values derived from immutable objects only, the slot
// naming them (e.g. a blob id): nothing ever invalidates a memo.
func (b *Batch) Memo(slot string) (value string, ok bool) {
	if b.cache == nil {
		return "", false
	}
	_, value, ok = b.cache.memo(slot)
	return value, ok
}

// SetMemo stores value in slot; see Memo.
func (b *Batch) SetMemo(slot, value string) {
	if b.cache != nil {
		b.cache.setMemo(slot, "", value)
	}
}
