package annotations

import "slices"

// Artifact is the annotation of one artifact. The zero value is not the
// default annotation: Virtual defaults to true (see Default).
type Artifact struct {
	// Type is the artifact's type name ("" when not set).
	Type string
	// Path is where the artifact lives, relative to the repository root or a
	// URL ("" when not set).
	Path string
	// EmptyType and EmptyPath say that the field is present but empty
	// (`type: ''`), which gto 0.2.4 tells from an absent one: it writes
	// `--type ''` on a new artifact into the file, and describe prints it.
	// They are only ever true while Type, or Path, is "".
	EmptyType, EmptyPath bool
	// Virtual is true unless the artifact was annotated with --must-exist,
	// which means Path is committed in the repository.
	Virtual bool
	// Labels are label names; nil when there are none.
	Labels []string
	// Description is free text ("" when not set).
	Description string
	// Custom is an arbitrary YAML value (gto 1.x), nil when absent. Maps in
	// it are map[string]any and lists []any, so it encodes to JSON as is.
	// Callers must treat it as read-only: Get does not copy it.
	Custom any
}

// Default returns the annotation of an artifact with no fields set.
func Default() Artifact {
	return Artifact{Virtual: true}
}

// IsDefault reports whether every field of a has its default value, which is
// how Marshal decides to write `name: {}`.
func (a Artifact) IsDefault() bool {
	return !a.HasType() && !a.HasPath() && a.Virtual && len(a.Labels) == 0 &&
		a.Description == "" && a.Custom == nil
}

// HasType reports whether the annotation has a type field, empty or not.
func (a Artifact) HasType() bool { return a.Type != "" || a.EmptyType }

// HasPath reports whether the annotation has a path field, empty or not.
func (a Artifact) HasPath() bool { return a.Path != "" || a.EmptyPath }

// clone returns a copy of a whose Labels do not alias a's.
func (a Artifact) clone() Artifact {
	a.Labels = normLabels(slices.Clone(a.Labels))
	return a
}

// normLabels makes "no labels" always nil, so that indexes compare equal
// however they were built.
func normLabels(labels []string) []string {
	if len(labels) == 0 {
		return nil
	}
	return labels
}
