// Package registryset reads many registries as one: a registry set, the
// repositories of gto-registries.yaml (or of repeated repository flags),
// each kept as its last snapshot with the state of its last refresh.
//
// A Set opens each member through the registry package (a local path, or
// a remote URL through its cached mirror), reads its snapshot once and
// again only when its fingerprint changes. A member that cannot be read
// keeps its last snapshot, if it ever had one, and carries the error: it
// is stale, and never stops the others from being read. Refresh reads the
// members that are due, a few at a time; Run does it in the background.
package registryset

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gto-dev/gto/registry"
)

// Options configure a Set.
type Options struct {
	// Registry are the options every member is opened with (cache folder,
	// environment, timeouts, log); its Repo is replaced by the member's.
	Registry registry.Options
	// Every is how often a local member is checked for changes, and
	// RemoteEvery a remote one (a fetch into its mirror). Zero: 2 s and
	// 30 s.
	Every, RemoteEvery time.Duration
	// Parallel is how many members are read at once (default 4).
	Parallel int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Set is a registry set. Its methods may be called from any goroutine.
type Set struct {
	opts    Options
	members []*Member
	byName  map[string]*Member
}

// Member is one repository of a set.
type Member struct {
	Entry
	// Remote reports that Repo is a URL, read through the cached mirror.
	Remote bool

	set   *Set
	mu    sync.Mutex // serialises the member's refreshes
	state atomic.Pointer[State]
}

// State is what a set knows of a member after its last refresh.
type State struct {
	// Snapshot is the registry as last read; nil until a read worked.
	Snapshot *registry.Snapshot
	// Fingerprint is the snapshot's fingerprint.
	Fingerprint string
	// ReadAt is when Snapshot was read, CheckedAt when the member was last
	// checked (whether or not that worked).
	ReadAt, CheckedAt time.Time
	// Err is the last refresh's error; nil when it worked.
	Err error
}

// Stale reports that the last refresh failed: Snapshot, if any, is older
// than the repository.
func (st *State) Stale() bool { return st.Err != nil }

// New validates entries and returns their set; nothing is read yet (see
// Refresh).
func New(entries []Entry, opts Options) (*Set, error) {
	if err := Validate(entries); err != nil {
		return nil, err
	}
	if opts.Every <= 0 {
		opts.Every = 2 * time.Second
	}
	if opts.RemoteEvery <= 0 {
		opts.RemoteEvery = 30 * time.Second
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 4
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Set{opts: opts, byName: map[string]*Member{}}
	for _, e := range entries {
		m := &Member{Entry: e, Remote: registry.IsRemoteURL(e.Repo), set: s}
		m.state.Store(&State{})
		s.members = append(s.members, m)
		s.byName[e.Name] = m
	}
	return s, nil
}

// Members returns the members in the order they were given.
func (s *Set) Members() []*Member { return s.members }

// Member returns the member named name, nil when there is none.
func (s *Set) Member(name string) *Member { return s.byName[name] }

// State returns the member's state after its last refresh.
func (m *Member) State() *State { return m.state.Load() }

// due reports whether the member should be checked at now.
func (m *Member) due(now time.Time) bool {
	st := m.State()
	every := m.set.opts.Every
	if m.Remote {
		every = m.set.opts.RemoteEvery
	}
	return st.CheckedAt.IsZero() || now.Sub(st.CheckedAt) >= every
}

// Refresh checks the member now: it opens the registry, reads its
// fingerprint and, when that changed, its snapshot. It reports whether
// the snapshot changed. On error the previous snapshot stays, and the
// state carries the error.
func (m *Member) Refresh(ctx context.Context) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	prev := m.State()
	next := *prev
	next.CheckedAt = m.set.opts.Now()
	changed, err := m.read(ctx, &next)
	if err != nil && ctx.Err() != nil {
		return false, err // stopping: not a failure of the repository
	}
	next.Err = err
	m.state.Store(&next)
	return changed, err
}

// Open opens the member's registry with the set's options: what a
// reader needs beyond the snapshot (a version's files, for one). The
// caller closes it.
func (m *Member) Open(ctx context.Context) (*registry.Registry, error) {
	ropts := m.set.opts.Registry
	ropts.Repo = m.Repo
	return registry.Open(ctx, ropts)
}

func (m *Member) read(ctx context.Context, st *State) (bool, error) {
	reg, err := m.Open(ctx)
	if err != nil {
		return false, err
	}
	defer reg.Close()
	known := ""
	if st.Snapshot != nil {
		known = st.Fingerprint
	}
	snap, fp, err := reg.SnapshotIfChanged(ctx, known)
	if err != nil || snap == nil {
		return false, err
	}
	st.Snapshot, st.Fingerprint, st.ReadAt = snap, fp, m.set.opts.Now()
	return true, nil
}

// Result is what one refresh of a member gave.
type Result struct {
	Member  *Member
	Changed bool
	Err     error
}

// Refresh checks every member that is due (every one, the first time), a
// few at a time, and returns what each check gave, in the set's order. A
// member's failure is in its Result and its State; it does not stop the
// others.
func (s *Set) Refresh(ctx context.Context) []Result {
	return s.refresh(ctx, false, nil)
}

// RefreshAll checks every member now, due or not.
func (s *Set) RefreshAll(ctx context.Context) []Result {
	return s.refresh(ctx, true, nil)
}

// RefreshAllEach is RefreshAll that also hands each member's Result to
// each as soon as that member's check ends (from the goroutine that
// checked it: each must be safe for concurrent use), so a reader can show
// the members read so far while the slowest is still being read.
func (s *Set) RefreshAllEach(ctx context.Context, each func(Result)) []Result {
	return s.refresh(ctx, true, each)
}

func (s *Set) refresh(ctx context.Context, all bool, each func(Result)) []Result {
	now := s.opts.Now()
	var todo []*Member
	for _, m := range s.members {
		if all || m.due(now) {
			todo = append(todo, m)
		}
	}
	out := make([]Result, len(todo))
	sem := make(chan struct{}, s.opts.Parallel)
	var wg sync.WaitGroup
	for i, m := range todo {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				out[i] = Result{Member: m, Err: ctx.Err()}
				return
			}
			defer func() { <-sem }()
			changed, err := m.Refresh(ctx)
			out[i] = Result{Member: m, Changed: changed, Err: err}
			if each != nil {
				each(out[i])
			}
		})
	}
	wg.Wait()
	return out
}

// Run refreshes the set every tick until ctx is done; each tick checks the
// members that are due. report, when not nil, receives every tick's
// results (from Run's goroutine).
func (s *Set) Run(ctx context.Context, tick time.Duration, report func([]Result)) {
	if tick <= 0 {
		tick = min(s.opts.Every, s.opts.RemoteEvery)
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		res := s.Refresh(ctx)
		if report != nil && ctx.Err() == nil {
			report(res)
		}
	}
}

// String names the member for people: "NAME (REPO)".
func (m *Member) String() string { return fmt.Sprintf("%s (%s)", m.Name, m.Repo) }
