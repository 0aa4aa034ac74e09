package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gto-dev/gto/internal/shell"
	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/tagname"
)

// WriteResult says what a write did.
type WriteResult struct {
	// Created are the tags written, in order (an assignment may first
	// register its version).
	Created []CreatedTag
	// Deleted are the tags deleted (deprecate --delete), oldest event first.
	Deleted []string
	// Pushed reports that the changes were pushed to Remote.
	Pushed bool
	// Remote is the remote the changes were (or would be) pushed to.
	Remote string
	// Renumbered lists the tags whose name the remote had taken meanwhile
	// (another clone pushed the same counter first): each was re-created
	// with the next free counter, and its old local tag deleted. Created
	// holds the final names.
	Renumbered []Renumbering
}

// Renumbering is an event tag renamed before it was pushed, because the
// remote already had a different tag of that name.
type Renumbering struct {
	From, To string
}

// CreatedTag is a tag written by a command.
type CreatedTag struct {
	Name    string
	Tag     tagname.Tag
	Version string // the version the event is about (hexsha for unregistered versions)

	plan *tagPlan // what was written, to write it again under another counter
}

// PushCommand is the shell command (shell-quoted) that publishes the
// result's changes.
func PushCommand(remote string, res *WriteResult) string {
	args := []string{"git", "push", remote}
	if len(res.Deleted) > 0 && len(res.Created) == 0 {
		return shell.Quote(append(append(args, "--delete"), res.Deleted...)...)
	}
	for _, c := range res.Created {
		args = append(args, c.Name)
	}
	for _, d := range res.Deleted {
		args = append(args, ":refs/tags/"+d)
	}
	return shell.Quote(args...)
}

// tagPlan is a tag to write: its parsed form, target and message.
type tagPlan struct {
	tag     tagname.Tag
	counter model.CounterMode
	commit  string
	message string
	version string
	// sign: nil lets git's configuration decide (tag.gpgSign); true signs
	// (git tag -s); false never signs (--no-sign).
	sign *bool
}

// tagWriter writes planned tags with one date, so that an assignment and
// the registration it needs share their date (SPEC §6). It runs inside an
// Update: the write lock is held since before the tags the plans were made
// from were read.
type tagWriter struct {
	w    store.Writer
	date string
	// tags are the tags counters are counted from: the snapshot's, then
	// the artifact's as read again after a lost race, plus remote.
	tags []model.TagInput
	// remote are tags of the remote that count for counters although they
	// are not in the local repository (renumbering after a push conflict).
	remote []model.TagInput
}

func (r *Registry) newTagWriter(w store.Writer, tags []model.TagInput) *tagWriter {
	tw := &tagWriter{w: w, tags: tags}
	if !r.env.committerDate {
		now := r.opts.Now()
		tw.date = fmt.Sprintf("%d %s", now.Unix(), now.Format("-0700"))
	}
	return tw
}

// existing reports whether a tag of that name exists, per tw.tags.
func (tw *tagWriter) existing(name string) bool {
	for i := range tw.tags {
		if tw.tags[i].Name == name {
			return true
		}
	}
	return false
}

// check verifies, before anything is written, that a tag without counter
// is free.
func (tw *tagWriter) check(p *tagPlan) error {
	if p.counter.Counts(p.tag.Action) {
		return nil
	}
	name, err := tagname.Format(p.tag)
	if err != nil {
		return model.WrapInvalid("", err)
	}
	if tw.existing(name) {
		return model.Conflictf("tag %q already exists", name)
	}
	return nil
}

// counterAttempts bounds how often create takes the next counter after
// another writer took the one it chose.
const counterAttempts = 32

// create writes one planned tag. Tags with a counter take the next free
// counter; when another writer took it first (the tag exists when we try to
// create it, atomically), the tags are read again and the next counter is
// tried, so concurrent writers never share or lose a counter.
func (tw *tagWriter) create(ctx context.Context, p *tagPlan) (CreatedTag, error) {
	t := p.tag
	for range counterAttempts {
		if p.counter.Counts(t.Action) {
			t.Counter = model.NextCounter(tw.tags, t.Artifact)
		}
		name, err := tagname.Format(t)
		if err != nil {
			return CreatedTag{}, model.WrapInvalid("", err)
		}
		err = tw.w.CreateTag(ctx, store.TagRequest{Name: name, Target: p.commit, Message: p.message, Date: tw.date, Sign: p.sign})
		if err == nil {
			tw.tags = append(tw.tags, model.TagInput{Name: name, Parsed: t, Annotated: true, Commit: p.commit})
			return CreatedTag{Name: name, Tag: t, Version: p.version, plan: p}, nil
		}
		if !errors.Is(err, store.ErrTagExists) {
			return CreatedTag{}, err
		}
		if !p.counter.Counts(t.Action) {
			return CreatedTag{}, &model.ConflictError{Detail: model.Detail{Msg: fmt.Sprintf("tag %q already exists", name), Err: err}}
		}
		if err := tw.refresh(ctx, t.Artifact); err != nil {
			return CreatedTag{}, err
		}
	}
	return CreatedTag{}, model.Conflictf("could not find a free counter for artifact %q after %d attempts", t.Artifact, counterAttempts)
}

// refresh reads the artifact's tags again after a concurrent writer won a
// race.
func (tw *tagWriter) refresh(ctx context.Context, artifact string) error {
	tags, err := readTags(ctx, tw.w, artifact)
	if err != nil {
		return err
	}
	tw.tags = append(tags, tw.remote...)
	return nil
}

// writeAll creates the planned tags in order; if one fails, the tags
// already written are deleted again (see rollback), so a failed command
// leaves nothing behind.
func (tw *tagWriter) writeAll(ctx context.Context, plans []*tagPlan) ([]CreatedTag, error) {
	for _, p := range plans {
		if err := tw.check(p); err != nil {
			return nil, err
		}
	}
	var created []CreatedTag
	for _, p := range plans {
		c, err := tw.create(ctx, p)
		if err != nil {
			return nil, rollback(ctx, tw.w, created, err)
		}
		created = append(created, c)
	}
	return created, nil
}

// rollbackTimeout bounds the deletion of a failed write's tags.
const rollbackTimeout = 30 * time.Second

// rollback deletes the tags a failed write created (in one transaction)
// and returns cause. The deletion is not cancelled with ctx: a write
// interrupted by the user (Ctrl-C) or by a client that went away must still
// leave nothing behind. When the deletion fails too, the error says so and
// which tags remain.
func rollback(ctx context.Context, w store.Writer, created []CreatedTag, cause error) error {
	if len(created) == 0 {
		return cause
	}
	names := make([]string, len(created))
	for i, c := range created {
		names[i] = c.Name
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
	defer cancel()
	if err := w.DeleteTags(ctx, names); err != nil {
		return &rollbackError{cause: cause, err: err, kept: names}
	}
	return cause
}

// rollbackError is a failed write whose tags could not be deleted again.
type rollbackError struct {
	cause, err error
	kept       []string
}

func (e *rollbackError) Error() string {
	return fmt.Sprintf("%v; the tags written before the failure could not be deleted (%v): delete them with `%s`",
		e.cause, e.err, shell.Quote(append([]string{"git", "tag", "-d"}, e.kept...)...))
}

func (e *rollbackError) Unwrap() []error { return []error{e.cause, e.err} }

// writeTags writes plans and publishes them: the common end of every write
// that creates tags.
func (r *Registry) writeTags(ctx context.Context, w store.Writer, snap *snapshot, plans []*tagPlan, push bool) (*WriteResult, error) {
	created, err := r.newTagWriter(w, snap.tags).writeAll(ctx, plans)
	if err != nil {
		return nil, err
	}
	res := &WriteResult{Created: created}
	return res, r.publish(ctx, w, res, push)
}

// deleteTags deletes tags (one transaction) and publishes the deletion.
func (r *Registry) deleteTags(ctx context.Context, w store.Writer, tags []string, push bool) (*WriteResult, error) {
	if len(tags) == 0 {
		// Only --force gets here (a stage never assigned to the version,
		// an artifact known from its annotation alone): as 0.2.4, deleting
		// nothing succeeds.
		return &WriteResult{}, nil
	}
	if err := w.DeleteTags(ctx, tags); err != nil {
		return nil, err
	}
	res := &WriteResult{Deleted: tags}
	return res, r.publish(ctx, w, res, push)
}

// tagsAre lists quoted tag names with the verb agreeing: `tag "a" is`,
// `tags "a", "b" are`.
func tagsAre(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	if len(quoted) == 1 {
		return "tag " + quoted[0] + " is"
	}
	return "tags " + strings.Join(quoted, ", ") + " are"
}
