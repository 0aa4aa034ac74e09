package gitcmd

import (
	"time"

	"github.com/gto-dev/gto/internal/atomicfile"
)

// staleTemp is the age past which a temporary file of replaceFile's is
// taken for one a killed process left: writing one takes well under a
// second, even the 150 MB object cache of 500,000 tags.
const staleTemp = 10 * time.Minute

// replaceFile replaces the file at path with data (atomicfile.Write, its
// temporary file named path's name and ".*"). The temporary files a killed process left
// beside path (read commands die of Ctrl-C without cleaning up, and any
// process can be killed) are removed first.
func replaceFile(path string, data []byte) error {
	atomicfile.RemoveTemps(path, atomicfile.Options{}, staleTemp)
	return atomicfile.Write(path, data, atomicfile.Options{})
}
