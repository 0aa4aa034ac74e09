package annotations

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// MaxFileSize is the largest annotations file Parse and ParseDVC accept. The
// YAML parser builds a node per scalar: a hostile 16 MiB flow list costs
// about 1.6 GB and 10 s, 4 MiB a quarter of that, while a real index with
// ten thousand artifacts is well under 1 MiB.
const MaxFileSize = 4 << 20

// MaxDepth is the deepest nesting of mappings and lists accepted in the
// artifacts part of a file (the file's top mapping is level 1, an artifact
// level 2, its custom value level 3). It keeps hostile input from making
// the recursive conversions costly.
const MaxDepth = 64

// CheckSize returns the error Parse and ParseDVC give for a file of size
// bytes over MaxFileSize (nil when it is not), so that a caller can refuse a
// file without reading it whole.
func CheckSize(file string, size int64) error {
	if size > MaxFileSize {
		return fmt.Errorf("%s is too large (%d bytes, the limit is %d MiB)", file, size, MaxFileSize>>20)
	}
	return nil
}

// checkTree rejects what the artifacts part of a file must not contain:
// aliases (an alias bomb expands exponentially, and annotations have no use
// for them), merge keys (which need aliases to be useful) and nesting deeper
// than MaxDepth. depth is the level of n.
func checkTree(n *yaml.Node, depth int, file string) error {
	if depth > MaxDepth {
		return fmt.Errorf("%s: line %d: values are nested more than %d levels deep", file, n.Line, MaxDepth)
	}
	switch n.Kind {
	case yaml.AliasNode:
		return fmt.Errorf("%s: line %d: YAML aliases (*%s) are not supported in annotations", file, n.Line, n.Value)
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				return fmt.Errorf("%s: line %d: YAML merge keys (<<) are not supported in annotations", file, k.Line)
			}
		}
	}
	for _, c := range n.Content {
		if err := checkTree(c, depth+1, file); err != nil {
			return err
		}
	}
	return nil
}
