package registry

import (
	"context"
	"errors"

	"github.com/gto-dev/gto/internal/gitcmd"
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
	tags  []TagInput
	state *State
	head  string // HEAD commit, "" in a repository without commits
}

// tagPatterns returns the for-each-ref patterns (relative to refs/tags/)
// that select one artifact's tags. `*` does not match "/" in for-each-ref
// patterns, so stage names with slashes need the second `#` pattern.
func tagPatterns(artifact string) []string {
	if artifact == "" {
		return nil
	}
	p := tagname.TagPrefix(artifact)
	return []string{p + "@*", p + "#*", p + "#*/**"}
}

// readTags reads the GTO-format tags in scope (lightweight ones too: they
// count for counters) with their tag objects, in one for-each-ref streamed
// into the cat-file process.
func readTags(ctx context.Context, repo *gitcmd.Repo, b *gitcmd.Batch, artifact string) ([]TagInput, error) {
	keep := func(name string) bool {
		p, ok := tagname.Parse(name)
		return ok && (artifact == "" || p.Artifact == artifact)
	}
	recs, err := b.ReadTags(ctx, keep, tagPatterns(artifact)...)
	if err != nil {
		return nil, err
	}
	tags := make([]TagInput, 0, len(recs))
	var chained []gitcmd.TagObject // tag objects whose target is itself a tag
	var chainedAt []int
	for _, rec := range recs {
		parsed, _ := tagname.Parse(rec.Name)
		t := TagInput{Name: rec.Name, Parsed: parsed}
		switch {
		case rec.Type == "commit":
			t.Commit = rec.Object // lightweight: not an event, but counts for #N
		case rec.Malformed:
			t.Annotated, t.Malformed = true, true // not an event; doctor names it
		case rec.Missing:
			t.Missing = true // not an event, but its name is taken; doctor names it
		case rec.Tag != nil:
			obj := rec.Tag
			t.Annotated = true
			t.Tagger, t.TaggerEmail, t.Time, t.Message = obj.TaggerName, obj.TaggerEmail, obj.Time, obj.Message
			t.NoTagger = !obj.HasTagger
			switch obj.ObjectType {
			case "commit":
				t.Commit = obj.Object
			case "tag":
				chained = append(chained, *obj)
				chainedAt = append(chainedAt, len(tags))
			}
		}
		tags = append(tags, t)
	}
	if len(chained) > 0 {
		targets, err := b.Peel(chained)
		if err != nil {
			return nil, err
		}
		for i, target := range targets {
			if target.Type == "commit" { // a chain ending on a tree or blob is not an event
				tags[chainedAt[i]].Commit = target.ID
			}
		}
	}
	return tags, nil
}

// load reads the repository and builds the state for the scope. A remote
// registry's mirror is read while the remote is listed (see ready): when
// the remote turns out to have changed, the mirror is updated and read
// again.
func (r *Registry) load(ctx context.Context, sc scope) (*snapshot, error) {
	snap, err := r.loadOnce(ctx, sc)
	if changed, rerr := r.ready(ctx); rerr != nil {
		return nil, rerr
	} else if changed {
		return r.loadOnce(ctx, sc)
	}
	return snap, err
}

// loadOnce reads the repository once and builds the state for the scope.
func (r *Registry) loadOnce(ctx context.Context, sc scope) (*snapshot, error) {
	if r.git == nil {
		return nil, r.noRepoError()
	}
	b, err := r.batch(ctx)
	if err != nil {
		return nil, err
	}
	// The annotations of every commit or branch tip come mostly from the
	// object cache and a for-each-ref of their own: read them while the
	// tags are read.
	var annotated []AnnotatedCommit
	var annotatedErr error
	annotatedDone := make(chan struct{})
	history := !sc.noAnnotations && (sc.allCommits || sc.allBranches)
	if history {
		go func() {
			defer close(annotatedDone)
			annotated, annotatedErr = r.annotatedCommits(ctx, b, "", sc)
		}()
	} else {
		close(annotatedDone)
	}
	tags, err := readTags(ctx, r.git, b, sc.artifact)
	<-annotatedDone
	if err != nil {
		return nil, err
	}
	if annotatedErr != nil {
		return nil, annotatedErr
	}
	head, err := b.ResolveCommit("HEAD")
	if err != nil && !errors.Is(err, gitcmd.ErrNoCommits) {
		return nil, err
	}
	in := BuildInput{Tags: tags, Annotated: annotated, AnnotatedArtifactsOnly: sc.artifactsOnly}
	if head != "" && !sc.noAnnotations && !history {
		if in.Annotated, err = r.annotatedCommits(ctx, b, head, sc); err != nil {
			return nil, err
		}
	}
	// The commits of the tags' targets are known now: read them (cat-file
	// on the other core) while the state is built.
	var commits map[string]*CommitInfo
	var commitsErr error
	done := make(chan struct{})
	if sc.commits == commitsAll {
		go func() {
			defer close(done)
			commits, commitsErr = readCommits(b, eventCommits(tags, in.Annotated))
		}()
	} else {
		close(done)
	}
	state := Build(in)
	<-done
	if commitsErr != nil {
		return nil, commitsErr
	}
	if sc.commits == commitsUnregistered {
		if commits, err = readCommits(b, state.CommitsNeeded(true)); err != nil {
			return nil, err
		}
	}
	state.AttachCommits(commits)
	return &snapshot{tags: tags, state: state, head: head}, nil
}

// eventCommits lists the distinct commits of the event tags and of the
// annotated commits: the commits every version of the state is at.
func eventCommits(tags []TagInput, annotated []AnnotatedCommit) []string {
	seen := make(map[string]bool, len(tags)/2)
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
	for _, ac := range annotated {
		add(ac.Commit)
	}
	return out
}

// readCommits reads the given commits for their commit events.
func readCommits(b *gitcmd.Batch, hashes []string) (map[string]*CommitInfo, error) {
	if len(hashes) == 0 {
		return nil, nil
	}
	commits, err := b.Commits(hashes)
	if errors.Is(err, gitcmd.ErrObjectNotFound) {
		// A shallow or partial clone lacks some commits: read those that
		// exist; versions on missing commits get no commit event.
		commits = map[string]gitcmd.Commit{}
		for _, h := range hashes {
			one, err := b.Commits([]string{h})
			if err == nil {
				commits[h] = one[h]
			} else if !errors.Is(err, gitcmd.ErrObjectNotFound) {
				return nil, err
			}
		}
	} else if err != nil {
		return nil, err
	}
	out := make(map[string]*CommitInfo, len(commits))
	for h, c := range commits {
		out[h] = &CommitInfo{
			AuthorName: c.AuthorName, AuthorEmail: c.AuthorEmail,
			CommitterName: c.CommitterName, CommitterEmail: c.CommitterEmail,
			CommitterTime: c.CommitterTime, Message: c.Message,
		}
	}
	return out, nil
}
