// Package memstore is an in-memory store.Store: a fake git repository for
// fast tests of the registry's logic. It passes the same contract suite
// (storetest) as the store that runs git, and adds what such tests need:
// a builder for commits and tags, a remote ("origin") that is another
// in-memory repository, and a hook called before every change, to fail or
// cancel a write at any step.
package memstore

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Identity of the fake git: the tagger of every tag and the author and
// committer of every commit.
const (
	Name  = "Fake User"
	Email = "fake@example.com"
)

// Epoch is the time of a new Repo's clock: 2022-01-01 01:00:00 UTC.
var Epoch = time.Unix(1640998800, 0).UTC()

// Repo is an in-memory git repository: objects (commits, blobs, tag
// objects) and refs (tags, branches, HEAD). Its methods are safe for
// concurrent use. The builder methods (Commit, Tag, ...) make what a test
// needs; a Store reads and changes it.
type Repo struct {
	// NoAtomic makes the repository, as a remote, refuse atomic pushes (as
	// a server without the capability does); pushes then go ref by ref.
	NoAtomic bool

	mu       sync.Mutex
	commits  map[string]*commit
	blobs    map[string][]byte
	tagObjs  map[string]*tagObject
	tags     map[string]string // name -> object id
	gto      map[string]string // refs under refs/gto/: full name -> object id
	branches map[string]string // name -> commit id
	head     string            // the branch HEAD is on; "" when detached
	detached string            // HEAD's commit when detached
	memos    map[string]string
	now      time.Time
}

type commit struct {
	id, parent string
	files      map[string]string // path -> blob id
	modes      map[string]string // path -> git mode, for files that are not plain (store.ModeFile)
	time       time.Time
	message    string
}

type tagObject struct {
	id, name        string
	target, typ     string // the tagged object and its type
	taggerName      string
	taggerEmail     string
	time            time.Time
	message         string
	signed, badSig  bool
	signer          string // of a good signature; "" means the fake identity's e-mail
	malformed       bool
	hasTagger       bool
	targetIsMissing bool
}

// NewRepo returns an empty repository whose HEAD is on branch main.
func NewRepo() *Repo {
	return &Repo{
		commits: map[string]*commit{}, blobs: map[string][]byte{}, tagObjs: map[string]*tagObject{},
		tags: map[string]string{}, gto: map[string]string{}, branches: map[string]string{}, head: "main",
		memos: map[string]string{}, now: Epoch,
	}
}

// hashID is a fake object id: the SHA-1 of what makes the object.
func hashID(parts ...string) string {
	h := sha1.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s\x00", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// tick advances the clock by a minute; the caller holds r.mu.
func (r *Repo) tick() time.Time {
	r.now = r.now.Add(time.Minute)
	return r.now
}

// headCommit returns HEAD's commit, "" when there is none. The caller holds
// r.mu.
func (r *Repo) headCommit() string {
	if r.head == "" {
		return r.detached
	}
	return r.branches[r.head]
}

// Commit commits files (path -> content, on top of HEAD's files) with
// message on the branch HEAD is on, at the next minute of the clock, and
// returns the commit's id. A content of "" deletes the file.
func (r *Repo) Commit(message string, files map[string]string) string {
	return r.CommitModes(message, files, nil)
}

// CommitModes is Commit with git modes (path -> "100755", "120000" for a
// symlink whose content is its target, ...) for some of the files; the
// others are plain files.
func (r *Repo) CommitModes(message string, files, modes map[string]string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.commit(message, files, modes)
}

func (r *Repo) commit(message string, files, modes map[string]string) string {
	parent := r.headCommit()
	c := &commit{parent: parent, files: map[string]string{}, modes: map[string]string{}, time: r.tick(), message: message + "\n"}
	if p := r.commits[parent]; p != nil {
		maps.Copy(c.files, p.files)
		maps.Copy(c.modes, p.modes)
	}
	for path, content := range files {
		delete(c.modes, path)
		if content == "" {
			delete(c.files, path)
			continue
		}
		id := hashID("blob", content)
		r.blobs[id] = []byte(content)
		c.files[path] = id
		if m := modes[path]; m != "" {
			c.modes[path] = m
		}
	}
	keys := make([]string, 0, len(c.files))
	for path := range c.files {
		key := path + "=" + c.files[path]
		if m := c.modes[path]; m != "" {
			key += " " + m
		}
		keys = append(keys, key)
	}
	sort.Strings(keys)
	c.id = hashID("commit", parent, strings.Join(keys, "\n"), c.time.String(), message)
	r.commits[c.id] = c
	if r.head == "" {
		r.detached = c.id
	} else {
		r.branches[r.head] = c.id
	}
	return c.id
}

// Tag creates the annotated tag name on target (a commit id, or a tag
// object id for a tag of a tag) with message, at the next minute of the
// clock, and returns the tag object's id. It replaces a tag of that name.
func (r *Repo) Tag(name, target, message string) string {
	return r.tag(name, target, message, false, false)
}

// SignedTag is Tag with a signature; a bad one does not verify.
func (r *Repo) SignedTag(name, target, message string, bad bool) string {
	return r.tag(name, target, message, true, bad)
}

func (r *Repo) tag(name, target, message string, signed, bad bool) string {
	return r.tagWith(name, target, message, signed, func(t *tagObject) { t.badSig = bad })
}

// MalformedTag makes name a tag whose object cannot be parsed.
func (r *Repo) MalformedTag(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := hashID("malformed", name)
	r.tagObjs[id] = &tagObject{id: id, name: name, malformed: true}
	r.tags[name] = id
}

// MissingTag makes name a tag naming an object the repository lacks.
func (r *Repo) MissingTag(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tags[name] = hashID("missing", name)
}

// LightTag creates the lightweight tag name on the object target.
func (r *Repo) LightTag(name, target string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tags[name] = target
}

// DeleteTag removes a tag ref (the object stays, as in git).
func (r *Repo) DeleteTag(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.tags, name)
}

// Branch points branch name at commit.
func (r *Repo) Branch(name, commit string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.branches[name] = commit
}

// Checkout puts HEAD on branch name; "" detaches it at its commit.
func (r *Repo) Checkout(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if name == "" {
		r.detached, r.head = r.headCommit(), ""
		return
	}
	r.head = name
}

// TagNames lists the tags, sorted.
func (r *Repo) TagNames() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Sorted(maps.Keys(r.tags))
}

// TagObject returns the object id tag name names, "" when there is none.
func (r *Repo) TagObject(name string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tags[name]
}

// GtoRef returns the object the ref ref (under refs/gto/) names, "" when
// there is none.
func (r *Repo) GtoRef(ref string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.gto[ref]
}

// SetGtoRef points ref (under refs/gto/) at the object id.
func (r *Repo) SetGtoRef(ref, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gto[ref] = id
}

// Head returns HEAD's commit, "" in a repository without commits.
func (r *Repo) Head() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.headCommit()
}

// newTagObject makes a tag object; the caller holds r.mu.
func (r *Repo) newTagObject(name, target, message string, when time.Time, signed bool) *tagObject {
	t := &tagObject{name: name, target: target, taggerName: Name, taggerEmail: Email, time: when,
		message: cleanMessage(message), signed: signed, hasTagger: true}
	switch {
	case r.commits[target] != nil:
		t.typ = "commit"
	case r.tagObjs[target] != nil:
		t.typ = "tag"
	case r.blobs[target] != nil:
		t.typ = "blob"
	default:
		t.typ = "commit" // a commit the repository lacks
	}
	t.id = hashID("tag", name, target, t.typ, when.String(), t.message, fmt.Sprint(signed))
	r.tagObjs[t.id] = t
	return t
}

// cleanMessage is the message as git's default clean-up of `git tag -F`
// leaves it and as a parsed tag object gives it: trailing whitespace of
// every line and trailing blank lines removed, comment lines dropped.
func cleanMessage(msg string) string {
	var lines []string
	for _, l := range strings.Split(msg, "\n") {
		if strings.HasPrefix(l, "#") {
			continue
		}
		lines = append(lines, strings.TrimRight(l, " \t\r"))
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	return strings.Join(lines, "\n")
}

// typeOf returns the type of the object id, "" when the repository lacks
// it; the caller holds r.mu.
func (r *Repo) typeOf(id string) string {
	switch {
	case r.tagObjs[id] != nil:
		return "tag"
	case r.commits[id] != nil:
		return "commit"
	case r.blobs[id] != nil:
		return "blob"
	}
	return ""
}

// copyObjects copies the object id and everything it leads to from src
// into r (a push or a fetch); the callers hold both locks.
func (r *Repo) copyObjects(src *Repo, id string) {
	for id != "" {
		if t := src.tagObjs[id]; t != nil {
			r.tagObjs[id] = t
			id = t.target
			continue
		}
		c := src.commits[id]
		if c == nil || r.commits[id] != nil {
			return
		}
		r.commits[id] = c
		for _, b := range c.files {
			r.blobs[b] = src.blobs[b]
		}
		id = c.parent
	}
}

// Blob stores a blob with content and returns its id.
func (r *Repo) Blob(content string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := hashID("blob", content)
	r.blobs[id] = []byte(content)
	return id
}

// PushBranches copies every branch (with the objects it needs) to o, as
// `git push --all` does.
func (r *Repo) PushBranches(o *Repo) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o.mu.Lock()
	defer o.mu.Unlock()
	for name, id := range r.branches {
		o.copyObjects(r, id)
		o.branches[name] = id
	}
}
