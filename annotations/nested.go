package annotations

import (
	"fmt"
	"path"
	"strings"

	"github.com/gto-dev/gto/internal/yamldoc"
	"github.com/gto-dev/gto/tagname"
)

// Nested returns the index of a dvc.yaml found in the folder dir (relative
// to the repository root, "/"-separated) of a monorepo: each artifact is
// renamed "dir:name", and a relative path, which DVC reads from the folder
// of its dvc.yaml, becomes relative to the root. A path with a URL scheme
// (s3://...) is kept as it is. A name that cannot be namespaced (it already
// has a namespace, or dir is not a valid namespace) is an error that names
// the file. ix is not modified; file becomes the new index's file name.
func (ix *Index) Nested(dir, file string) (*Index, error) {
	out := New(file)
	for _, name := range ix.names {
		full := dir + ":" + name
		if err := tagname.ValidateArtifactName(full); err != nil {
			return nil, &kindError{fmt.Sprintf("%s: artifact %s cannot be named %s (%s)", file, yamldoc.Quote(name), yamldoc.Quote(full), nameReason(err)), err}
		}
		a := ix.arts[name].clone()
		if a.Path != "" && !strings.Contains(a.Path, "://") && !path.IsAbs(a.Path) {
			a.Path = path.Join(dir, a.Path)
		}
		out.set(full, a)
	}
	return out, nil
}
