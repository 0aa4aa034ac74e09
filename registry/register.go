package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gto-dev/gto/internal/gitcmd"
	"github.com/gto-dev/gto/semver"
	"github.com/gto-dev/gto/tagname"
)

// Bump says which part of the greatest version an automatic version bumps.
type Bump int

const (
	BumpNone  Bump = iota // the patch, as with BumpPatch, but a first version is v0.0.1
	BumpMajor             // v1.2.3 -> v2.0.0
	BumpMinor             // v1.2.3 -> v1.3.0
	BumpPatch             // v1.2.3 -> v1.2.4
)

func (b Bump) String() string {
	return [...]string{"", "--bump-major", "--bump-minor", "--bump-patch"}[b]
}

// RegisterOptions are the options of Register.
type RegisterOptions struct {
	Name string
	// Ref is the commit to register (any git revision); default HEAD.
	Ref string
	// Version names the version; empty picks one: the greatest active
	// version bumped by Bump, or v0.0.1 for the first one.
	Version string
	Bump    Bump
	// Message is the tag message; empty gives the default message.
	Message string
	Simple  Simple
	// Force registers a commit that already holds an active version.
	Force bool
	// Push pushes the tag to origin.
	Push bool
	// Sign signs the tag (true), never signs it (false), or lets git's
	// tag.gpgSign configuration decide (nil).
	Sign *bool
}

// Register registers a version of an artifact at a commit by writing the
// tag NAME@VERSION (SPEC §3, §6).
func (r *Registry) Register(ctx context.Context, opts RegisterOptions) (*WriteResult, error) {
	if _, err := r.ready(ctx); err != nil { // a remote registry: its mirror up to date
		return nil, err
	}
	if err := tagname.ValidateArtifactName(opts.Name); err != nil {
		return nil, wrapInvalid(err)
	}
	if opts.Version != "" && opts.Bump != BumpNone {
		return nil, invalidf("use either --version or %s, not both", opts.Bump)
	}
	if opts.Version != "" {
		if _, err := semver.Parse(opts.Version); err != nil {
			return nil, wrapInvalid(err)
		}
	}
	unlock, err := r.lockWrites(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	commit, err := r.resolveCommit(ctx, opts.Ref)
	if err != nil {
		return nil, err
	}
	snap, err := r.load(ctx, scope{artifact: opts.Name, commits: commitsNone})
	if err != nil {
		return nil, err
	}
	version, err := planVersion(snap.state.Artifact(opts.Name), opts.Name, commit, opts.Version, opts.Bump, opts.Force)
	if err != nil {
		return nil, err
	}
	plan := registrationPlan(opts.Name, commit, version, opts.Message, opts.Simple)
	plan.sign = opts.Sign
	created, err := r.newWriter(snap).writeAll(ctx, []*tagPlan{plan})
	if err != nil {
		return nil, err
	}
	res := &WriteResult{Created: created}
	return res, r.publish(ctx, res, opts.Push)
}

func registrationPlan(name, commit, version, message string, simple Simple) *tagPlan {
	if message == "" {
		message = fmt.Sprintf("Registering artifact %s version %s", name, version)
	}
	return &tagPlan{
		tag:     tagname.Tag{Artifact: name, Action: tagname.ActionRegister, Version: version},
		simple:  simple,
		commit:  commit,
		message: message,
		version: version,
	}
}

// resolveCommit resolves a revision (default HEAD) to a commit hexsha.
func (r *Registry) resolveCommit(ctx context.Context, ref string) (string, error) {
	if ref == "" {
		ref = "HEAD"
	}
	b, err := r.batch(ctx)
	if err != nil {
		return "", err
	}
	commit, err := b.ResolveCommit(ref)
	if errors.Is(err, gitcmd.ErrNoCommits) {
		return "", &Error{Kind: ErrNotFound, Err: err, Msg: "the repository has no commits yet: commit something before registering"}
	}
	if err != nil {
		return "", refError(ref, err)
	}
	return commit, nil
}

// planVersion decides the version name a registration at commit gets, and
// refuses registrations that would break the registry (SPEC §6): a commit
// holds one active version per artifact, a version name belongs to one
// commit, and a deregistered commit can only take its old name again.
func planVersion(a *Artifact, name, commit, version string, bump Bump, force bool) (string, error) {
	var found *Version
	if a != nil {
		if at := a.VersionsAt(commit); len(at) > 0 {
			found = at[0]
			for _, v := range at {
				if v.IsActive() {
					found = v
				}
			}
			if len(at) > 1 {
				names := make([]string, len(at))
				for i, v := range at {
					names[i] = v.Name
				}
				return "", conflictf("commit %.7s already holds versions %s of artifact %q", commit, strings.Join(names, ", "), name)
			}
		}
	}
	if found != nil {
		if !force && found.IsRegistered() && found.IsActive() {
			return "", conflictf("artifact %q is already registered at commit %.7s with version %s", name, commit, found.Name)
		}
		if version == "" {
			version = found.Name
		} else if version != found.Name {
			return "", conflictf("commit %.7s can only be registered again as %s, the version of artifact %q it held", commit, found.Name, name)
		}
	}
	if version != "" {
		if other := a.findOther(version, found); other != nil {
			return "", conflictf("version %s of artifact %q is already registered at commit %.7s", version, name, other.Commit)
		}
		return version, nil
	}
	var last *Version
	if a != nil {
		last = a.LatestVersion(true)
	}
	if last == nil {
		if bump != BumpNone {
			return "", invalidf("cannot apply %s: artifact %q has no version yet, register one first", bump, name)
		}
		return semver.Minimal().String(), nil
	}
	cur := semver.MustParse(last.Name)
	var next semver.Version
	switch bump {
	case BumpMajor:
		next = cur.BumpMajor()
	case BumpMinor:
		next = cur.BumpMinor()
	default:
		next = cur.BumpPatch()
	}
	if other := a.findOther(next.String(), nil); other != nil {
		return "", conflictf("the next version %s of artifact %q already exists at commit %.7s (deregistered): choose one with --version", next, name, other.Commit)
	}
	return next.String(), nil
}

// findOther returns a registered version called name other than except.
func (a *Artifact) findOther(name string, except *Version) *Version {
	if a == nil {
		return nil
	}
	for _, v := range a.Versions {
		if v.Name == name && v != except && !v.Discovered() {
			return v
		}
	}
	return nil
}
