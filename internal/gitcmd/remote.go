package gitcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"time"
)

// RejectedRef is a ref the remote did not accept in a push.
type RejectedRef struct {
	// Ref is the destination ref ("refs/tags/model@v1.0.0").
	Ref string
	// Reason is git's reason, untranslated ("already exists",
	// "non-fast-forward", "fetch first", "hook declined", ...).
	Reason string
}

// PushError is the error of a push that the remote (or git's own checks)
// rejected for some refs. It wraps the *Error of the failed command, and
// ErrTagExists when a tag was rejected because the remote already has it.
type PushError struct {
	// Remote is the remote name or URL pushed to.
	Remote string
	// Rejected lists the refs that were not updated, in git's order.
	Rejected []RejectedRef

	err *Error
}

// Error says which refs were rejected and why, on one line.
func (e *PushError) Error() string {
	parts := make([]string, len(e.Rejected))
	for i, r := range e.Rejected {
		parts[i] = fmt.Sprintf("%s (%s)", r.Ref, r.Reason)
	}
	return fmt.Sprintf("failed to push to %s: rejected %s", e.Remote, strings.Join(parts, ", "))
}

// Unwrap returns the failed command's *Error and, when a tag was rejected
// as already existing, ErrTagExists.
func (e *PushError) Unwrap() []error {
	errs := []error{e.err}
	for _, r := range e.Rejected {
		if r.Reason == "already exists" && strings.HasPrefix(r.Ref, "refs/tags/") {
			errs = append(errs, ErrTagExists)
			break
		}
	}
	return errs
}

// Reasons of RejectedRef that callers branch on.
const (
	// ReasonAlreadyExists: the remote has a tag of that name pointing at
	// another object (a tag is never moved without force).
	ReasonAlreadyExists = "already exists"
	// ReasonAtomicFailed: the ref was fine, but another ref of the same
	// atomic push was rejected, so none was updated.
	ReasonAtomicFailed = "atomic push failed"
	// ReasonStale: a ref with a lease was not at the value expected.
	ReasonStale = "stale info"
)

// ErrAtomicUnsupported: an atomic push (PushOptions.Atomic) was refused
// because the remote cannot update several refs atomically; nothing was
// pushed.
var ErrAtomicUnsupported = errors.New("the remote does not support atomic pushes")

// PushOptions say how PushWith pushes.
type PushOptions struct {
	// Atomic updates every ref or none (--atomic): when one ref is
	// rejected, the others are reported with ReasonAtomicFailed. A remote
	// without support for it gives an error wrapping ErrAtomicUnsupported.
	Atomic bool
	// Leases make the update of a ref conditional on its value on the
	// remote (--force-with-lease=REF:EXPECT; EXPECT "" means the ref must
	// not exist): a ref that moved is rejected with ReasonStale.
	Leases []Lease
}

// Lease is a compare-and-swap of a push: Ref is updated only if it is at
// Expect on the remote ("" for absent).
type Lease struct {
	Ref, Expect string
}

// Push runs `git push --porcelain <remote> <refspecs>...`: refspecs are
// ordinary push refspecs ("refs/tags/x", ":refs/tags/x" to delete). When
// some refs are rejected the error is a *PushError naming them; other
// failures (authentication, network) are an *Error.
func (r *Repo) Push(ctx context.Context, remote string, refspecs []string) error {
	return r.PushWith(ctx, remote, refspecs, PushOptions{})
}

// PushWith is Push with options.
func (r *Repo) PushWith(ctx context.Context, remote string, refspecs []string, opts PushOptions) error {
	args := []string{"push", "--porcelain"}
	if opts.Atomic {
		args = append(args, "--atomic")
	}
	for _, l := range opts.Leases {
		args = append(args, "--force-with-lease="+l.Ref+":"+l.Expect)
	}
	args = append(append(args, "--end-of-options", remote), refspecs...)
	out, err := r.git(ctx, args...)
	// --porcelain reports every ref on stdout in a fixed, untranslated
	// format; the exit status alone does not say which ref failed.
	rejected := parsePushPorcelain(string(out))
	if len(rejected) == 0 {
		var e *Error
		// "the receiving end does not support --atomic push": the option
		// name is the one part no translation changes.
		if opts.Atomic && errors.As(err, &e) && strings.Contains(e.Stderr, "--atomic") {
			return newKindError(ErrAtomicUnsupported, err, "%s does not support atomic pushes", remote)
		}
		return err
	}
	pe := &PushError{Remote: remote, Rejected: rejected}
	if !errors.As(err, &pe.err) {
		// Old versions of git exit 0 for some rejections in porcelain
		// mode; still a failure.
		pe.err = &Error{Args: append([]string{"-C", r.dir()}, args...)}
	}
	return pe
}

// parsePushPorcelain returns the rejected refs of `git push --porcelain`
// output: lines "<flag>\t<from>:<to>\t<summary> (<reason>)", where flag "!"
// marks a rejection.
func parsePushPorcelain(out string) []RejectedRef {
	var rejected []RejectedRef
	for line := range strings.Lines(out) {
		fields := strings.SplitN(strings.TrimSuffix(line, "\n"), "\t", 3)
		if len(fields) != 3 || fields[0] != "!" {
			continue
		}
		ref := fields[1]
		if i := strings.LastIndexByte(ref, ':'); i >= 0 {
			ref = ref[i+1:]
		}
		reason := fields[2]
		if open := strings.IndexByte(reason, '('); open >= 0 && strings.HasSuffix(reason, ")") {
			reason = reason[open+1 : len(reason)-1]
		}
		rejected = append(rejected, RejectedRef{Ref: ref, Reason: reason})
	}
	return rejected
}

// RemoteTag is a tag a remote advertises.
type RemoteTag struct {
	// Name is the tag name without refs/tags/.
	Name string
	// Object is the object the ref points at (the tag object of an
	// annotated tag).
	Object string
}

// RemoteRef is a ref a remote advertises: its full name and the object
// it points at.
type RemoteRef struct {
	Name, Object string
}

// ListRemoteRefs lists the refs of remote matching patterns (ls-remote
// patterns: "refs/tags/*"), without the peeled lines of tags, in the
// remote's order. It talks to the remote and fetches nothing.
func (r *Repo) ListRemoteRefs(ctx context.Context, remote string, patterns ...string) ([]RemoteRef, error) {
	out, err := r.git(ctx, append([]string{"ls-remote", "--refs", "--end-of-options", remote}, patterns...)...)
	if err != nil {
		return nil, err
	}
	var refs []RemoteRef
	for line := range strings.Lines(string(out)) {
		if id, ref, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "\t"); ok {
			refs = append(refs, RemoteRef{Name: ref, Object: id})
		}
	}
	return refs, nil
}

// ListRemoteTags lists the tags of remote (a remote name or URL) with `git
// ls-remote --tags`, in the remote's order. It talks to the remote and
// fetches nothing.
func (r *Repo) ListRemoteTags(ctx context.Context, remote string) ([]RemoteTag, error) {
	out, err := r.git(ctx, "ls-remote", "--tags", "--end-of-options", remote)
	if err != nil {
		return nil, err
	}
	var tags []RemoteTag
	for line := range strings.Lines(string(out)) {
		id, ref, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
		if !ok || !strings.HasPrefix(ref, "refs/tags/") || strings.HasSuffix(ref, "^{}") {
			continue // peeled lines ("refs/tags/x^{}") repeat a tag
		}
		tags = append(tags, RemoteTag{Name: ref[len("refs/tags/"):], Object: id})
	}
	return tags, nil
}

// FetchTags fetches the named tags of remote into refs/tags/ (with the
// objects they need), without forcing: a local tag of the same name that
// points elsewhere is left alone and makes the fetch fail. The refspecs go
// to git on standard input, so there may be any number of names.
func (r *Repo) FetchTags(ctx context.Context, remote string, names []string) error {
	if len(names) == 0 {
		return nil
	}
	var in strings.Builder
	for _, n := range names {
		in.WriteString("refs/tags/" + n + ":refs/tags/" + n + "\n")
	}
	_, err := r.run(ctx, call{
		args:  []string{"fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--stdin", "--end-of-options", remote},
		stdin: strings.NewReader(in.String()),
	})
	return err
}

// PushCurrentBranch runs a plain `git push`: the current branch to its
// upstream, as git's push.default configures.
func (r *Repo) PushCurrentBranch(ctx context.Context) error {
	_, err := r.git(ctx, "push")
	return err
}

// Fetch runs `git fetch [--prune] <remote> <refspecs>...` quietly, without
// writing FETCH_HEAD or starting maintenance: a mirror is updated by every
// command, so a fetch must cost no more than the negotiation. Without
// refspecs the remote's configured ones apply. Use "+refs/tags/*:refs/tags/*"
// with prune to mirror the remote's tags exactly (deleted tags disappear,
// moved ones are updated).
func (r *Repo) Fetch(ctx context.Context, remote string, refspecs []string, prune bool) error {
	args := []string{"fetch", "--quiet", "--no-write-fetch-head", "--no-auto-gc", "--no-auto-maintenance"}
	if prune {
		args = append(args, "--prune")
	}
	_, err := r.git(ctx, append(append(args, "--end-of-options", remote), refspecs...)...)
	return err
}

// CloneOptions say how Clone clones.
type CloneOptions struct {
	// Bare makes a bare clone (--bare); Mirror a mirror (--mirror, which
	// implies bare and copies every ref).
	Bare, Mirror bool
	// Filter is a partial-clone filter ("blob:none", "tree:0"); "" for a
	// full clone. Objects left out are fetched from the remote when first
	// read, one by one, which is slow and needs the network.
	Filter string
	// NoCheckout skips checking out HEAD (--no-checkout).
	NoCheckout bool
	// Progress, when not nil, receives git's progress output (--progress).
	Progress io.Writer
	// Verbose, NonInteractive, Env and Timeout are the Options of the
	// clone and of the returned Repo.
	Verbose        io.Writer
	NonInteractive bool
	Env            []string
	Timeout        time.Duration
}

// Clone clones url (a URL, or a path to a local repository) into dir, which
// must not exist or be empty, and opens the clone. Errors are *Error.
func Clone(ctx context.Context, url, dir string, opts CloneOptions) (*Repo, error) {
	if dir == "" {
		return nil, errors.New("clone: no target directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	o := Options{Verbose: opts.Verbose, NonInteractive: opts.NonInteractive, Env: opts.Env, Timeout: opts.Timeout}
	args := []string{"clone"}
	switch {
	case opts.Mirror:
		args = append(args, "--mirror")
	case opts.Bare:
		args = append(args, "--bare")
	}
	if opts.Filter != "" {
		args = append(args, "--filter="+opts.Filter)
	}
	if opts.NoCheckout {
		args = append(args, "--no-checkout")
	}
	c := call{}
	if opts.Progress != nil {
		args = append(args, "--progress")
		c.stderr = opts.Progress
	} else {
		args = append(args, "--quiet")
	}
	c.args = append(args, "--end-of-options", url, abs)
	if _, err := o.run(ctx, "", c); err != nil {
		return nil, err
	}
	return OpenWith(ctx, abs, o)
}

// RemoteURL returns the URL of the remote name (`git remote get-url`, with
// url.<base>.insteadOf rewriting applied). Errors: ErrRemoteNotFound when no
// such remote is configured.
func (r *Repo) RemoteURL(ctx context.Context, name string) (string, error) {
	out, err := r.git(ctx, "remote", "get-url", "--end-of-options", name)
	// `git remote get-url` exits with status 2 for an unknown remote.
	if exitCode(err) == 2 {
		return "", newKindError(ErrRemoteNotFound, err, "no remote named %q", name)
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// looseRefsToPack is how many loose refs make Tidy pack them.
const looseRefsToPack = 256

// Tidy keeps a repository that only gto writes (a cached mirror) fast to
// read after many fetches: every fetch leaves one loose file per new ref,
// and git reads each of them whenever a command lists refs (a one-artifact
// command went from 15 ms to 300 ms with 50,000 loose tags), so once there
// are many they are packed (`git pack-refs --all`); and `git gc --auto`
// repacks when fetches have left many packs or loose objects (rarely; it
// checks two counters otherwise). Both run in the foreground: the caller
// holds the mirror's lock, and nothing is left running after it.
func (r *Repo) Tidy(ctx context.Context) error {
	loose := 0
	filepath.WalkDir(filepath.Join(r.gitDir, "refs"), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			loose++
		}
		if loose >= looseRefsToPack {
			return fs.SkipAll
		}
		return nil
	})
	if loose >= looseRefsToPack {
		if _, err := r.git(ctx, "pack-refs", "--all"); err != nil {
			return err
		}
	}
	_, err := r.git(ctx, "-c", "gc.autoDetach=false", "gc", "--auto", "--quiet")
	return err
}
