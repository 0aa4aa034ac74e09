package registry

import (
	"context"
	"errors"
	"fmt"

	"github.com/gto-dev/gto/annotations"
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
	// noAnnotations skips artifacts.yaml (commands that only need tags).
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

// load reads the repository once and builds the state for the scope.
func (r *Registry) load(ctx context.Context, sc scope) (*snapshot, error) {
	if r.git == nil {
		return nil, r.noRepoError()
	}
	b, err := r.batch(ctx)
	if err != nil {
		return nil, err
	}
	tags, err := readTags(ctx, r.git, b, sc.artifact)
	if err != nil {
		return nil, err
	}
	head, err := b.ResolveCommit("HEAD")
	if err != nil && !errors.Is(err, gitcmd.ErrNoCommits) {
		return nil, err
	}
	in := BuildInput{Tags: tags, AnnotatedArtifactsOnly: sc.artifactsOnly}
	if head != "" && !sc.noAnnotations {
		in.Annotated, err = r.annotatedCommits(ctx, b, head, sc)
		if err != nil {
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

// annotatedCommits reads the annotation files at HEAD (or the branch tips,
// or every commit) and lists which artifacts each commit annotates.
func (r *Registry) annotatedCommits(ctx context.Context, b *gitcmd.Batch, head string, sc scope) ([]AnnotatedCommit, error) {
	commits := []string{head}
	var err error
	switch {
	case sc.allCommits:
		commits, err = r.git.AllCommits(ctx)
	case sc.allBranches:
		commits, err = r.git.Branches(ctx)
	}
	if err != nil {
		return nil, err
	}
	indexes, err := r.readIndexes(b, commits, !sc.allCommits && !sc.allBranches)
	if err != nil {
		return nil, err
	}
	var out []AnnotatedCommit
	for _, c := range commits {
		ix := indexes[c]
		if ix == nil || ix.Len() == 0 {
			continue
		}
		names := ix.Names()
		if sc.artifact != "" {
			names = filterName(names, sc.artifact)
		}
		if len(names) > 0 {
			out = append(out, AnnotatedCommit{Commit: c, Names: names})
		}
	}
	return out, nil
}

func filterName(names []string, keep string) []string {
	for _, n := range names {
		if n == keep {
			return []string{n}
		}
	}
	return nil
}

// readIndexes reads the annotations (artifacts.yaml, then dvc.yaml's
// `artifacts:`) at each commit, reading each distinct file content once.
// A malformed file is an error when strict (HEAD); in history (--all-*) a
// malformed old file is skipped, since it cannot be fixed any more.
func (r *Registry) readIndexes(b *gitcmd.Batch, commits []string, strict bool) (map[string]*annotations.Index, error) {
	out := make(map[string]*annotations.Index, len(commits))
	main, err := r.readIndexFile(b, commits, r.cfg.Index, strict, annotations.Parse)
	if err != nil {
		return nil, err
	}
	dvc, err := r.readIndexFile(b, commits, dvcFile, strict, annotations.ParseDVC)
	if err != nil {
		return nil, err
	}
	for _, c := range commits {
		ix := main[c]
		if d := dvc[c]; d != nil {
			if ix == nil {
				ix = d
			} else {
				ix.Merge(d)
			}
		}
		if ix != nil {
			out[c] = ix
		}
	}
	return out, nil
}

const dvcFile = "dvc.yaml"

type indexParser func(data []byte, file string) (*annotations.Index, error)

func (r *Registry) readIndexFile(b *gitcmd.Batch, commits []string, file string, strict bool, parse indexParser) (map[string]*annotations.Index, error) {
	ids, err := b.BlobIDs(commits, file)
	if err != nil {
		return nil, err
	}
	var blobIDs []string
	for _, c := range commits {
		if id, ok := ids[c]; ok {
			blobIDs = append(blobIDs, id)
		}
	}
	blobs, err := b.Blobs(blobIDs)
	if err != nil {
		return nil, err
	}
	parsed := map[string]*annotations.Index{} // blob id -> index (nil: malformed, skipped)
	out := map[string]*annotations.Index{}
	for _, c := range commits {
		id, ok := ids[c]
		if !ok {
			continue
		}
		ix, done := parsed[id]
		if !done {
			ix, err = parse(blobs[id], file)
			if err != nil {
				if strict {
					return nil, wrapInvalid(fmt.Errorf("%w (at commit %.7s)", err, c))
				}
				ix = nil
			}
			parsed[id] = ix
		}
		if ix != nil {
			out[c] = ix
		}
	}
	return out, nil
}

// annotationAt returns the annotation of artifact at commit (nil when none).
func (r *Registry) annotationAt(b *gitcmd.Batch, commit, artifact string) (*annotations.Artifact, error) {
	ix, err := r.readIndexes(b, []string{commit}, true)
	if err != nil {
		return nil, err
	}
	if i := ix[commit]; i != nil {
		if a, ok := i.Get(artifact); ok {
			return &a, nil
		}
	}
	return nil, nil
}
