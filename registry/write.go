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

// tagPlan is a tag to write: its parsed form, target and message.
type tagPlan struct {
	tag     tagname.Tag
	simple  Simple
	commit  string
	message string
	version string
	// sign: nil lets git's configuration decide (tag.gpgSign); true signs
	// (git tag -s); false never signs (--no-sign).
	sign *bool
}

// writer writes planned tags with one timestamp, so that an assignment and
// the registration it needs share their date (SPEC §6).
type writer struct {
	r    *Registry
	snap *snapshot
	date string
	// remote are tags of the remote that count for counters although they
	// are not in the local repository (renumbering after a push conflict).
	remote []TagInput
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
		err = w.r.git.CreateTag(ctx, gitcmd.TagRequest{Name: name, Target: p.commit, Message: p.message, Date: w.date, Sign: p.sign})
		if err == nil {
			w.snap.tags = append(w.snap.tags, TagInput{Name: name, Parsed: t, Annotated: true, Commit: p.commit})
			return CreatedTag{Name: name, Tag: t, Version: p.version, plan: p}, nil
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
	b, err := w.r.batch(ctx)
	if err != nil {
		return err
	}
	tags, err := readTags(ctx, w.r.git, b, artifact)
	if err != nil {
		return err
	}
	w.snap.tags = append(tags, w.remote...)
	return nil
}

// writeAll creates the planned tags in order; if one fails, the tags
// already written by this call are deleted again, so a failed command leaves
// nothing behind. The caller holds the write lock (lockWrites) since before
// it read the tags the plans were made from.
func (w *writer) writeAll(ctx context.Context, plans []*tagPlan) ([]CreatedTag, error) {
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

// lockWrites takes the write lock of the repository: a lock file in the git
// directory that serialises gto writers, so that each one reads the tags,
// plans its tags and writes (and pushes) them while no other gto process
// writes. Two processes then never give one counter to different tags,
// never register one version twice, and an automatic version is always
// the next free one. Writers in other clones meet at push time (publish).
func (r *Registry) lockWrites(ctx context.Context) (func(), error) {
	if r.git == nil {
		return nil, r.noRepoError()
	}
	return lockFile(ctx, filepath.Join(r.git.GitDir(), "gto-write.lock"))
}

// pushAttempts bounds how often publish renumbers and pushes again when
// other clones keep taking the counters it chose.
const pushAttempts = 5

// publish pushes created (and deleted) tags when asked to, or always for a
// registry opened from a URL. A refused push keeps the local tags and says
// how to retry (SPEC §5).
//
// Counters are per artifact, not per tag name, so before tags with a
// counter are pushed, origin's tags are listed: a counter another clone
// pushed meanwhile (under any name) is not reused. Such a tag, or a tag
// whose very name origin has (another clone pushed between the listing and
// the push), is renumbered: written again with the next counter free both
// locally and on origin, its old local tag deleted, origin's tags of the
// artifact fetched, and pushed again, at most pushAttempts times. A tag
// without counter cannot be renumbered (its name says what it means): the
// local tags stay, as in 0.2.4, and the error says they contradict origin's
// and how to take origin's instead (see abandon).
func (r *Registry) publish(ctx context.Context, res *WriteResult, push bool) error {
	res.Remote = "origin"
	if !push && r.remote == "" {
		return nil
	}
	if len(res.Created)+len(res.Deleted) == 0 {
		return nil
	}
	if hasCounter(res.Created) {
		remoteTags, err := r.git.ListRemoteTags(ctx, "origin")
		if err != nil {
			r.resync(ctx)
			return r.pushError(err, res)
		}
		if err := r.resolveConflicts(ctx, res, nil, nil, remoteTags); err != nil {
			return err
		}
	}
	for attempt := 1; ; attempt++ {
		err := r.pushResult(ctx, res)
		if err == nil {
			res.Pushed = true
			if r.remote != "" {
				res.Remote = r.remote
			}
			return nil
		}
		rejected, accepted := tagConflicts(err, res)
		if len(rejected) == 0 {
			r.resync(ctx)
			return r.pushError(err, res)
		}
		remoteTags, lerr := r.git.ListRemoteTags(ctx, "origin")
		if lerr != nil {
			return r.pushError(fmt.Errorf("%w; listing origin's tags failed too: %v", err, lerr), res)
		}
		if err := r.resolveConflicts(ctx, res, rejected, accepted, remoteTags); err != nil {
			return err
		}
		if attempt == pushAttempts {
			r.resync(ctx)
			if r.remote != "" {
				return &Error{Kind: ErrPush, Err: err, Msg: fmt.Sprintf("%s kept taking the counters gto chose (%d attempts), nothing was published: run the command again", r.remote, pushAttempts)}
			}
			return &Error{Kind: ErrPush, Err: err, Msg: fmt.Sprintf("origin kept taking the counters gto chose (%d attempts); the local repository keeps the renumbered change: run `%s` to publish it", pushAttempts, PushCommand("origin", res))}
		}
	}
}

func hasCounter(created []CreatedTag) bool {
	for _, c := range created {
		if c.Tag.Counter > 0 {
			return true
		}
	}
	return false
}

// pushResult pushes the result's tags to origin, atomically when there are
// several (an assignment must not reach the remote without the
// registration it needs), or one by one when the remote cannot.
func (r *Registry) pushResult(ctx context.Context, res *WriteResult) error {
	var refspecs []string
	for _, c := range res.Created {
		refspecs = append(refspecs, "refs/tags/"+c.Name+":refs/tags/"+c.Name)
	}
	for _, d := range res.Deleted {
		refspecs = append(refspecs, ":refs/tags/"+d)
	}
	atomic := len(refspecs) > 1
	err := r.git.PushWith(ctx, "origin", refspecs, gitcmd.PushOptions{Atomic: atomic})
	if atomic && errors.Is(err, gitcmd.ErrAtomicUnsupported) {
		err = r.git.Push(ctx, "origin", refspecs)
	}
	return err
}

// pushError is the error of a push that failed for another reason than a
// tag the remote already has.
func (r *Registry) pushError(err error, res *WriteResult) error {
	if r.remote != "" {
		names := make([]string, 0, len(res.Created)+len(res.Deleted))
		for _, c := range res.Created {
			names = append(names, c.Name)
		}
		names = append(names, res.Deleted...)
		return &Error{Kind: ErrPush, Err: err, Msg: fmt.Sprintf("pushing %s to %s failed, nothing was published: %v", strings.Join(names, ", "), r.remote, err)}
	}
	return &Error{Kind: ErrPush, Err: err, Msg: fmt.Sprintf("pushing to origin failed (%v); the local repository keeps the change: run `%s` once the remote accepts it", err, PushCommand("origin", res))}
}

// tagConflicts returns the indexes in res.Created of the tags the remote
// rejected because it has a different tag of that name, and the names of
// the created tags it accepted (a push that could not be atomic). It
// returns no conflicts when some ref was rejected for another reason:
// renumbering would not help then.
func tagConflicts(err error, res *WriteResult) (conflicts []int, accepted map[string]bool) {
	var pe *gitcmd.PushError
	if !errors.As(err, &pe) {
		return nil, nil
	}
	index := map[string]int{}
	for i, c := range res.Created {
		index["refs/tags/"+c.Name] = i
	}
	rejected := map[string]bool{}
	for _, rej := range pe.Rejected {
		i, ours := index[rej.Ref]
		switch {
		case ours && rej.Reason == gitcmd.ReasonAlreadyExists:
			conflicts = append(conflicts, i)
		case ours && rej.Reason == gitcmd.ReasonAtomicFailed:
		default:
			return nil, nil
		}
		rejected[rej.Ref] = true
	}
	accepted = map[string]bool{}
	for _, c := range res.Created {
		if !rejected["refs/tags/"+c.Name] {
			accepted[c.Name] = true
		}
	}
	return conflicts, accepted
}

// resolveConflicts handles the tags of res.Created that origin rejected
// because it has a different tag of that name (the indexes rejected), and
// the tags whose counter origin's tags (remoteTags) already use under
// another name: tags with a counter get the next counter free both locally
// and on origin, and origin's tags of the artifacts are fetched, so that
// the local repository has the events that took the counters. When a
// rejected tag has no counter, an error says what to do (see abandon).
func (r *Registry) resolveConflicts(ctx context.Context, res *WriteResult, rejected []int, accepted map[string]bool, remoteTags []gitcmd.RemoteTag) error {
	artifacts := map[string]bool{}
	for _, c := range res.Created {
		artifacts[c.Tag.Artifact] = true
	}
	var fixed []int // rejected tags without counter
	conflict := map[int]bool{}
	for _, i := range rejected {
		if res.Created[i].Tag.Counter == 0 {
			fixed = append(fixed, i)
		}
		conflict[i] = true
	}
	if len(fixed) > 0 {
		return r.abandon(ctx, res, fixed, accepted)
	}
	// Counters origin uses, per artifact, and under which names.
	taken := map[string]map[int][]string{}
	for _, rt := range remoteTags {
		if p, ok := tagname.Parse(rt.Name); ok && artifacts[p.Artifact] && p.Counter > 0 {
			if taken[p.Artifact] == nil {
				taken[p.Artifact] = map[int][]string{}
			}
			taken[p.Artifact][p.Counter] = append(taken[p.Artifact][p.Counter], rt.Name)
		}
	}
	for i, c := range res.Created {
		if c.Tag.Counter == 0 || accepted[c.Name] {
			continue
		}
		for _, name := range taken[c.Tag.Artifact][c.Tag.Counter] {
			if name != c.Name {
				conflict[i] = true
			}
		}
	}
	if len(conflict) == 0 {
		return nil
	}
	for i := range res.Created {
		if !conflict[i] {
			continue
		}
		old := res.Created[i]
		w := r.newWriter(&snapshot{})
		for _, rt := range remoteTags {
			if p, ok := tagname.Parse(rt.Name); ok && p.Artifact == old.Tag.Artifact {
				w.remote = append(w.remote, TagInput{Name: rt.Name, Parsed: p})
			}
		}
		if err := w.refresh(ctx, old.Tag.Artifact); err != nil {
			return err
		}
		plan := *old.plan
		plan.simple = SimpleFalse
		plan.tag.Counter = 0
		c, err := w.create(ctx, &plan)
		if err != nil {
			return err
		}
		if err := r.git.DeleteTag(ctx, old.Name, ""); err != nil && !errors.Is(err, gitcmd.ErrRefNotFound) {
			return fmt.Errorf("renumbered %q to %q but could not delete the local %q: %w", old.Name, c.Name, old.Name, err)
		}
		res.Created[i] = c
		res.Renumbered = append(res.Renumbered, Renumbering{From: old.Name, To: c.Name})
	}
	r.fetchMissing(ctx, remoteTags, artifacts)
	return nil
}

// abandon handles a tag without counter that origin refused because it has
// a different tag of that name (the name says what the tag means, so it
// cannot take another). A local repository keeps the command's tags, as
// 0.2.4 does (SPEC §5: the local tag is kept), and the error says that they
// contradict origin and how to take origin's instead; a remote registry's
// mirror is left as the remote is.
func (r *Registry) abandon(ctx context.Context, res *WriteResult, fixed []int, accepted map[string]bool) error {
	first := res.Created[fixed[0]]
	var published, kept []string
	for _, c := range res.Created {
		if accepted[c.Name] {
			published = append(published, fmt.Sprintf("%q", c.Name))
		} else {
			kept = append(kept, c.Name)
		}
	}
	what := "nothing was pushed"
	if len(published) > 0 {
		what = strings.Join(published, ", ") + " reached origin"
	}
	fetch := []string{"git", "fetch", "origin"}
	for _, i := range fixed {
		fetch = append(fetch, "tag", res.Created[i].Name)
	}
	res.Created = nil // the error says what became of each tag
	cause := fmt.Sprintf("%q (%s)", first.Name, conflictCause(first))
	if r.remote != "" {
		r.resync(ctx)
		next, _ := conflictNext(first)
		return &Error{Kind: ErrConflict, Msg: fmt.Sprintf("%s already has a different tag %s: %s; %s",
			r.remote, cause, what, next)}
	}
	quoted := make([]string, len(kept))
	for i, k := range kept {
		quoted[i] = fmt.Sprintf("%q", k)
	}
	take := gitcmd.ShellQuote(append([]string{"git", "tag", "-d"}, kept...)...) + " && " + gitcmd.ShellQuote(fetch...)
	next, done := conflictNext(first)
	sep := ", then "
	if done {
		sep = ": "
	}
	return &Error{Kind: ErrConflict, Msg: fmt.Sprintf("origin already has a different tag %s: %s, and the local %s kept, contradicting origin; to take origin's, run `%s`%s%s",
		cause, what, tagsAre(quoted), take, sep, next)}
}

// tagsAre lists quoted tag names with the verb agreeing: `tag "a" is`,
// `tags "a", "b" are`.
func tagsAre(names []string) string {
	if len(names) == 1 {
		return "tag " + names[0] + " is"
	}
	return "tags " + strings.Join(names, ", ") + " are"
}

// conflictCause says what another clone did to take the name of c.
func conflictCause(c CreatedTag) string {
	switch c.Tag.Action {
	case tagname.ActionRegister:
		return fmt.Sprintf("another clone registered version %s first", c.Tag.Version)
	case tagname.ActionDeregister:
		return fmt.Sprintf("another clone deregistered version %s first", c.Tag.Version)
	case tagname.ActionDeprecate:
		return "another clone deprecated the artifact first"
	}
	return "another clone wrote it first"
}

// conflictNext says what to do after a conflict on c, once the registry
// has origin's tags; done reports that origin already holds what the
// command wanted (nothing more to do).
func conflictNext(c CreatedTag) (next string, done bool) {
	switch c.Tag.Action {
	case tagname.ActionRegister:
		return fmt.Sprintf("register again: without --version gto takes the next free version of %q", c.Tag.Artifact), false
	case tagname.ActionDeregister:
		return "the version is deregistered on origin, nothing more to do", true
	case tagname.ActionDeprecate:
		return "the artifact is deprecated on origin, nothing more to do", true
	case tagname.ActionAssign:
		return "assign again without --simple true, so that the tag gets the next free counter", false
	case tagname.ActionUnassign:
		return "unassign again without --simple true, so that the tag gets the next free counter", false
	}
	return "run the command again", false
}

// fetchMissing fetches origin's tags of the artifacts that the local
// repository does not have (after a conflict: the tags another clone
// pushed). It is best effort: the registry stays consistent without them,
// only less complete.
func (r *Registry) fetchMissing(ctx context.Context, remoteTags []gitcmd.RemoteTag, artifacts map[string]bool) {
	var patterns []string
	for a := range artifacts {
		patterns = append(patterns, tagPatterns(a)...)
	}
	local, err := r.git.ListTags(ctx, patterns...)
	if err != nil {
		return
	}
	have := make(map[string]bool, len(local))
	for _, t := range local {
		have[t.Name] = true
	}
	var missing []string
	for _, rt := range remoteTags {
		if p, ok := tagname.Parse(rt.Name); ok && artifacts[p.Artifact] && !have[rt.Name] {
			missing = append(missing, rt.Name)
		}
	}
	_ = r.git.FetchTags(ctx, "origin", missing)
}

// PushCommand is the shell command (shell-quoted) that publishes the
// result's changes.
func PushCommand(remote string, res *WriteResult) string {
	args := []string{"git", "push", remote}
	if len(res.Deleted) > 0 && len(res.Created) == 0 {
		return gitcmd.ShellQuote(append(append(args, "--delete"), res.Deleted...)...)
	}
	for _, c := range res.Created {
		args = append(args, c.Name)
	}
	for _, d := range res.Deleted {
		args = append(args, ":refs/tags/"+d)
	}
	return gitcmd.ShellQuote(args...)
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
