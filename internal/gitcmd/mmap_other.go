//go:build !unix

package gitcmd

// mapFile maps nothing on this system: the cache is read (see the unix
// version).
func mapFile(string) ([]byte, bool) { return nil, false }

func unmapFile([]byte) {}
