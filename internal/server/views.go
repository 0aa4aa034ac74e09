package server

import (
	"bytes"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gto-dev/gto/annotations"
	"github.com/gto-dev/gto/internal/jsonout"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/registry"
	"github.com/gto-dev/gto/tagname"
)

// views is everything the server shows, built once per fingerprint from a
// registry snapshot and then only read (by any number of requests at once).
type views struct {
	fp      string
	builtAt time.Time
	snap    *registry.Snapshot
	table   *model.RegistryView // the default view of `gto show`
	rows    []*tableRow         // the registry page's rows, in table order
	byName  map[string]*tableRow
	history []*model.Event // the whole journal, newest first
	stages  []string       // what `gto stages` prints
	// Filter choices: the types, labels and stages in use, sorted.
	types, labels []string
	eventStages   []string // every stage an event names
	tags          int      // number of event tags

	mu    sync.Mutex
	cache map[string][]byte // rendered JSON documents of the default routes
	// home is the registry page without filters, as last rendered, and
	// the refresh error it shows (see registryHome).
	home      []byte
	homeStale string
	// historyDoc is the whole journal's JSON, kept in a file.
	historyDoc *spool
}

// tableRow is one artifact of the registry page.
type tableRow struct {
	Name       string
	Registered bool
	Deprecated bool
	Latest     string
	Ann        annotations.Artifact // at HEAD; the zero value when not annotated
	Annotated  bool
	InStage    [][]string // per stage column, the versions shown in it
	// StageNames are the stage columns this artifact has a version in.
	StageNames []string
	search     string // lower-case text the text filter looks in
}

// Search is the lower-case text the text filter looks in (name, type,
// path, description, labels).
func (r *tableRow) Search() string { return r.search }

func newViews(fp string, snap *registry.Snapshot, now time.Time) *views {
	v := &views{
		fp:      fp,
		builtAt: now,
		snap:    snap,
		table:   snap.Table(model.DefaultStageView),
		history: snap.State.History("", false),
		stages:  snap.Stages(),
		byName:  map[string]*tableRow{},
		cache:   map[string][]byte{},

		historyDoc: &spool{},
	}
	types, labels := map[string]bool{}, map[string]bool{}
	for _, r := range v.table.Rows {
		a := r.Artifact
		row := &tableRow{Name: a.Name, Registered: r.Registered, Latest: r.Latest, Deprecated: isDeprecated(a)}
		if ann := snap.Annotation(a.Name); ann != nil {
			row.Ann, row.Annotated = *ann, true
			if ann.Type != "" {
				types[ann.Type] = true
			}
			for _, l := range ann.Labels {
				labels[l] = true
			}
		}
		for _, st := range v.table.Stages {
			row.InStage = append(row.InStage, r.InStage[st])
			if len(r.InStage[st]) > 0 {
				row.StageNames = append(row.StageNames, st)
			}
		}
		row.search = strings.ToLower(strings.Join(append([]string{a.Name, row.Ann.Type, row.Ann.Path, row.Ann.Description}, row.Ann.Labels...), "\n"))
		v.rows = append(v.rows, row)
		v.byName[a.Name] = row
	}
	for _, a := range snap.State.Artifacts {
		v.tags += len(a.Deprecations)
		for _, ver := range a.Versions {
			v.tags += len(ver.Registrations) + len(ver.Deregistrations)
			for _, s := range ver.Stages {
				v.tags += len(s.Assignments) + len(s.Unassignments)
			}
		}
	}
	v.types, v.labels = sortedKeys(types), sortedKeys(labels)
	stages := map[string]bool{}
	for _, e := range v.history {
		if e.Stage != "" {
			stages[e.Stage] = true
		}
	}
	v.eventStages = sortedKeys(stages)
	return v
}

// isDeprecated reports whether the artifact's latest event is a
// deprecation (a later registration or assignment revives it).
func isDeprecated(a *model.Artifact) bool {
	e := a.LatestEvent()
	return e != nil && e.Kind == model.KindDeprecation
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// cached returns the document cached under key, computing it once.
func (v *views) cached(key string, compute func() ([]byte, error)) ([]byte, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if b, ok := v.cache[key]; ok {
		return b, nil
	}
	b, err := compute()
	if err != nil {
		return nil, err
	}
	v.cache[key] = b
	return b, nil
}

// registryHome returns the registry page without filters for the refresh
// error stale, rendering it once per views and error: it has a row per
// artifact, so a render is most of a request's time and tens of megabytes
// of garbage on a large registry (38 MB at 500,000 tags), which the heap
// would otherwise grow by between collections. Only the last error's page
// is kept.
func (v *views) registryHome(stale string, render func() ([]byte, error)) ([]byte, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.home != nil && v.homeStale == stale {
		return v.home, nil
	}
	b, err := render()
	if err != nil {
		return nil, err
	}
	v.home, v.homeStale = b, stale
	return b, nil
}

// encode renders a document as the CLI's --json prints it.
func encode(doc any) ([]byte, error) {
	var buf bytes.Buffer
	if err := jsonout.Encode(&buf, doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// artifactView returns the versions of `gto show NAME` (NAME with an
// optional shortcut) for view, or an error: a *model.InvalidError for a
// malformed NAME, a *model.NotFoundError for an unknown artifact.
func (v *views) artifactView(name string, view model.StageView) (*model.ArtifactView, error) {
	sc, err := tagname.ParseShortcut(name)
	if err != nil {
		return nil, model.WrapInvalid(model.FieldName, err)
	}
	a := v.snap.State.Artifact(sc.Artifact)
	if a == nil {
		return nil, notFoundf("artifact %q not found", sc.Artifact)
	}
	return model.ArtifactVersions(a, sc, view), nil
}

// artifactHistory is the journal of one artifact, newest first.
func (v *views) artifactHistory(name string) []*model.Event {
	if v.snap.State.Artifact(name) == nil {
		return nil
	}
	return v.snap.State.History(name, false)
}

// checkRef is what `gto check-ref REF` reports: the event the tag created,
// nil when REF is not a GTO event tag of this registry.
func (v *views) checkRef(ref string) *model.Event {
	if strings.HasPrefix(ref, "refs/heads/") {
		return nil
	}
	name := strings.TrimPrefix(ref, "refs/tags/")
	parsed, ok := tagname.Parse(name)
	if !ok {
		return nil
	}
	a := v.snap.State.Artifact(parsed.Artifact)
	if a == nil {
		return nil
	}
	for _, e := range a.Events() {
		if e.Tag == name {
			return e
		}
	}
	return nil
}

// describe is what `gto describe NAME` prints: the annotation at HEAD, or
// at the commit of the version NAME designates (a GTO tag, NAME@vX.Y.Z,
// NAME@latest, NAME@greatest, NAME#STAGE). Nil when not annotated there.
func (v *views) describe(name string) (*annotations.Artifact, error) {
	if tag, ok := tagname.Parse(name); ok {
		if e := v.checkRef(name); e != nil {
			return v.snap.AnnotationAt(e.Commit, tag.Artifact), nil
		}
	}
	sc, ok, err := model.ParseDescribeName(name)
	if err != nil || !ok {
		return nil, err
	}
	if sc.Version == "" && sc.Stage == "" {
		return v.snap.Annotation(sc.Artifact), nil
	}
	commit, err := model.VersionCommit(v.snap.State, sc)
	if err != nil {
		return nil, err
	}
	return v.snap.AnnotationAt(commit, sc.Artifact), nil
}

// artifactStages are the stages an artifact's page offers: the registry's
// stage columns, then any other stage the artifact ever had.
func (v *views) artifactStages(a *model.Artifact) []string {
	out := slices.Clone(v.table.Stages)
	for _, ver := range a.Versions {
		for _, s := range ver.Stages {
			if !slices.Contains(out, s.Stage) {
				out = append(out, s.Stage)
			}
		}
	}
	return out
}

func notFoundf(format string, args ...any) error {
	return model.NotFoundf("", format, args...)
}
