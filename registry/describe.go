package registry

import (
	"context"
	"errors"
	"fmt"

	"github.com/gto-dev/gto/annotations"
	"github.com/gto-dev/gto/internal/gitcmd"
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
	if _, err := r.ready(ctx); err != nil { // a remote registry: its mirror up to date
		return nil, err
	}
	if r.git == nil {
		return nil, r.noRepoError()
	}
	artifact, rev, err := r.describeTarget(ctx, opts)
	if err != nil {
		return nil, err
	}
	if rev == "" { // NAME designates no annotated artifact
		return &Described{Artifact: artifact}, nil
	}
	b, err := r.batch(ctx)
	if err != nil {
		return nil, err
	}
	commit, err := b.ResolveCommit(rev)
	if errors.Is(err, gitcmd.ErrNoCommits) {
		return &Described{Artifact: artifact}, nil
	}
	if err != nil {
		return nil, refError(rev, err)
	}
	ann, err := r.annotationAt(b, commit, artifact)
	if err != nil {
		return nil, err
	}
	return &Described{Artifact: artifact, Rev: commit, Annotation: ann}, nil
}

// describeTarget works out which artifact and which revision Describe reads;
// rev is "" when NAME designates nothing that can be annotated: a string
// that is no artifact name, NAME@latest or @greatest of an artifact without
// versions. 0.2.4 prints nothing then, as for any name it does not know.
func (r *Registry) describeTarget(ctx context.Context, opts DescribeOptions) (artifact, rev string, err error) {
	if tag, ok := tagname.Parse(opts.Name); ok {
		if opts.Rev != "" {
			return "", "", invalidf("--rev cannot be used with a version reference such as %q", opts.Name)
		}
		exists, err := r.git.TagExists(ctx, opts.Name)
		if err != nil {
			return "", "", err
		}
		if exists {
			return tag.Artifact, "refs/tags/" + opts.Name, nil
		}
	}
	sc, err := tagname.ParseShortcut(opts.Name)
	if err != nil {
		if _, isTag := tagname.Parse(opts.Name); isTag {
			return "", "", notFoundf("tag %q was not found in the repository", opts.Name)
		}
		return opts.Name, "", nil
	}
	if sc.Latest || sc.Greatest || sc.Version != "" || sc.Stage != "" {
		if opts.Rev != "" {
			return "", "", invalidf("--rev cannot be used with a version reference such as %q", opts.Name)
		}
		commit, err := r.shortcutCommit(ctx, sc)
		return sc.Artifact, commit, err
	}
	if opts.Rev == "" {
		return sc.Artifact, "HEAD", nil
	}
	return sc.Artifact, opts.Rev, nil
}

// shortcutCommit resolves NAME@latest / @greatest / @vX / #STAGE to the
// commit of the version it designates; "" for @latest / @greatest when
// there is none.
func (r *Registry) shortcutCommit(ctx context.Context, sc tagname.Shortcut) (string, error) {
	snap, err := r.load(ctx, scope{artifact: sc.Artifact, noAnnotations: true, commits: commitsNone})
	if err != nil {
		return "", err
	}
	a := snap.state.Artifact(sc.Artifact)
	if a == nil && (sc.Latest || sc.Greatest) {
		return "", nil
	}
	if a == nil {
		return "", notFoundf("artifact %q not found", sc.Artifact)
	}
	view := ArtifactVersions(a, sc, DefaultStageView)
	if len(view.Versions) == 0 {
		switch {
		case sc.Stage != "":
			return "", notFoundf("no version of artifact %q is in stage %q", sc.Artifact, sc.Stage)
		case sc.Version != "":
			return "", notFoundf("version %s of artifact %q not found", sc.Version, sc.Artifact)
		}
		return "", nil // @latest / @greatest of an artifact without active version
	}
	return view.Versions[0].Version.Commit, nil
}

// refError turns a failed revision lookup into a user-facing error.
func refError(rev string, err error) error {
	if errors.Is(err, gitcmd.ErrRefNotFound) {
		// Quoted with escapes: a hostile rev must not break the message
		// over several lines or hide characters in it.
		return &Error{Kind: ErrNotFound, Msg: fmt.Sprintf("ref %q was not found in the repository", rev), Err: err}
	}
	return err
}
