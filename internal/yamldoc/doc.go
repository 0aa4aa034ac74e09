// Package yamldoc reads and writes the YAML documents of gto: the annotations
// file (artifacts.yaml, dvc.yaml) and the .gto configuration file. It knows
// YAML, not what the documents mean; package annotations and package config
// give them their meaning.
//
// Writing: Represent and Emit write a value byte for byte as gto 0.2.4 does.
// gto dumps its index with ruamel.yaml 0.18.6 (YAML(typ="safe", pure=True)
// with default_flow_style = False), and the hashes of commits that contain
// the file depend on those bytes. The writer follows ruamel's algorithm
// (representer, serializer, YAML 1.2 resolver and emitter) for mappings with
// string keys, sequences, strings, booleans, integers, floats and null, with
// ruamel's default settings. Resolve is the resolver on its own, for readers
// that must agree with it on which plain scalars are strings.
//
// Reading: Load parses one document into a yaml.Node tree, and IsNull,
// Describe, DescribeType and Quote are the pieces of the one-sentence error
// messages that name the file and what it holds. Load does not bound the
// size of its input: each caller refuses a file over its own limit, with its
// own message, before it reads or parses it.
//
// The package does no I/O.
package yamldoc
