// Package store is the registry's git repository behind an interface, in
// git's vocabulary only: tags, refs, commits, files at commits, pushes and
// a write lock. It knows nothing of what a tag name means; the registry
// (and its pure model) does.
//
// Two implementations pass the same contract suite (storetest): gitstore,
// which runs the git binary, and memstore, an in-memory fake for fast tests
// of the registry's logic.
//
// A Store hands out a Reader only inside View and a Writer only inside
// Update, so that whatever the repository needs before it can be read — a
// mirror of a remote brought up to date, the write lock taken — cannot be
// forgotten by a caller: it is the store's concern, not the caller's.
package store

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"
)

// Store is a git repository as the registry uses it. Methods are safe for
// concurrent use, but a View or Update must not call View or Update on the
// same Store (it would wait for itself).
type Store interface {
	// View runs fn with a Reader of the repository as it is now and
	// returns fn's error. For the mirror of a remote, fn may run twice: a
	// first time on the mirror as it was, while the remote is listed, and
	// again after the mirror was brought up to date when the remote turned
	// out to have changed (so fn must only read, and must not keep what an
	// earlier run returned). The Reader is valid only while fn runs.
	View(ctx context.Context, fn func(Reader) error) error
	// Update takes the write lock of the repository (waiting for other
	// writers, also in other processes), brings a mirror up to date, and
	// runs fn once with a Writer; the lock is released when fn returns.
	Update(ctx context.Context, fn func(Writer) error) error
	// Info describes the repository.
	Info() Info
	// Close ends the store's processes and removes temporary clones. It is
	// idempotent; no method may be called after it.
	Close() error
}

// Info describes a repository.
type Info struct {
	// WorkTree is the top of the work tree, "" for a bare repository.
	WorkTree string
	// GitDir is the git directory ("" for a store without one, the fake).
	GitDir string
	// Remote is the URL the repository was opened from (a mirror or a
	// temporary clone of a remote registry), "" for a local repository.
	Remote string
}

// LooseTagCounter is a Reader that tells how many tags are stored one
// file each (git's loose refs), for doctor's advice to pack them. A Reader
// without the method has none.
type LooseTagCounter interface {
	LooseTags() (int, error)
}

// TagStreamer is a Reader that hands out the tags of Tags one at a time,
// keeping none of them: the read of every tag of a large registry then
// holds only what the caller keeps of each. each gets the tags Tags would
// return, in the same order; t is valid only during the call (its strings
// stay valid). The first error of each is EachTag's, and each is not
// called after it. grow, when not nil, may be called first with about how
// many tags will come (for the caller to make room). A Reader without the
// method is read with Tags.
type TagStreamer interface {
	EachTag(ctx context.Context, prefixes []string, keep func(name string) bool, grow func(n int), each func(t *Tag) error) error
}

// CommitStreamer is a Reader that hands out the commits of Commits one at
// a time, keeping none of them (see TagStreamer). each may see a commit
// more than once; c is valid only during the call. A Reader without the
// method is read with Commits.
type CommitStreamer interface {
	EachCommit(ctx context.Context, ids []string, each func(c *Commit) error) error
}

// ResolveStarter is a Store that can begin resolving a revision before a
// View's or Update's ResolveCommit asks for it (gitstore starts its git
// process in the background). A caller that has other work first (taking
// the write lock, reading the configuration and the tags) calls
// StartResolve before it; a Store without the method resolves when asked.
type ResolveStarter interface {
	StartResolve(ctx context.Context, rev string)
}

// PageDropper is a Reader whose strings may point into a mapped file (the
// gitstore's object cache): DropPages lets the system take back the pages
// read so far, which come back unchanged when touched again, so that a
// caller that went through every tag and commit does not keep them all in
// its RSS while it goes on. A Reader without the method keeps its reads
// on the heap.
type PageDropper interface {
	DropPages()
}

// Reader reads a repository. Object ids are full hexadecimal ids.
type Reader interface {
	// Tags returns the tags whose names start with one of prefixes (every
	// tag when there is none) and for which keep reports true (nil keeps
	// all), with their tag objects read and tag chains peeled, in ref name
	// order. A tag whose object is malformed or missing is returned with
	// Malformed or Missing set, not as an error.
	Tags(ctx context.Context, prefixes []string, keep func(name string) bool) ([]Tag, error)
	// Refs returns the tags (names starting with one of prefixes; all when
	// none) without reading any object, in ref name order.
	Refs(ctx context.Context, prefixes ...string) ([]Ref, error)
	// TagExists reports whether a tag of exactly that name exists.
	TagExists(ctx context.Context, name string) (bool, error)
	// Branches returns the distinct tip commits of the local branches, in
	// branch name order. A View's reader may answer what it read first
	// (the memos of one command are keyed by the tips); a Writer's reads
	// them again.
	Branches(ctx context.Context) ([]string, error)
	// ResolveCommit returns the commit rev names (tags peeled). Errors:
	// ErrNoCommits when rev is HEAD in a repository without commits,
	// ErrRefNotFound when rev names no commit.
	ResolveCommit(ctx context.Context, rev string) (string, error)
	// Commits reads the given commits; ids the repository lacks (a shallow
	// or partial clone) are left out of the map, which is not an error.
	Commits(ctx context.Context, ids []string) (map[string]Commit, error)
	// FilesAt returns, for each revision, the blob ids of paths there (""
	// for a path that is absent or not a file), in the order of revs.
	FilesAt(ctx context.Context, revs, paths []string) ([]CommitFiles, error)
	// BranchHistory is FilesAt for every commit reachable from a local
	// branch, newest first.
	BranchHistory(ctx context.Context, paths []string) ([]CommitFiles, error)
	// Blobs reads the blobs with the given ids that are at most limit bytes
	// large; larger ones are left out of blobs and given with their size in
	// tooLarge, unread. Errors: ErrObjectNotFound when an id is not a blob
	// of the repository.
	Blobs(ctx context.Context, ids []string, limit int64) (blobs map[string][]byte, tooLarge map[string]int64, err error)
	// FilesNamed lists the regular files of rev's tree whose base name is
	// name, at any depth, in path order (git's). Errors: ErrRefNotFound
	// when rev names no commit.
	FilesNamed(ctx context.Context, rev, name string) ([]TreeFile, error)
	// HistoryFilesNamed lists, sorted, every path a file named name (at any
	// depth) has had in a commit reachable from a local branch.
	HistoryFilesNamed(ctx context.Context, name string) ([]string, error)
	// Tree lists, recursively and in git's path order, the files,
	// symlinks and submodules at path in rev's tree (`git ls-tree -r`):
	// the entry itself when path names one, every one below it when path
	// names a folder, none when path is absent; "" is the whole tree. The
	// paths are as the tree stores them, unchecked. Errors: ErrRefNotFound
	// when rev names no commit.
	Tree(ctx context.Context, rev, path string) ([]TreeEntry, error)
	// FetchBlobs makes the blobs at path in rev's tree readable without
	// the network: a partial clone (the blobless mirror of a remote)
	// fetches those it lacks from its remote, in one fetch that brings
	// only them, and returns how many it fetched. A complete repository
	// has them all and returns 0.
	FetchBlobs(ctx context.Context, rev, path string) (int, error)
	// ReadBlobs reads the blobs with the given ids, in order, and calls
	// each with a blob's size and a reader of its content, valid only
	// while each runs (what each leaves unread is skipped), so that no
	// blob is held in memory whole. The first error of each is returned,
	// after every blob was read. Errors: ErrObjectNotFound when an id is
	// not a blob of the repository.
	ReadBlobs(ctx context.Context, ids []string, each func(i int, size int64, r io.Reader) error) error
	// PathExists reports whether path names an entry (file or folder) in
	// the tree of rev.
	PathExists(ctx context.Context, rev, path string) (bool, error)
	// SignedTags reports, for every annotated tag, whether it carries a
	// signature (not whether it verifies).
	SignedTags(ctx context.Context) (map[string]bool, error)
	// VerifyTags checks the signatures of the named tags with the user's
	// keys and returns those that do not verify, with the reason.
	VerifyTags(ctx context.Context, names []string) (map[string]string, error)
	// DefaultBranch returns the full ref name of the repository's default
	// branch, found without asking the remote: the branch
	// refs/remotes/origin/HEAD names (or that ref itself) when it is set,
	// else the branch HEAD is on, else refs/heads/main or
	// refs/heads/master when one exists; "" when none is. In a bare
	// repository (a mirror too), HEAD is the default branch. The branch
	// may have no commits yet.
	DefaultBranch(ctx context.Context) (string, error)
	// ReadTagObjects reads the tags that refs would make (a name and the
	// object it would name; Type is ignored) as Tags reads existing ones,
	// in the order of refs: the objects read, tag chains peeled, an object
	// the repository lacks Missing. The refs need not exist (a tag object
	// made by MakeTags, or one pushed and not accepted yet).
	ReadTagObjects(ctx context.Context, refs []Ref) ([]Tag, error)
	// TagSignatures verifies the signatures of the given tags (names or
	// tag object ids) with the user's keys, as VerifyTags does, and says
	// for each what was found, with who signed it.
	TagSignatures(ctx context.Context, tags []string) (map[string]Signature, error)
	// Memo returns a value remembered with SetMemo, in this or an earlier
	// process; ok is false when there is none. Memos are a cache: they may
	// be lost at any time.
	Memo(slot string) (value string, ok bool)
	// SetMemo remembers value under slot (best effort).
	SetMemo(slot, value string)
}

// Writer changes a repository. It is only valid inside Update, which holds
// the write lock.
type Writer interface {
	Reader
	// WriteTags creates the annotated tags of create and deletes the tags
	// named in del, all at once: every change is made or none is, also
	// when the process is killed half-way. A tag to create that exists
	// (also one another process created a moment before) makes it fail
	// with ErrTagExists, a tag to delete that does not exist with
	// ErrRefNotFound; a tag that had to be signed but could not be is not
	// created (ErrNotSigned). The errors name the tag.
	WriteTags(ctx context.Context, create []TagRequest, del []string) error
	// MakeTags writes the tag objects of create without their refs and
	// returns their ids, in order, so that the caller can judge them
	// (ReadTagObjects, TagSignatures) before WriteTags creates the refs
	// (TagRequest.Object). A tag that had to be signed and could not be is
	// ErrNotSigned. Objects never referenced are left to git's gc.
	MakeTags(ctx context.Context, create []TagRequest) ([]string, error)

	// Remote is how the remote that writes are pushed to is called in
	// messages: "origin" for a local repository, the URL for a registry
	// opened from one.
	Remote() string
	// RemoteRefs lists the remote's tags and its refs under refs/gto/
	// (without fetching them).
	RemoteRefs(ctx context.Context) (*RemoteRefs, error)
	// Push pushes the given tags, deletions and compare-and-swap updates
	// to the remote: atomically when there are several and the remote
	// supports it, else one by one. Refs the remote refuses are named in a
	// *PushError.
	Push(ctx context.Context, req PushRequest) error
	// FetchTags fetches the named tags of the remote, never overwriting a
	// local tag of the same name.
	FetchTags(ctx context.Context, names []string) error
	// Resync makes a mirror match its remote again after a refused push
	// (best effort; a local repository is left alone).
	Resync(ctx context.Context)

	// WorkTreeStatus returns the two-letter `git status --porcelain` code of
	// path in the work tree ("" when unchanged). Errors: ErrNoWorkTree.
	WorkTreeStatus(ctx context.Context, path string) (string, error)
	// CommitPaths commits the given paths of the work tree (and nothing
	// else) with message and returns the new commit.
	CommitPaths(ctx context.Context, message string, paths ...string) (string, error)
	// CurrentBranch returns the branch HEAD is on, "" when detached.
	CurrentBranch(ctx context.Context) (string, error)
	// PushBranch pushes the current branch to its upstream.
	PushBranch(ctx context.Context) error
}

// Ref is a tag ref: its name (without refs/tags/), the object it names
// and that object's type ("tag" for an annotated tag; "" when unknown, as
// in RemoteTags).
type Ref struct {
	Name, Object, Type string
}

// Tag is a tag with its object read.
type Tag struct {
	// Name is the tag name without refs/tags/.
	Name string
	// Object is the object the ref names; Type is that object's type:
	// "tag" for an annotated tag, "commit" (or "tree", "blob") for a
	// lightweight one.
	Object, Type string
	// Commit is the commit the tag leads to after peeling tag chains: the
	// object itself for a lightweight tag of a commit; "" when the chain
	// ends on a tree or a blob.
	Commit string
	// The tag object's fields (annotated tags only). HasTagger is false
	// for an old tag without a tagger line.
	TaggerName, TaggerEmail string
	Time                    time.Time
	HasTagger               bool
	Message                 string
	Signed                  bool
	// Malformed: the tag object cannot be parsed; Missing: the ref names
	// an object the repository lacks. Neither has object fields.
	Malformed, Missing bool
}

// Annotated reports whether the tag is an annotated tag.
func (t *Tag) Annotated() bool { return t.Type == "tag" }

// Commit is a commit object.
type Commit struct {
	ID                            string
	AuthorName, AuthorEmail       string
	AuthorTime                    time.Time
	CommitterName, CommitterEmail string
	CommitterTime                 time.Time
	// Message is the message as stored, trailing newline included.
	Message string
}

// CommitFiles is a revision and the blob ids of the paths asked for there
// ("" for a path that is absent), in the order of the paths.
type CommitFiles struct {
	Commit string
	Blobs  []string
}

// TreeFile is a file of a tree: its path from the root and its blob id.
type TreeFile struct {
	Path, Blob string
}

// TreeEntry is an entry of a tree: its path from the root, git's octal
// mode, its type ("blob" for a file or symlink, "commit" for a submodule)
// and its object id.
type TreeEntry struct {
	Path, Mode, Type, Object string
}

// Modes of tree entries.
const (
	ModeFile       = "100644"
	ModeExecutable = "100755"
	ModeSymlink    = "120000"
	ModeSubmodule  = "160000"
)

// TagRequest is an annotated tag to create.
type TagRequest struct {
	Name string
	// Target is the commit to tag.
	Target  string
	Message string
	// Date is the tagger date ("1640998800 +0000"); empty: the
	// environment's GIT_COMMITTER_DATE, else now.
	Date string
	// Sign: nil lets git's configuration decide, true signs, false never.
	Sign *bool
	// Object is a tag object MakeTags made for this request: WriteTags
	// points the ref at it, and Target, Message, Date and Sign are not
	// used. "" makes the object.
	Object string
}

// Signature is what verifying a tag's signature found.
type Signature struct {
	// Signed: the tag carries a signature; Verified: it verifies with the
	// user's keys (gpg's keyring, gpg.ssh.allowedSignersFile).
	Signed, Verified bool
	// Signers name who made it, as the verification reports it: the ssh
	// principal and the key fingerprint, or the GPG key fingerprints and
	// the e-mail of the key's user id. None when it does not verify.
	Signers []string
	// Reason says why it does not verify, in git's (or gpg's) words.
	Reason string
}

// RemoteRefs are what a remote advertises.
type RemoteRefs struct {
	// Tags are its tags, by name (Ref.Type is "").
	Tags []Ref
	// Gto are its refs under refs/gto/: full ref name -> object id.
	Gto map[string]string
}

// PushRequest is what Push pushes: new tags, tags to delete, and refs set
// by compare-and-swap.
type PushRequest struct {
	Create []string
	Delete []string
	Set    []RefUpdate
}

// RefUpdate sets Ref (a full ref name outside refs/tags/) to Object on the
// remote, only if it is at Expect there ("" for absent); otherwise the ref
// is rejected with ReasonStale.
type RefUpdate struct {
	Ref, Object, Expect string
}

// PushError is a push the remote refused for some refs.
type PushError struct {
	// Remote is what the remote is called in messages.
	Remote string
	// Rejected lists the refs the remote did not update.
	Rejected []RejectedRef
	// Err is the underlying failure.
	Err error
}

// RejectedRef is a ref a push did not update.
type RejectedRef struct {
	// Ref is the full ref name ("refs/tags/m@v1.0.0").
	Ref string
	// Reason says why, in git's untranslated words.
	Reason Reason
}

// Tag returns the tag name of a rejected tag, ok false for another ref.
func (r RejectedRef) Tag() (name string, ok bool) {
	return strings.CutPrefix(r.Ref, "refs/tags/")
}

// Reason is why a remote did not update a ref.
type Reason string

// Reasons callers branch on.
const (
	// ReasonExists: the remote has a different tag of that name.
	ReasonExists Reason = "already exists"
	// ReasonAtomic: the ref was fine, but another ref of the same atomic
	// push was refused, so none was updated.
	ReasonAtomic Reason = "atomic push failed"
	// ReasonStale: a compare-and-swap found the ref at another value.
	ReasonStale Reason = "stale info"
)

// Moved reports whether the reason means that another writer changed the
// ref meanwhile: it exists with another value, its compare-and-swap
// failed, or the remote could not lock or update it (or commit the atomic
// transaction it was in) because another push was updating it at the same
// moment.
func (r Reason) Moved() bool {
	switch {
	case r == ReasonExists, r == ReasonStale,
		strings.Contains(string(r), "failed to update ref"),
		strings.Contains(string(r), "cannot lock ref"),
		strings.Contains(string(r), "atomic transaction failed"),
		strings.Contains(string(r), "fetch first"):
		return true
	}
	return false
}

// Error names the refused refs and why, on one line: the tags, or, when
// no tag was refused, the other refs (a counter ref refused along with its
// tag is not worth a word).
func (e *PushError) Error() string {
	var shown []RejectedRef
	for _, r := range e.Rejected {
		if _, ok := r.Tag(); ok {
			shown = append(shown, r)
		}
	}
	if len(shown) == 0 {
		shown = e.Rejected
	}
	msg := "failed to push to " + e.Remote + ": rejected"
	for i, r := range shown {
		if i > 0 {
			msg += ","
		}
		msg += " " + r.Ref + " (" + string(r.Reason) + ")"
	}
	return msg
}

func (e *PushError) Unwrap() error { return e.Err }

// Sentinel errors; the errors of a store wrap them (errors.Is).
var (
	// ErrNotARepository: the path is not in a git repository.
	ErrNotARepository = errors.New("not a git repository")
	// ErrNoCommits: the repository has no HEAD commit yet.
	ErrNoCommits = errors.New("repository has no commits")
	// ErrRefNotFound: a revision or tag does not exist.
	ErrRefNotFound = errors.New("ref not found")
	// ErrTagExists: a tag of that name exists already.
	ErrTagExists = errors.New("tag already exists")
	// ErrObjectNotFound: an object is not in the repository.
	ErrObjectNotFound = errors.New("object not found")
	// ErrNotSigned: a tag that had to be signed could not be.
	ErrNotSigned = errors.New("tag not signed")
	// ErrNoWorkTree: the operation needs a work tree and there is none.
	ErrNoWorkTree = errors.New("the repository has no work tree")
	// ErrTimeout: the remote did not answer in time.
	ErrTimeout = errors.New("the remote did not answer in time")
)
