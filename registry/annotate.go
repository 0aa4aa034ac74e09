package registry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gto-dev/gto/annotations"
	"github.com/gto-dev/gto/internal/gitcmd"
	"github.com/gto-dev/gto/tagname"
)

// AnnotateOptions are the options of Annotate.
type AnnotateOptions struct {
	Name string
	Type string
	Path string
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
		return nil, wrapInvalid(err)
	}
	for _, l := range opts.Labels {
		if err := tagname.ValidateName("label", l); err != nil {
			return nil, wrapInvalid(err)
		}
	}
	if opts.Type != "" {
		if err := r.cfg.CheckType(opts.Type); err != nil {
			return nil, wrapInvalid(err)
		}
	}
	if opts.MustExist {
		if opts.Path == "" {
			return nil, invalidf("--must-exist needs --path")
		}
		if err := r.checkCommitted(ctx, opts.Path); err != nil {
			return nil, err
		}
	}
	msg := fmt.Sprintf("Annotate artifact `%s`", opts.Name)
	if opts.Type != "" {
		msg += fmt.Sprintf(" of type `%s`", opts.Type)
	}
	if opts.Path != "" {
		msg += fmt.Sprintf(" with path `%s`", opts.Path)
	}
	res, err := r.editIndex(ctx, opts.Commit || opts.Push, opts.Push, msg, func(ix *annotations.Index) error {
		return ix.Annotate(opts.Name, annotations.Update{
			Type: opts.Type, Path: opts.Path, MustExist: opts.MustExist,
			Labels: opts.Labels, Description: opts.Description,
		})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// RemoveOptions are the options of Remove.
type RemoveOptions struct {
	Name         string
	Commit, Push bool
}

// Remove deletes an artifact's annotation from the annotations file.
func (r *Registry) Remove(ctx context.Context, opts RemoveOptions) (*AnnotateResult, error) {
	msg := fmt.Sprintf("Remove annotation for artifact %s", opts.Name)
	return r.editIndex(ctx, opts.Commit || opts.Push, opts.Push, msg, func(ix *annotations.Index) error {
		err := ix.Remove(opts.Name)
		if errors.Is(err, annotations.ErrArtifactNotFound) {
			return &Error{Kind: ErrNotFound, Msg: err.Error(), Err: err}
		}
		return err
	})
}

// checkCommitted verifies that path is committed at HEAD (the work tree is
// not enough: the annotation promises the file is in git). Outside git the
// path must exist in the folder.
func (r *Registry) checkCommitted(ctx context.Context, path string) error {
	if r.git == nil {
		if _, err := os.Stat(filepath.Join(r.dir, path)); err != nil {
			return notFoundf("path %q does not exist", path)
		}
		return nil
	}
	head, err := r.git.Head(ctx)
	if err != nil && !errors.Is(err, gitcmd.ErrNoCommits) {
		return err
	}
	ok := false
	if head != "" {
		if ok, err = r.git.PathExists(ctx, head, path); err != nil {
			return err
		}
	}
	if !ok {
		return notFoundf("path %q is not committed at HEAD: commit it before annotating with --must-exist", path)
	}
	return nil
}

// editIndex reads the annotations file of the work tree, applies edit and
// writes it back; with commit it commits that file alone, refusing when the
// file already had uncommitted changes (they would be committed in the
// user's name). Nothing changes when edit or a check fails.
func (r *Registry) editIndex(ctx context.Context, commit, push bool, message string, edit func(*annotations.Index) error) (*AnnotateResult, error) {
	if r.dir == "" {
		return nil, invalidf("the repository has no work tree to write %s in", r.cfg.Index)
	}
	if r.remote != "" {
		commit, push = true, true // a change to a remote registry only counts once pushed
	}
	if (commit || push) && r.git == nil {
		return nil, r.noRepoError()
	}
	file := filepath.Join(r.dir, r.cfg.Index)
	if commit && r.git != nil {
		status, err := r.git.PathStatus(ctx, r.cfg.Index)
		if err != nil {
			return nil, err
		}
		if status != "" {
			return nil, conflictf("%s has uncommitted changes: commit or discard them first, gto commits only its own change", r.cfg.Index)
		}
	}
	ix := &annotations.Index{}
	data, err := os.ReadFile(file)
	switch {
	case err == nil:
		if ix, err = annotations.Parse(data, r.cfg.Index); err != nil {
			return nil, wrapInvalid(err)
		}
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	}
	if ix == nil {
		ix = &annotations.Index{}
	}
	if err := edit(ix); err != nil {
		return nil, err
	}
	out, err := ix.Marshal()
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(file, out); err != nil {
		return nil, err
	}
	res := &AnnotateResult{File: file}
	if commit {
		hash, err := r.git.CommitPaths(ctx, message, r.cfg.Index)
		if err != nil {
			return nil, restoreFile(file, data, err)
		}
		res.Commit = hash
	}
	if push {
		if err := r.git.PushCurrentBranch(ctx); err != nil {
			return res, &Error{Kind: ErrPush, Err: err, Msg: fmt.Sprintf("the annotation was committed locally but `git push` failed: %v", err)}
		}
		res.Pushed = true
	}
	return res, nil
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
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}
