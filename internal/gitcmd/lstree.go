package gitcmd

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gto-dev/gto/internal/objectid"
)

// TreeFile is a file of a commit's tree: its path from the root and its
// blob id.
type TreeFile struct {
	Path, Blob string
}

// FilesNamed lists, with one `git ls-tree -r`, the regular files of rev's
// tree whose base name is name (at any depth), in git's path order.
//
// The answer for a commit id is remembered in a small file of the git
// directory (filesNamedCache; not with Options.NoObjectCache): a commit's
// tree never changes, so until HEAD moves the commands that read the
// annotations at HEAD start no ls-tree, a process and a walk of the whole
// tree for a list that is almost always one root file or none. The object
// cache is not the place: loading it costs more than the ls-tree on a
// large registry, and the commands that need this list alone do not load
// it.
func (r *Repo) FilesNamed(ctx context.Context, rev, name string) ([]TreeFile, error) {
	key := rev + " " + name
	cache := ""
	if objectid.Is(rev) && !r.NoObjectCache && !strings.ContainsAny(name, "\n\x00") {
		cache = filepath.Join(r.gitDir, filesNamedCache)
		if files, ok := readFilesNamed(cache, key); ok {
			return files, nil
		}
	}
	out, err := r.git(ctx, "ls-tree", "-r", "-z", "--full-tree", "--end-of-options", rev)
	if err != nil {
		return nil, err
	}
	files, err := parseFilesNamed(out, name)
	if err == nil && cache != "" {
		writeFilesNamed(cache, key, files)
	}
	return files, err
}

// filesNamedCache is the file, in the git directory, where FilesNamed
// keeps its last answer for a commit: a first line "gto-files-named-1", a
// line "COMMIT NAME", then a line "BLOB PATH" per file.
const filesNamedCache = "gto-files-named.cache"

const filesNamedMagic = "gto-files-named-1\n"

func readFilesNamed(cache, key string) ([]TreeFile, bool) {
	data, err := os.ReadFile(cache)
	if err != nil {
		return nil, false
	}
	rest, ok := strings.CutPrefix(string(data), filesNamedMagic+key+"\n")
	if !ok {
		return nil, false
	}
	var files []TreeFile
	for line := range strings.Lines(rest) {
		blob, p, ok := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		if !ok || !objectid.Is(blob) || p == "" || !strings.HasSuffix(line, "\n") {
			return nil, false
		}
		files = append(files, TreeFile{Path: p, Blob: blob})
	}
	return files, true
}

// writeFilesNamed replaces the cache with one answer, by renaming a
// complete file over it (best effort: a failure only loses the cache).
func writeFilesNamed(cache, key string, files []TreeFile) {
	var b strings.Builder
	b.WriteString(filesNamedMagic + key + "\n")
	for _, f := range files {
		if strings.Contains(f.Path, "\n") {
			return
		}
		b.WriteString(f.Blob + " " + f.Path + "\n")
	}
	replaceFile(cache, []byte(b.String()))
}

// parseFilesNamed reads the files named name from `git ls-tree -r -z`.
func parseFilesNamed(out []byte, name string) ([]TreeFile, error) {
	var files []TreeFile
	err := lsTreeRecords(out, func(p []byte) bool { return path.Base(string(p)) == name }, func(mode, typ, obj []byte, p string) {
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
