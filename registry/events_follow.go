package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/gto-dev/gto/internal/store/gitstore"
	"github.com/gto-dev/gto/tagname"
)

// DetectorOptions say where a Detector starts.
type DetectorOptions struct {
	// Since: the first look reports the events after this cursor (""
	// or StartCursor: every event).
	Since string
	// SkipExisting: the first look reports nothing; the events that
	// follow it are reported (a watcher started with no state).
	SkipExisting bool
	// Known are the tags already reported (tag name -> tag object id), as
	// Detector.Known returned them: the detector resumes by comparing the
	// tags with them, so it also finds a tag dated before the cursor, and
	// the tags deleted meanwhile. Nil: the first look uses Since.
	Known map[string]string
	// Cursor is the cursor the stream had reached with Known (the cursors
	// of the events reported next do not go back before it).
	Cursor string
}

// Detector is the change detector of the event stream: each Poll compares
// the repository's event tags with those it has seen and returns what is
// new, oldest first, and the tags that disappeared (KindDeleted events,
// each reported once). Between two looks it asks git nothing unless the
// tags may have changed: for a local repository, a stat of git's ref
// storage; otherwise one listing of the refs.
//
// A Detector is not safe for concurrent use. Its state (Known, Cursor) can
// be saved and given back to NewDetector to resume in another process.
type Detector struct {
	known map[string]string // nil before the first look
	since position
	skip  bool
	mark  position // the cursor reached
	// sum is the hash of the event tag refs at the last full look.
	sum string
	// reads counts the looks that asked git (see Reads).
	reads int
	// stamp is the cheap check of the tags of the repository whose git
	// directory is stampOf (see tagsMayHaveChanged).
	stampOf string
	stamp   func() bool
}

// NewDetector returns a detector that starts as opts say.
func NewDetector(opts DetectorOptions) (*Detector, error) {
	since, err := parseCursor(opts.Since)
	if err != nil {
		return nil, err
	}
	mark, err := parseCursor(opts.Cursor)
	if err != nil {
		return nil, err
	}
	d := &Detector{since: since, skip: opts.SkipExisting, mark: later(since, mark)}
	if opts.Known != nil {
		d.known = maps.Clone(opts.Known)
	}
	return d, nil
}

func later(a, b position) position {
	if a.compare(b) >= 0 {
		return a
	}
	return b
}

// Known returns the tags reported so far (tag name -> tag object id); nil
// before the first look. The map is the detector's: read it, do not
// change it (a look makes a new one).
func (d *Detector) Known() map[string]string { return d.known }

// Cursor returns the cursor after the last event reported (the start
// before any).
func (d *Detector) Cursor() string { return d.mark.cursor() }

// Reads returns how many looks asked git for the tags (the others found,
// from git's ref files, that they had not changed): a long-running
// program can give memory back after one.
func (d *Detector) Reads() int { return d.reads }

// Poll looks at r and returns the events since the previous look (see
// DetectorOptions for the first), oldest first, the deletions before the
// tags made: a tag made again is reported deleted, then new.
func (d *Detector) Poll(ctx context.Context, r *Registry) ([]Event, error) {
	if dir := r.gitDir(); dir == "" || d.stampOf != dir {
		d.stampOf, d.stamp = dir, r.tagsMayHaveChanged()
	}
	// The stamp is taken at every look, the first too, so that the next
	// compares with what this one read.
	if mayHave := d.stamp == nil || d.stamp(); d.known != nil && !mayHave {
		return nil, nil
	}
	d.reads++
	sum, err := r.eventRefsSum(ctx)
	if err != nil {
		return nil, err
	}
	if d.known != nil && sum == d.sum {
		return nil, nil
	}
	list, err := r.eventList(ctx)
	if err != nil {
		return nil, err
	}
	d.sum = sum
	var out []Event
	if d.known == nil {
		for _, e := range list {
			if !d.skip && e.pos.compare(d.since) > 0 {
				out = append(out, e)
			} else {
				d.mark = later(d.mark, e.pos)
			}
		}
	} else {
		out = Diff(d.known, list, r.opts.Now())
	}
	d.known = make(map[string]string, len(list))
	for _, e := range list {
		d.known[e.Tag] = e.Object
	}
	for i := range out {
		if out[i].Event != nil {
			d.mark = later(d.mark, out[i].pos)
		}
		out[i].Cursor = d.mark.cursor()
	}
	return out, nil
}

// Diff returns what changed from the tags known (tag name -> tag object
// id) to the events of list (oldest first, as EventsOf returns them):
// deleted events for the tags gone (or now naming another object), by tag
// name, seen at now, then the events of the tags that are new (or changed),
// oldest first. The deleted events have the cursor of list's last event.
func Diff(known map[string]string, list []Event, now time.Time) []Event {
	current := make(map[string]string, len(list))
	for _, e := range list {
		current[e.Tag] = e.Object
	}
	var gone []string
	for tag, obj := range known {
		if current[tag] != obj {
			gone = append(gone, tag)
		}
	}
	slices.Sort(gone)
	end := StartCursor
	if len(list) > 0 {
		end = list[len(list)-1].Cursor
	}
	var out []Event
	for _, tag := range gone {
		e := deletedEvent(tag, known[tag], now)
		e.Cursor = end
		out = append(out, e)
	}
	for _, e := range list {
		if known[e.Tag] != e.Object {
			out = append(out, e)
		}
	}
	return out
}

// tagsMayHaveChanged returns the cheap check of the repository's tags
// (see gitstore.Store.TagsMayHaveChanged); nil when there is none.
func (r *Registry) tagsMayHaveChanged() func() bool {
	if s, ok := r.store.(*gitstore.Store); ok {
		return s.TagsMayHaveChanged()
	}
	return nil
}

func (r *Registry) gitDir() string {
	if r.store == nil {
		return ""
	}
	return r.store.Info().GitDir
}

// eventRefsSum hashes the refs of the tags that can be events (annotated,
// in GTO's format, not NAME@created), reading no object.
func (r *Registry) eventRefsSum(ctx context.Context) (string, error) {
	var sum string
	err := r.viewWith(ctx, r.store.View, func(s *session) error {
		refs, err := s.rd.Refs(ctx)
		if err != nil {
			return err
		}
		h := sha256.New()
		for _, ref := range refs {
			if p, ok := tagname.Parse(ref.Name); ok && ref.Type == "tag" && p.Action != tagname.ActionCreate {
				writeFields(h, ref.Name, ref.Object)
			}
		}
		sum = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	return sum, err
}

// Poller follows a repository with a Detector. It opens the registry at
// each look and closes it after, so that it holds nothing between looks:
// no git process, no object cache in memory, no lock (a remote registry's
// mirror is then checked with one `git ls-remote` per look, and fetched
// only when the remote moved).
type Poller struct {
	opts   Options
	det    *Detector
	source string
}

// NewPoller returns a poller of the repository opts name.
func NewPoller(opts Options, det *Detector) *Poller {
	return &Poller{opts: opts, det: det, source: opts.Repo}
}

// Detector returns the poller's detector (its Known and Cursor are the
// state to save).
func (p *Poller) Detector() *Detector { return p.det }

// Poll opens the registry and returns what Detector.Poll does.
func (p *Poller) Poll(ctx context.Context) ([]Event, error) {
	r, err := Open(ctx, p.opts)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	p.source = r.Source()
	return p.det.Poll(ctx, r)
}

// Follow polls every interval until ctx ends, calling fn with what each
// look found (also with nothing, and with the error of a look that
// failed: fn decides whether that ends the loop by returning an error).
// It returns fn's error, or nil when ctx ends.
func (p *Poller) Follow(ctx context.Context, interval time.Duration, fn func([]Event, error) error) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		events, err := p.Poll(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err := fn(events, err); err != nil {
			return err
		}
		t.Reset(interval)
	}
}

// Source is Registry.Source of the repository (once polled; before, the
// repository as given).
func (p *Poller) Source() string { return p.source }

// Source is what the repository is called in events (CloudEvents'
// source): the URL of a remote registry, else the absolute path of the
// work tree (of the git directory for a bare repository).
func (r *Registry) Source() string {
	if r.store == nil {
		return r.dir
	}
	info := r.store.Info()
	switch {
	case info.Remote != "":
		return info.Remote
	case info.WorkTree != "":
		return info.WorkTree
	}
	return info.GitDir
}

// CacheDir is the folder gto keeps its caches in for opts: Options.CacheDir,
// else GTO_CACHE_DIR, else gto/ in the user cache directory.
func CacheDir(opts Options) (string, error) {
	if opts.Getenv == nil {
		opts.Getenv = os.LookupEnv
	}
	env, err := readEnvironment(opts.Getenv)
	if err != nil {
		return "", err
	}
	return cacheDir(opts, env)
}
