package model

import "github.com/gto-dev/gto/tagname"

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
			return sc, false, NotFoundf("tag", "tag %q was not found in the repository", name)
		}
		return sc, false, nil
	}
	return sc, !sc.Latest && !sc.Greatest, nil
}

// VersionCommit is the commit of the version that NAME@vX or NAME#STAGE
// (sc) designates in state.
func VersionCommit(state *State, sc tagname.Shortcut) (string, error) {
	v, err := ResolveVersion(state, sc)
	if err != nil {
		return "", err
	}
	return v.Commit, nil
}

// ResolveVersion is the version that sc designates in state: NAME@vX,
// NAME#STAGE (the version in the stage now), NAME@latest or @greatest (the
// greatest version).
func ResolveVersion(state *State, sc tagname.Shortcut) (*Version, error) {
	a := state.Artifact(sc.Artifact)
	if a == nil {
		return nil, NotFoundf("artifact", "artifact %q not found", sc.Artifact)
	}
	view := ArtifactVersions(a, sc, DefaultStageView)
	if len(view.Versions) > 0 {
		return view.Versions[0].Version, nil
	}
	switch {
	case sc.Stage != "":
		return nil, NotFoundf("stage", "no version of artifact %q is in stage %q", sc.Artifact, sc.Stage)
	case sc.Version == "":
		return nil, NotFoundf("version", "artifact %q has no version", sc.Artifact)
	}
	return nil, NotFoundf("version", "version %s of artifact %q not found", sc.Version, sc.Artifact)
}
