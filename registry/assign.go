package registry

import (
	"context"
	"fmt"

	"github.com/gto-dev/gto/semver"
	"github.com/gto-dev/gto/tagname"
)

// AssignOptions are the options of Assign. Exactly one of Version and Ref
// designates the version.
type AssignOptions struct {
	Name  string
	Stage string
	// Version assigns the stage to this registered version.
	Version string
	// Ref assigns the stage to the version at this commit; an unregistered
	// commit is registered first (as NewVersion, or the next version),
	// unless SkipRegistration.
	Ref        string
	NewVersion string
	// SkipRegistration assigns the stage to an unregistered commit: the
	// version is then named by the commit hexsha.
	SkipRegistration bool
	Message          string // of the assignment tag; empty: the default message
	Simple           Simple
	// Force assigns a stage the version already has.
	Force bool
	Push  bool
	// Sign signs the tags (true), never signs them (false), or lets git's
	// tag.gpgSign configuration decide (nil).
	Sign *bool
}

// Assign assigns a stage to a version by writing NAME#STAGE#N (and, for an
// unregistered commit, first NAME@VERSION with the same date). A failing
// assign writes nothing.
func (r *Registry) Assign(ctx context.Context, opts AssignOptions) (*WriteResult, error) {
	if _, err := r.ready(ctx); err != nil { // a remote registry: its mirror up to date
		return nil, err
	}
	if err := r.checkAssign(opts); err != nil {
		return nil, err
	}
	unlock, err := r.lockWrites(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var commit string
	if opts.Ref != "" {
		c, err := r.resolveCommit(ctx, opts.Ref)
		if err != nil {
			return nil, err
		}
		commit = c
	}
	snap, err := r.load(ctx, scope{artifact: opts.Name, commits: commitsNone})
	if err != nil {
		return nil, err
	}
	a := snap.state.Artifact(opts.Name)
	var plans []*tagPlan
	var target *Version
	versionName := ""
	if opts.Version != "" {
		if a != nil {
			target = a.FindVersion(opts.Version)
		}
		if target == nil {
			return nil, notFoundf("version %s of artifact %q is not registered", opts.Version, opts.Name)
		}
		commit, versionName = target.Commit, target.Name
	} else if at := a.versionsAt(commit); len(at) > 0 {
		if opts.NewVersion != "" {
			return nil, conflictf("cannot register %s: commit %.7s already holds version %s of artifact %q", opts.NewVersion, commit, at[0].Name, opts.Name)
		}
		target = at[0]
		versionName = target.Name
	} else if opts.SkipRegistration {
		if a != nil {
			target = a.unreg[commit]
		}
		versionName = commit
	} else {
		v, err := planVersion(a, opts.Name, commit, opts.NewVersion, BumpNone, false)
		if err != nil {
			return nil, err
		}
		plans = append(plans, registrationPlan(opts.Name, commit, v, "", SimpleTrue))
		versionName = v
	}
	if target != nil && !opts.Force {
		if vs := target.Stage(opts.Stage); vs != nil && vs.IsActive() {
			return nil, conflictf("version %s of artifact %q is already in stage %q: use --force to assign it again", versionName, opts.Name, opts.Stage)
		}
	}
	message := opts.Message
	if message == "" {
		message = fmt.Sprintf("Assigning stage %s to artifact %s version %s", opts.Stage, opts.Name, versionName)
	}
	plans = append(plans, &tagPlan{
		tag:     tagname.Tag{Artifact: opts.Name, Action: tagname.ActionAssign, Stage: opts.Stage},
		simple:  opts.Simple,
		commit:  commit,
		message: message,
		version: versionName,
	})
	for _, p := range plans {
		p.sign = opts.Sign
	}
	created, err := r.newWriter(snap).writeAll(ctx, plans)
	if err != nil {
		return nil, err
	}
	res := &WriteResult{Created: created}
	return res, r.publish(ctx, res, opts.Push)
}

func (r *Registry) checkAssign(opts AssignOptions) error {
	if err := tagname.ValidateArtifactName(opts.Name); err != nil {
		return wrapInvalid(err)
	}
	if opts.Stage == "" {
		return invalidf("a stage is required: pass --stage")
	}
	if err := r.cfg.CheckStage(opts.Stage); err != nil {
		return wrapInvalid(err)
	}
	if (opts.Version == "") == (opts.Ref == "") {
		return invalidf("pass either a version (--version) or a git reference, not both")
	}
	for _, v := range []string{opts.Version, opts.NewVersion} {
		if v != "" {
			if _, err := semver.Parse(v); err != nil {
				return wrapInvalid(err)
			}
		}
	}
	if opts.NewVersion != "" && opts.SkipRegistration {
		return invalidf("--version names the version to register, which --skip-registration skips: pass only one of them")
	}
	return nil
}

// versionsAt is VersionsAt for a possibly nil artifact.
func (a *Artifact) versionsAt(commit string) []*Version {
	if a == nil {
		return nil
	}
	return a.VersionsAt(commit)
}
