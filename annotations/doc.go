// Package annotations models the artifact annotations of a gto registry: the
// `artifacts.yaml` file at the repository root (its name is configurable) and
// the `artifacts:` section of a DVC `dvc.yaml`.
//
// An Index is the parsed file: an ordered mapping of artifact name to Artifact.
// Parse reads one strictly but tolerantly (hand-written flow or block style,
// unknown keys ignored), Annotate and Remove apply the edits of `gto annotate`
// and `gto remove` with the semantics of gto 0.2.4, and Marshal writes the
// file byte for byte as gto 0.2.4 does (ruamel.yaml's safe dump, artifacts
// sorted by name, with the writer of package yamldoc), which Parse reads
// back to an equal Index (see yamldoc.Emit for the few strings that gto's
// writer itself loses).
//
// The package does no I/O: callers read and write the bytes.
package annotations
