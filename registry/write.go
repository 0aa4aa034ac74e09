package registry

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gto-dev/gto/internal/gitcmd"
	"github.com/gto-dev/gto/tagname"
)

// Simple says whether a written tag carries an event counter (#N).
type Simple int

const (
	// SimpleAuto: a counter for assignments and unassignments, none for
	// registrations, deregistrations and deprecations.
	SimpleAuto Simple = iota
	// SimpleTrue: never a counter (NAME#STAGE, NAME@vX.Y.Z).
	SimpleTrue
	// SimpleFalse: always a counter.
	SimpleFalse
)

// ParseSimple parses the --simple flag value: auto, true or false.
func ParseSimple(s string) (Simple, error) {
	switch s {
	case "auto":
		return SimpleAuto, nil
	case "true":
		return SimpleTrue, nil
	case "false":
		return SimpleFalse, nil
	}
	return 0, invalidf("invalid --simple value %q: use auto, true or false", s)
}

func (s Simple) counter(a tagname.Action) bool {
	switch s {
	case SimpleTrue:
		return false
	case SimpleFalse:
		return true
	}
	return a == tagname.ActionAssign || a == tagname.ActionUnassign
}

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
}

// CreatedTag is a tag written by a command.
type CreatedTag struct {
	Name    string
	Tag     tagname.Tag
	Version string // the version the event is about (hexsha for unregistered versions)
}

// tagPlan is a tag to write: its parsed form, target and message.
type tagPlan struct {
	tag     tagname.Tag
	simple  Simple
	commit  string
	message string
	version string
}

// writer writes planned tags with one timestamp, so that an assignment and
// the registration it needs share their date (SPEC §6).
type writer struct {
	r    *Registry
	snap *snapshot
	date string
}

func (r *Registry) newWriter(snap *snapshot) *writer {
	w := &writer{r: r, snap: snap}
	if v, ok := r.opts.Getenv("GIT_COMMITTER_DATE"); !ok || v == "" {
		now := r.opts.Now()
		w.date = fmt.Sprintf("%d %s", now.Unix(), now.Format("-0700"))
	}
	return w
}

// existing reports whether a tag of that name exists, per the snapshot.
func (w *writer) existing(name string) bool {
	for i := range w.snap.tags {
		if w.snap.tags[i].Name == name {
			return true
		}
	}
	return false
}

// nextCounter is one more than the largest counter on any tag of the
// artifact in GTO format, lightweight tags included (SPEC §6).
func nextCounter(tags []TagInput, artifact string) int {
	max := 0
	for i := range tags {
		if tags[i].Parsed.Artifact == artifact && tags[i].Parsed.Counter > max {
			max = tags[i].Parsed.Counter
		}
	}
	return max + 1
}

// check verifies, before anything is written, that a simple tag name is free.
func (w *writer) check(p *tagPlan) error {
	if p.simple.counter(p.tag.Action) {
		return nil
	}
	name, err := tagname.Format(p.tag)
	if err != nil {
		return wrapInvalid(err)
	}
	if w.existing(name) {
		return conflictf("tag %q already exists", name)
	}
	return nil
}

// create writes one planned tag. Tags with a counter take the next free
// counter; when another writer took it first (the tag exists when we try to
// create it, atomically), the tags are listed again and the next counter is
// tried, so concurrent writers never share or lose a counter.
func (w *writer) create(ctx context.Context, p *tagPlan) (CreatedTag, error) {
	const attempts = 32
	t := p.tag
	for i := 0; i < attempts; i++ {
		if p.simple.counter(t.Action) {
			t.Counter = nextCounter(w.snap.tags, t.Artifact)
		}
		name, err := tagname.Format(t)
		if err != nil {
			return CreatedTag{}, wrapInvalid(err)
		}
		err = w.r.git.CreateTag(ctx, gitcmd.TagRequest{Name: name, Target: p.commit, Message: p.message, Date: w.date})
		if err == nil {
			w.snap.tags = append(w.snap.tags, TagInput{Name: name, Parsed: t, Annotated: true, Commit: p.commit})
			return CreatedTag{Name: name, Tag: t, Version: p.version}, nil
		}
		if !errors.Is(err, gitcmd.ErrTagExists) {
			return CreatedTag{}, err
		}
		if !p.simple.counter(t.Action) {
			return CreatedTag{}, &Error{Kind: ErrConflict, Msg: fmt.Sprintf("tag %q already exists", name), Err: err}
		}
		if err := w.refresh(ctx, t.Artifact); err != nil {
			return CreatedTag{}, err
		}
	}
	return CreatedTag{}, conflictf("could not find a free counter for artifact %q after %d attempts", t.Artifact, attempts)
}

// refresh re-reads the artifact's tags after a concurrent writer won a race.
func (w *writer) refresh(ctx context.Context, artifact string) error {
	b, err := w.r.git.OpenBatch(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	tags, err := readTags(ctx, w.r.git, b, artifact)
	if err != nil {
		return err
	}
	w.snap.tags = tags
	return nil
}

// writeAll creates the planned tags in order; if one fails, the tags
// already written by this call are deleted again, so a failed command leaves
// nothing behind.
//
// Writers of one repository are serialised by a lock file in the git
// directory, and the artifact's tags are listed again once it is held: the
// next counter is then computed from every tag written before, so two gto
// processes never give the same counter to different tags (tags of other
// clones meet at push time).
func (w *writer) writeAll(ctx context.Context, plans []*tagPlan) ([]CreatedTag, error) {
	unlock, err := lockFile(ctx, filepath.Join(w.r.git.GitDir(), "gto-write.lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()
	if len(plans) > 0 {
		if err := w.refresh(ctx, plans[0].tag.Artifact); err != nil {
			return nil, err
		}
	}
	for _, p := range plans {
		if err := w.check(p); err != nil {
			return nil, err
		}
	}
	var created []CreatedTag
	for _, p := range plans {
		c, err := w.create(ctx, p)
		if err != nil {
			for i := len(created) - 1; i >= 0; i-- {
				_ = w.r.git.DeleteTag(ctx, created[i].Name, "")
			}
			return nil, err
		}
		created = append(created, c)
	}
	return created, nil
}

// publish pushes created (and deleted) tags when asked to, or always for a
// registry opened from a URL. A refused push keeps the local tags and says
// how to retry (SPEC §5).
func (r *Registry) publish(ctx context.Context, res *WriteResult, push bool) error {
	res.Remote = "origin"
	if !push && r.remote == "" {
		return nil
	}
	var refspecs []string
	var names []string
	for _, c := range res.Created {
		refspecs = append(refspecs, "refs/tags/"+c.Name+":refs/tags/"+c.Name)
		names = append(names, c.Name)
	}
	for _, d := range res.Deleted {
		refspecs = append(refspecs, ":refs/tags/"+d)
		names = append(names, d)
	}
	if len(refspecs) == 0 {
		return nil
	}
	if err := r.git.Push(ctx, "origin", refspecs); err != nil {
		r.resync(ctx)
		if r.remote != "" {
			return &Error{Kind: ErrPush, Err: err, Msg: fmt.Sprintf("pushing %s to %s failed, nothing was published: %v", strings.Join(names, ", "), r.remote, err)}
		}
		return &Error{Kind: ErrPush, Err: err, Msg: fmt.Sprintf("pushing to origin failed (%v); the local repository keeps the change: run `%s` once the remote accepts it", err, PushCommand("origin", res))}
	}
	res.Pushed = true
	if r.remote != "" {
		res.Remote = r.remote
	}
	return nil
}

// PushCommand is the shell command that publishes the result's changes.
func PushCommand(remote string, res *WriteResult) string {
	args := []string{"git", "push", ShellQuote(remote)}
	if len(res.Deleted) > 0 && len(res.Created) == 0 {
		args = append(args, "--delete")
		for _, d := range res.Deleted {
			args = append(args, ShellQuote(d))
		}
		return strings.Join(args, " ")
	}
	for _, c := range res.Created {
		args = append(args, ShellQuote(c.Name))
	}
	for _, d := range res.Deleted {
		args = append(args, ShellQuote(":refs/tags/"+d))
	}
	return strings.Join(args, " ")
}

// ShellQuote quotes s for POSIX shells when it contains anything but
// characters that are always safe.
func ShellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("@%+=:,./_-", c)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// deleteTags deletes the given tags (already checked to exist).
func (r *Registry) deleteTags(ctx context.Context, names []string) ([]string, error) {
	var deleted []string
	for _, n := range names {
		if err := r.git.DeleteTag(ctx, n, ""); err != nil {
			return deleted, err
		}
		deleted = append(deleted, n)
	}
	return deleted, nil
}

// eventTags lists the distinct tags of events, oldest event first.
func eventTags(events []*Event) []string {
	sort.SliceStable(events, func(i, j int) bool { return Before(events[i], events[j]) })
	var out []string
	seen := map[string]bool{}
	for _, e := range events {
		if e.Tag != "" && !seen[e.Tag] {
			seen[e.Tag] = true
			out = append(out, e.Tag)
		}
	}
	return out
}
