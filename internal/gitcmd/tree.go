package gitcmd

import (
	"bytes"
	"context"
	"strings"
)

// TreeEntry is an entry of a tree listed recursively: its path from the
// root as stored in the tree (not checked: a hostile tree may hold any
// name), git's octal mode ("100644", "100755", "120000" for a symlink,
// "160000" for a submodule), its type ("blob", "commit") and its object.
type TreeEntry struct {
	Path, Mode, Type, Object string
}

// Tree lists, with one `git ls-tree -r`, the files, symlinks and
// submodules at path in rev's tree: the entry itself when path names one,
// every one below it when path names a folder, none when path is absent.
// An empty path is the whole tree. It reads no blob, so it fetches nothing
// in a partial clone. Errors: ErrRefNotFound when rev names no commit or
// tree.
func (r *Repo) Tree(ctx context.Context, rev, path string) ([]TreeEntry, error) {
	path = strings.Trim(path, "/")
	args := []string{"--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", "--end-of-options", rev}
	if path != "" {
		args = append(args, "--", path)
	}
	out, err := r.git(ctx, args...)
	if err != nil {
		if e, ok := err.(*Error); ok && e.ExitCode == 128 && (strings.Contains(e.Stderr, "Not a valid object name") || strings.Contains(e.Stderr, "not a tree object")) {
			return nil, refNotFound(rev, err)
		}
		return nil, err
	}
	var entries []TreeEntry
	// ls-tree matches its paths as prefixes of whole components; keep
	// exactly the path and what is below it all the same.
	keep := func(p []byte) bool {
		return path == "" || string(p) == path || bytes.HasPrefix(p, []byte(path+"/"))
	}
	err = lsTreeRecords(out, keep, func(mode, typ, obj []byte, p string) {
		entries = append(entries, TreeEntry{Path: p, Mode: string(mode), Type: string(typ), Object: string(obj)})
	})
	if err != nil {
		return nil, err
	}
	return entries, nil
}

// MissingBlobs lists the blobs at path in rev's tree (all of it when path
// is "") that the repository lacks: in a partial clone, those it has not
// fetched yet. It fetches nothing (`git rev-list --missing=print`).
func (r *Repo) MissingBlobs(ctx context.Context, rev, path string) ([]string, error) {
	args := []string{"--literal-pathspecs", "rev-list", "--objects", "--missing=print", "--no-walk", "--end-of-options", rev + "^{tree}"}
	if path = strings.Trim(path, "/"); path != "" {
		args = append(args, "--", path)
	}
	out, err := r.git(ctx, args...)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, line := range strings.Split(string(out), "\n") {
		if id, ok := strings.CutPrefix(line, "?"); ok {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// FetchObjects fetches the objects with the given ids from remote in one
// `git fetch`, as git fetches what a partial clone lacks: the ids are
// wanted, nothing is offered in exchange (without that, the remote would
// leave out blobs it believes reachable from the commits the repository
// has), and only those objects arrive.
func (r *Repo) FetchObjects(ctx context.Context, remote string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := r.run(ctx, call{
		args: []string{"fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--no-auto-gc", "--no-auto-maintenance",
			"--recurse-submodules=no", "--filter=blob:none", "--stdin", "--end-of-options", remote},
		env:   []string{"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=fetch.negotiationAlgorithm", "GIT_CONFIG_VALUE_0=noop"},
		stdin: strings.NewReader(strings.Join(ids, "\n") + "\n"),
	})
	return err
}
