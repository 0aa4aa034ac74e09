package annotations

import (
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/gto-dev/gto/internal/yamldoc"
	"github.com/gto-dev/gto/tagname"
)

// Parse reads the content of an annotations file; file is its name, used in
// error messages and by Remove. An empty document, one with only comments,
// `null` and `{}` give an empty index.
//
// The document must be a mapping of artifact name to a mapping of fields
// (type, path, virtual, labels, description, custom) or null (all defaults).
// Flow and block style and quoted values are accepted; unknown fields are
// ignored, as gto does. Artifact names must be valid names (the type and
// labels are checked only when the file is edited, see Annotate, as gto
// 0.2.4 reads them unchecked), and each artifact and field may appear once. Aliases, merge keys, nesting
// deeper than MaxDepth and files larger than MaxFileSize are refused. Every
// error is one sentence that starts with file (and the line when known).
func Parse(data []byte, file string) (*Index, error) {
	ix := New(file)
	root, err := loadMapping(data, ix.file, "a mapping of artifact names")
	if err != nil {
		return nil, err
	}
	if root == nil {
		return ix, nil
	}
	if err := checkTree(root, 1, ix.file); err != nil {
		return nil, err
	}
	if err := ix.parseArtifacts(root, indexFields); err != nil {
		return nil, err
	}
	return ix, nil
}

// ParseDVC reads the `artifacts:` section of a DVC dvc.yaml; file is its name
// for error messages. Each artifact is a mapping of path, type, desc, labels
// and meta: desc becomes Description, meta becomes Custom, and Virtual stays
// true. Other top-level keys (stages, plots, ...) are ignored and not
// checked; a missing or null section gives an empty index.
func ParseDVC(data []byte, file string) (*Index, error) {
	ix := New(file)
	root, err := loadMapping(data, ix.file, "a YAML mapping")
	if err != nil {
		return nil, err
	}
	if root == nil {
		return ix, nil
	}
	var section *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := root.Content[i]; k.Kind == yaml.ScalarNode && k.Value == "artifacts" {
			section = root.Content[i+1]
		}
	}
	if section == nil || yamldoc.IsNull(section) {
		return ix, nil
	}
	// Depth counts from the section, which plays the part of a whole
	// artifacts.yaml; the other sections are never read, so they may hold
	// anything, aliases included.
	if err := checkTree(section, 1, ix.file); err != nil {
		return nil, err
	}
	if section.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: line %d: \"artifacts\" must be a mapping of artifact names, got %s",
			ix.file, section.Line, yamldoc.DescribeType(section))
	}
	if err := ix.parseArtifacts(section, dvcFields); err != nil {
		return nil, err
	}
	return ix, nil
}

// parseArtifacts adds the artifacts of the mapping m, read with the field
// names of fields.
func (ix *Index) parseArtifacts(m *yaml.Node, fields fieldNames) error {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode || yamldoc.IsNull(k) {
			return fmt.Errorf("%s: line %d: an artifact name must be a string, got %s", ix.file, k.Line, yamldoc.DescribeType(k))
		}
		name, err := scalarString(k)
		if err != nil {
			return fmt.Errorf("%s: line %d: artifact name: %v", ix.file, k.Line, err)
		}
		if err := tagname.ValidateArtifactName(name); err != nil {
			return &kindError{fmt.Sprintf("%s: line %d: artifact %s has an invalid name (%s)", ix.file, k.Line, yamldoc.Quote(name), nameReason(err)), err}
		}
		if _, dup := ix.arts[name]; dup {
			return fmt.Errorf("%s: line %d: artifact %q is annotated twice", ix.file, k.Line, name)
		}
		a, fe := parseArtifact(v, fields)
		if fe != nil {
			var msg string
			if fe.field == "" {
				msg = fmt.Sprintf("%s: line %d: artifact %q %s", ix.file, fe.line, name, fe.msg)
			} else {
				msg = fmt.Sprintf("%s: line %d: %q.%s %s", ix.file, fe.line, name, fe.field, fe.msg)
			}
			return &kindError{msg, fe.cause}
		}
		ix.set(name, a)
	}
	return nil
}

// nameReason returns why tagname refused a name, without repeating the name,
// for messages that already show it.
func nameReason(err error) string {
	if ne, ok := errors.AsType[*tagname.NameError](err); ok {
		return ne.Reason
	}
	return err.Error()
}

// loadMapping loads a YAML document of at most MaxFileSize bytes that must
// be a mapping (what says so in the error); an empty document gives nil.
func loadMapping(data []byte, file, what string) (*yaml.Node, error) {
	if err := CheckSize(file, int64(len(data))); err != nil {
		return nil, err
	}
	root, err := yamldoc.Load(data, file)
	if err != nil || root == nil {
		return nil, err
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s is not %s (got %s)", file, what, yamldoc.DescribeType(root))
	}
	return root, nil
}
