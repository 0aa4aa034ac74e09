package gitcmd

import (
	"sync"
	"time"
)

// mappedFiles holds the object cache files this process has mapped (see
// MapObjectCaches), for DropMappedPagesEvery; stop ends its dropping.
var mappedFiles struct {
	sync.Mutex
	files [][]byte
	stop  chan struct{}
}

// keepMapped records data, a mapping of an object cache file that stays for
// the life of the process.
func keepMapped(data []byte) {
	mappedFiles.Lock()
	mappedFiles.files = append(mappedFiles.files, data)
	mappedFiles.Unlock()
}

// dropAllMapped drops the pages of every mapped object cache file.
func dropAllMapped() {
	mappedFiles.Lock()
	defer mappedFiles.Unlock()
	for _, data := range mappedFiles.files {
		dropPages(data)
	}
}

// DropMappedPagesEvery lets the system take back the pages of the object
// cache files this process maps (see MapObjectCaches) every period, until
// StopDroppingMappedPages (on Linux; elsewhere it does nothing). The pages
// leave the process's RSS and come back from the page cache, unchanged,
// when touched again; the strings read from the caches stay valid. A
// command that reads every tag goes through a cache of 150 MB (500,000
// tags) in file order several times (reading the tags, their commits,
// building the state): this way only what it touched in the last period
// counts in its RSS, for a few more minor page faults. A second call
// changes nothing.
func DropMappedPagesEvery(period time.Duration) {
	mappedFiles.Lock()
	defer mappedFiles.Unlock()
	if mappedFiles.stop != nil {
		return
	}
	stop := make(chan struct{})
	mappedFiles.stop = stop
	go func() {
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				dropAllMapped()
			}
		}
	}()
}

// StopDroppingMappedPages ends the drops of DropMappedPagesEvery: for what
// touches the cache in no order (the messages of a journal, in time
// order), which would fault every page in again after each drop.
func StopDroppingMappedPages() {
	mappedFiles.Lock()
	defer mappedFiles.Unlock()
	if mappedFiles.stop != nil {
		close(mappedFiles.stop)
		mappedFiles.stop = nil
	}
}
