package gitcmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// A refs folder's listing costs what the folder once held, not what it
// holds: ext4 never shrinks a directory, so a refs/tags that held 500,000
// loose refs before `git pack-refs` is a 25 MB directory of empty blocks,
// and listing it takes 7 ms when it is empty (two getdents calls), more
// than a whole one-artifact read on a small registry. The listing of the
// folder a one-artifact read lists is therefore remembered in a memo with
// the folder's stamp (inode, size, modification time): a name added,
// removed or renamed over changes the folder's modification time, and
// the next read lists it again.
//
// Folder times are coarse (a few milliseconds): a listing taken within
// Settle of the folder's modification time is not remembered, so that a
// ref added in the same tick as the change before it, which would leave
// the time as it was, is never hidden by a remembered listing.

// refListingSlot is the memo slot of the last remembered refs folder
// listing: key the folder (a ref name prefix ending in "/") and its
// stamp, value its names separated by NUL bytes (no file name has one).
const refListingSlot = "ref-listing"

// maxRefListingBytes bounds a remembered listing: a folder with more
// names than fit holds loose refs whose files a read opens anyway.
const maxRefListingBytes = 64 << 10

// memos is where remembered listings are kept: the object cache's memo
// slots (see objectCache.memo).
type memos interface {
	memo(slot string) (key, value string, ok bool)
	setMemo(slot, key, value string)
}

// listRefFolder returns the names in gitDir's refs folder dir (a ref name
// prefix ending in "/"), from m when m remembers the folder as it is now;
// exists is false when the folder does not exist. m may be nil.
func listRefFolder(gitDir, dir string, m memos, now time.Time) (names []string, exists bool, err error) {
	path := filepath.Join(gitDir, filepath.FromSlash(dir))
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	var key string
	if m != nil {
		st, err := f.Stat()
		if err != nil {
			return nil, false, err
		}
		key = dir + "\x00" + fileStamp(st)
		if k, v, ok := m.memo(refListingSlot); ok && k == key {
			if v == "" {
				return nil, true, nil
			}
			return strings.Split(v, "\x00"), true, nil
		}
		if now.Sub(st.ModTime()) < Settle {
			key = "" // too recent to be remembered (see above)
		}
	}
	// names only, in the folder's order: 50,000 loose tags are listed in
	// some 20 ms this way, most of it the kernel's
	names, err = f.Readdirnames(-1)
	if err != nil {
		return nil, false, err
	}
	if key != "" {
		if v := strings.Join(names, "\x00"); len(v) <= maxRefListingBytes {
			m.setMemo(refListingSlot, key, v)
		}
	}
	return names, true, nil
}

// fileStamp is what changes when a file or folder is replaced or
// changed: its inode, size and modification time.
func fileStamp(st os.FileInfo) string {
	return fmt.Sprintf("%d %d %d", inode(st), st.Size(), st.ModTime().UnixNano())
}

// listings is where the batch remembers refs folder listings: its object
// cache's memos, none without a cache.
func (b *Batch) listings() memos {
	if b.cache == nil {
		return nil
	}
	return b.cache
}
