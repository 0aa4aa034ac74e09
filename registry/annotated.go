package registry

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/gto-dev/gto/annotations"
	"github.com/gto-dev/gto/internal/objectid"
	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/model"
)

// The annotation files: artifacts.yaml (the configuration's Index) first, then the
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

func (s *session) indexFiles() []indexFile {
	return []indexFile{
		{s.cfg.Index, "artifacts", annotations.Parse},
		{dvcFile, "dvc", annotations.ParseDVC},
	}
}

// annotatedCommits reads the annotation files at HEAD (or the branch tips,
// or every commit, and then head is not used) and lists which artifacts
// each commit annotates.
func annotatedCommits(ctx context.Context, s *session, head string, sc scope) ([]model.AnnotatedCommit, error) {
	if !sc.allCommits && !sc.allBranches {
		// HEAD: a malformed file is an error the user can fix.
		indexes, err := readIndexes(ctx, s, []string{head}, true, sc.artifact)
		if err != nil {
			return nil, err
		}
		if ix := indexes[head]; ix != nil {
			if names := filterName(ix.Names(), sc.artifact); len(names) > 0 {
				return []model.AnnotatedCommit{{Commit: head, Names: names}}, nil
			}
		}
		return nil, nil
	}
	files, err := historyIndexFiles(ctx, s)
	if err != nil {
		return nil, err
	}
	if sc.allCommits && sc.artifactsOnly && sc.artifact == "" {
		return firstAnnotated(ctx, s.rd, files, func() ([]model.AnnotatedCommit, error) {
			return walkAnnotated(ctx, s, files, sc)
		})
	}
	return walkAnnotated(ctx, s, files, sc)
}

// walkAnnotated is annotatedCommits of the commits of the branches
// (--all-commits) or of their tips (--all-branches).
func walkAnnotated(ctx context.Context, s *session, files []indexFile, sc scope) ([]model.AnnotatedCommit, error) {
	var err error
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = f.path
	}
	var walk []store.CommitFiles
	if sc.allCommits {
		walk, err = s.rd.BranchHistory(ctx, paths)
	} else {
		var tips []string
		if tips, err = s.rd.Branches(ctx); err == nil {
			walk, err = s.rd.FilesAt(ctx, tips, paths)
		}
	}
	if err != nil {
		return nil, err
	}
	names, err := annotatedNames(ctx, s.rd, files, walk)
	if err != nil {
		return nil, err
	}
	var out []model.AnnotatedCommit
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
		out = append(out, model.AnnotatedCommit{Commit: cf.Commit, Names: ns})
	}
	return out, nil
}

// historyIndexFiles is indexFiles plus every nested dvc.yaml that the
// branches' history has had (a monorepo's project folders), each read as
// Index.Nested names it.
func historyIndexFiles(ctx context.Context, s *session) ([]indexFile, error) {
	files := s.indexFiles()
	nested, err := historyPaths(ctx, s.rd, dvcFile)
	if err != nil {
		return nil, err
	}
	for _, p := range nested {
		if dir := path.Dir(p); dir != "." {
			files = append(files, indexFile{p, "dvc\x00" + dir, nestedDVC(dir)})
		}
	}
	return files, nil
}

// nestedDVC parses a dvc.yaml of the folder dir.
func nestedDVC(dir string) indexParser {
	return func(data []byte, file string) (*annotations.Index, error) {
		ix, err := annotations.ParseDVC(data, file)
		if err != nil {
			return nil, err
		}
		return ix.Nested(dir, file)
	}
}

// annotatedNames returns, for each commit of walk, the artifact names its
// annotation files declare: artifacts.yaml's, then those only the next
// files have (one slice per distinct set of blobs). A malformed file
// annotates nothing: in history it cannot be fixed any more. The names of
// a blob are remembered in the object cache, so a long history is parsed
// once, not on every --all-commits.
func annotatedNames(ctx context.Context, rd store.Reader, files []indexFile, walk []store.CommitFiles) ([][]string, error) {
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
			if v, ok := rd.Memo(namesSlot(file, id)); ok {
				known[id] = decodeNames(v)
			} else {
				known[id] = nil
				unknown = append(unknown, id)
			}
		}
		blobs, _, err := rd.Blobs(ctx, unknown, annotations.MaxFileSize)
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
				rd.SetMemo(namesSlot(file, id), v)
			}
		}
		perFile[f] = known
	}
	out := make([][]string, len(walk))
	merged := map[string][]string{}
	for i, cf := range walk {
		if i > 0 && slices.Equal(cf.Blobs, walk[i-1].Blobs) {
			out[i] = out[i-1] // the common case: files change rarely
			continue
		}
		key := strings.Join(cf.Blobs, " ")
		names, ok := merged[key]
		if !ok {
			names = perFile[0][cf.Blobs[0]]
			for f := 1; f < len(files); f++ {
				if extra := perFile[f][cf.Blobs[f]]; len(extra) > 0 {
					names = mergeNames(names, extra)
				}
			}
			merged[key] = names
		}
		out[i] = names
	}
	return out, nil
}

// namesSlot is the memo slot of the names a blob annotates; its version
// changes when the parser reads other names from the same file (2: plain
// numbers and booleans read as Python writes them, and a file with a type
// or label that is not a valid name is read).
func namesSlot(file indexFile, blob string) string {
	return "annotation-names2\x00" + file.kind + "\x00" + blob
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
// any more. With only, the caller asks about that artifact alone: an
// index may then hold only it (HEAD's, decoded from its memo).
func readIndexes(ctx context.Context, s *session, commits []string, strict bool, only string) (map[string]*annotations.Index, error) {
	out := make(map[string]*annotations.Index, len(commits))
	var unread []string
	for _, c := range commits {
		if r, ok := s.indexes[c]; ok && (r.strict || !strict) && (r.only == "" || r.only == only) {
			out[c] = r.ix
		} else {
			unread = append(unread, c)
		}
	}
	if len(unread) == 0 {
		return out, nil
	}
	read, err := readIndexesOnce(ctx, s, unread, strict, only)
	if err != nil {
		return nil, err
	}
	if s.indexes == nil {
		s.indexes = map[string]readIndex{}
	}
	for c, ix := range read {
		out[c] = ix
		// Only what parsed, and only commit ids, which name the same
		// files for ever.
		if objectid.Is(c) {
			s.indexes[c] = readIndex{ix, strict, only}
		}
	}
	return out, nil
}

// readIndexesOnce is readIndexes without the session's memory.
func readIndexesOnce(ctx context.Context, s *session, commits []string, strict bool, only string) (map[string]*annotations.Index, error) {
	files := s.indexFiles()
	ids := make([]map[string]string, len(files))                // per file: commit -> blob id
	parsed := make([]map[string]*annotations.Index, len(files)) // per file: blob id -> index
	for f, file := range files {
		var err error
		if ids[f], parsed[f], err = readAnnotationFile(ctx, s.rd, commits, file, strict, only); err != nil {
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

// readAnnotationFile is readIndexFile, or readDVCFiles for dvc.yaml (every
// one of the tree).
func readAnnotationFile(ctx context.Context, rd store.Reader, commits []string, file indexFile, strict bool, only string) (map[string]string, map[string]*annotations.Index, error) {
	if file.kind == "dvc" {
		return readDVCFiles(ctx, rd, commits, file, strict)
	}
	return readIndexFile(ctx, rd, commits, file, strict, only)
}

// readIndexFile reads one annotation file at each commit: its blob id at
// each commit that has it, and each distinct blob parsed once (nil when
// malformed and not strict); HEAD's from its memo, of only (see
// readIndexes).
func readIndexFile(ctx context.Context, rd store.Reader, commits []string, file indexFile, strict bool, only string) (map[string]string, map[string]*annotations.Index, error) {
	files, err := rd.FilesAt(ctx, commits, []string{file.path})
	if err != nil {
		return nil, nil, err
	}
	ids := make(map[string]string, len(commits))
	for _, cf := range files {
		if cf.Blobs[0] != "" {
			ids[cf.Commit] = cf.Blobs[0]
		}
	}
	parsed := map[string]*annotations.Index{}
	memo := strict && len(commits) == 1 // HEAD: remembered, see headIndexMemo
	if memo {
		if id, ok := ids[commits[0]]; ok {
			if ix := headIndexMemo(rd, file, id, only); ix != nil {
				parsed[id] = ix
				return ids, parsed, nil
			}
		}
	}
	var blobIDs []string
	for _, c := range commits {
		if id, ok := ids[c]; ok {
			blobIDs = append(blobIDs, id)
		}
	}
	blobs, tooLarge, err := rd.Blobs(ctx, blobIDs, annotations.MaxFileSize)
	if err != nil {
		return nil, nil, err
	}
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
				return nil, nil, model.WrapInvalid("", fmt.Errorf("%w (at commit %.7s)", err, c))
			}
			ix = nil
		}
		parsed[id] = ix
		if memo && ix != nil {
			setHeadIndexMemo(rd, file, id, ix)
		}
	}
	return ids, parsed, nil
}

// headIndexMemo returns the index of the annotation file whose blob is id
// as an earlier command parsed it, nil when it is not remembered. Every
// command parses the file at HEAD (a malformed one fails them all), which
// takes 50 ms for 5,000 artifacts; the memo keeps only what parsed, and
// one blob per file (the slot's latest), so that it does not grow with
// the history.
func headIndexMemo(rd store.Reader, file indexFile, id, only string) *annotations.Index {
	v, ok := rd.Memo(headIndexSlot(file))
	if !ok {
		return nil
	}
	blob, enc, ok := strings.Cut(v, "\n")
	if !ok || blob != id {
		return nil
	}
	ix, ok := annotations.DecodeMemoOf(enc, only)
	if !ok || ix.File() != file.path {
		return nil
	}
	return ix
}

func setHeadIndexMemo(rd store.Reader, file indexFile, id string, ix *annotations.Index) {
	if enc, ok := ix.EncodeMemo(); ok {
		rd.SetMemo(headIndexSlot(file), id+"\n"+enc)
	}
}

func headIndexSlot(file indexFile) string {
	return "head-index\x00" + file.kind + "\x00" + file.path
}

// annotationAt returns the annotation of artifact at commit (nil when none).
func annotationAt(ctx context.Context, s *session, commit, artifact string) (*annotations.Artifact, error) {
	ix, err := readIndexes(ctx, s, []string{commit}, true, artifact)
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

// readDVCFiles reads every dvc.yaml of each commit's tree (a monorepo has
// one per project folder), listed with one tree listing per commit and
// read through one blob request. A nested file's artifacts are named
// "dir:name" (Index.Nested), the root file's keep their names. It returns,
// like readIndexFile, a key per commit (the set of files it has) and the
// merged index of each key.
func readDVCFiles(ctx context.Context, rd store.Reader, commits []string, file indexFile, strict bool) (map[string]string, map[string]*annotations.Index, error) {
	lists, err := dvcLists(ctx, rd, commits, file.path)
	if err != nil {
		return nil, nil, err
	}
	var blobIDs []string
	for _, files := range lists {
		for _, f := range files {
			blobIDs = append(blobIDs, f.Blob)
		}
	}
	blobs, tooLarge, err := rd.Blobs(ctx, dedupe(blobIDs), annotations.MaxFileSize)
	if err != nil {
		return nil, nil, err
	}
	ids := make(map[string]string, len(commits))
	parsed := map[string]*annotations.Index{}
	for _, c := range commits {
		files := lists[c]
		if len(files) == 0 {
			continue
		}
		var key strings.Builder
		for _, f := range files {
			key.WriteString(f.Path + "\x00" + f.Blob + "\x00")
		}
		ids[c] = key.String()
		if _, done := parsed[ids[c]]; done {
			continue
		}
		ix, err := mergeDVCFiles(files, blobs, tooLarge, file)
		if err != nil {
			if strict {
				return nil, nil, model.WrapInvalid("", fmt.Errorf("%w (at commit %.7s)", err, c))
			}
			ix = nil
		}
		parsed[ids[c]] = ix
	}
	return ids, parsed, nil
}

// dvcLists lists the files named name in each commit's tree. One commit
// (HEAD) is listed with one tree listing. Many (every version's commit, for
// a page) are looked up at once at the paths such files have had in the
// branches' history (remembered for the branch tips), which costs one
// cat-file round trip instead of a process per commit; a folder that only
// ever existed off the branches is not seen there.
func dvcLists(ctx context.Context, rd store.Reader, commits []string, name string) (map[string][]store.TreeFile, error) {
	lists := make(map[string][]store.TreeFile, len(commits))
	if len(commits) == 1 {
		files, err := rd.FilesNamed(ctx, commits[0], name)
		lists[commits[0]] = files
		return lists, err
	}
	paths, err := historyPaths(ctx, rd, name)
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		paths = []string{name}
	}
	found, err := rd.FilesAt(ctx, commits, paths)
	if err != nil {
		return nil, err
	}
	for _, cf := range found {
		for i, blob := range cf.Blobs {
			if blob != "" {
				lists[cf.Commit] = append(lists[cf.Commit], store.TreeFile{Path: paths[i], Blob: blob})
			}
		}
	}
	return lists, nil
}

// mergeDVCFiles parses the dvc.yaml files of one tree and merges them in
// path order into one index (named after the root file).
func mergeDVCFiles(files []store.TreeFile, blobs map[string][]byte, tooLarge map[string]int64, file indexFile) (*annotations.Index, error) {
	out := annotations.New(file.path)
	for _, f := range files {
		if size, large := tooLarge[f.Blob]; large {
			return nil, annotations.CheckSize(f.Path, size)
		}
		ix, err := file.parse(blobs[f.Blob], f.Path)
		if err != nil {
			return nil, err
		}
		if dir := path.Dir(f.Path); dir != "." {
			if ix, err = ix.Nested(dir, f.Path); err != nil {
				return nil, err
			}
		}
		out.Merge(ix)
	}
	return out, nil
}

// dedupe returns ids without repetitions, in first-seen order.
func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
