package annotations

import (
	"errors"
	"fmt"

	"github.com/gto-dev/gto/internal/yamldoc"
)

// Marshal writes the index byte for byte as gto 0.2.4 writes artifacts.yaml
// (ruamel.yaml's safe dump in block style, see yamldoc.Emit), so that
// commits of the file match gto's: artifacts sorted by name, and for each
// only the fields that differ from the default, sorted by key (custom,
// description, labels, path, type, virtual). An artifact with all defaults
// is written `name: {}`, an empty index "{}\n". Strings are plain when YAML
// 1.2 reads them back as the same string, else single- or double-quoted;
// text longer than 80 columns is folded. Parse(Marshal()) gives an equal
// index, with the artifacts in sorted order, but for the rare strings that
// gto's writer itself does not read back (see yamldoc.Emit). The one
// difference from gto's bytes is a plain mapping key with a word longer than
// the line, which gto splits into invalid YAML and Marshal keeps on one line.
func (ix *Index) Marshal() ([]byte, error) {
	out, _, err := ix.marshal()
	return out, err
}

// marshal is Marshal, also reporting whether a string will not read back
// as itself, as happens with gto (see yamldoc.Emit).
func (ix *Index) marshal() (out []byte, lossy bool, err error) {
	// gto dumps its state dict of artifact name -> fields; the representer
	// sorts the names. Each artifact is represented on its own so that an
	// error can name it.
	state := make(map[string]any, len(ix.names))
	for _, name := range ix.names {
		val, err := artifactYAMLNode(ix.arts[name])
		if err != nil {
			return nil, false, fmt.Errorf("cannot write artifact %q to %s: %w", name, ix.File(), err)
		}
		state[name] = val
	}
	root, err := yamldoc.Represent(state)
	if err != nil {
		return nil, false, err
	}
	out, lossy = yamldoc.Emit(root)
	return out, lossy, nil
}

// artifactYAMLNode builds the mapping of a's non-default fields, as gto's
// state dict holds them; the representer sorts the keys.
func artifactYAMLNode(a Artifact) (*yamldoc.Node, error) {
	fields := map[string]any{}
	if a.HasType() {
		fields["type"] = a.Type
	}
	if a.HasPath() {
		fields["path"] = a.Path
	}
	if !a.Virtual {
		fields["virtual"] = false
	}
	if len(a.Labels) > 0 {
		fields["labels"] = a.Labels
	}
	if a.Description != "" {
		fields["description"] = a.Description
	}
	if a.Custom != nil {
		fields["custom"] = a.Custom
	}
	n, err := yamldoc.Represent(fields)
	if ue, ok := errors.AsType[*yamldoc.UnsupportedError](err); ok {
		// Custom is the one field whose values the caller chooses.
		return nil, fmt.Errorf("cannot write a custom value of type %T", ue.Value)
	}
	return n, err
}
