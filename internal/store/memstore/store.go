package memstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gto-dev/gto/internal/objectid"
	"github.com/gto-dev/gto/internal/store"
)

// Op names a change (or a call to the remote) a Store is about to make,
// for Options.Hook.
type Op string

// The operations Hook is called for.
const (
	OpCreateTag  Op = "create-tag"
	OpDeleteTags Op = "delete-tags"
	OpRemoteTags Op = "remote-tags"
	OpPush       Op = "push"
	OpFetchTags  Op = "fetch-tags"
	OpCommit     Op = "commit"
	OpPushBranch Op = "push-branch"
)

// Options configure a Store.
type Options struct {
	// Origin is the remote writes are pushed to; nil: none (pushing fails
	// as with a repository without a remote).
	Origin *Repo
	// Remote is the URL the store stands for (a mirror or a temporary
	// clone of a remote registry), "" for a local repository.
	Remote string
	// WorkTree is a folder holding the work tree's files (for
	// WorkTreeStatus and CommitPaths); "" for a bare repository.
	WorkTree string
	// Hook, when set, is called before every operation of Op's list with
	// a word about it (the tag name, "n refs"). An error it returns is the
	// operation's, and nothing is changed; a hook that cancels the
	// context makes the operation fail with the context's error, as a git
	// process killed by it would.
	Hook func(op Op, what string) error
}

// Store is the store.Store of a Repo.
type Store struct {
	repo *Repo
	opts Options

	mu     sync.Mutex // serialises View and Update
	closed bool
}

var _ store.Store = (*Store)(nil)

// New returns a Store of repo.
func New(repo *Repo, opts Options) *Store {
	return &Store{repo: repo, opts: opts}
}

// Repo returns the repository of the store.
func (s *Store) Repo() *Repo { return s.repo }

func (s *Store) View(ctx context.Context, fn func(store.Reader) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	return fn(&reader{s: s})
}

func (s *Store) Update(ctx context.Context, fn func(store.Writer) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return fn(&writer{reader{s: s}})
}

func (s *Store) Info() store.Info {
	return store.Info{WorkTree: s.opts.WorkTree, Remote: s.opts.Remote}
}

func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

var errClosed = errors.New("the repository was closed")

// before runs the hook of op and reports the context's end: what the
// operation returns instead of running.
func (s *Store) before(ctx context.Context, op Op, what string) error {
	if s.opts.Hook != nil {
		if err := s.opts.Hook(op, what); err != nil {
			return err
		}
	}
	return ctx.Err()
}

type reader struct{ s *Store }

var _ store.Reader = (*reader)(nil)

func matches(name string, prefixes []string) bool {
	if len(prefixes) == 0 {
		return true
	}
	for _, p := range prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func (rd *reader) Tags(ctx context.Context, prefixes []string, keep func(string) bool) ([]store.Tag, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []store.Tag
	for _, name := range sortedKeys(r.tags) {
		if !matches(name, prefixes) || (keep != nil && !keep(name)) {
			continue
		}
		id := r.tags[name]
		t := store.Tag{Name: name, Object: id, Type: r.typeOf(id)}
		obj := r.tagObjs[id]
		switch {
		case t.Type == "":
			t.Missing = true
		case obj != nil && obj.malformed:
			t.Malformed = true
		case obj != nil:
			t.TaggerName, t.TaggerEmail, t.Time, t.HasTagger = obj.taggerName, obj.taggerEmail, obj.time, obj.hasTagger
			t.Message, t.Signed = obj.message, obj.signed
			t.Commit = r.peel(id)
		case t.Type == "commit":
			t.Commit = id
		}
		out = append(out, t)
	}
	return out, nil
}

// peel follows tag objects to the commit they lead to, "" when the chain
// ends elsewhere; the caller holds r.mu.
func (r *Repo) peel(id string) string {
	for range 64 {
		if t := r.tagObjs[id]; t != nil && !t.malformed {
			id = t.target
			continue
		}
		if r.commits[id] != nil {
			return id
		}
		return ""
	}
	return ""
}

func (rd *reader) Refs(ctx context.Context, prefixes ...string) ([]store.Ref, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []store.Ref
	for _, name := range sortedKeys(r.tags) {
		if matches(name, prefixes) {
			out = append(out, store.Ref{Name: name, Object: r.tags[name], Type: r.typeOf(r.tags[name])})
		}
	}
	return out, nil
}

func (rd *reader) TagExists(ctx context.Context, name string) (bool, error) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.tags[name]
	return ok, ctx.Err()
}

func (rd *reader) Branches(ctx context.Context) ([]string, error) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	var tips []string
	for _, name := range sortedKeys(r.branches) {
		if tip := r.branches[name]; !seen[tip] {
			seen[tip] = true
			tips = append(tips, tip)
		}
	}
	return tips, ctx.Err()
}

func (rd *reader) ResolveCommit(ctx context.Context, rev string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	id, err := r.resolve(rev)
	if err != nil {
		return "", err
	}
	return id, nil
}

// resolve returns the commit rev names: HEAD (or @), a branch, a tag (as
// NAME or refs/tags/NAME), a commit id or a unique prefix of one (four
// hexadecimal digits at least), each optionally followed by ~N or ^; the
// caller holds r.mu.
func (r *Repo) resolve(rev string) (string, error) {
	if rev == "HEAD" || rev == "@" {
		if h := r.headCommit(); h != "" {
			return h, nil
		}
		return "", fmt.Errorf("the repository has no commits yet: %w", store.ErrNoCommits)
	}
	notFound := fmt.Errorf("ref %q was not found in the repository: %w", rev, store.ErrRefNotFound)
	base, up := rev, 0
	for {
		switch {
		case strings.HasSuffix(base, "^"):
			base, up = base[:len(base)-1], up+1
			continue
		}
		if i := strings.LastIndexByte(base, '~'); i > 0 {
			n, err := strconv.Atoi(base[i+1:])
			if err != nil || n < 0 {
				return "", notFound
			}
			base, up = base[:i], up+n
			continue
		}
		break
	}
	id := ""
	switch {
	case base == "HEAD" || base == "@":
		id = r.headCommit()
	case r.branches[strings.TrimPrefix(base, "refs/heads/")] != "":
		id = r.branches[strings.TrimPrefix(base, "refs/heads/")]
	case r.tags[strings.TrimPrefix(base, "refs/tags/")] != "":
		id = r.peel(r.tags[strings.TrimPrefix(base, "refs/tags/")])
	case r.commits[base] != nil:
		id = base
	case len(base) >= 4 && objectid.Hex(base):
		for c := range r.commits {
			if strings.HasPrefix(c, base) {
				if id != "" {
					return "", notFound // ambiguous
				}
				id = c
			}
		}
	}
	for ; id != "" && up > 0; up-- {
		id = r.commits[id].parent
	}
	if id == "" || r.commits[id] == nil {
		return "", notFound
	}
	return id, nil
}

func (rd *reader) Commits(ctx context.Context, ids []string) (map[string]store.Commit, error) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]store.Commit{}
	for _, id := range ids {
		if c := r.commits[id]; c != nil {
			out[id] = store.Commit{ID: id, AuthorName: Name, AuthorEmail: Email, AuthorTime: c.time,
				CommitterName: Name, CommitterEmail: Email, CommitterTime: c.time, Message: c.message}
		}
	}
	return out, ctx.Err()
}

func (rd *reader) FilesAt(ctx context.Context, revs, paths []string) ([]store.CommitFiles, error) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]store.CommitFiles, len(revs))
	for i, rev := range revs {
		out[i] = store.CommitFiles{Commit: rev, Blobs: make([]string, len(paths))}
		id, err := r.resolve(rev)
		if err != nil {
			continue
		}
		for j, p := range paths {
			out[i].Blobs[j] = r.commits[id].files[p]
		}
	}
	return out, ctx.Err()
}

func (rd *reader) BranchHistory(ctx context.Context, paths []string) ([]store.CommitFiles, error) {
	r := rd.s.repo
	r.mu.Lock()
	var all []*commit
	seen := map[string]bool{}
	for _, tip := range r.branches {
		for id := tip; id != "" && !seen[id]; id = r.commits[id].parent {
			seen[id] = true
			all = append(all, r.commits[id])
		}
	}
	r.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { // newest first, as git rev-list
		if !all[i].time.Equal(all[j].time) {
			return all[i].time.After(all[j].time)
		}
		return all[i].id < all[j].id
	})
	revs := make([]string, len(all))
	for i, c := range all {
		revs[i] = c.id
	}
	return rd.FilesAt(ctx, revs, paths)
}

func (rd *reader) Blobs(ctx context.Context, ids []string, limit int64) (map[string][]byte, map[string]int64, error) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	blobs, large := map[string][]byte{}, map[string]int64{}
	for _, id := range ids {
		data, ok := r.blobs[id]
		switch {
		case !ok:
			return nil, nil, fmt.Errorf("object %s was not found in the repository: %w", id, store.ErrObjectNotFound)
		case int64(len(data)) > limit:
			large[id] = int64(len(data))
		default:
			blobs[id] = data
		}
	}
	return blobs, large, ctx.Err()
}

func (rd *reader) PathExists(ctx context.Context, rev, path string) (bool, error) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	id, err := r.resolve(rev)
	if err != nil {
		return false, nil
	}
	for p := range r.commits[id].files {
		if p == path || strings.HasPrefix(p, path+"/") {
			return true, nil
		}
	}
	return false, ctx.Err()
}

func (rd *reader) SignedTags(ctx context.Context) (map[string]bool, error) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]bool{}
	for name, id := range r.tags {
		if t := r.tagObjs[id]; t != nil && !t.malformed {
			out[name] = t.signed
		}
	}
	return out, ctx.Err()
}

func (rd *reader) VerifyTags(ctx context.Context, names []string) (map[string]string, error) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	bad := map[string]string{}
	for _, name := range names {
		t := r.tagObjs[r.tags[name]]
		switch {
		case t == nil || !t.signed:
			bad[name] = "no signature found"
		case t.badSig:
			bad[name] = "bad signature"
		}
	}
	return bad, ctx.Err()
}

func (rd *reader) Memo(slot string) (string, bool) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.memos[slot]
	return v, ok
}

func (rd *reader) SetMemo(slot, value string) {
	r := rd.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	r.memos[slot] = value
}

type writer struct{ reader }

var _ store.Writer = (*writer)(nil)

func (w *writer) CreateTag(ctx context.Context, req store.TagRequest) error {
	if err := w.s.before(ctx, OpCreateTag, req.Name); err != nil {
		return err
	}
	r := w.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.tags[req.Name]; ok {
		return fmt.Errorf("tag %q already exists: %w", req.Name, store.ErrTagExists)
	}
	target, err := r.resolve(req.Target)
	if err != nil {
		return err
	}
	when := r.tick()
	if req.Date != "" {
		if when, err = parseDate(req.Date); err != nil {
			return err
		}
	}
	t := r.newTagObject(req.Name, target, req.Message, when, req.Sign != nil && *req.Sign)
	r.tags[req.Name] = t.id
	return nil
}

// parseDate reads a git date as TagRequest.Date gives it: "1640998800 +0000".
func parseDate(s string) (time.Time, error) {
	secs, zone, ok := strings.Cut(s, " ")
	n, err := strconv.ParseInt(secs, 10, 64)
	if !ok || err != nil || len(zone) != 5 {
		return time.Time{}, fmt.Errorf("invalid date %q", s)
	}
	hh, err1 := strconv.Atoi(zone[1:3])
	mm, err2 := strconv.Atoi(zone[3:])
	if err1 != nil || err2 != nil {
		return time.Time{}, fmt.Errorf("invalid date %q", s)
	}
	offset := hh*3600 + mm*60
	if zone[0] == '-' {
		offset = -offset
	}
	return time.Unix(n, 0).In(time.FixedZone(zone, offset)), nil
}

func (w *writer) DeleteTags(ctx context.Context, names []string) error {
	if err := w.s.before(ctx, OpDeleteTags, fmt.Sprintf("%d refs", len(names))); err != nil {
		return err
	}
	r := w.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range names {
		if _, ok := r.tags[n]; !ok {
			return fmt.Errorf("tag %q was not found in the repository: %w", n, store.ErrRefNotFound)
		}
	}
	for _, n := range names {
		delete(r.tags, n)
	}
	return nil
}

func (w *writer) Remote() string {
	if w.s.opts.Remote != "" {
		return w.s.opts.Remote
	}
	return "origin"
}

// origin returns the remote, or the error of a repository without one.
func (w *writer) origin() (*Repo, error) {
	if w.s.opts.Origin == nil {
		return nil, errors.New("'origin' does not appear to be a git repository")
	}
	return w.s.opts.Origin, nil
}

func (w *writer) RemoteTags(ctx context.Context) ([]store.Ref, error) {
	if err := w.s.before(ctx, OpRemoteTags, ""); err != nil {
		return nil, err
	}
	o, err := w.origin()
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []store.Ref
	for _, name := range sortedKeys(o.tags) {
		out = append(out, store.Ref{Name: name, Object: o.tags[name]})
	}
	return out, nil
}

func (w *writer) Push(ctx context.Context, req store.PushRequest) error {
	if err := w.s.before(ctx, OpPush, fmt.Sprintf("%d refs", len(req.Create)+len(req.Delete))); err != nil {
		return err
	}
	o, err := w.origin()
	if err != nil {
		return err
	}
	r := w.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	o.mu.Lock()
	defer o.mu.Unlock()
	// refuse says why a ref cannot be updated, "" when it can.
	refuse := func(name string, create bool) store.Reason {
		theirs, exists := o.tags[name]
		switch {
		case create && exists && theirs != r.tags[name]:
			return store.ReasonExists
		case !create && !exists:
			return "remote ref does not exist"
		}
		return ""
	}
	apply := func(name string, create bool) {
		if create {
			o.copyObjects(r, r.tags[name])
			o.tags[name] = r.tags[name]
		} else {
			delete(o.tags, name)
		}
	}
	type ref struct {
		name   string
		create bool
	}
	var refs []ref
	for _, n := range req.Create {
		refs = append(refs, ref{n, true})
	}
	for _, n := range req.Delete {
		refs = append(refs, ref{n, false})
	}
	pe := &store.PushError{Remote: "origin"}
	if len(refs) > 1 && !o.NoAtomic {
		for _, rf := range refs {
			if reason := refuse(rf.name, rf.create); reason != "" {
				pe.Rejected = append(pe.Rejected, store.RejectedRef{Tag: rf.name, Reason: reason})
			}
		}
		if len(pe.Rejected) == 0 {
			for _, rf := range refs {
				apply(rf.name, rf.create)
			}
			return nil
		}
		refused := map[string]bool{}
		for _, rej := range pe.Rejected {
			refused[rej.Tag] = true
		}
		for _, rf := range refs {
			if !refused[rf.name] {
				pe.Rejected = append(pe.Rejected, store.RejectedRef{Tag: rf.name, Reason: store.ReasonAtomic})
			}
		}
	} else {
		for _, rf := range refs {
			if reason := refuse(rf.name, rf.create); reason != "" {
				pe.Rejected = append(pe.Rejected, store.RejectedRef{Tag: rf.name, Reason: reason})
			} else {
				apply(rf.name, rf.create)
			}
		}
		if len(pe.Rejected) == 0 {
			return nil
		}
	}
	pe.Err = errors.New("failed to push some refs to 'origin'")
	return pe
}

func (w *writer) FetchTags(ctx context.Context, names []string) error {
	if len(names) == 0 {
		return nil
	}
	if err := w.s.before(ctx, OpFetchTags, fmt.Sprintf("%d refs", len(names))); err != nil {
		return err
	}
	o, err := w.origin()
	if err != nil {
		return err
	}
	r := w.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, n := range names {
		theirs, ok := o.tags[n]
		if !ok {
			return fmt.Errorf("couldn't find remote ref refs/tags/%s", n)
		}
		if mine, ok := r.tags[n]; ok && mine != theirs {
			return fmt.Errorf("would clobber existing tag %s", n)
		}
	}
	for _, n := range names {
		r.copyObjects(o, o.tags[n])
		r.tags[n] = o.tags[n]
	}
	return nil
}

func (w *writer) Resync(ctx context.Context) {
	o := w.s.opts.Origin
	if w.s.opts.Remote == "" || o == nil {
		return
	}
	r := w.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	o.mu.Lock()
	defer o.mu.Unlock()
	r.tags = map[string]string{}
	for n, id := range o.tags {
		r.copyObjects(o, id)
		r.tags[n] = id
	}
}

func (w *writer) needWorkTree() error {
	if w.s.opts.WorkTree == "" {
		return fmt.Errorf("this operation needs a work tree, and the repository has none: %w", store.ErrNoWorkTree)
	}
	return nil
}

func (w *writer) WorkTreeStatus(ctx context.Context, path string) (string, error) {
	if err := w.needWorkTree(); err != nil {
		return "", err
	}
	data, err := os.ReadFile(filepath.Join(w.s.opts.WorkTree, path))
	r := w.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	committed, tracked := "", false
	if c := r.commits[r.headCommit()]; c != nil {
		var id string
		if id, tracked = c.files[path]; tracked {
			committed = string(r.blobs[id])
		}
	}
	switch {
	case err != nil && tracked:
		return " D", nil
	case err != nil:
		return "", nil
	case !tracked:
		return "??", nil
	case string(data) != committed:
		return " M", nil
	}
	return "", nil
}

func (w *writer) CommitPaths(ctx context.Context, message string, paths ...string) (string, error) {
	if err := w.needWorkTree(); err != nil {
		return "", err
	}
	if err := w.s.before(ctx, OpCommit, strings.Join(paths, " ")); err != nil {
		return "", err
	}
	files := map[string]string{}
	for _, p := range paths {
		data, err := os.ReadFile(filepath.Join(w.s.opts.WorkTree, p))
		if err != nil {
			return "", err
		}
		files[p] = string(data)
	}
	r := w.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.commit(strings.TrimSuffix(message, "\n"), files), nil
}

func (w *writer) CurrentBranch(ctx context.Context) (string, error) {
	r := w.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.head, ctx.Err()
}

func (w *writer) PushBranch(ctx context.Context) error {
	if err := w.s.before(ctx, OpPushBranch, ""); err != nil {
		return err
	}
	o, err := w.origin()
	if err != nil {
		return err
	}
	r := w.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.head == "" {
		return errors.New("you are not currently on a branch")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.copyObjects(r, r.branches[r.head])
	o.branches[r.head] = r.branches[r.head]
	return nil
}
