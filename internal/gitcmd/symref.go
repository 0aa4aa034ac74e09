package gitcmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
)

// SymbolicRef returns the ref that the symbolic ref name (HEAD,
// refs/remotes/origin/HEAD) points at, "" when name is not a symbolic ref:
// absent, or a detached HEAD. It reads the git directory's files, without
// running git (a symbolic ref is always a file of its own, never packed),
// unless the repository keeps its refs in a reftable; then it asks `git
// symbolic-ref`.
func (r *Repo) SymbolicRef(ctx context.Context, name string) (string, error) {
	common := r.commonDir()
	if _, err := os.Stat(filepath.Join(common, "reftable")); err != nil {
		dir := common
		if name == "HEAD" {
			dir = r.gitDir // HEAD belongs to the work tree
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		switch {
		case err != nil && os.IsNotExist(err) && name != "HEAD":
			return "", nil
		case err == nil:
			line := strings.TrimSpace(string(data))
			target, symbolic := strings.CutPrefix(line, "ref: ")
			if !symbolic {
				return "", nil // a ref holding an object id: detached
			}
			if target != "refs/heads/.invalid" { // the placeholder of a reftable repository
				return strings.TrimSpace(target), nil
			}
		}
	}
	out, err := r.git(ctx, "symbolic-ref", "--quiet", "--end-of-options", name)
	if exitCode(err) == 1 {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// HasRefFile reports whether the ref name (not HEAD) may exist as a ref
// of its own, from the git directory's files: a loose ref file, or refs in
// a reftable (to be checked by resolving it). packed-refs is not read (a
// registry's holds every tag, megabytes): a ref that is only packed is not
// seen, which is fine for the refs git keeps loose, such as a remote's
// HEAD.
func (r *Repo) HasRefFile(name string) bool {
	common := r.commonDir()
	if _, err := os.Stat(filepath.Join(common, "reftable")); err == nil {
		return true
	}
	_, err := os.Stat(filepath.Join(common, filepath.FromSlash(name)))
	return err == nil
}

// commonDir is the git directory shared by every work tree of the
// repository: where refs live (the gitDir of a linked work tree holds only
// its own HEAD).
func (r *Repo) commonDir() string {
	data, err := os.ReadFile(filepath.Join(r.gitDir, "commondir"))
	if err != nil {
		return r.gitDir
	}
	dir := strings.TrimSpace(string(data))
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(r.gitDir, dir)
	}
	return filepath.Clean(dir)
}
