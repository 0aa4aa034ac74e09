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
}

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

// readTags lists the GTO-format tags in scope and reads the tag objects of
// the annotated ones through one cat-file process.
func readTags(ctx context.Context, repo *gitcmd.Repo, b *gitcmd.Batch, artifact string) ([]TagInput, error) {
	refs, err := repo.ListTags(ctx, tagPatterns(artifact)...)
	if err != nil {
		return nil, err
	}
	var tags []TagInput
	var objects []string
	index := map[string][]int{} // tag object -> positions in tags
	for _, ref := range refs {
		parsed, ok := tagname.Parse(ref.Name)
		if !ok || (artifact != "" && parsed.Artifact != artifact) {
			continue
		}
		t := TagInput{Name: ref.Name, Parsed: parsed}
		switch ref.Type {
		case "commit":
			t.Commit = ref.Object // lightweight: not an event, but counts for #N
		case "tag":
			t.Annotated = true
			if _, seen := index[ref.Object]; !seen {
				objects = append(objects, ref.Object)
			}
			index[ref.Object] = append(index[ref.Object], len(tags))
		}
		tags = append(tags, t)
	}
	if len(objects) == 0 {
		return tags, nil
	}
	objs, err := b.Tags(objects)
	if err != nil {
		return nil, err
	}
	var chained []gitcmd.TagObject // tag objects whose target is itself a tag
	for i, obj := range objs {
		if obj.ObjectType == "tag" {
			chained = append(chained, obj)
		}
		for _, pos := range index[objects[i]] {
			t := &tags[pos]
			t.Tagger, t.TaggerEmail, t.Time, t.Message = obj.TaggerName, obj.TaggerEmail, obj.Time, obj.Message
			t.NoTagger = !obj.HasTagger
			if obj.ObjectType == "commit" {
				t.Commit = obj.Object
			}
		}
	}
	if len(chained) == 0 {
		return tags, nil
	}
	targets, err := b.Peel(chained)
	if err != nil {
		return nil, err
	}
	for i, obj := range chained {
		if targets[i].Type != "commit" {
			continue // a chain ending on a tree or blob is not an event
		}
		for _, pos := range index[obj.ID] {
			tags[pos].Commit = targets[i].ID
		}
	}
	return tags, nil
}

// load reads the repository once and builds the state for the scope.
func (r *Registry) load(ctx context.Context, sc scope) (*snapshot, error) {
	if r.git == nil {
		return nil, r.noRepoError()
	}
	b, err := r.git.OpenBatch(ctx)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	tags, err := readTags(ctx, r.git, b, sc.artifact)
	if err != nil {
		return nil, err
	}
	head, err := r.git.Head(ctx)
	if err != nil && !errors.Is(err, gitcmd.ErrNoCommits) {
		return nil, err
	}
	in := BuildInput{Tags: tags}
	if head != "" && !sc.noAnnotations {
		in.Annotated, err = r.annotatedCommits(ctx, b, head, sc)
		if err != nil {
			return nil, err
		}
	}
	in.Commits, err = readCommits(b, tags, in.Annotated)
	if err != nil {
		return nil, err
	}
	return &snapshot{tags: tags, state: Build(in), head: head}, nil
}

// readCommits reads the commits that commit events need: every tag target
// and every annotated commit.
func readCommits(b *gitcmd.Batch, tags []TagInput, annotated []AnnotatedCommit) (map[string]*CommitInfo, error) {
	seen := map[string]bool{}
	var hashes []string
	add := func(h string) {
		if h != "" && !seen[h] {
			seen[h] = true
			hashes = append(hashes, h)
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
