package registry

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/semver"
	"github.com/gto-dev/gto/tagname"
)

// RegisterOptions are the options of Register.
type RegisterOptions struct {
	Name string
	// Ref is the commit to register (any git revision); default HEAD.
	Ref string
	// Version names the version; empty picks one: the greatest active
	// version bumped by Bump, or v0.0.1 for the first one.
	Version string
	Bump    model.Bump
	// Message is the tag message; empty gives the default message.
	Message string
	// Counter says whether the tag carries a counter (default: none).
	Counter model.CounterMode
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
	if err := tagname.ValidateArtifactName(opts.Name); err != nil {
		return nil, model.WrapInvalid(model.FieldName, err)
	}
	if opts.Version != "" && opts.Bump != model.BumpNone {
		return nil, &model.InvalidError{Field: model.FieldVersion, Value: opts.Bump.String(), Detail: model.Detail{
			Code: model.CodeVersionAndBump, Msg: fmt.Sprintf("use either a version or a %s bump, not both", opts.Bump)}}
	}
	if opts.Version != "" {
		if _, err := semver.Parse(opts.Version); err != nil {
			return nil, model.WrapInvalid(model.FieldVersion, err)
		}
	}
	ref := cmp.Or(opts.Ref, "HEAD")
	r.startResolve(ctx, ref)
	var res *WriteResult
	err := r.update(ctx, func(s *session, w store.Writer) error {
		commit, snap, err := r.loadResolving(ctx, s, w, ref, scope{artifact: opts.Name, commits: commitsNone})
		if err != nil {
			return err
		}
		version, err := model.PlanVersion(snap.state.Artifact(opts.Name), opts.Name, commit, opts.Version, opts.Bump, opts.Force,
			opts.Counter.Counts(tagname.ActionRegister))
		if err != nil {
			return err
		}
		plan := registrationPlan(opts.Name, commit, version, opts.Message, opts.Counter)
		plan.sign = opts.Sign
		res, err = r.writeTags(ctx, w, snap, []*tagPlan{plan}, opts.Push)
		return err
	})
	return res, err
}

func registrationPlan(name, commit, version, message string, counter model.CounterMode) *tagPlan {
	if message == "" {
		message = fmt.Sprintf("Registering artifact %s version %s", name, version)
	}
	return &tagPlan{
		tag:     tagname.Tag{Artifact: name, Action: tagname.ActionRegister, Version: version},
		counter: counter,
		commit:  commit,
		message: message,
		version: version,
	}
}

// startResolve lets the store begin resolving ref (nothing when empty)
// while the write takes its lock and reads: see store.ResolveStarter.
func (r *Registry) startResolve(ctx context.Context, ref string) {
	if st, ok := r.store.(store.ResolveStarter); ok && ref != "" {
		st.StartResolve(ctx, ref)
	}
}

// loadResolving loads sc, then resolves the revision ref to a commit
// (nothing to resolve when ref is empty): after startResolve, the load
// goes on while git starts. An error of the revision comes first, as when
// it was resolved first.
func (r *Registry) loadResolving(ctx context.Context, s *session, rd store.Reader, ref string, sc scope) (string, *snapshot, error) {
	snap, loadErr := r.load(ctx, s, sc)
	var commit string
	if ref != "" {
		var err error
		if commit, err = resolveCommit(ctx, rd, ref); err != nil {
			return "", nil, err
		}
	}
	return commit, snap, loadErr
}

// resolveCommit resolves a revision (default HEAD) to a commit hexsha.
func resolveCommit(ctx context.Context, rd store.Reader, ref string) (string, error) {
	if ref == "" {
		ref = "HEAD"
	}
	commit, err := rd.ResolveCommit(ctx, ref)
	if errors.Is(err, store.ErrNoCommits) {
		return "", &model.NotFoundError{What: "commit", Detail: model.Detail{Err: err,
			Msg: "the repository has no commits yet", Hint: "commit something before registering"}}
	}
	if err != nil {
		return "", refError(ref, err)
	}
	return commit, nil
}
