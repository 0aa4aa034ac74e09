package registry

import (
	"context"
	"fmt"
	"strings"

	"github.com/gto-dev/gto/config"
	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/model"
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
	// Counter says whether the assignment tag carries a counter (default:
	// it does).
	Counter model.CounterMode
	// Force assigns a stage the version already has.
	Force bool
	Push  bool
	// Sign signs the tags (true), never signs them (false), or lets git's
	// tag.gpgSign configuration decide (nil).
	Sign *bool
}

// Assign assigns a stage to a version by writing NAME#STAGE#N (and, for an
// unregistered commit, first NAME@VERSION with the same date). A failing
// assign writes nothing. An assignment the policy refuses (see Policy and
// CheckAssign) is a *model.PolicyError, Force or not.
func (r *Registry) Assign(ctx context.Context, opts AssignOptions) (*WriteResult, error) {
	r.startResolve(ctx, opts.Ref)
	var res *WriteResult
	err := r.update(ctx, func(s *session, w store.Writer) error {
		snap, plans, err := r.planAssign(ctx, s, opts)
		if err != nil {
			return err
		}
		if err := r.checkAssignPolicy(ctx, s, snap, plans, opts); err != nil {
			return err
		}
		res, err = r.writeTags(ctx, w, snap, plans, opts.Push)
		return err
	})
	return res, err
}

// planAssign checks opts and plans the tags of the assignment in session
// s: the artifact's tags as read, and the plans (a registration first when
// the commit needs one).
func (r *Registry) planAssign(ctx context.Context, s *session, opts AssignOptions) (*snapshot, []*tagPlan, error) {
	if err := checkAssign(s.cfg, opts); err != nil {
		return nil, nil, err
	}
	commit, snap, err := r.loadResolving(ctx, s, s.rd, opts.Ref, scope{artifact: opts.Name, commits: commitsNone})
	if err != nil {
		return nil, nil, err
	}
	plans, err := assignPlans(snap.state.Artifact(opts.Name), commit, opts)
	return snap, plans, err
}

// assignPlans plans the tags of an assignment to the version of a (nil for
// an artifact without tags) that opts.Version names, or that is at commit
// (registering it first when none is, unless SkipRegistration).
func assignPlans(a *model.Artifact, commit string, opts AssignOptions) ([]*tagPlan, error) {
	var plans []*tagPlan
	var target *model.Version
	versionName := ""
	if opts.Version != "" {
		var err error
		if target, err = a.FindOneVersion(opts.Version); err != nil {
			return nil, err
		}
		if target == nil {
			return nil, model.NotFoundf("version", "version %s of artifact %q is not registered", opts.Version, opts.Name)
		}
		commit, versionName = target.Commit, target.Name
	} else if at := a.VersionsAt(commit); len(at) > 0 {
		if opts.NewVersion != "" {
			return nil, model.Conflictf("cannot register %s: commit %.7s already holds version %s of artifact %q", opts.NewVersion, commit, at[0].Name, opts.Name)
		}
		if len(at) > 1 {
			// which of them gets the stage? 0.2.4 refuses too
			// (Artifact.find_version raises ManyVersions).
			names := make([]string, len(at))
			for i, v := range at {
				names[i] = v.Name
			}
			return nil, &model.ConflictError{Detail: model.Detail{Code: model.CodeVersionsAtRef,
				Msg:  fmt.Sprintf("commit %.7s holds versions %s of artifact %q", commit, strings.Join(names, ", "), opts.Name),
				Hint: "name the version instead of a git reference"}}
		}
		target = at[0]
		versionName = target.Name
	} else if opts.SkipRegistration {
		target = a.UnregisteredAt(commit)
		versionName = commit
	} else {
		v, err := model.PlanVersion(a, opts.Name, commit, opts.NewVersion, model.BumpNone, false, false)
		if err != nil {
			return nil, err
		}
		plans = append(plans, registrationPlan(opts.Name, commit, v, "", model.CounterNever))
		// The stages assigned at commit with --sr become the new version's
		// once it is registered: one of them active is a stage the version
		// already has (0.2.4's GitRegistry.assign refuses it too, reading
		// the registry again after the registration).
		target = a.UnregisteredAt(commit)
		versionName = v
	}
	if target != nil && !opts.Force {
		if vs := target.Stage(opts.Stage); vs != nil && vs.IsActive() {
			return nil, &model.ConflictError{Force: true, Detail: model.Detail{Code: model.CodeStageAssigned,
				Msg:  fmt.Sprintf("version %s of artifact %q is already in stage %q", versionName, opts.Name, opts.Stage),
				Hint: "force the assignment to assign it again"}}
		}
	}
	message := opts.Message
	if message == "" {
		message = fmt.Sprintf("Assigning stage %s to artifact %s version %s", opts.Stage, opts.Name, versionName)
	}
	plans = append(plans, &tagPlan{
		tag:     tagname.Tag{Artifact: opts.Name, Action: tagname.ActionAssign, Stage: opts.Stage},
		counter: opts.Counter,
		commit:  commit,
		message: message,
		version: versionName,
	})
	for _, p := range plans {
		p.sign = opts.Sign
	}
	return plans, nil
}

// checkAssign validates the options of Assign against the configuration.
func checkAssign(cfg config.Config, opts AssignOptions) error {
	if err := tagname.ValidateArtifactName(opts.Name); err != nil {
		return model.WrapInvalid(model.FieldName, err)
	}
	if opts.Stage == "" {
		return &model.InvalidError{Field: model.FieldStage, Detail: model.Detail{Code: model.CodeStageRequired, Msg: "a stage is required"}}
	}
	if err := cfg.CheckStage(opts.Stage); err != nil {
		return model.WrapInvalid(model.FieldStage, err)
	}
	if (opts.Version == "") == (opts.Ref == "") {
		return &model.InvalidError{Field: model.FieldVersion, Detail: model.Detail{Code: model.CodeVersionOrRef,
			Msg: "give either a version or a git reference, not both"}}
	}
	for _, v := range []string{opts.Version, opts.NewVersion} {
		if v != "" {
			if _, err := semver.Parse(v); err != nil {
				return model.WrapInvalid(model.FieldVersion, err)
			}
		}
	}
	if opts.NewVersion != "" && opts.SkipRegistration {
		return &model.InvalidError{Field: model.FieldVersion, Detail: model.Detail{Code: model.CodeVersionAndSkip,
			Msg: "a version to register and skipping the registration exclude each other: give only one of them"}}
	}
	return nil
}
