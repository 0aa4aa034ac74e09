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
// rev is "" when NAME designates nothing that can be annotated (see
// ParseDescribeName).
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
	sc, ok, err := ParseDescribeName(opts.Name)
	switch {
	case err != nil:
		return "", "", err
	case !ok:
		return opts.Name, "", nil
	case sc.Version != "" || sc.Stage != "":
		if opts.Rev != "" {
			return "", "", invalidf("--rev cannot be used with a version reference such as %q", opts.Name)
		}
		snap, err := r.load(ctx, scope{artifact: sc.Artifact, noAnnotations: true, commits: commitsNone})
		if err != nil {
			return "", "", err
		}
		commit, err := VersionCommit(snap.state, sc)
		return sc.Artifact, commit, err
	case opts.Rev == "":
		return sc.Artifact, "HEAD", nil
	}
	return sc.Artifact, opts.Rev, nil
}

// ParseDescribeName reads the NAME of `gto describe` that is not an
// existing tag: an artifact name, NAME@vX or NAME#STAGE. ok is false when
// NAME designates nothing that can be annotated — a string that is no
// artifact name, or NAME@latest / @greatest, which SPEC §3 does not list for
// describe: 0.2.4 prints nothing then, as for any name it does not know. A
// tag name (which would have existed) is an error.
func ParseDescribeName(name string) (sc tagname.Shortcut, ok bool, err error) {
	sc, err = tagname.ParseShortcut(name)
	if err != nil {
		if _, isTag := tagname.Parse(name); isTag {
			return sc, false, notFoundf("tag %q was not found in the repository", name)
		}
		return sc, false, nil
	}
	return sc, !sc.Latest && !sc.Greatest, nil
}

// VersionCommit is the commit of the version that NAME@vX or NAME#STAGE
// (sc) designates in state.
func VersionCommit(state *State, sc tagname.Shortcut) (string, error) {
	a := state.Artifact(sc.Artifact)
	if a == nil {
		return "", notFoundf("artifact %q not found", sc.Artifact)
	}
	view := ArtifactVersions(a, sc, DefaultStageView)
	if len(view.Versions) > 0 {
		return view.Versions[0].Version.Commit, nil
	}
	if sc.Stage != "" {
		return "", notFoundf("no version of artifact %q is in stage %q", sc.Artifact, sc.Stage)
	}
	return "", notFoundf("version %s of artifact %q not found", sc.Version, sc.Artifact)
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
