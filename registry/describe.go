package registry

import (
	"context"
	"errors"
	"fmt"

	"github.com/gto-dev/gto/annotations"
	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/tagname"
)

// DescribeOptions are the options of Describe.
type DescribeOptions struct {
	// Name is an artifact name, or a reference to one version: a GTO tag
	// (NAME@vX.Y.Z, NAME#STAGE#N, ...) or a shortcut (NAME@latest,
	// NAME@greatest, NAME#STAGE: the version currently in that stage).
	Name string
	// Rev is the revision whose annotations are read (default HEAD). Not
	// allowed together with a version reference in Name.
	Rev string
}

// Described is the result of Describe.
type Described struct {
	Artifact   string
	Rev        string // the commit read
	Annotation *annotations.Artifact
}

// Describe returns the annotation of an artifact as committed at a revision
// (HEAD by default; the work tree is not read). The annotation is nil when
// the artifact is not annotated there.
func (r *Registry) Describe(ctx context.Context, opts DescribeOptions) (*Described, error) {
	var out *Described
	err := r.view(ctx, func(s *session) error {
		artifact, rev, err := r.describeTarget(ctx, s, opts)
		if err != nil {
			return err
		}
		out = &Described{Artifact: artifact}
		if rev == "" { // NAME designates no annotated artifact
			return nil
		}
		commit, err := s.rd.ResolveCommit(ctx, rev)
		if errors.Is(err, store.ErrNoCommits) {
			return nil
		}
		if err != nil {
			return refError(rev, err)
		}
		ann, err := annotationAt(ctx, s, commit, artifact)
		if err != nil {
			return err
		}
		out.Rev, out.Annotation = commit, ann
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// describeTarget works out which artifact and which revision Describe reads;
// rev is "" when NAME designates nothing that can be annotated (see
// model.ParseDescribeName).
func (r *Registry) describeTarget(ctx context.Context, s *session, opts DescribeOptions) (artifact, rev string, err error) {
	if tag, ok := tagname.Parse(opts.Name); ok {
		if opts.Rev != "" {
			return "", "", revWithVersion(opts.Name)
		}
		exists, err := s.rd.TagExists(ctx, opts.Name)
		if err != nil {
			return "", "", err
		}
		if exists {
			return tag.Artifact, "refs/tags/" + opts.Name, nil
		}
	}
	sc, ok, err := model.ParseDescribeName(opts.Name)
	switch {
	case err != nil:
		return "", "", err
	case !ok:
		return opts.Name, "", nil
	case sc.Version != "" || sc.Stage != "":
		if opts.Rev != "" {
			return "", "", revWithVersion(opts.Name)
		}
		snap, err := r.load(ctx, s, scope{artifact: sc.Artifact, noAnnotations: true, commits: commitsNone})
		if err != nil {
			return "", "", err
		}
		commit, err := model.VersionCommit(snap.state, sc)
		return sc.Artifact, commit, err
	case opts.Rev == "":
		return sc.Artifact, "HEAD", nil
	}
	return sc.Artifact, opts.Rev, nil
}

func revWithVersion(name string) error {
	return &model.InvalidError{Field: model.FieldRev, Value: name, Detail: model.Detail{Code: model.CodeRevWithVersion,
		Msg: fmt.Sprintf("a revision cannot be given with a version reference such as %q", name)}}
}

// refError turns a failed revision lookup into a user-facing error.
func refError(rev string, err error) error {
	if errors.Is(err, store.ErrRefNotFound) {
		// Quoted with escapes: a hostile rev must not break the message
		// over several lines or hide characters in it.
		return &model.NotFoundError{What: "ref", Detail: model.Detail{Msg: fmt.Sprintf("ref %q was not found in the repository", rev), Err: err}}
	}
	return err
}
