//go:build !unix

package gitcmd

import "os"

// mapFile reads file whole where gto does not map files.
func mapFile(file string) (data []byte, unmap func(), err error) {
	data, err = os.ReadFile(file)
	return data, func() {}, err
}
