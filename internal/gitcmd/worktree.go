package gitcmd

import (
	"context"
	"fmt"
	"strings"
)

// Paths given to the methods below are relative to the top of the work
// tree, use "/" as separator, and are literal: --literal-pathspecs keeps
// git from reading "*" or ":(glob)" in a file name as a pattern.

// PathStatus returns the two-letter `git status --porcelain` (v1) status
// of path: "" when it is clean (or ignored), "??" when untracked, else XY
// such as " M", "M ", "A ", "MM", " D". For a directory it is the status of
// the first changed file in it (in git's order), "" when none changed.
func (r *Repo) PathStatus(ctx context.Context, path string) (string, error) {
	if err := r.needWorkTree(); err != nil {
		return "", err
	}
	out, err := r.run(ctx, call{
		args: []string{"--literal-pathspecs", "status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=no", "--", path},
		// status refreshes and may rewrite the index; a read-only question
		// must not take index.lock away from the user's own git commands.
		env: []string{"GIT_OPTIONAL_LOCKS=0"},
	})
	if err != nil {
		return "", err
	}
	// Entries are "XY <path>\x00" (a rename adds "<from>\x00").
	s := string(out)
	if len(s) < 3 || s[2] != ' ' {
		if s == "" {
			return "", nil
		}
		return "", fmt.Errorf("git status: unexpected output %q", s)
	}
	return s[:2], nil
}

// PathExists reports whether path is committed at rev, as a file or as a
// directory (the object "<rev>:<path>" exists). A rev that does not resolve
// gives false as well.
func (r *Repo) PathExists(ctx context.Context, rev, path string) (bool, error) {
	// With --verify --quiet a name that does not resolve exits 1 silently;
	// cat-file -e would exit 128 for it, like for a real failure.
	_, err := r.git(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+":"+path)
	switch {
	case err == nil:
		return true, nil
	case exitCode(err) == 1:
		return false, nil
	default:
		return false, err
	}
}

// CommitPaths commits exactly paths with message and returns the new
// commit's hash. The paths are staged first (`git add`, which also records
// a deleted file's removal) and committed with `git commit -- <paths>`, so
// any other change of the user, staged or not, stays as it was and is not
// part of the commit. The user's hooks and commit signing configuration
// apply.
func (r *Repo) CommitPaths(ctx context.Context, message string, paths ...string) (string, error) {
	if err := r.needWorkTree(); err != nil {
		return "", err
	}
	if len(paths) == 0 {
		return "", fmt.Errorf("commit: no paths given")
	}
	add := append([]string{"--literal-pathspecs", "add", "--"}, paths...)
	if _, err := r.git(ctx, add...); err != nil {
		return "", err
	}
	commit := append([]string{"--literal-pathspecs", "commit", "--quiet", "-F", "-", "--"}, paths...)
	if _, err := r.run(ctx, call{args: commit, stdin: strings.NewReader(message)}); err != nil {
		return "", err
	}
	return r.Head(ctx)
}
