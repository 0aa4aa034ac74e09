package registry

import (
	"context"
	"fmt"
	"strings"

	"github.com/gto-dev/gto/annotations"
	"github.com/gto-dev/gto/internal/gitcmd"
)

// The annotation files: artifacts.yaml (r.cfg.Index) first, then the
// `artifacts:` section of dvc.yaml, which adds the artifacts the first does
// not have.
const dvcFile = "dvc.yaml"

type indexParser func(data []byte, file string) (*annotations.Index, error)

// indexFile is one annotation file and how it is read.
type indexFile struct {
	path  string
	kind  string // names the parser in memo slots
	parse indexParser
}

func (r *Registry) indexFiles() []indexFile {
	return []indexFile{
		{r.cfg.Index, "artifacts", annotations.Parse},
		{dvcFile, "dvc", annotations.ParseDVC},
	}
}

// annotatedCommits reads the annotation files at HEAD (or the branch tips,
// or every commit, and then head is not used) and lists which artifacts
// each commit annotates.
func (r *Registry) annotatedCommits(ctx context.Context, b *gitcmd.Batch, head string, sc scope) ([]AnnotatedCommit, error) {
	if !sc.allCommits && !sc.allBranches {
		// HEAD: a malformed file is an error the user can fix.
		indexes, err := r.readIndexes(b, []string{head}, true)
		if err != nil {
			return nil, err
		}
		if ix := indexes[head]; ix != nil {
			if names := filterName(ix.Names(), sc.artifact); len(names) > 0 {
				return []AnnotatedCommit{{Commit: head, Names: names}}, nil
			}
		}
		return nil, nil
	}
	files := r.indexFiles()
	paths := []string{files[0].path, files[1].path}
	var walk []gitcmd.CommitFiles
	var err error
	if sc.allCommits {
		walk, err = b.BranchHistory(ctx, paths)
	} else {
		var tips []string
		if tips, err = r.git.Branches(ctx); err == nil {
			walk, err = b.FilesAt(tips, paths)
		}
	}
	if err != nil {
		return nil, err
	}
	names, err := r.annotatedNames(b, files, walk)
	if err != nil {
		return nil, err
	}
	var out []AnnotatedCommit
	seen := map[*string]bool{} // names slices listed, with artifactsOnly
	for i, cf := range walk {
		ns := names[i]
		if sc.artifact != "" {
			ns = filterName(ns, sc.artifact)
		}
		if len(ns) == 0 {
			continue
		}
		if sc.artifactsOnly {
			// Only the artifacts are created, in the order they are first
			// seen: the first commit of each distinct pair of files says
			// all (commits with the same files share one names slice).
			if seen[&ns[0]] {
				continue
			}
			seen[&ns[0]] = true
		}
		out = append(out, AnnotatedCommit{Commit: cf.Commit, Names: ns})
	}
	return out, nil
}

// pairKey identifies a commit's pair of annotation files.
type pairKey [2]string

func pairOf(blobs []string) pairKey { return pairKey{blobs[0], blobs[1]} }

// annotatedNames returns, for each commit of walk, the artifact names its
// pair of annotation files declares: artifacts.yaml's, then those only
// dvc.yaml has (one slice per distinct pair). A malformed file annotates
// nothing: in history it cannot be fixed any more. The names of a blob are remembered in the object cache,
// so a long history is parsed once, not on every --all-commits.
func (r *Registry) annotatedNames(b *gitcmd.Batch, files []indexFile, walk []gitcmd.CommitFiles) ([][]string, error) {
	perFile := make([]map[string][]string, len(files)) // blob id -> names
	for f, file := range files {
		known := map[string][]string{"": nil}
		var unknown []string
		for i, cf := range walk {
			id := cf.Blobs[f]
			if i > 0 && id == walk[i-1].Blobs[f] {
				continue
			}
			if _, ok := known[id]; ok {
				continue
			}
			if v, ok := b.Memo(namesSlot(file, id)); ok {
				known[id] = decodeNames(v)
			} else {
				known[id] = nil
				unknown = append(unknown, id)
			}
		}
		blobs, _, err := blobsUpTo(b, unknown, annotations.MaxFileSize)
		if err != nil {
			return nil, err
		}
		for _, id := range unknown {
			var names []string // none for a file too large or malformed
			if data, ok := blobs[id]; ok {
				if ix, err := file.parse(data, file.path); err == nil {
					names = ix.Names()
				}
			}
			known[id] = names
			if v, ok := encodeNames(names); ok {
				b.SetMemo(namesSlot(file, id), v)
			}
		}
		perFile[f] = known
	}
	out := make([][]string, len(walk))
	merged := map[pairKey][]string{}
	for i, cf := range walk {
		if i > 0 && sameFiles(cf, walk[i-1]) {
			out[i] = out[i-1] // the common case: files change rarely
			continue
		}
		key := pairOf(cf.Blobs)
		names, ok := merged[key]
		if !ok {
			names = perFile[0][cf.Blobs[0]]
			if extra := perFile[1][cf.Blobs[1]]; len(extra) > 0 {
				names = mergeNames(names, extra)
			}
			merged[key] = names
		}
		out[i] = names
	}
	return out, nil
}

func sameFiles(a, b gitcmd.CommitFiles) bool {
	return a.Blobs[0] == b.Blobs[0] && a.Blobs[1] == b.Blobs[1]
}

func namesSlot(file indexFile, blob string) string {
	return "annotation-names\x00" + file.kind + "\x00" + blob
}

// encodeNames joins names by newlines, which valid artifact names never
// contain; ok is false for names it cannot encode (then nothing is memoised).
func encodeNames(names []string) (string, bool) {
	for _, n := range names {
		if n == "" || strings.Contains(n, "\n") {
			return "", false
		}
	}
	return strings.Join(names, "\n"), true
}

func decodeNames(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, "\n")
}

// mergeNames returns first followed by the names of second it lacks, as
// annotations.Index.Merge orders them.
func mergeNames(first, second []string) []string {
	out := append([]string(nil), first...)
	have := make(map[string]bool, len(first))
	for _, n := range first {
		have[n] = true
	}
	for _, n := range second {
		if !have[n] {
			out = append(out, n)
		}
	}
	return out
}

func filterName(names []string, keep string) []string {
	if keep == "" {
		return names
	}
	for _, n := range names {
		if n == keep {
			return []string{n}
		}
	}
	return nil
}

// readIndexes reads the annotations at each commit, reading each distinct
// file content once. A malformed file is an error when strict (HEAD);
// elsewhere (old versions' commits) it is skipped, since it cannot be fixed
// any more.
func (r *Registry) readIndexes(b *gitcmd.Batch, commits []string, strict bool) (map[string]*annotations.Index, error) {
	files := r.indexFiles()
	ids := make([]map[string]string, len(files))                // per file: commit -> blob id
	parsed := make([]map[string]*annotations.Index, len(files)) // per file: blob id -> index
	for f, file := range files {
		var err error
		if ids[f], parsed[f], err = readIndexFile(b, commits, file, strict); err != nil {
			return nil, err
		}
	}
	// Commits with the same files share one index; the merged one is built
	// afresh, as parsed indexes are shared by every commit with that file.
	merged := map[string]*annotations.Index{}
	out := make(map[string]*annotations.Index, len(commits))
	for _, c := range commits {
		main, dvc := parsed[0][ids[0][c]], parsed[1][ids[1][c]]
		key := ids[0][c] + " " + ids[1][c]
		ix, done := merged[key]
		if !done {
			switch {
			case main != nil && dvc != nil:
				ix = annotations.New(main.File())
				ix.Merge(main)
				ix.Merge(dvc)
			case main != nil:
				ix = main
			default:
				ix = dvc
			}
			merged[key] = ix
		}
		if ix != nil {
			out[c] = ix
		}
	}
	return out, nil
}

// readIndexFile reads one annotation file at each commit: its blob id at
// each commit that has it, and each distinct blob parsed once (nil when
// malformed and not strict).
func readIndexFile(b *gitcmd.Batch, commits []string, file indexFile, strict bool) (map[string]string, map[string]*annotations.Index, error) {
	files, err := b.FilesAt(commits, []string{file.path})
	if err != nil {
		return nil, nil, err
	}
	ids := make(map[string]string, len(commits))
	for _, cf := range files {
		if cf.Blobs[0] != "" {
			ids[cf.Commit] = cf.Blobs[0]
		}
	}
	var blobIDs []string
	for _, c := range commits {
		if id, ok := ids[c]; ok {
			blobIDs = append(blobIDs, id)
		}
	}
	blobs, tooLarge, err := blobsUpTo(b, blobIDs, annotations.MaxFileSize)
	if err != nil {
		return nil, nil, err
	}
	parsed := map[string]*annotations.Index{}
	for _, c := range commits {
		id, ok := ids[c]
		if !ok {
			continue
		}
		if _, done := parsed[id]; done {
			continue
		}
		var ix *annotations.Index
		if size, large := tooLarge[id]; large {
			err = annotations.CheckSize(file.path, size)
		} else {
			ix, err = file.parse(blobs[id], file.path)
		}
		if err != nil {
			if strict {
				return nil, nil, wrapInvalid(fmt.Errorf("%w (at commit %.7s)", err, c))
			}
			ix = nil
		}
		parsed[id] = ix
	}
	return ids, parsed, nil
}

// blobsUpTo reads the blobs ids that are at most limit bytes large; the
// others are left out and returned with their sizes. Refusing a 1 GB file
// committed as artifacts.yaml must not cost reading 1 GB: one round trip
// of cat-file "info" requests first.
func blobsUpTo(b *gitcmd.Batch, ids []string, limit int64) (map[string][]byte, map[string]int64, error) {
	infos, err := b.Info(ids)
	if err != nil {
		return nil, nil, err
	}
	var small []string
	large := map[string]int64{}
	for i, info := range infos {
		if info.Size > limit {
			large[ids[i]] = info.Size
		} else {
			small = append(small, ids[i])
		}
	}
	blobs, err := b.Blobs(small)
	return blobs, large, err
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
