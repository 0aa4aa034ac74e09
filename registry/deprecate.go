package registry

import (
	"context"
	"fmt"

	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/model"
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
	// Counter says whether the tag carries a counter (default: only an
	// unassignment does).
	Counter model.CounterMode
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
	if err := tagname.ValidateArtifactName(opts.Name); err != nil {
		return nil, model.WrapInvalid(model.FieldName, err)
	}
	var res *WriteResult
	err := r.update(ctx, func(s *session, w store.Writer) error {
		snap, err := r.load(ctx, s, scope{artifact: opts.Name})
		if err != nil {
			return err
		}
		a := snap.state.Artifact(opts.Name)
		if a == nil && (!opts.Force || opts.Delete) {
			return model.NotFoundf("artifact", "artifact %q not found", opts.Name)
		}
		if a != nil && !opts.Force && !a.IsActive() {
			return &model.ConflictError{Force: true, Detail: model.Detail{Hint: model.ForceHint, Msg: fmt.Sprintf("artifact %q was deprecated already", opts.Name)}}
		}
		if opts.Delete {
			res, err = r.deleteTags(ctx, w, model.EventTags(a.Events()), opts.Push)
			return err
		}
		commit := ""
		if opts.Ref != "" {
			if commit, err = resolveCommit(ctx, w, opts.Ref); err != nil {
				return err
			}
		} else if a != nil {
			if last := a.LatestEvent(); last != nil {
				commit = last.Commit
			}
		}
		if commit == "" {
			if commit, err = resolveCommit(ctx, w, "HEAD"); err != nil {
				return err
			}
		}
		message := opts.Message
		if message == "" {
			message = fmt.Sprintf("Deprecating artifact '%s'", opts.Name)
		}
		res, err = r.writeTags(ctx, w, snap, []*tagPlan{{
			tag:     tagname.Tag{Artifact: opts.Name, Action: tagname.ActionDeprecate},
			counter: opts.Counter,
			commit:  commit,
			message: message,
			sign:    opts.Sign,
		}}, opts.Push)
		return err
	})
	return res, err
}

// Deregister deregisters a version (NAME@VERSION!), or with Delete deletes
// its registration and every stage tag of the version.
func (r *Registry) Deregister(ctx context.Context, opts DeprecateOptions) (*WriteResult, error) {
	if err := checkVersionOptions(opts); err != nil {
		return nil, err
	}
	var res *WriteResult
	err := r.update(ctx, func(s *session, w store.Writer) error {
		a, snap, err := r.loadArtifact(ctx, s, opts.Name)
		if err != nil {
			return err
		}
		v, err := a.FindOneVersion(opts.Version)
		if err != nil {
			return err
		}
		if !opts.Force {
			switch {
			case v == nil:
				return model.NotFoundf("version", "version %s of artifact %q not found", opts.Version, opts.Name)
			case !v.IsRegistered():
				return &model.ConflictError{Force: true, Detail: model.Detail{Hint: model.ForceHint, Msg: fmt.Sprintf("version %s of artifact %q is not registered", opts.Version, opts.Name)}}
			case !v.IsActive():
				return &model.ConflictError{Force: true, Detail: model.Detail{Hint: model.ForceHint, Msg: fmt.Sprintf("version %s of artifact %q was deregistered already", opts.Version, opts.Name)}}
			}
		}
		if v == nil {
			return model.NotFoundf("version", "cannot deregister version %s of artifact %q: it has no tags", opts.Version, opts.Name)
		}
		if opts.Delete {
			res, err = r.deleteTags(ctx, w, model.EventTags(v.Events()), opts.Push)
			return err
		}
		res, err = r.writeCancel(ctx, w, snap, opts, v,
			tagname.Tag{Artifact: opts.Name, Action: tagname.ActionDeregister, Version: opts.Version},
			fmt.Sprintf("Deregistering artifact %s version %s", opts.Name, opts.Version))
		return err
	})
	return res, err
}

// Unassign unassigns a stage from a version (NAME#STAGE!#N), or with Delete
// deletes every tag of that stage on that version.
func (r *Registry) Unassign(ctx context.Context, opts DeprecateOptions) (*WriteResult, error) {
	var res *WriteResult
	err := r.update(ctx, func(s *session, w store.Writer) error {
		if err := s.cfg.CheckStage(opts.Stage); err != nil {
			return model.WrapInvalid(model.FieldStage, err)
		}
		if err := checkVersionOptions(opts); err != nil {
			return err
		}
		a, snap, err := r.loadArtifact(ctx, s, opts.Name)
		if err != nil {
			return err
		}
		if a == nil {
			return model.NotFoundf("artifact", "artifact %q not found", opts.Name)
		}
		v, err := a.FindOneVersion(opts.Version)
		if err != nil {
			return err
		}
		if v == nil {
			return model.NotFoundf("version", "version %s of artifact %q not found", opts.Version, opts.Name)
		}
		vs := v.Stage(opts.Stage)
		// Deleting needs only that the version ever had the stage: it
		// writes no event, so it may clean up a stage already unassigned
		// (0.2.4's GitRegistry.unassign checks the stages ever used);
		// writing a second unassignment needs the stage active.
		if !opts.Force && (vs == nil || !opts.Delete && !vs.IsActive()) {
			return &model.ConflictError{Force: true, Detail: model.Detail{Hint: model.ForceHint,
				Msg: fmt.Sprintf("stage %q is not assigned to version %s of artifact %q", opts.Stage, opts.Version, opts.Name)}}
		}
		if opts.Delete {
			var events []*model.Event
			if vs != nil {
				events = append(append(events, vs.Assignments...), vs.Unassignments...)
			}
			res, err = r.deleteTags(ctx, w, model.EventTags(events), opts.Push)
			return err
		}
		res, err = r.writeCancel(ctx, w, snap, opts, v,
			tagname.Tag{Artifact: opts.Name, Action: tagname.ActionUnassign, Stage: opts.Stage},
			fmt.Sprintf("Unassigning stage '%s' to artifact '%s' version '%s'", opts.Stage, opts.Name, v.Name))
		return err
	})
	return res, err
}

// writeCancel writes tag, which cancels an event of version v (a
// deregistration or an unassignment), with opts.Message or else
// defaultMessage.
func (r *Registry) writeCancel(ctx context.Context, w store.Writer, snap *snapshot, opts DeprecateOptions, v *model.Version, tag tagname.Tag, defaultMessage string) (*WriteResult, error) {
	message := opts.Message
	if message == "" {
		message = defaultMessage
	}
	return r.writeTags(ctx, w, snap, []*tagPlan{{
		tag: tag, counter: opts.Counter, commit: v.Commit, message: message, version: v.Name, sign: opts.Sign,
	}}, opts.Push)
}

// checkVersionOptions validates the name and version of Deregister and
// Unassign.
func checkVersionOptions(opts DeprecateOptions) error {
	if err := tagname.ValidateArtifactName(opts.Name); err != nil {
		return model.WrapInvalid(model.FieldName, err)
	}
	if opts.Ref != "" {
		return &model.InvalidError{Field: model.FieldRef, Detail: model.Detail{Code: model.CodeRefOnlyForArtifact,
			Msg: "a ref only applies to deprecating a whole artifact"}}
	}
	if _, err := semver.Parse(opts.Version); err != nil {
		return model.WrapInvalid(model.FieldVersion, err)
	}
	return nil
}

// loadArtifact reads one artifact (nil when it has no tags).
func (r *Registry) loadArtifact(ctx context.Context, s *session, name string) (*model.Artifact, *snapshot, error) {
	snap, err := r.load(ctx, s, scope{artifact: name, commits: commitsNone})
	if err != nil {
		return nil, nil, err
	}
	return snap.state.Artifact(name), snap, nil
}
