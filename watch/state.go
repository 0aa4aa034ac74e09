package watch

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gto-dev/gto/internal/atomicfile"
	"github.com/gto-dev/gto/internal/filelock"
	"github.com/gto-dev/gto/internal/store/gitstore"
)

// State is what a watcher keeps between runs: where the stream is, the
// tags seen, and for each target its queue and its dead letters. It is a
// JSON file written atomically (a new file renamed over the old) after
// every change, and the tags seen are in a file beside it (see
// knownPath), written only when they change: on a registry of 50,000
// tags they are megabytes, and a delivery changes only a queue.
type State struct {
	Version int `json:"version"`
	// Source is the repository watched.
	Source string `json:"source"`
	// Cursor and Known are the event stream's position and the tags seen
	// (registry.DetectorOptions); Known is nil before the first look.
	Cursor string            `json:"cursor"`
	Known  map[string]string `json:"-"`
	// KnownSerial numbers the saves of Known (0: never saved); the state
	// names the save it goes with.
	KnownSerial int `json:"known_serial"`
	// Targets are keyed by Target.Key.
	Targets map[string]*TargetState `json:"targets"`
}

// knownFile is the file of the tags seen.
type knownFile struct {
	Serial int               `json:"serial"`
	Known  map[string]string `json:"known"`
}

// knownPath is the file of the serial-th save of the tags seen beside the
// state at path. Saves alternate between two files, so that the one the
// state names is never the one being replaced: a watcher killed after
// saving new tags but before the state that queues their events finds the
// state and the tags it goes with, and detects those events again.
func knownPath(path string, serial int) string {
	return path + ".known" + strconv.Itoa(serial%2)
}

// TargetState is one target's queue (delivered in order, the first one
// next) and the events it gave up on.
type TargetState struct {
	Queue []*Item       `json:"queue"`
	Dead  []*DeadLetter `json:"dead"`
}

// Item is an event to deliver to one target.
type Item struct {
	ID       string `json:"id"`
	Event    string `json:"event"`
	Tag      string `json:"tag"`
	Artifact string `json:"artifact"`
	Version  string `json:"version,omitempty"`
	Stage    string `json:"stage,omitempty"`
	// Body is what is delivered: the CloudEvent for a webhook, the event
	// line for a command.
	Body json.RawMessage `json:"body"`
	// Attempts is how many deliveries failed so far.
	Attempts int `json:"attempts"`
}

// DeadLetter is an event that a target failed to take Options.MaxAttempts
// times: it is kept here, reported, and not tried again.
type DeadLetter struct {
	Item
	Error    string    `json:"error"`
	ParkedAt time.Time `json:"parked_at"`
}

// stateVersion 2 keeps the tags seen beside the state; version 1 had them
// in it, and is read (and saved as version 2 when the watcher starts).
const stateVersion = 2

// ReadState reads a state file and the tags seen it names; a file that
// does not exist is an empty state.
func ReadState(path string) (*State, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &State{Version: stateVersion, Targets: map[string]*TargetState{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the watch state: %w", err)
	}
	var doc struct {
		State
		Known map[string]string `json:"known"` // version 1
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("the watch state %s is damaged (%v): move it away to start again", path, err)
	}
	st := &doc.State
	switch st.Version {
	case 1:
		st.Known = doc.Known
	case stateVersion:
		if st.KnownSerial > 0 {
			if st.Known, err = readKnown(path, st.KnownSerial); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("the watch state %s is of version %d, this gto reads versions 1 and %d", path, st.Version, stateVersion)
	}
	if st.Targets == nil {
		st.Targets = map[string]*TargetState{}
	}
	return st, nil
}

// readKnown reads the serial-th save of the tags seen beside path.
func readKnown(path string, serial int) (map[string]string, error) {
	file := knownPath(path, serial)
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("the watch state %s names tags seen that cannot be read (%v): move it away to start again", path, err)
	}
	var k knownFile
	if err := json.Unmarshal(data, &k); err != nil || k.Serial != serial || k.Known == nil {
		return nil, fmt.Errorf("the tags seen of the watch state %s (%s) are damaged or of another save: move the state away to start again", path, file)
	}
	return k.Known, nil
}

// write saves the state (not the tags seen: saveKnown) atomically: a crash
// (kill -9 included) leaves the old file or the new one, whole.
func (st *State) write(path string) error {
	st.Version = stateVersion
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return writeAtomic(path, data)
}

// saveKnown saves the tags seen as a new save, then the state that names
// it: until the state is renamed into place, the state on disk still
// names the previous save, which this one did not replace.
func (st *State) saveKnown(path string) error {
	data, err := json.Marshal(knownFile{Serial: st.KnownSerial + 1, Known: st.Known})
	if err != nil {
		return err
	}
	if err := writeAtomic(knownPath(path, st.KnownSerial+1), data); err != nil {
		return err
	}
	st.KnownSerial++
	if err := st.write(path); err != nil {
		st.KnownSerial-- // the state on disk names the previous save still
		return err
	}
	return nil
}

// writeAtomic replaces path with data by renaming a complete, synced new
// file over it.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("cannot save the watch state: %w", err)
	}
	err := atomicfile.Write(path, data, stateTemp(path))
	if err != nil {
		return fmt.Errorf("cannot save the watch state: %w", err)
	}
	return nil
}

// lockState takes the lock beside the state file (path + ".lock") for the
// life of a watcher: a second watcher of the same state fails at once with
// ErrStateInUse instead of delivering everything twice (and removing the
// first one's temporary files). The lock dies with its process, so a
// watcher killed with -9 leaves nothing to clean.
func lockState(path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("cannot create the folder of the watch state: %w", err)
	}
	lock := path + ".lock"
	release, held, err := filelock.TryLock(lock)
	if err != nil {
		return nil, err
	}
	if held {
		return nil, fmt.Errorf("%w: another watcher (%s) uses %s; give each watcher its own state", ErrStateInUse, filelock.Holder(lock), path)
	}
	return release, nil
}

// removeTemporaries removes the new state files (and tags seen) that a
// watcher killed while writing one left next to path; the caller holds
// the state's lock, so none is being written.
func removeTemporaries(path string) {
	atomicfile.RemoveTemps(path, stateTemp(path), 0)
}

// stateTemp is how the watch's files (the state, its "known" files) are
// written: synced, through temporary files named after them and ".*.tmp",
// so that removeTemporaries' pattern for the state covers them all.
func stateTemp(path string) atomicfile.Options {
	return atomicfile.Options{Temp: filepath.Base(path) + ".*.tmp", Sync: true}
}

func (st *State) target(key string) *TargetState {
	ts := st.Targets[key]
	if ts == nil {
		ts = &TargetState{}
		st.Targets[key] = ts
	}
	return ts
}

// DefaultStateFile is where the state of a watcher of source (the
// repository, as registry.Registry.Source names it) is kept under
// cacheDir: watch/NAME-HASH.json, readable and unique per repository (named
// as the repository's mirror would be).
func DefaultStateFile(cacheDir, source string) string {
	return filepath.Join(cacheDir, "watch", strings.TrimSuffix(gitstore.MirrorName(source), ".git")+".json")
}
