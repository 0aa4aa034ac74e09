package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gto-dev/gto/annotations"
	"github.com/gto-dev/gto/config"
	"github.com/gto-dev/gto/internal/atomicfile"
	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/tagname"
)

// AnnotateOptions are the options of Annotate.
type AnnotateOptions struct {
	Name string
	Type string
	Path string
	// TypeGiven and PathGiven tell an explicitly empty Type or Path from
	// an absent one: a new artifact then gets the empty field (as 0.2.4
	// writes `--type ''`); an existing one keeps its value either way.
	TypeGiven, PathGiven bool
	// MustExist requires Path to be committed at HEAD and marks the
	// artifact as not virtual.
	MustExist   bool
	Labels      []string
	Description string
	// Commit commits the annotations file (and nothing else).
	Commit bool
	// Push commits and pushes the current branch.
	Push bool
}

// AnnotateResult says what Annotate or Remove changed.
type AnnotateResult struct {
	File     string // the annotations file written
	Commit   string // the commit made, "" when not committing
	Pushed   bool
	Artifact *annotations.Artifact // the new annotation (nil after Remove)
}

// Annotate writes (merges) an artifact's annotation into the annotations file
// of the work tree (or plain folder), SPEC §4 and §6.
func (r *Registry) Annotate(ctx context.Context, opts AnnotateOptions) (*AnnotateResult, error) {
	if err := tagname.ValidateArtifactName(opts.Name); err != nil {
		return nil, model.WrapInvalid(model.FieldName, err)
	}
	for _, l := range opts.Labels {
		if err := tagname.ValidateName("label", l); err != nil {
			return nil, model.WrapInvalid(model.FieldLabel, err)
		}
	}
	// 0.2.4's generate_annotate_commit_message names a type and a path
	// that are given, even empty ("of type ``").
	msg := fmt.Sprintf("Annotate artifact `%s`", opts.Name)
	if opts.Type != "" || opts.TypeGiven {
		msg += fmt.Sprintf(" of type `%s`", opts.Type)
	}
	if opts.Path != "" || opts.PathGiven {
		msg += fmt.Sprintf(" with path `%s`", opts.Path)
	}
	check := func(ctx context.Context, cfg config.Config, w store.Writer) error {
		if opts.Type != "" {
			if err := cfg.CheckType(opts.Type); err != nil {
				return model.WrapInvalid(model.FieldType, err)
			}
		}
		if err := checkArtifactPath(opts.Path, opts.MustExist); err != nil {
			return err
		}
		if opts.MustExist {
			if opts.Path == "" {
				return &model.InvalidError{Field: model.FieldPath, Detail: model.Detail{Code: model.CodePathRequired,
					Msg: "a path is required to check that it is committed"}}
			}
			return r.checkCommitted(ctx, w, opts.Path)
		}
		return nil
	}
	// Paths are compared for conflicts from the working directory, as
	// 0.2.4 resolves them (find_repeated_path); without one, as written.
	cwd, _ := os.Getwd()
	return r.editIndex(ctx, opts.Name, opts.Commit || opts.Push, opts.Push, msg, check, func(ix *annotations.Index) error {
		return ix.Annotate(opts.Name, annotations.Update{
			Type: opts.Type, Path: opts.Path, MustExist: opts.MustExist,
			TypeGiven: opts.TypeGiven, PathGiven: opts.PathGiven,
			Labels: opts.Labels, Description: opts.Description,
			Dir: cwd,
		})
	})
}

// RemoveOptions are the options of Remove.
type RemoveOptions struct {
	Name         string
	Commit, Push bool
}

// Remove deletes an artifact's annotation from the annotations file.
func (r *Registry) Remove(ctx context.Context, opts RemoveOptions) (*AnnotateResult, error) {
	msg := fmt.Sprintf("Remove annotation for artifact %s", opts.Name)
	return r.editIndex(ctx, opts.Name, opts.Commit || opts.Push, opts.Push, msg, nil, func(ix *annotations.Index) error {
		err := ix.Remove(opts.Name)
		if errors.Is(err, annotations.ErrArtifactNotFound) {
			return &model.NotFoundError{What: "artifact", Detail: model.Detail{Msg: err.Error(), Err: err}}
		}
		return err
	})
}

// checkArtifactPath refuses, with mustExist, an artifact path that leaves
// the repository: an absolute one, or a relative one that climbs out of it
// ("../../etc/passwd"); what must exist is a file committed in the
// repository. Without mustExist any path names an external artifact and is
// kept as written, as 0.2.4 keeps it (it is only text in the file; `get`
// refuses to fetch it).
func checkArtifactPath(p string, mustExist bool) error {
	if p == "" || !mustExist {
		return nil
	}
	slashed := strings.ReplaceAll(p, `\`, "/")
	if strings.HasPrefix(slashed, "/") || filepath.IsAbs(p) {
		return &model.InvalidError{Field: model.FieldPath, Value: p, Detail: model.Detail{Code: model.CodePathAbsolute,
			Msg: fmt.Sprintf("path %q is absolute", p), Hint: "a path that must exist is relative to the root of the repository"}}
	}
	if clean := path.Clean(slashed); clean == ".." || strings.HasPrefix(clean, "../") {
		return model.Invalidf(model.FieldPath, "path %q leads outside the repository: artifact paths are relative to its root", p)
	}
	return nil
}

// checkCommitted verifies that path is committed at HEAD (the work tree is
// not enough: the annotation promises the file is in git). Outside git the
// path must exist in the folder.
func (r *Registry) checkCommitted(ctx context.Context, w store.Writer, p string) error {
	if w == nil {
		full := filepath.Join(r.dir, p)
		if _, err := os.Stat(full); err != nil {
			return model.NotFoundf("path", "path %q does not exist", p)
		}
		// The path is inside the folder as written; a symbolic link on the
		// way must not lead out of it either.
		real, err1 := realPath(full)
		top, err2 := realPath(r.dir)
		if err1 != nil || err2 != nil {
			return model.NotFoundf("path", "path %q does not exist", p)
		}
		if !inside(top, real) {
			return model.Invalidf(model.FieldPath, "path %q leads outside the folder through a symbolic link", p)
		}
		return nil
	}
	head, err := w.ResolveCommit(ctx, "HEAD")
	if err != nil && !errors.Is(err, store.ErrNoCommits) {
		return err
	}
	// The path is looked up in HEAD's tree as written, as 0.2.4 does:
	// "./f", "a//f", "a/../a/f" and "dir/" name no entry there, nor does
	// "." (the root is no entry of its own tree).
	if clean := path.Clean(p); clean != p && clean != "." {
		return model.NotFoundf("path", "path %q is not committed at HEAD as written: write it as %q", p, clean)
	}
	ok := false
	if head != "" && p != "." {
		if ok, err = w.PathExists(ctx, head, p); err != nil {
			return err
		}
	}
	if !ok {
		return &model.NotFoundError{What: "path", Detail: model.Detail{Code: model.CodePathNotCommitted,
			Msg: fmt.Sprintf("path %q is not committed at HEAD", p), Hint: "commit it before annotating it as a path that must exist"}}
	}
	return nil
}

// editIndex reads the annotations file of the work tree, applies edit and
// writes it back; with commit it commits that file alone, refusing when the
// file already had changes that are not staged, or was untracked (they
// would be committed in the user's name; staged ones are committed, as
// 0.2.4 does). check (if any) runs first, with the configuration. Nothing
// changes when edit or a check fails. In a repository it runs under the
// write lock.
func (r *Registry) editIndex(ctx context.Context, name string, commit, push bool, message string, check indexCheck, edit func(*annotations.Index) error) (*AnnotateResult, error) {
	e := indexEdit{name: name, commit: commit, push: push, message: message, check: check, edit: edit}
	if r.store == nil { // a plain folder
		cfg, err := r.folderConfig()
		if err != nil {
			return nil, err
		}
		return r.editIndexIn(ctx, cfg, nil, e)
	}
	var res *AnnotateResult
	err := r.update(ctx, func(s *session, w store.Writer) error {
		var err error
		res, err = r.editIndexIn(ctx, s.cfg, w, e)
		return err
	})
	return res, err
}

// indexCheck checks an edit of the annotations before it is made; w is
// nil in a plain folder.
type indexCheck func(ctx context.Context, cfg config.Config, w store.Writer) error

// indexEdit is what editIndex does.
type indexEdit struct {
	name         string // the artifact edited
	commit, push bool
	message      string
	check        indexCheck
	edit         func(*annotations.Index) error
}

// editIndexIn is editIndex with the configuration, and the store's writer
// (nil in a plain folder).
func (r *Registry) editIndexIn(ctx context.Context, cfg config.Config, w store.Writer, e indexEdit) (*AnnotateResult, error) {
	if e.check != nil {
		if err := e.check(ctx, cfg, w); err != nil {
			return nil, err
		}
	}
	commit, push := e.commit, e.push
	if r.dir == "" {
		return nil, model.Invalidf("", "the repository has no work tree to write %s in", cfg.Index)
	}
	if r.IsRemote() {
		commit, push = true, true // a change to a remote registry only counts once pushed
	}
	if (commit || push) && w == nil {
		return nil, r.noRepoError(nil)
	}
	file := filepath.Join(r.dir, cfg.Index)
	if commit {
		status, err := w.WorkTreeStatus(ctx, cfg.Index)
		if err != nil {
			return nil, err
		}
		// 0.2.4 refuses when the file differs from git's index or is
		// untracked (git_utils.py commit_produced_changes_on_commit, from
		// `index.diff(None)` and `untracked_files`); changes the user
		// staged are committed with the annotation.
		if len(status) == 2 && status[1] != ' ' {
			return nil, model.Conflictf("%s has uncommitted changes: commit or discard them first, gto commits only its own change", cfg.Index)
		}
	}
	ix := &annotations.Index{}
	data, err := r.readWorkTreeIndex(file, cfg.Index)
	switch {
	case err == nil:
		if ix, err = annotations.Parse(data, cfg.Index); err != nil {
			return nil, model.WrapInvalid("", err)
		}
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	}
	if ix == nil {
		ix = &annotations.Index{}
	}
	if err := e.edit(ix); err != nil {
		return nil, err
	}
	out, err := ix.Marshal()
	if err != nil {
		return nil, err
	}
	if data != nil && bytes.Equal(out, data) {
		// Nothing changes: no write, and no commit (git would refuse an
		// empty one; with --commit the file was checked to be clean, so
		// it is committed as it is). --push still publishes the branch.
		commit = false
	} else if err := writeFileAtomic(file, out); err != nil {
		// Name the file as the user knows it, not the temporary one.
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("cannot write %s: %w", cfg.Index, err)
	}
	res := &AnnotateResult{File: file}
	if a, ok := ix.Get(e.name); ok {
		res.Artifact = &a
	}
	if commit {
		hash, err := w.CommitPaths(ctx, e.message, cfg.Index)
		if err != nil {
			return nil, restoreFile(file, data, err)
		}
		res.Commit = hash
	}
	if push {
		// `git push` pushes the current branch. On a detached HEAD there is
		// none: 0.2.4 commits, then its `git push` fails (git_utils.py
		// push_on_push), and so does this, with the reason.
		branch, err := w.CurrentBranch(ctx)
		if err != nil {
			return res, err
		}
		if branch == "" {
			return res, &model.PushError{Detail: model.Detail{Code: model.CodeDetachedHead,
				Msg:  "the annotation is committed, but HEAD is detached, so there is no branch to push it to",
				Hint: "check out a branch and push it"}}
		}
		if err := w.PushBranch(ctx); err != nil {
			if res.Commit == "" {
				return res, &model.PushError{Detail: model.Detail{Err: err, Msg: fmt.Sprintf("the annotation is committed, but `git push` failed: %v", err)}}
			}
			return res, &model.PushError{Detail: model.Detail{Err: err, Msg: fmt.Sprintf("the annotation was committed locally but `git push` failed: %v", err)}}
		}
		res.Pushed = true
	}
	return res, nil
}

// readWorkTreeIndex reads the annotations file of the work tree: at most
// one byte more than annotations.MaxFileSize (Parse refuses a larger file,
// which must not be loaded into memory whole first). It must be a regular
// file: through a symbolic link gto would read, and its rename replace, a
// file that is not the one git has (git stores the link itself).
func (r *Registry) readWorkTreeIndex(file, index string) ([]byte, error) {
	// Its folder (for an index in a sub-folder) must not be a link that
	// leads out of the work tree either.
	if dir, err := realPath(filepath.Dir(file)); err == nil {
		if top, err := realPath(r.dir); err == nil && !inside(top, dir) {
			return nil, model.Invalidf("", "%s is in a folder outside the repository (through a symbolic link)", index)
		}
	}
	st, err := os.Lstat(file)
	if err != nil {
		return nil, err
	}
	switch {
	case st.Mode()&os.ModeSymlink != 0:
		return nil, model.Invalidf("", "%s is a symbolic link: gto edits only a regular file", index)
	case st.IsDir():
		return nil, model.Invalidf("", "%s is a folder, not a file", index)
	case !st.Mode().IsRegular():
		return nil, model.Invalidf("", "%s is not a regular file", index)
	}
	if err := annotations.CheckSize(index, st.Size()); err != nil {
		return nil, model.WrapInvalid("", err)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, annotations.MaxFileSize+1))
}

// realPath returns the absolute path of p with every symbolic link
// resolved.
func realPath(p string) (string, error) {
	p, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	return filepath.Abs(p)
}

// inside reports whether path lies in (or is) the folder top; both are
// absolute paths without symbolic links (see realPath).
func inside(top, path string) bool {
	rel, err := filepath.Rel(top, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// restoreFile puts back the previous content after a failed commit.
func restoreFile(file string, old []byte, cause error) error {
	if old == nil {
		os.Remove(file)
	} else {
		_ = writeFileAtomic(file, old)
	}
	return cause
}

// writeFileAtomic replaces file by writing a temporary file next to it and
// renaming it, so a crash never leaves a half-written annotations file.
func writeFileAtomic(file string, data []byte) error {
	perm := os.FileMode(0o644)
	if st, err := os.Stat(file); err == nil {
		perm = st.Mode().Perm()
	}
	return atomicfile.Write(file, data, atomicfile.Options{Temp: "." + filepath.Base(file) + ".tmp-*", Perm: perm})
}
