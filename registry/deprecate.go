package registry

import (
	"context"
	"fmt"

	"github.com/gto-dev/gto/semver"
	"github.com/gto-dev/gto/tagname"
)

// DeprecateOptions are the options of Deprecate, Deregister and Unassign.
type DeprecateOptions struct {
	Name    string
	Version string // Deregister and Unassign
	Stage   string // Unassign
	// Ref is the commit the deprecation tag goes on (Deprecate only);
	// default: the commit of the artifact's latest event.
	Ref     string
	Message string
	Simple  Simple
	// Force writes the tag even when there is nothing to cancel.
	Force bool
	// Delete deletes the tags of the artifact / version / stage instead of
	// writing a cancelling tag.
	Delete bool
	Push   bool
	// Sign signs the tag (true), never signs it (false), or lets git's
	// tag.gpgSign configuration decide (nil).
	Sign *bool
}

// Deprecate deprecates an artifact (NAME@deprecated, on the commit of its
// latest event), or with Delete deletes all its tags.
func (r *Registry) Deprecate(ctx context.Context, opts DeprecateOptions) (*WriteResult, error) {
	if _, err := r.ready(ctx); err != nil { // a remote registry: its mirror up to date
		return nil, err
	}
	if err := tagname.ValidateArtifactName(opts.Name); err != nil {
		return nil, wrapInvalid(err)
	}
	unlock, err := r.lockWrites(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	snap, err := r.load(ctx, scope{artifact: opts.Name})
	if err != nil {
		return nil, err
	}
	a := snap.state.Artifact(opts.Name)
	if a == nil && (!opts.Force || opts.Delete) {
		return nil, notFoundf("artifact %q not found", opts.Name)
	}
	if a != nil && !opts.Force && !a.IsActive() {
		return nil, conflictf("artifact %q was deprecated already", opts.Name)
	}
	if opts.Delete {
		return r.deleteAndPublish(ctx, eventTags(a.Events()), opts.Push)
	}
	commit := ""
	if opts.Ref != "" {
		if commit, err = r.resolveCommit(ctx, opts.Ref); err != nil {
			return nil, err
		}
	} else if a != nil {
		if last := a.LatestEvent(); last != nil {
			commit = last.Commit
		}
	}
	if commit == "" {
		if commit, err = r.resolveCommit(ctx, "HEAD"); err != nil {
			return nil, err
		}
	}
	message := opts.Message
	if message == "" {
		message = fmt.Sprintf("Deprecating artifact '%s'", opts.Name)
	}
	return r.writeOne(ctx, snap, &tagPlan{
		tag:     tagname.Tag{Artifact: opts.Name, Action: tagname.ActionDeprecate},
		simple:  opts.Simple,
		commit:  commit,
		message: message,
		sign:    opts.Sign,
	}, opts.Push)
}

// Deregister deregisters a version (NAME@VERSION!), or with Delete deletes
// its registration and every stage tag of the version.
func (r *Registry) Deregister(ctx context.Context, opts DeprecateOptions) (*WriteResult, error) {
	if _, err := r.ready(ctx); err != nil { // a remote registry: its mirror up to date
		return nil, err
	}
	unlock, err := r.lockWrites(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	a, snap, err := r.loadForVersion(ctx, opts)
	if err != nil {
		return nil, err
	}
	v := a.findRegistered(opts.Version)
	if !opts.Force {
		switch {
		case v == nil:
			return nil, notFoundf("version %s of artifact %q not found", opts.Version, opts.Name)
		case !v.IsRegistered():
			return nil, conflictf("version %s of artifact %q is not registered", opts.Version, opts.Name)
		case !v.IsActive():
			return nil, conflictf("version %s of artifact %q was deregistered already", opts.Version, opts.Name)
		}
	}
	if v == nil {
		return nil, notFoundf("cannot deregister version %s of artifact %q: it has no tags", opts.Version, opts.Name)
	}
	if opts.Delete {
		return r.deleteAndPublish(ctx, eventTags(v.Events()), opts.Push)
	}
	message := opts.Message
	if message == "" {
		message = fmt.Sprintf("Deregistering artifact %s version %s", opts.Name, opts.Version)
	}
	return r.writeOne(ctx, snap, &tagPlan{
		tag:     tagname.Tag{Artifact: opts.Name, Action: tagname.ActionDeregister, Version: opts.Version},
		simple:  opts.Simple,
		commit:  v.Commit,
		message: message,
		version: v.Name,
		sign:    opts.Sign,
	}, opts.Push)
}

// Unassign unassigns a stage from a version (NAME#STAGE!#N), or with Delete
// deletes every tag of that stage on that version.
func (r *Registry) Unassign(ctx context.Context, opts DeprecateOptions) (*WriteResult, error) {
	if _, err := r.ready(ctx); err != nil { // a remote registry: its mirror up to date
		return nil, err
	}
	if err := r.cfg.CheckStage(opts.Stage); err != nil {
		return nil, wrapInvalid(err)
	}
	unlock, err := r.lockWrites(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	a, snap, err := r.loadForVersion(ctx, opts)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, notFoundf("artifact %q not found", opts.Name)
	}
	v := a.findRegistered(opts.Version)
	if v == nil {
		return nil, notFoundf("version %s of artifact %q not found", opts.Version, opts.Name)
	}
	vs := v.Stage(opts.Stage)
	if !opts.Force && (vs == nil || !vs.IsActive()) {
		return nil, conflictf("stage %q is not assigned to version %s of artifact %q", opts.Stage, opts.Version, opts.Name)
	}
	if opts.Delete {
		var events []*Event
		if vs != nil {
			events = append(append(events, vs.Assignments...), vs.Unassignments...)
		}
		return r.deleteAndPublish(ctx, eventTags(events), opts.Push)
	}
	message := opts.Message
	if message == "" {
		message = fmt.Sprintf("Unassigning stage '%s' to artifact '%s' version '%s'", opts.Stage, opts.Name, v.Name)
	}
	return r.writeOne(ctx, snap, &tagPlan{
		tag:     tagname.Tag{Artifact: opts.Name, Action: tagname.ActionUnassign, Stage: opts.Stage},
		simple:  opts.Simple,
		commit:  v.Commit,
		message: message,
		version: v.Name,
		sign:    opts.Sign,
	}, opts.Push)
}

// loadForVersion validates the name and version and reads the artifact.
func (r *Registry) loadForVersion(ctx context.Context, opts DeprecateOptions) (*Artifact, *snapshot, error) {
	if err := tagname.ValidateArtifactName(opts.Name); err != nil {
		return nil, nil, wrapInvalid(err)
	}
	if opts.Ref != "" {
		return nil, nil, invalidf("--ref only applies to deprecating a whole artifact (gto deprecate NAME --ref REF)")
	}
	if _, err := semver.Parse(opts.Version); err != nil {
		return nil, nil, wrapInvalid(err)
	}
	snap, err := r.load(ctx, scope{artifact: opts.Name, commits: commitsNone})
	if err != nil {
		return nil, nil, err
	}
	return snap.state.Artifact(opts.Name), snap, nil
}

// findRegistered is FindVersion for a possibly nil artifact.
func (a *Artifact) findRegistered(name string) *Version {
	if a == nil {
		return nil
	}
	return a.FindVersion(name)
}

func (r *Registry) writeOne(ctx context.Context, snap *snapshot, p *tagPlan, push bool) (*WriteResult, error) {
	created, err := r.newWriter(snap).writeAll(ctx, []*tagPlan{p})
	if err != nil {
		return nil, err
	}
	res := &WriteResult{Created: created}
	return res, r.publish(ctx, res, push)
}

func (r *Registry) deleteAndPublish(ctx context.Context, tags []string, push bool) (*WriteResult, error) {
	if len(tags) == 0 {
		// Only --force gets here (a stage never assigned to the version,
		// an artifact known from its annotation alone): as 0.2.4, deleting
		// nothing succeeds.
		return &WriteResult{}, nil
	}
	deleted, err := r.deleteTags(ctx, tags)
	res := &WriteResult{Deleted: deleted}
	if err != nil {
		return res, err
	}
	return res, r.publish(ctx, res, push)
}
