package gitcmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TagRequest describes an annotated tag to create.
type TagRequest struct {
	// Name is the tag name (without refs/tags/).
	Name string
	// Target is the revision to tag (a commit id, usually); it is resolved
	// by git.
	Target string
	// Message is the tag message, passed on standard input (so it may be of
	// any size). git's default clean-up applies, as for `git tag -m`:
	// trailing whitespace and "#" comment lines are removed.
	Message string
	// Date is the tagger date, given to git as GIT_COMMITTER_DATE (any
	// format git accepts, e.g. "1640998800 +0000" or RFC 3339). Empty:
	// git's own (GIT_COMMITTER_DATE from the environment, else now).
	Date string
	// Sign: nil lets git's configuration decide (tag.gpgSign,
	// tag.forceSignAnnotated); true signs (-s); false never signs
	// (--no-sign).
	Sign *bool
	// Object is a tag object made for this tag by MakeTagObjects:
	// UpdateTags points the ref at it and ignores Target, Message, Date
	// and Sign. CreateTag does not take one.
	Object string
}

// CreateTag creates an annotated tag with `git tag -a`. The tagger identity
// is git's: GIT_COMMITTER_NAME/EMAIL from the environment, then the git
// configuration.
//
// Creation is atomic and never overwrites: if the tag exists, also when
// another process creates it at the same time, the error wraps
// ErrTagExists (and only one of the racing creators succeeds). A Target
// that does not resolve gives an *Error.
func (r *Repo) CreateTag(ctx context.Context, req TagRequest) error {
	args := tagArgs(req)
	var env []string
	if req.Date != "" {
		env = append(env, "GIT_COMMITTER_DATE="+req.Date)
	}
	stderr := &cappedBuffer{max: stderrCap}
	_, err := r.run(ctx, call{args: args, env: env, stdin: strings.NewReader(req.Message), stderr: stderr})
	if err == nil && req.Sign != nil && *req.Sign {
		return r.checkSigned(ctx, req.Name, stderr.String())
	}
	if err == nil || ctx.Err() != nil || errors.Is(err, ErrGitNotFound) {
		return err
	}
	// git tag refuses an existing name, and its ref transaction requires
	// the ref to be absent, so a concurrent creator makes one of us fail.
	// Whether the tag exists now tells that case from the others without
	// reading git's (localised) message.
	if exists, _ := r.waitTag(ctx, req.Name, err); exists {
		return newKindError(ErrTagExists, err, "tag %q already exists", req.Name)
	}
	return err
}

// ErrNotSigned: a tag that had to be signed (TagRequest.Sign) could not
// be; it was not created.
var ErrNotSigned = errors.New("tag not signed")

// checkSigned makes sure the tag just created with -s carries a signature:
// some versions of git report a failed SSH signature on stderr but still
// create the tag, unsigned, and exit 0. Such a tag is deleted again.
func (r *Repo) checkSigned(ctx context.Context, name, stderr string) error {
	id, ok, err := r.tagObject(ctx, name)
	if err != nil || !ok {
		return err
	}
	content, err := r.git(ctx, "cat-file", "tag", id)
	if err != nil {
		return err
	}
	if signatureStart(string(content)) >= 0 {
		return nil
	}
	if err := r.DeleteTag(ctx, name, id); err != nil {
		return fmt.Errorf("git created tag %q without the signature asked for, and deleting it failed: %w", name, err)
	}
	reason := firstMessageLine(stderr)
	if reason == "" {
		reason = "git gave no reason"
	}
	return newKindError(ErrNotSigned, nil, "could not sign tag %q: %s", name, reason)
}

// waitTag reports whether tag name exists after a failed write. When the
// failure was the lock of another writer (stderr names refs/tags/<name>.lock,
// a path, which no locale translates) that writer may still be committing,
// so the check is repeated for a short while.
func (r *Repo) waitTag(ctx context.Context, name string, failure error) (bool, error) {
	var e *Error
	locked := errors.As(failure, &e) && strings.Contains(e.Stderr, "refs/tags/"+name+".lock")
	for attempt := 0; ; attempt++ {
		exists, err := r.TagExists(ctx, name)
		if err != nil || exists || !locked || attempt == 10 {
			return exists, err
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// DeleteTag deletes refs/tags/<name> if it still points at expectedObject,
// with `git update-ref -d`. An empty expectedObject means whatever it
// points at now (read first, so the deletion is still conditional on it).
//
// Errors: ErrRefNotFound when the tag does not exist; an *Error when it
// points at another object than expectedObject.
func (r *Repo) DeleteTag(ctx context.Context, name, expectedObject string) error {
	if expectedObject == "" {
		id, ok, err := r.tagObject(ctx, name)
		if err != nil {
			return err
		}
		if !ok {
			return tagNotFound(name, nil)
		}
		expectedObject = id
	}
	_, err := r.git(ctx, "update-ref", "-d", "--end-of-options", "refs/tags/"+name, expectedObject)
	if err == nil || ctx.Err() != nil || errors.Is(err, ErrGitNotFound) {
		return err
	}
	if exists, xerr := r.TagExists(ctx, name); xerr == nil && !exists {
		return tagNotFound(name, err)
	}
	return err
}

func tagNotFound(name string, cause error) error {
	return newKindError(ErrRefNotFound, cause, "tag %q was not found in the repository", name)
}
