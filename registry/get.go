package registry

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/gto-dev/gto/annotations"
	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/tagname"
	yaml "go.yaml.in/yaml/v3"
)

// GetOptions are the options of Resolve and Get.
type GetOptions struct {
	// Ref names one version of an artifact: NAME (its greatest version),
	// NAME@latest, NAME@greatest, NAME@vX.Y.Z, or NAME#STAGE (the version
	// in that stage now).
	Ref string
}

// Source says where the files of an artifact's path are.
type Source string

const (
	// SourceGit: committed in git at the version's commit; Get streams
	// them from git's objects.
	SourceGit Source = "git"
	// SourceDVC: tracked by DVC (a .dvc file, or an output in a dvc.lock):
	// git holds only DVC's pointer, and DVC downloads the files.
	SourceDVC Source = "dvc"
	// SourceURL: a URL (s3://…, https://…) or an absolute path, outside
	// the repository.
	SourceURL Source = "url"
	// SourceMissing: neither committed nor tracked by DVC at that commit.
	SourceMissing Source = "missing"
)

// Resolved is the version a reference designates and where its files are.
type Resolved struct {
	// Name is the artifact; Version the version resolved; Stage the stage
	// asked for ("" unless the reference was NAME#STAGE).
	Name, Version, Stage string
	// Rev is the version's commit; Time its committer date.
	Rev  string
	Time time.Time
	// Path is the artifact's path from the repository root (or its URL)
	// and Type its type, as annotated at Rev (at HEAD when Rev has no
	// annotation of it).
	Path, Type string
	Source     Source
	// Repo is the repository as another tool would be told of it: the URL
	// of a remote registry, else the local folder.
	Repo string
	// Files and Bytes count what Get handed on (regular files and
	// symlinks; Bytes their contents).
	Files int
	Bytes int64

	entries []store.TreeEntry // the tree at Path, for SourceGit
}

// NotInGitError is a version whose path Get cannot stream from git: it is
// tracked by DVC, lives at a URL, or is missing at that commit. Resolved
// says which, and is what a front end offers instead (a DVC command).
type NotInGitError struct {
	Resolved *Resolved
}

func (e *NotInGitError) Error() string {
	r := e.Resolved
	what := fmt.Sprintf("artifact %q %s", r.Name, r.Version)
	switch r.Source {
	case SourceDVC:
		return fmt.Sprintf("%s: %s is tracked by DVC, not committed in git", what, r.Path)
	case SourceURL:
		return fmt.Sprintf("%s: its path %s is outside the repository", what, r.Path)
	}
	return fmt.Sprintf("%s: %s is not in the repository at commit %.7s", what, r.Path, r.Rev)
}

func (e *NotInGitError) Unwrap() error { return model.ErrNotFound }

// FileKind is what a File is.
type FileKind int

const (
	// FileRegular is a file; FileExecutable one with the executable bit.
	FileRegular FileKind = iota
	FileExecutable
	// FileSymlink is a symbolic link (File.Link is its target, never
	// followed).
	FileSymlink
	// FileDir is an empty folder (where the tree has a submodule).
	FileDir
)

// File is one entry of an artifact as Get hands it on.
type File struct {
	// Name is its path in the output, "/"-separated: the base name of the
	// artifact's path, then the file's path below it. It is checked:
	// relative, without "", ".", ".." or ".git" parts, and no other File
	// of the same Get is a file or link at one of its parent folders.
	Name string
	Kind FileKind
	// Size is the length of Content (regular files).
	Size int64
	// Link is a symlink's target.
	Link string
	// Content is a regular file's content, valid only during the call.
	Content io.Reader
}

// Sink receives the files of a Get, in path order.
type Sink func(File) error

// Resolve resolves the reference to a version and says where its files
// are, without reading them.
func (r *Registry) Resolve(ctx context.Context, opts GetOptions) (*Resolved, error) {
	var res *Resolved
	err := r.view(ctx, func(s *session) error {
		var err error
		res, err = r.resolve(ctx, s, opts)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Get resolves the reference and streams its files to sink (Resolve,
// then Stream).
func (r *Registry) Get(ctx context.Context, opts GetOptions, sink Sink) (*Resolved, error) {
	res, err := r.Resolve(ctx, opts)
	if err != nil {
		return nil, err
	}
	return res, r.Stream(ctx, res, sink)
}

// Stream hands every file of a resolved version's path to sink, in path
// order, streamed from git's objects at the version's commit (no work
// tree is read or written), and counts them in res. A remote registry's
// mirror fetches the blobs of that path only, in one fetch. A path that
// is not committed is a *NotInGitError, and nothing is handed on. Names
// that would lead outside the output (see File) fail before sink is first
// called.
func (r *Registry) Stream(ctx context.Context, res *Resolved, sink Sink) error {
	if res.Source != SourceGit {
		return &NotInGitError{Resolved: res}
	}
	files, err := outputFiles(res.Path, res.entries)
	if err != nil {
		return err
	}
	// Another View: the one of Resolve settled a mirror, so this one runs
	// once, and nothing is handed on twice.
	return r.store.View(ctx, func(rd store.Reader) error {
		if _, err := rd.FetchBlobs(ctx, res.Rev, res.Path); err != nil {
			return err
		}
		return streamFiles(ctx, rd, files, res, sink)
	})
}

// outFile is a tree entry with its checked output name.
type outFile struct {
	name  string
	entry store.TreeEntry
}

// outputFiles names the entries of the tree at p in the output and checks
// every name (see File), so that a hostile tree fails before anything is
// written.
func outputFiles(p string, entries []store.TreeEntry) ([]outFile, error) {
	base := path.Base(p)
	files := make([]outFile, 0, len(entries))
	leaves := make(map[string]bool, len(entries))
	for _, e := range entries {
		name := base + strings.TrimPrefix(e.Path, p)
		if err := checkOutputName(name); err != nil {
			return nil, err
		}
		if leaves[name] {
			return nil, unsafePath(name, "it appears twice in the tree")
		}
		leaves[name] = true
		files = append(files, outFile{name: name, entry: e})
	}
	for _, f := range files {
		for dir := path.Dir(f.name); dir != "."; dir = path.Dir(dir) {
			if leaves[dir] {
				return nil, unsafePath(f.name, "its folder "+dir+" is a file or a link in the same tree")
			}
		}
	}
	return files, nil
}

// checkOutputName refuses a name that is absolute or has an empty, ".",
// ".." or ".git" part (git refuses to check the last one out as well).
func checkOutputName(name string) error {
	if strings.HasPrefix(name, "/") {
		return unsafePath(name, "it is absolute")
	}
	for part := range strings.SplitSeq(name, "/") {
		switch {
		case part == "" || part == "." || part == "..":
			return unsafePath(name, "it has a part "+fmt.Sprintf("%q", part))
		case strings.EqualFold(part, ".git"):
			return unsafePath(name, "it has a .git part")
		}
	}
	return nil
}

func unsafePath(name, why string) error {
	return &model.InvalidError{Value: name, Detail: model.Detail{
		Msg: fmt.Sprintf("refusing to write %q: %s", name, why)}}
}

// maxLinkTarget bounds a symlink's target (the blob of a 120000 entry).
const maxLinkTarget = 4096

// streamFiles reads the blobs of files in one round trip and hands them
// to sink.
func streamFiles(ctx context.Context, rd store.Reader, files []outFile, res *Resolved, sink Sink) error {
	var ids []string
	var blobFiles []outFile
	for _, f := range files {
		if f.entry.Type == "blob" {
			ids = append(ids, f.entry.Object)
			blobFiles = append(blobFiles, f)
		} else if err := sink(File{Name: f.name, Kind: FileDir}); err != nil {
			return err
		}
	}
	var failed error
	err := rd.ReadBlobs(ctx, ids, func(i int, size int64, content io.Reader) error {
		if failed != nil {
			return nil // skip the rest: the first failure stops the Get
		}
		f := blobFiles[i]
		out := File{Name: f.name, Size: size, Content: content}
		switch f.entry.Mode {
		case store.ModeSymlink:
			if size > maxLinkTarget {
				failed = unsafePath(f.name, "its link target is too long")
				return failed
			}
			target, err := io.ReadAll(content)
			if err != nil {
				failed = err
				return err
			}
			out = File{Name: f.name, Kind: FileSymlink, Link: string(target), Size: size}
		case store.ModeExecutable:
			out.Kind = FileExecutable
		}
		if failed = sink(out); failed == nil {
			res.Files++
			res.Bytes += size
		}
		return failed
	})
	return cmp.Or(failed, err)
}

// resolve finds the version, its annotation and where its path is.
func (r *Registry) resolve(ctx context.Context, s *session, opts GetOptions) (*Resolved, error) {
	sc, err := tagname.ParseShortcut(opts.Ref)
	if err != nil {
		return nil, model.WrapInvalid(model.FieldName, err)
	}
	if sc.Version == "" && sc.Stage == "" {
		sc.Latest = true
	}
	snap, err := r.load(ctx, s, scope{artifact: sc.Artifact, noAnnotations: true, commits: commitsNone})
	if err != nil {
		return nil, err
	}
	v, err := model.ResolveVersion(snap.state, sc)
	if err != nil {
		return nil, err
	}
	res := &Resolved{Name: sc.Artifact, Version: v.Name, Stage: sc.Stage, Rev: v.Commit, Repo: r.Source()}
	if commits, err := s.rd.Commits(ctx, []string{v.Commit}); err == nil {
		res.Time = commits[v.Commit].CommitterTime
	}
	ann, err := annotationAt(ctx, s, v.Commit, sc.Artifact)
	if err != nil {
		return nil, err
	}
	if ann == nil || ann.Path == "" {
		if snap.head != "" && snap.head != v.Commit {
			if ann, err = annotationAt(ctx, s, snap.head, sc.Artifact); err != nil {
				return nil, err
			}
		}
	}
	if ann == nil || ann.Path == "" {
		return nil, &model.NotFoundError{What: "path", Detail: model.Detail{
			Msg:  fmt.Sprintf("artifact %q has no path annotated, so there is nothing to get", sc.Artifact),
			Hint: "annotate it with the path of its files"}}
	}
	res.Type, res.Path = ann.Type, ann.Path
	res.Source, res.entries, err = locate(ctx, s.rd, v.Commit, ann.Path)
	if err != nil {
		return nil, err
	}
	if res.Source == SourceGit {
		res.Path = path.Clean(ann.Path)
	}
	return res, nil
}

// locate says where p is at commit: committed (with its tree), tracked by
// DVC, a URL, or nowhere.
func locate(ctx context.Context, rd store.Reader, commit, p string) (Source, []store.TreeEntry, error) {
	if strings.Contains(p, "://") || path.IsAbs(p) {
		return SourceURL, nil, nil
	}
	clean := path.Clean(p)
	if clean == "." || clean == ".." || strings.HasPrefix(clean, "../") {
		return SourceMissing, nil, nil
	}
	entries, err := rd.Tree(ctx, commit, clean)
	if err != nil {
		return "", nil, err
	}
	if len(entries) > 0 {
		return SourceGit, entries, nil
	}
	dvc, err := dvcTracked(ctx, rd, commit, clean)
	switch {
	case err != nil:
		return "", nil, err
	case dvc:
		return SourceDVC, nil, nil
	}
	return SourceMissing, nil, nil
}

// dvcTracked reports whether DVC tracks p at commit: p or a folder above
// it has a .dvc file, or p is (or is inside) an output of a stage in a
// dvc.lock (whose output paths are relative to its folder).
func dvcTracked(ctx context.Context, rd store.Reader, commit, p string) (bool, error) {
	var pointers []string
	for q := p; q != "."; q = path.Dir(q) {
		pointers = append(pointers, q+".dvc")
	}
	found, err := rd.FilesAt(ctx, []string{commit}, pointers)
	if err != nil {
		return false, err
	}
	for _, blob := range found[0].Blobs {
		if blob != "" {
			return true, nil
		}
	}
	locks, err := rd.FilesNamed(ctx, commit, "dvc.lock")
	if err != nil || len(locks) == 0 {
		return false, err
	}
	ids := make([]string, len(locks))
	for i, f := range locks {
		ids[i] = f.Blob
	}
	blobs, _, err := rd.Blobs(ctx, dedupe(ids), annotations.MaxFileSize)
	if err != nil {
		return false, err
	}
	for _, f := range locks {
		for _, out := range lockOutputs(blobs[f.Blob]) {
			out = path.Join(path.Dir(f.Path), out)
			if p == out || strings.HasPrefix(p, out+"/") {
				return true, nil
			}
		}
	}
	return false, nil
}

// lockOutputs lists the output paths of a dvc.lock ("stages: NAME: outs:
// - path: P"); a file that does not parse has none. Aliases are not
// followed.
func lockOutputs(data []byte) []string {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	var outs []string
	for _, stage := range mapValues(field(doc.Content[0], "stages")) {
		list := field(stage, "outs")
		if list == nil || list.Kind != yaml.SequenceNode {
			continue
		}
		for _, out := range list.Content {
			if p := field(out, "path"); p != nil && p.Kind == yaml.ScalarNode && p.Value != "" {
				outs = append(outs, path.Clean(p.Value))
			}
		}
	}
	return outs
}

// field is the value of key in the mapping n (nil when none).
func field(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// mapValues lists the values of the mapping n.
func mapValues(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out []*yaml.Node
	for i := 1; i < len(n.Content); i += 2 {
		out = append(out, n.Content[i])
	}
	return out
}
