package registry

import (
	"context"
	"errors"
	"slices"

	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/tagname"
)

// scope says how much of the repository a command reads.
type scope struct {
	// artifact limits the tags read to one artifact's (empty: all tags).
	artifact string
	// allBranches / allCommits read artifacts.yaml from every branch tip /
	// every commit instead of HEAD only.
	allBranches, allCommits bool
	// noAnnotations skips the annotation files: doctor, once it has
	// reported them malformed, and describe, which reads them at its own
	// revision. Every other command reads them at HEAD and, as 0.2.4, fails
	// when one is malformed.
	noAnnotations bool
	// commits says which commits are read for commit events.
	commits commitNeed
	// noTags: the command reads only the state, not the snapshot's tags,
	// which are then not kept (only their events are read).
	noTags bool
	// artifactsOnly: annotated commits only create artifacts (see
	// BuildInput.AnnotatedArtifactsOnly).
	artifactsOnly bool
}

// commitNeed says which versions get their commit event: reading commits
// costs a cat-file request each, and most commands need none or few.
type commitNeed int

const (
	commitsAll          commitNeed = iota // history, show NAME, deprecate, doctor
	commitsUnregistered                   // the registry table: dates of unregistered versions
	commitsNone                           // check-ref, stages and the writes
)

// snapshot is what one read of the repository gives: the GTO tags (also
// lightweight ones, which count for counters) and the state built from them.
type snapshot struct {
	tags  []model.TagInput
	state *model.State
	head  string // HEAD commit, "" in a repository without commits
}

// tagPrefixes returns the tag name prefixes of one artifact's tags (none:
// every tag).
func tagPrefixes(artifact string) []string {
	if artifact == "" {
		return nil
	}
	p := tagname.TagPrefix(artifact)
	return []string{p + "@", p + "#"}
}

// readTags reads the GTO-format tags in scope (lightweight ones too: they
// count for counters) with their tag objects.
func readTags(ctx context.Context, rd store.Reader, artifact string, how *tagRead) ([]model.TagInput, error) {
	var out []model.TagInput
	err := eachTagInput(ctx, rd, artifact, how, func(n int) { out = slices.Grow(out, n) }, func(t *model.TagInput) {
		out = append(out, *t)
	})
	return out, err
}

// readEvents reads the events of the GTO-format tags in scope
// (model.TagEvent), for a command that needs no tags.
func readEvents(ctx context.Context, rd store.Reader, artifact string, how *tagRead) ([]model.Event, error) {
	var out []model.Event
	err := eachTagInput(ctx, rd, artifact, how, func(n int) { out = slices.Grow(out, n) }, func(t *model.TagInput) {
		if t.IsEvent() {
			out = append(out, model.TagEvent(t))
		}
	})
	return out, err
}

// tagRead is how a load reads the tags: told of their number, and with
// copies of their keyed strings from dropPagesMinTags tags on.
type tagRead struct {
	// expect, when not nil, is told how many tags the read will see,
	// before it sees them (Options.ExpectTags).
	expect func(n int)
	// copies is set by the read when the store says there are at least
	// dropPagesMinTags and its strings may point into a mapping
	// (store.PageDropper): the tags' keyed strings are then copied to the
	// heap (heapCopies).
	copies heapCopies
}

// eachTagInput calls each with every GTO-format tag in scope, as the model
// reads it; grow is told about how many there are, when the store knows,
// and so is how (nil: a read that needs neither, see tagRead).
func eachTagInput(ctx context.Context, rd store.Reader, artifact string, how *tagRead, grow func(int), each func(*model.TagInput)) error {
	keep := func(name string) bool {
		p, ok := tagname.Parse(name)
		return ok && (artifact == "" || p.Artifact == artifact)
	}
	if ts, ok := rd.(store.TagStreamer); ok {
		_, mapped := rd.(store.PageDropper)
		var h heapCopies
		growing := func(n int) {
			if how != nil && how.expect != nil {
				how.expect(n)
			}
			if how != nil && mapped && n >= dropPagesMinTags {
				h = make(heapCopies, n/2)
				how.copies = h
			}
			grow(n)
		}
		// No slice of the store's tags beside the model's: at 500,000
		// tags each copy is 70 MB.
		var in model.TagInput // one for every tag, not one on the heap a tag
		return ts.EachTag(ctx, tagPrefixes(artifact), keep, growing, func(t *store.Tag) error {
			in = tagInput(t)
			if h != nil {
				h.keys(&in)
			}
			each(&in)
			return nil
		})
	}
	tags, err := rd.Tags(ctx, tagPrefixes(artifact), keep)
	if err != nil {
		return err
	}
	grow(len(tags))
	var in model.TagInput
	for i := range tags {
		in = tagInput(&tags[i])
		each(&in)
	}
	return nil
}

// tagInput is what the model reads of a tag in GTO format.
func tagInput(t *store.Tag) model.TagInput {
	parsed, _ := tagname.Parse(t.Name)
	in := model.TagInput{Name: t.Name, Object: t.Object, Parsed: parsed, Commit: t.Commit}
	switch {
	case t.Missing:
		in.Missing = true // not an event, but its name is taken; doctor names it
	case t.Malformed:
		in.Annotated, in.Malformed = true, true // not an event; doctor names it
	case t.Annotated():
		in.Annotated = true
		in.Tagger, in.TaggerEmail, in.Time, in.Message = t.TaggerName, t.TaggerEmail, t.Time, t.Message
		in.NoTagger, in.Signed = !t.HasTagger, t.Signed
	}
	return in
}

// load reads the repository and builds the state for the scope.
func (r *Registry) load(ctx context.Context, s *session, sc scope) (*snapshot, error) {
	rd := s.rd
	// The annotations of every commit or branch tip come mostly from the
	// object cache and a for-each-ref of their own: read them while the
	// tags are read.
	var annotated []model.AnnotatedCommit
	var annotatedErr error
	annotatedDone := make(chan struct{})
	history := !sc.noAnnotations && (sc.allCommits || sc.allBranches)
	if history {
		go func() {
			defer close(annotatedDone)
			annotated, annotatedErr = annotatedCommits(ctx, s, "", sc)
		}()
	} else {
		close(annotatedDone)
	}
	var tags []model.TagInput
	var events []model.Event
	how := &tagRead{expect: r.opts.ExpectTags}
	var err error
	if sc.noTags {
		events, err = readEvents(ctx, rd, sc.artifact, how)
	} else {
		tags, err = readTags(ctx, rd, sc.artifact, how)
	}
	copies := how.copies
	<-annotatedDone
	if err != nil {
		return nil, err
	}
	if annotatedErr != nil {
		return nil, annotatedErr
	}
	if copies != nil {
		// What the state is built on is on the heap now: the tags'
		// pages can go before the commits' are read and the state grows.
		rd.(store.PageDropper).DropPages()
	}
	head, err := rd.ResolveCommit(ctx, "HEAD")
	if err != nil && !errors.Is(err, store.ErrNoCommits) {
		return nil, err
	}
	in := model.BuildInput{Tags: tags, Events: events, Annotated: annotated, AnnotatedArtifactsOnly: sc.artifactsOnly}
	if head != "" && !sc.noAnnotations && !history {
		if in.Annotated, err = annotatedCommits(ctx, s, head, sc); err != nil {
			return nil, err
		}
	}
	// The commits of the tags' targets are known now: read them (cat-file
	// on the other core) while the state is built. Below dropPagesMinTags
	// tags, in turn: both take well under a millisecond then (their
	// objects come from the cache), less than a thread's wake-up.
	var commits map[string]*model.CommitInfo
	var commitsErr error
	done := make(chan struct{})
	readAll := func() {
		defer close(done)
		commits, commitsErr = readCommits(ctx, rd, eventCommits(tags, events, in.Annotated), copies)
	}
	switch {
	case sc.commits != commitsAll:
		close(done)
	case len(tags)+len(events) < dropPagesMinTags:
		readAll()
	default:
		go readAll()
	}
	state := model.Build(in)
	<-done
	if commitsErr != nil {
		return nil, commitsErr
	}
	if sc.commits == commitsUnregistered {
		if commits, err = readCommits(ctx, rd, state.CommitsNeeded(true), copies); err != nil {
			return nil, err
		}
	}
	if d, ok := rd.(store.PageDropper); ok && (copies != nil || len(tags)+len(events) >= dropPagesMinTags) {
		// Every tag and commit was read, the state is built: what comes
		// next touches few of their pages again (the commit events take
		// the commits' strings, not their bytes; views and a journal's
		// sort read the state).
		d.DropPages()
	}
	copies = nil // the strings stay, the map of them need not
	state.AttachCommits(commits)
	return &snapshot{tags: tags, state: state, head: head}, nil
}

// dropPagesMinTags is how many tags a load reads before it drops the
// pages the store mapped (store.PageDropper): on a small registry they are
// few, and touching them again would cost more than they weigh.
const dropPagesMinTags = 10000

// eventCommits lists the distinct commits of the event tags, of the events
// and of the annotated commits: the commits every version of the state is
// at.
func eventCommits(tags []model.TagInput, events []model.Event, annotated []model.AnnotatedCommit) []string {
	seen := make(map[string]bool, (len(tags)+len(events))/2)
	var out []string
	add := func(h string) {
		if h != "" && !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	for i := range tags {
		if tags[i].IsEvent() {
			add(tags[i].Commit)
		}
	}
	for i := range events {
		add(events[i].Commit)
	}
	for _, ac := range annotated {
		add(ac.Commit)
	}
	return out
}

// readCommits reads the given commits for their commit events; versions
// on commits the repository lacks (a shallow or partial clone) get none.
func readCommits(ctx context.Context, rd store.Reader, ids []string, copies heapCopies) (map[string]*model.CommitInfo, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	info := func(c *store.Commit) *model.CommitInfo {
		return &model.CommitInfo{
			AuthorName: c.AuthorName, AuthorEmail: c.AuthorEmail,
			CommitterName: c.CommitterName, CommitterEmail: c.CommitterEmail,
			CommitterTime: c.CommitterTime, Message: c.Message,
		}
	}
	if cs, ok := rd.(store.CommitStreamer); ok {
		// No map of the store's commits beside the model's (200,000 in a
		// history of 500,000 tags).
		out := make(map[string]*model.CommitInfo, len(ids))
		err := cs.EachCommit(ctx, ids, func(c *store.Commit) error {
			id := c.ID
			if copies != nil {
				// keyed on the heap copy, which the versions hold
				id = copies.of(id)
			}
			out[id] = info(c)
			return nil
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	commits, err := rd.Commits(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*model.CommitInfo, len(commits))
	for id, c := range commits {
		out[id] = info(&c)
	}
	return out, nil
}
