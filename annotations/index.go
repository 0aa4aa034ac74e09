package annotations

import (
	"fmt"
	"slices"
)

// DefaultFile is the name of the annotations file when the configuration does
// not say otherwise.
const DefaultFile = "artifacts.yaml"

// Index is the content of an annotations file: artifacts by name, in the
// order of the file, with artifacts added later appended. The zero value is
// an empty index of DefaultFile.
type Index struct {
	file  string // used in error messages
	names []string
	arts  map[string]Artifact
}

// New returns an empty index for the annotations file named file (used in
// error messages; DefaultFile when empty).
func New(file string) *Index {
	if file == "" {
		file = DefaultFile
	}
	return &Index{file: file, arts: map[string]Artifact{}}
}

// File returns the name of the file the index belongs to.
func (ix *Index) File() string {
	if ix.file == "" {
		return DefaultFile
	}
	return ix.file
}

// Names returns the artifact names in index order. The slice is a copy.
func (ix *Index) Names() []string { return slices.Clone(ix.names) }

// Len returns the number of annotated artifacts.
func (ix *Index) Len() int { return len(ix.names) }

// Get returns the annotation of name and whether it exists. Labels are
// copied; Custom is shared and must not be modified.
func (ix *Index) Get(name string) (Artifact, bool) {
	a, ok := ix.arts[name]
	if !ok {
		return Artifact{}, false
	}
	return a.clone(), true
}

// Merge adds the artifacts of other that ix does not have, in other's order.
// Artifacts ix already has are kept unchanged: artifacts.yaml wins over the
// artifacts section of dvc.yaml. Paths are not checked for conflicts, as both
// files were accepted on their own.
func (ix *Index) Merge(other *Index) {
	for _, name := range other.names {
		if _, ok := ix.arts[name]; !ok {
			ix.set(name, other.arts[name].clone())
		}
	}
}

// Remove deletes the annotation of name. It fails with an error wrapping
// ErrArtifactNotFound when there is none.
func (ix *Index) Remove(name string) error {
	if _, ok := ix.arts[name]; !ok {
		return &kindError{fmt.Sprintf("artifact %q is not annotated in %s", name, ix.File()), ErrArtifactNotFound}
	}
	delete(ix.arts, name)
	ix.names = slices.DeleteFunc(ix.names, func(n string) bool { return n == name })
	return nil
}

// set stores a, appending name when it is new.
func (ix *Index) set(name string, a Artifact) {
	if ix.arts == nil {
		ix.arts = map[string]Artifact{}
	}
	if _, ok := ix.arts[name]; !ok {
		ix.names = append(ix.names, name)
	}
	ix.arts[name] = a
}
