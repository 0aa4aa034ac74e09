// Command gto is Git Tag Ops: an artifact registry kept in git tags.
package main

import (
	"os"

	"github.com/gto-dev/gto/internal/cli"
)

func main() {
	os.Exit(cli.Main())
}
