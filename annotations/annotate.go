package annotations

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gto-dev/gto/internal/yamldoc"
	"github.com/gto-dev/gto/tagname"
)

// Update is one `gto annotate` request. Empty fields mean "not given",
// except that TypeGiven and PathGiven tell an empty --type or --path value
// from an absent one: a new artifact then gets the empty field (as in 0.2.4).
type Update struct {
	Type      string
	Path      string
	TypeGiven bool
	PathGiven bool
	// MustExist marks the artifact as not virtual; the caller checks that
	// Path is committed, Annotate only requires that a Path is given.
	MustExist   bool
	Labels      []string
	Description string
	// Dir is the absolute directory relative paths are resolved from when
	// they are compared for conflicts: gto 0.2.4 resolves them from its
	// working directory, so that "../repo/models" is "models" when run in
	// repo, and an absolute path can clash with a relative one. With "" they
	// are compared as written.
	Dir string
}

// Annotate creates or updates the annotation of name with the semantics of
// gto 0.2.4 (`gto annotate` always merges):
//
//   - a new artifact gets Type, Path, Virtual = !MustExist, Labels in the
//     given order and Description;
//   - an existing one keeps each old value the update leaves empty; MustExist
//     makes it non-virtual, a Path without MustExist makes it virtual again;
//     its labels become the sorted union of old and new; an empty
//     Description keeps the old one.
//
// It fails when the name, the type or a label is not a valid name, when
// MustExist is set without a Path, when Path equals, contains or lies
// inside the path of another artifact (see Update.Dir; "a/b/" is "a/b", and
// URLs do not clash with local paths), or when the type or a label of any
// artifact of the index is not a valid name: gto 0.2.4 checks the whole
// file before it writes it (Index.state_is_valid). On error the index is
// unchanged.
func (ix *Index) Annotate(name string, u Update) error {
	// The tagname errors name the kind and the value: `invalid type name "###": ...`.
	if err := tagname.ValidateArtifactName(name); err != nil {
		return err
	}
	if u.Type != "" {
		if err := tagname.ValidateName("type", u.Type); err != nil {
			return err
		}
	}
	for _, label := range u.Labels {
		if err := tagname.ValidateName("label", label); err != nil {
			return err
		}
	}
	if u.MustExist && u.Path == "" {
		return fmt.Errorf("cannot annotate %q: a path is required when the artifact must exist", name)
	}
	if u.Path != "" {
		if err := ix.checkPath(name, u.Path, u.Dir); err != nil {
			return err
		}
	}

	old, exists := ix.arts[name]
	a := merged(old, exists, u)
	if err := ix.checkFields(name, a); err != nil {
		return err
	}
	ix.set(name, a)
	return nil
}

// merged returns the annotation after the update u of old (see Annotate),
// which exists or not yet.
func merged(old Artifact, exists bool, u Update) Artifact {
	if !exists {
		return Artifact{
			Type:        u.Type,
			Path:        u.Path,
			EmptyType:   u.TypeGiven && u.Type == "",
			EmptyPath:   u.PathGiven && u.Path == "",
			Virtual:     !u.MustExist,
			Labels:      normLabels(slices.Clone(u.Labels)),
			Description: u.Description,
		}
	}
	a := old.clone()
	if u.Type != "" {
		a.Type, a.EmptyType = u.Type, false
	}
	if u.Path != "" {
		a.Path, a.EmptyPath = u.Path, false
	}
	switch {
	case u.MustExist:
		a.Virtual = false
	case u.Path != "":
		a.Virtual = true
	}
	// gto sorts and deduplicates the labels on every update, even when no
	// label is given.
	labels := append(a.Labels, u.Labels...)
	slices.Sort(labels)
	a.Labels = normLabels(slices.Compact(labels))
	if u.Description != "" {
		a.Description = u.Description
	}
	return a
}

// checkFields fails when the type or a label of an artifact of the index,
// with a as the annotation of name, is not a valid name. Parse leaves them
// unchecked, as gto 0.2.4 reads them, and checks them when it edits a file.
func (ix *Index) checkFields(name string, a Artifact) error {
	check := func(n string, a Artifact) error {
		if a.Type != "" {
			if err := tagname.ValidateName("type", a.Type); err != nil {
				return &kindError{fmt.Sprintf("artifact %q in %s has an invalid type name %s (%s)", n, ix.File(), yamldoc.Quote(a.Type), nameReason(err)), err}
			}
		}
		for _, l := range a.Labels {
			if err := tagname.ValidateName("label", l); err != nil {
				return &kindError{fmt.Sprintf("artifact %q in %s has an invalid label %s (%s)", n, ix.File(), yamldoc.Quote(l), nameReason(err)), err}
			}
		}
		return nil
	}
	for _, n := range ix.names {
		if n != name {
			if err := check(n, ix.arts[n]); err != nil {
				return err
			}
		}
	}
	return check(name, a)
}

// checkPath fails when p clashes with the path of an artifact other than
// name, relative paths resolved from dir (see Update.Dir).
func (ix *Index) checkPath(name, p, dir string) error {
	for _, other := range ix.names {
		op := ix.arts[other].Path
		if other == name || op == "" {
			continue
		}
		if pathsClash(p, op, dir) {
			return &kindError{fmt.Sprintf("path %q conflicts with %q of artifact %q", p, op, other), ErrPathConflict}
		}
	}
	return nil
}

// pathsClash reports whether a and b are the same path or one lies inside
// the other, relative paths resolved from dir when it is not "". gto
// resolves both from the working directory (Path.resolve, which also
// follows symbolic links); resolving them lexically gives the same answer
// for the paths and URLs people annotate, without touching the file system.
func pathsClash(a, b, dir string) bool {
	a, b = resolvePath(a, dir), resolvePath(b, dir)
	return a == b || contains(a, b) || contains(b, a)
}

// resolvePath cleans p, joined to dir first when p is relative and dir is
// not "". A URL is a relative path to Python's pathlib ("s3:/bucket/x").
func resolvePath(p, dir string) string {
	if dir != "" && !path.IsAbs(p) {
		return path.Join(filepath.ToSlash(dir), p)
	}
	return path.Clean(p)
}

// contains reports whether the cleaned path inner lies inside the cleaned
// path outer.
func contains(outer, inner string) bool {
	switch outer {
	case ".":
		// The working directory holds every relative path that does not
		// climb out of it.
		return !strings.HasPrefix(inner, "/") && inner != ".." && !strings.HasPrefix(inner, "../")
	case "/":
		return strings.HasPrefix(inner, "/")
	}
	return strings.HasPrefix(inner, outer+"/")
}
