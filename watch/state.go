package watch

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gto-dev/gto/internal/filelock"
	"github.com/gto-dev/gto/internal/store/gitstore"
)

// State is what a watcher keeps between runs, in one JSON file written
// atomically (a new file renamed over the old) after every change: where
// the stream is, the tags seen, and for each target its queue and its dead
// letters.
type State struct {
	Version int `json:"version"`
	// Source is the repository watched.
	Source string `json:"source"`
	// Cursor and Known are the event stream's position and the tags seen
	// (registry.DetectorOptions); Known is nil before the first look.
	Cursor string            `json:"cursor"`
	Known  map[string]string `json:"known"`
	// Targets are keyed by Target.Key.
	Targets map[string]*TargetState `json:"targets"`
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

const stateVersion = 1

// ReadState reads a state file; a file that does not exist is an empty
// state.
func ReadState(path string) (*State, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &State{Version: stateVersion, Targets: map[string]*TargetState{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the watch state: %w", err)
	}
	var st State
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("the watch state %s is damaged (%v): move it away to start again", path, err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("the watch state %s is of version %d, this gto reads version %d", path, st.Version, stateVersion)
	}
	if st.Targets == nil {
		st.Targets = map[string]*TargetState{}
	}
	return &st, nil
}

// write saves the state atomically: a crash (kill -9 included) leaves the
// old file or the new one, whole.
func (st *State) write(path string) error {
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("cannot save the watch state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("cannot save the watch state: %w", err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
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

// removeTemporaries removes the new state files that a watcher killed
// while writing one left next to path.
func removeTemporaries(path string) {
	left, _ := filepath.Glob(path + ".*.tmp")
	for _, f := range left {
		os.Remove(f)
	}
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
