package server

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gto-dev/gto/annotations"
	"github.com/gto-dev/gto/internal/jsonout"
	"github.com/gto-dev/gto/internal/objectid"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/tagname"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageTemplates are the parsed pages, each with the shared layout.
type pageTemplates struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	"iso": func(t time.Time) string {
		if s := jsonout.Time(t); s != nil {
			return *s
		}
		return ""
	},
	"utc":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") + " UTC" },
	"short": shortVersion,
	"join":  strings.Join,
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"add": func(a, b int) int { return a + b },
	"eventsOf": func(l linker, rows []eventRow, withArtifact bool) eventsTable {
		return eventsTable{L: l, Rows: rows, WithArtifact: withArtifact}
	},
	"choice": func(label, name string, options []string, selected string) filterChoice {
		return filterChoice{Label: label, Name: name, Options: options, Selected: selected}
	},
}

// filterChoice is the data of the "choice" template: a filter's select.
type filterChoice struct {
	Label, Name string
	Options     []string
	Selected    string
}

// eventsTable is the data of the "events" template (the journal's rows).
type eventsTable struct {
	L            linker
	Rows         []eventRow
	WithArtifact bool
}

func parseTemplates() (*pageTemplates, error) {
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pageTemplates{byName: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return nil, err
		}
		p.byName[name] = t
	}
	return p, nil
}

// render executes a page into memory (a template error is then a clean
// 500, not half a page).
func (p *pageTemplates) render(name string, data any) ([]byte, error) {
	t := p.byName[name]
	if t == nil {
		return nil, fmt.Errorf("no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// contentSecurityPolicy allows only this server's own scripts, styles and
// requests: even a string that escaped escaping could not run.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func (s *Server) writePage(w http.ResponseWriter, r *http.Request, name string, data any, status int) {
	b, err := s.pages.render(name, data)
	writeRendered(w, r, b, err, status)
}

// writeRendered answers a page that rendered as b, or failed to with err
// (a clean 500).
func writeRendered(w http.ResponseWriter, r *http.Request, b []byte, err error, status int) {
	if err != nil {
		http.Error(w, "rendering the page failed: "+err.Error(), http.StatusInternalServerError)
		return
	}
	writeHTML(w, r, b, status)
}

// writeHTML answers a rendered page.
func writeHTML(w http.ResponseWriter, r *http.Request, b []byte, status int) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	if status != http.StatusOK {
		h.Del("ETag")
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(b)
	}
}

// linker makes the links between pages: absolute paths on the server,
// relative file names in a static site (so it works under any prefix).
type linker struct {
	static bool
	root   string // "/" on the server; "", "../", "../../" in a site
	assets string // the assets' version, for cache busting (server only)
	// set is where the page of the registry set the pages belong to is,
	// from root ("" when they belong to none): "/" on the server,
	// "../../" in a set's site.
	set string
}

// SetHome is the page of the registry set these pages are a member of,
// "" when they are not.
func (l linker) SetHome() string {
	switch {
	case l.set == "":
		return ""
	case l.static:
		return l.root + l.set + "index.html"
	}
	return l.set
}

var serveLinks = linker{root: "/"}

// escapeName escapes an artifact name for a URL path, keeping its "/".
func escapeName(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// Home is the registry page.
func (l linker) Home() string {
	if l.static {
		return l.root + "index.html"
	}
	return l.root
}

// Artifact is an artifact's page.
func (l linker) Artifact(name string) string {
	if l.static {
		return l.root + "artifacts/" + escapeName(name) + ".html"
	}
	return l.root + "artifacts/" + escapeName(name)
}

// History is the journal (page 1).
func (l linker) History() string {
	if l.static {
		return l.root + "history.html"
	}
	return l.root + "history"
}

// HistoryPage is page n of the journal, with the filters of q.
func (l linker) HistoryPage(n int, q url.Values) string {
	if l.static {
		if n <= 1 {
			return l.History()
		}
		return l.root + "history-" + strconv.Itoa(n) + ".html"
	}
	q = cloneValues(q)
	q.Del("page")
	if n > 1 {
		q.Set("page", strconv.Itoa(n))
	}
	if enc := q.Encode(); enc != "" {
		return l.History() + "?" + enc
	}
	return l.History()
}

// HistoryOf is the journal filtered on one artifact (on a static site: the
// history section of the artifact's page).
func (l linker) HistoryOf(name string) string {
	if l.static {
		return l.Artifact(name) + "#history"
	}
	return l.History() + "?" + url.Values{"artifact": {name}}.Encode()
}

// Asset is a file of static/.
func (l linker) Asset(file string) string {
	if l.static {
		return l.root + "static/" + file
	}
	return l.root + "static/" + file + "?v=" + l.assets
}

// API is an API document: path is "show", "show/NAME", "history", ...
func (l linker) API(path string) string {
	if l.static {
		return l.root + "api/v1/" + path + ".json"
	}
	return l.root + "api/v1/" + path
}

// ShowJSON, HistoryJSON and DescribeJSON are an artifact's documents.
func (l linker) ShowJSON(name string) string     { return l.API("show/" + escapeName(name)) }
func (l linker) HistoryJSON(name string) string  { return l.API("history/" + escapeName(name)) }
func (l linker) DescribeJSON(name string) string { return l.API("describe/" + escapeName(name)) }

// Downloads reports whether versions can be downloaded: on the server,
// not in a static site.
func (l linker) Downloads() bool { return !l.static }

// Download is the tar.gz of an artifact's version on the server.
func (l linker) Download(name, version string) string {
	return l.root + "api/v1/download/" + escapeName(name) + "@" + url.PathEscape(version)
}

// Action is where a write form posts.
func (l linker) Action(action string) string { return l.root + "actions/" + action }

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	return out
}

// page is what every page shows: navigation, status and live refresh.
type page struct {
	Title       string
	Nav         string // "registry", "history" or "" (an artifact)
	L           linker
	Static      bool
	Fingerprint string
	BuiltAt     time.Time
	Source      string
	Writable    bool
	Stale       string // the error of the last refresh
	PollSeconds int
	JSON        string // the API document of this page
	Error       string // a refused write, shown on top
	Notice      string
	Status      int
}

func (s *Server) basePage(v *views, l linker, title, nav string) page {
	p := page{
		Title: title, Nav: nav, L: l, Static: l.static, Fingerprint: v.fp, BuiltAt: v.builtAt,
		Source: s.opts.Source, Writable: s.opts.AllowWrite && !l.static,
	}
	if !l.static {
		p.Stale = s.staleMessage()
		p.PollSeconds = pollSeconds(s.opts.Refresh)
	}
	return p
}

// pollSeconds is how often pages ask whether the registry changed: as
// often as the server checks, between 2 and 15 seconds.
func pollSeconds(refresh time.Duration) int {
	n := int(refresh / time.Second)
	return min(max(n, 2), 15)
}

func (s *Server) serverLinks() linker {
	l := serveLinks
	l.assets = s.assets.version
	if s.linkRoot != "" {
		l.root, l.set = s.linkRoot, "/"
	}
	return l
}

// ---- the registry page ----

type registryFilter struct {
	Q, Type, Label, Stage string
	Deprecated            bool
}

func registryFilterFrom(q url.Values) registryFilter {
	return registryFilter{
		Q: strings.TrimSpace(q.Get("q")), Type: q.Get("type"), Label: q.Get("label"), Stage: q.Get("stage"),
		Deprecated: isTrue(q.Get("deprecated")),
	}
}

func (f registryFilter) match(row *tableRow) bool {
	if row.Deprecated && !f.Deprecated {
		return false
	}
	if f.Q != "" && !strings.Contains(row.search, strings.ToLower(f.Q)) {
		return false
	}
	if f.Type != "" && row.Ann.Type != f.Type {
		return false
	}
	if f.Label != "" && !slices.Contains(row.Ann.Labels, f.Label) {
		return false
	}
	if f.Stage != "" && !slices.Contains(row.StageNames, f.Stage) {
		return false
	}
	return true
}

type registryPage struct {
	page
	Filter     registryFilter
	Stages     []string
	Rows       []registryRow
	Total      int // artifacts in the registry
	Deprecated int // of which deprecated
	Types      []string
	Labels     []string
}

type registryRow struct {
	*tableRow
	Hidden bool // static site: deprecated, shown by the script on request
}

func (s *Server) registryModel(v *views, l linker, f registryFilter) *registryPage {
	p := &registryPage{
		page:   s.basePage(v, l, "Artifact registry", "registry"),
		Filter: f, Stages: v.table.Stages, Total: len(v.rows), Types: v.types, Labels: v.labels,
	}
	p.JSON = l.API("show")
	for _, row := range v.rows {
		if row.Deprecated {
			p.Deprecated++
		}
		switch {
		case l.static:
			p.Rows = append(p.Rows, registryRow{tableRow: row, Hidden: row.Deprecated})
		case f.match(row):
			p.Rows = append(p.Rows, registryRow{tableRow: row})
		}
	}
	return p
}

func (s *Server) registryPage(w http.ResponseWriter, r *http.Request) {
	v := s.cur.Load()
	if s.notModified(w, r, v) {
		return
	}
	f := registryFilterFrom(r.URL.Query())
	if f != (registryFilter{}) {
		s.renderRegistry(w, r, v, http.StatusOK, "")
		return
	}
	stale := s.staleMessage()
	b, err := v.registryHome(stale, func() ([]byte, error) {
		p := s.registryModel(v, s.serverLinks(), f)
		p.Stale = stale // the error the page is kept for, even if a refresh just failed again
		return s.pages.render("registry", p)
	})
	writeRendered(w, r, b, err, http.StatusOK)
}

func (s *Server) renderRegistry(w http.ResponseWriter, r *http.Request, v *views, status int, errMsg string) {
	f := registryFilter{}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		f = registryFilterFrom(r.URL.Query())
	}
	p := s.registryModel(v, s.serverLinks(), f)
	p.Error = errMsg
	s.writePage(w, r, "registry", p, status)
}

// ---- an artifact's page ----

type artifactPage struct {
	page
	Name       string
	Registered bool
	Deprecated bool
	Latest     string
	Ann        *annotations.Artifact
	Board      []boardColumn
	Versions   []versionRow
	History    []eventRow
	Stages     []string // the stages the assign form offers
	Created    []string // tags a write just created
}

type boardColumn struct {
	Stage    string
	Versions []boardEntry
}

type boardEntry struct {
	Version string
	Current bool // the version `gto show` shows in the stage
	Since   time.Time
	Ref     string
	Author  string
}

type versionRow struct {
	Name       string
	Stages     []string
	Commit     string
	Author     string // of the authoring event (registration tag's tagger)
	Email      string
	Created    time.Time
	Ref        string
	Message    string
	Registered bool
	// The commit's own author and date, when the commit could be read.
	CommitAuthor string
	CommitTime   time.Time
}

type eventRow struct {
	Time     time.Time
	Artifact string
	Kind     string
	Version  string
	Stage    string
	Commit   string
	Author   string
	Email    string
	Message  string
	Ref      string
}

func newEventRow(e *model.Event) eventRow {
	return eventRow{
		Time: e.Time, Artifact: e.Artifact, Kind: e.Kind.String(), Version: e.Version, Stage: e.Stage,
		Commit: e.Commit, Author: e.Author, Email: e.AuthorEmail, Message: strings.TrimRight(e.Message, "\n"), Ref: e.Ref(),
	}
}

func (s *Server) artifactModel(v *views, l linker, name string) (*artifactPage, bool) {
	a := v.snap.State.Artifact(name)
	row := v.byName[name]
	if a == nil || row == nil {
		return nil, false
	}
	p := &artifactPage{
		page: s.basePage(v, l, name, ""),
		Name: name, Registered: row.Registered, Deprecated: row.Deprecated, Latest: row.Latest,
		Ann: v.snap.Annotation(name),
	}
	p.JSON = l.ShowJSON(name)
	p.Stages = v.artifactStages(a)
	all := model.DefaultStageView
	all.VersionsPerStage = -1
	shown := a.StageVersions(all)
	for _, st := range p.Stages {
		col := boardColumn{Stage: st}
		for i, vs := range shown.Stages[st] {
			e := boardEntry{Version: vs.Version, Current: i == 0, Since: vs.ActivatedAt()}
			if ae := vs.AuthoringEvent(); ae != nil {
				e.Ref, e.Author = ae.Ref(), ae.Author
			}
			col.Versions = append(col.Versions, e)
		}
		p.Board = append(p.Board, col)
	}
	view := model.ArtifactVersions(a, tagname.Shortcut{Artifact: name}, model.DefaultStageView)
	for _, vr := range view.Versions {
		ver := vr.Version
		row := versionRow{Name: ver.Name, Stages: vr.StageNames(), Commit: ver.Commit, Created: ver.CreatedAt(), Registered: ver.IsRegistered()}
		if e := ver.AuthoringEvent(); e != nil {
			row.Author, row.Email, row.Ref, row.Message = e.Author, e.AuthorEmail, e.Ref(), strings.TrimRight(e.Message, "\n")
		}
		if ce := ver.CommitEvent; ce != nil {
			row.CommitAuthor, row.CommitTime = ce.Author, ce.Time
		}
		p.Versions = append(p.Versions, row)
	}
	for _, e := range v.artifactHistory(name) {
		p.History = append(p.History, newEventRow(e))
	}
	return p, true
}

func (s *Server) artifactPage(w http.ResponseWriter, r *http.Request) {
	v := s.cur.Load()
	name := r.PathValue("name")
	if _, ok := v.byName[name]; !ok {
		s.errorPage(w, r, http.StatusNotFound, fmt.Sprintf("artifact %q not found", name))
		return
	}
	if s.notModified(w, r, v) {
		return
	}
	s.renderArtifact(w, r, v, name, http.StatusOK, "")
}

func (s *Server) renderArtifact(w http.ResponseWriter, r *http.Request, v *views, name string, status int, errMsg string) {
	p, _ := s.artifactModel(v, s.serverLinks(), name)
	p.Error = errMsg
	if r.Method == http.MethodGet {
		// Only name tags that exist: the query cannot make the page claim
		// anything that did not happen.
		for _, t := range r.URL.Query()["created"] {
			if v.checkRef(t) != nil {
				p.Created = append(p.Created, t)
			}
		}
	}
	s.writePage(w, r, "artifact", p, status)
}

// ---- the journal ----

// historyPageSize is the number of events per page of the journal.
const historyPageSize = 100

type historyFilter struct {
	Artifact, Event, Stage string
}

func (f historyFilter) match(e *model.Event) bool {
	return (f.Artifact == "" || e.Artifact == f.Artifact) &&
		(f.Event == "" || e.Kind.String() == f.Event) &&
		(f.Stage == "" || e.Stage == f.Stage)
}

type historyPage struct {
	page
	Filter       historyFilter
	Events       []eventRow
	Total        int // events matching the filter
	PageNo       int
	Pages        int
	Prev, Next   string
	Kinds        []string
	Stages       []string
	Artifacts    []string
	ArtifactLink string // the filtered artifact's page, when it exists
}

var eventKinds = []string{"registration", "deregistration", "assignment", "unassignment", "deprecation", "commit"}

func (s *Server) historyModel(v *views, l linker, f historyFilter, q url.Values, pageNo int) *historyPage {
	p := &historyPage{page: s.basePage(v, l, "Journal", "history"), Filter: f, Kinds: eventKinds, Stages: v.eventStages}
	p.JSON = l.API("history")
	for _, row := range v.rows {
		p.Artifacts = append(p.Artifacts, row.Name)
	}
	events := v.history
	if f.Artifact != "" {
		events = v.artifactHistory(f.Artifact)
		if _, ok := v.byName[f.Artifact]; ok {
			p.ArtifactLink = l.Artifact(f.Artifact)
			p.JSON = l.HistoryJSON(f.Artifact)
		}
	}
	if f.Event != "" || f.Stage != "" {
		var kept []*model.Event
		for _, e := range events {
			if f.match(e) {
				kept = append(kept, e)
			}
		}
		events = kept
	}
	p.Total = len(events)
	p.Pages = max(1, (len(events)+historyPageSize-1)/historyPageSize)
	p.PageNo = min(max(pageNo, 1), p.Pages)
	from := (p.PageNo - 1) * historyPageSize
	for _, e := range events[from:min(from+historyPageSize, len(events))] {
		p.Events = append(p.Events, newEventRow(e))
	}
	if p.PageNo > 1 {
		p.Prev = l.HistoryPage(p.PageNo-1, q)
	}
	if p.PageNo < p.Pages {
		p.Next = l.HistoryPage(p.PageNo+1, q)
	}
	return p
}

func (s *Server) historyPage(w http.ResponseWriter, r *http.Request) {
	v := s.cur.Load()
	if s.notModified(w, r, v) {
		return
	}
	q := r.URL.Query()
	f := historyFilter{Artifact: strings.TrimSpace(q.Get("artifact")), Event: q.Get("event"), Stage: q.Get("stage")}
	pageNo, _ := strconv.Atoi(q.Get("page"))
	s.writePage(w, r, "history", s.historyModel(v, s.serverLinks(), f, q, pageNo), http.StatusOK)
}

// ---- errors ----

type errorPage struct {
	page
	Message string
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	v := s.cur.Load()
	p := &errorPage{page: s.basePage(v, s.serverLinks(), http.StatusText(status), ""), Message: msg}
	p.Status = status
	s.writePage(w, r, "error", p, status)
}

// shortVersion shortens a version named by a commit hexsha to 7
// characters, as the CLI's tables do.
func shortVersion(v string) string {
	if objectid.Is(v) {
		return v[:7]
	}
	return v
}
