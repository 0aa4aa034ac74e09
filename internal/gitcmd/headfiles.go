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

// Memo slots. Each keeps one answer, the latest, so that they do not grow
// with the history.
const (
	// headCommitSlot holds (key) an object id cat-file said is a commit.
	headCommitSlot = "head-commit"
	// filesAtSlot + path holds (key) a commit id and (value) the blob id
	// of path in it, "" when it has none.
	filesAtSlot = "files-at\x00"
)

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
	id, ok = b.repo.headFromFiles()
	if !ok {
		return "", false, nil
	}
	if b.cache != nil {
		if known, _, _ := b.cache.memo(headCommitSlot); known == id {
			return id, true, nil
		}
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

// filesAtMemo returns the blob ids of paths in commit as setFilesAtMemo
// remembered them; ok is false unless every path is known.
func (b *Batch) filesAtMemo(commit string, paths []string) (blobs []string, ok bool) {
	if b.cache == nil || !objectid.Is(commit) {
		return nil, false
	}
	blobs = make([]string, len(paths))
	for i, p := range paths {
		key, blob, ok := b.cache.memo(filesAtSlot + p)
		if !ok || key != commit {
			return nil, false
		}
		blobs[i] = blob
	}
	return blobs, true
}

// setFilesAtMemo remembers the blob ids of paths in commit (an object id:
// what it names never changes).
func (b *Batch) setFilesAtMemo(commit string, paths, blobs []string) {
	if b.cache == nil || !objectid.Is(commit) {
		return
	}
	for i, p := range paths {
		b.cache.setMemo(filesAtSlot+p, commit, blobs[i])
	}
}
