package gitcmd

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/gto-dev/gto/internal/objectid"
)

// Every command that reads the registry resolves HEAD and looks up the
// annotation files in its commit: two round trips to cat-file, whose
// first answer waits for git to start (0.5–3 ms), on a registry whose
// tags all come from the object cache. This file answers both from what
// does not change: HEAD read from the ref files as git reads them, the
// commit it names checked once (an object id that is a commit stays one),
// and the files of that commit (a commit's tree never changes) remembered
// in the memos.

// headCommitSlot is the memo slot that holds (key) the last object id
// cat-file said is a commit.
const headCommitSlot = "head-commit"

// headFromFiles returns the object id HEAD holds, read from the git
// directory as git reads it: a symbolic HEAD ("ref: refs/heads/NAME") to a
// branch in a loose file or in packed-refs, or a detached HEAD holding an
// id. ok is false for everything else, which is left to git: refs git
// finds otherwise (see refsByPrefix), -v, a HEAD that is a link, names a
// ref outside refs/heads/, a branch that is itself symbolic or does not
// exist yet (an unborn branch, which git words).
func (r *Repo) headFromFiles() (id string, ok bool) {
	if !r.plainRefs || r.Verbose != nil {
		return "", false
	}
	file := filepath.Join(r.gitDir, "HEAD")
	st, err := os.Lstat(file)
	if err != nil || !st.Mode().IsRegular() || st.Size() > 1024 {
		return "", false
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", false
	}
	line := strings.TrimSuffix(string(data), "\n")
	target, symbolic := strings.CutPrefix(line, "ref: ")
	if !symbolic {
		return line, objectid.Is(line) && strings.Trim(line, "0") != ""
	}
	if !strings.HasPrefix(target, "refs/heads/") || !refNameOK(target) {
		return "", false
	}
	return r.refFromFiles(target)
}

// refFromFiles returns the object id of the ref name: its loose file, or
// else its line in packed-refs, as git looks it up.
func (r *Repo) refFromFiles(name string) (id string, ok bool) {
	file := filepath.Join(r.gitDir, filepath.FromSlash(name))
	st, err := os.Lstat(file)
	switch {
	case err == nil && st.Mode().IsRegular():
		return readLooseRef(file)
	case err == nil || !os.IsNotExist(err):
		return "", false // a folder, a link, unreadable
	}
	packed, ok := packedRefs(filepath.Join(r.gitDir, "packed-refs"), []string{name})
	if !ok {
		return "", false
	}
	for _, ref := range packed {
		if ref.name == name {
			return ref.id, true
		}
	}
	return "", false
}

// headCommit resolves HEAD^{commit} from the ref files: the id HEAD holds,
// when the memos know it is a commit, or else as cat-file peels that id
// (remembered when it is the commit itself). ok is false when HEAD is not
// read from the files or does not name a commit: the caller asks git.
func (b *Batch) headCommit() (id string, ok bool, err error) {
	id, ok, known := b.headFromMemo()
	if !ok || known {
		return id, ok, nil
	}
	infos, err := b.Info([]string{id + "^{commit}"})
	if err != nil || infos[0].ID == "" {
		return "", false, err
	}
	if infos[0].ID == id && b.cache != nil {
		b.cache.setMemo(headCommitSlot, id, "")
	}
	return infos[0].ID, true, nil
}

// headFromMemo returns the id HEAD holds in the ref files (ok false when
// it is not read from them), and whether the memos know it is a commit.
func (b *Batch) headFromMemo() (id string, ok, known bool) {
	if id, ok = b.repo.headFromFiles(); !ok {
		return "", false, false
	}
	if b.cache != nil {
		if commit, _, _ := b.cache.memo(headCommitSlot); commit == id {
			return id, true, true
		}
	}
	return id, true, false
}

// StartResolve starts cat-file now, in the background, when
// ResolveCommit(rev) is going to need it: a caller that has other reads
// to make first then gets the answer without waiting for git to start.
func (b *Batch) StartResolve(rev string) {
	if rev == "HEAD" {
		if _, _, known := b.headFromMemo(); known {
			return
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed && b.contents.mode == modeCommand {
		b.contents.begin() // Close ends it, as it ends a process a read began
	}
}

// filesAtMemo returns the blob ids of paths in the commits revs as
// setFilesAtMemo remembered them; ok is false unless every one is known.
// Two slots per path: the last single commit asked (HEAD, which every
// command reads) and the last set of commits (one artifact's versions,
// which show NAME reads), so that neither evicts the other and the memos
// do not grow with the history.
func (b *Batch) filesAtMemo(revs, paths []string) (files []CommitFiles, ok bool) {
	if !b.memoFilesAt(revs) {
		return nil, false
	}
	files = make([]CommitFiles, len(revs))
	blobs := make([]string, len(revs)*len(paths))
	for i, rev := range revs {
		files[i] = CommitFiles{Commit: rev, Blobs: blobs[i*len(paths) : (i+1)*len(paths) : (i+1)*len(paths)]}
	}
	for j, p := range paths {
		key, value, ok := b.cache.memo(filesAtSlot(len(revs)) + p)
		if !ok {
			return nil, false
		}
		if len(revs) == 1 {
			if key != revs[0] {
				return nil, false
			}
			files[0].Blobs[j] = value
			continue
		}
		known, ok := decodeWalk(value, 1)
		if !ok {
			return nil, false
		}
		at := make(map[string]string, len(known))
		for _, cf := range known {
			at[cf.Commit] = cf.Blobs[0]
		}
		for i, rev := range revs {
			blob, ok := at[rev]
			if !ok {
				return nil, false
			}
			files[i].Blobs[j] = blob
		}
	}
	return files, true
}

// setFilesAtMemo remembers the blob ids of paths in the commits of files.
func (b *Batch) setFilesAtMemo(files []CommitFiles, paths []string) {
	revs := make([]string, len(files))
	for i, cf := range files {
		revs[i] = cf.Commit
	}
	if !b.memoFilesAt(revs) {
		return
	}
	for j, p := range paths {
		if len(files) == 1 {
			b.cache.setMemo(filesAtSlot(1)+p, files[0].Commit, files[0].Blobs[j])
			continue
		}
		one := make([]CommitFiles, len(files))
		for i, cf := range files {
			one[i] = CommitFiles{Commit: cf.Commit, Blobs: cf.Blobs[j : j+1]}
		}
		b.cache.setMemo(filesAtSlot(len(files))+p, "", encodeWalk(one))
	}
}

// maxFilesAtMemo bounds the set of commits a memo keeps (a few artifacts'
// versions): a whole registry's commits are read in one round trip anyway.
const maxFilesAtMemo = 256

// memoFilesAt reports whether the files at revs are remembered: commit ids
// only (what they name never changes), a bounded number, and a cache. A
// set of commits other than HEAD only in a complete repository: in a
// shallow or partial clone a commit or tree missing now (an answer "no
// such file") may be fetched later.
func (b *Batch) memoFilesAt(revs []string) bool {
	if b.cache == nil || len(revs) == 0 || len(revs) > maxFilesAtMemo {
		return false
	}
	for _, rev := range revs {
		if !objectid.Is(rev) {
			return false
		}
	}
	return len(revs) == 1 || b.repo.complete()
}

// complete reports whether the repository has every object its refs
// reach, as far as its files say: not shallow, not a partial clone.
func (r *Repo) complete() bool {
	common := r.commonDir()
	if _, err := os.Lstat(filepath.Join(common, "shallow")); !os.IsNotExist(err) {
		return false
	}
	config, err := os.ReadFile(filepath.Join(common, "config"))
	return err == nil && !strings.Contains(strings.ToLower(string(config)), "partialclone") &&
		!strings.Contains(strings.ToLower(string(config)), "promisor")
}

// filesAtSlot is the memo slot prefix for n commits.
func filesAtSlot(n int) string {
	if n == 1 {
		return "files-at\x00"
	}
	return "files-at-set\x00"
}
