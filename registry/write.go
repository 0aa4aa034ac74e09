package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"

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
	// judge, when set, judges the tag object made for the plan before any
	// ref is created (the policy's rules on taggers and signers).
	judge func(ctx context.Context, rd store.Reader, made store.Tag) error
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
	if err == nil {
		err = tagname.CheckWritable(name)
	}
	if err != nil {
		return model.WrapInvalid("", err)
	}
	if tw.existing(name) {
		return model.Conflictf("tag %q already exists", name)
	}
	return nil
}

// counterAttempts bounds how often writeAll takes the next counter after
// another writer took the one it chose.
const counterAttempts = 32

// writeAll writes the planned tags in one go: all of them or none (an
// assignment must not leave the registration it needs behind, also when
// interrupted). Tags with a counter take the next free counter; when
// another writer took it first (the tag exists when the write makes it,
// atomically), the artifact's tags are read again and the next counter is
// tried, so concurrent writers never share or lose a counter. del are
// tags deleted in the same write (a renumbered tag's old name).
func (tw *tagWriter) writeAll(ctx context.Context, plans []*tagPlan, del ...string) ([]CreatedTag, error) {
	for _, p := range plans {
		if err := tw.check(p); err != nil {
			return nil, err
		}
	}
	for range counterAttempts {
		created, reqs, err := tw.name(plans)
		if err != nil {
			return nil, err
		}
		if err := tw.judge(ctx, plans, reqs); err != nil {
			return nil, err
		}
		err = tw.w.WriteTags(ctx, reqs, del)
		if err == nil {
			for _, c := range created {
				tw.tags = append(tw.tags, model.TagInput{Name: c.Name, Parsed: c.Tag, Annotated: true, Commit: c.plan.commit})
			}
			return created, nil
		}
		if !errors.Is(err, store.ErrTagExists) {
			return nil, err
		}
		for _, c := range created { // a tag without counter cannot take another name
			if c.Tag.Counter == 0 {
				if exists, _ := tw.w.TagExists(ctx, c.Name); exists {
					return nil, &model.ConflictError{Detail: model.Detail{Msg: fmt.Sprintf("tag %q already exists", c.Name), Err: err}}
				}
			}
		}
		if err := tw.refresh(ctx, plans[0].tag.Artifact); err != nil {
			return nil, err
		}
	}
	return nil, model.Conflictf("could not find a free counter for artifact %q after %d attempts", plans[0].tag.Artifact, counterAttempts)
}

// name gives each plan its tag name, with the next free counter where it
// takes one (counting the tags of the plans named before it).
func (tw *tagWriter) name(plans []*tagPlan) ([]CreatedTag, []store.TagRequest, error) {
	created := make([]CreatedTag, len(plans))
	reqs := make([]store.TagRequest, len(plans))
	taken := tw.tags
	for i, p := range plans {
		t := p.tag
		if p.counter.Counts(t.Action) {
			t.Counter = model.NextCounter(taken, t.Artifact)
		}
		name, err := tagname.Format(t)
		if err == nil {
			err = tagname.CheckWritable(name)
		}
		if err != nil {
			return nil, nil, model.WrapInvalid("", err)
		}
		taken = append(taken[:len(taken):len(taken)], model.TagInput{Name: name, Parsed: t})
		created[i] = CreatedTag{Name: name, Tag: t, Version: p.version, plan: p}
		reqs[i] = store.TagRequest{Name: name, Target: p.commit, Message: p.message, Date: tw.date, Sign: p.sign}
	}
	return created, reqs, nil
}

// refresh reads the artifact's tags again after a concurrent writer won a
// race.
func (tw *tagWriter) refresh(ctx context.Context, artifact string) error {
	tags, err := readTags(ctx, tw.w, artifact, nil)
	if err != nil {
		return err
	}
	tw.tags = append(tags, tw.remote...)
	return nil
}

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
	if err := w.WriteTags(ctx, nil, tags); err != nil {
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
