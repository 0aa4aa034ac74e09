package gitcmd

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"slices"
)

// TreeFile is a file of a commit's tree: its path from the root and its
// blob id.
type TreeFile struct {
	Path, Blob string
}

// FilesNamed lists, with one `git ls-tree -r`, the regular files of rev's
// tree whose base name is name (at any depth), in git's path order.
func (r *Repo) FilesNamed(ctx context.Context, rev, name string) ([]TreeFile, error) {
	out, err := r.git(ctx, "ls-tree", "-r", "-z", "--full-tree", "--end-of-options", rev)
	if err != nil {
		return nil, err
	}
	var files []TreeFile
	err = lsTreeRecords(out, func(p []byte) bool { return path.Base(string(p)) == name }, func(mode, typ, obj []byte, p string) {
		if string(typ) == "blob" && string(mode) != "120000" { // a symlink or submodule named like the file is not it
			files = append(files, TreeFile{Path: p, Blob: string(obj)})
		}
	})
	if err != nil {
		return nil, err
	}
	return files, nil
}

// lsTreeRecords reads the NUL-separated records of `git ls-tree -z` and
// calls each with the fields of those whose path keep accepts (checked
// first: splitting the fields of every record of a large tree costs).
func lsTreeRecords(out []byte, keep func(path []byte) bool, each func(mode, typ, obj []byte, path string)) error {
	for len(out) > 0 {
		var rec []byte
		rec, out, _ = bytes.Cut(out, []byte{0})
		// "<mode> SP <type> SP <object> TAB <path>"
		meta, p, ok := bytes.Cut(rec, []byte{'\t'})
		if !ok {
			return fmt.Errorf("git ls-tree: unexpected output %q", rec)
		}
		if !keep(p) {
			continue
		}
		fields := bytes.Fields(meta)
		if len(fields) != 3 {
			return fmt.Errorf("git ls-tree: unexpected output %q", rec)
		}
		each(fields[0], fields[1], fields[2], string(p))
	}
	return nil
}

// HistoryFilesNamed lists the paths that a file named name (at any depth)
// has had in any commit reachable from a local branch, with one path-limited
// `git log`, sorted. It is nil without branches.
func (r *Repo) HistoryFilesNamed(ctx context.Context, name string) ([]string, error) {
	tips, err := r.Branches(ctx)
	if err != nil || len(tips) == 0 {
		return nil, err
	}
	out, err := r.git(ctx, "log", "--branches", "--format=", "--name-only", "-z", "--no-renames",
		"--", ":(glob,top)**/"+name)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, p := range bytes.Split(out, []byte{0}) {
		p = bytes.TrimLeft(p, "\n") // commits are separated by a newline
		if s := string(p); s != "" && path.Base(s) == name {
			seen[s] = true
		}
	}
	paths := make([]string, 0, len(seen))
	for p := range seen {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	return paths, nil
}
