package server

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gto-dev/gto/internal/jsonout"
	"github.com/gto-dev/gto/registryset"
)

// A server over a registry set (Options.Set) serves every member at once:
//
//	/                                  every artifact of every member, with a repository column and filters
//	/repos/NAME/...                    the member's own pages (its registry, artifacts, journal)
//	/api/v1/repos                      the members and the state of their last refresh
//	/api/v1/repos/NAME                 one member's state
//	/api/v1/repos/NAME/show, ...       the single-repository API of that member
//
// Each member has a Server of its own (a sub-server) that holds its views
// and answers its routes with the single-repository handlers; the set
// server rebuilds a member's views when the set reads a new snapshot of
// it. A member that fails to refresh keeps its last views and is shown
// stale with its error; one never read answers 503 on its own routes,
// and the set's page lists it with its error.

// setState is the server's side of a registry set.
type setState struct {
	subs    map[string]*Server // by member name
	members []*registryset.Member
	page    atomic.Pointer[setViews]
}

// setViews is what the set's page shows, rebuilt when any member changed.
type setViews struct {
	fp      string
	builtAt time.Time
	repos   []setRepo
	rows    []setRow
	types   []string
	labels  []string
	stages  []string
}

// setRepo is one member on the set's page and in /api/v1/repos.
type setRepo struct {
	Name, Repo  string
	Remote      bool
	Artifacts   int
	Fingerprint string
	ReadAt      time.Time
	CheckedAt   time.Time
	Error       string // the last refresh's error
	Read        bool   // a snapshot was read at least once
	Pending     bool   // never checked yet: its first read is under way (Options.ReadSetLater)
}

// Stale reports that the last refresh failed.
func (r setRepo) Stale() bool { return r.Error != "" }

// setRow is one artifact of one member.
type setRow struct {
	Repo string
	*tableRow
	Stages []stageCell // the stages it has versions in, in column order
}

type stageCell struct {
	Stage    string
	Versions []string
}

func (s *Server) initSet() error {
	if s.opts.AllowWrite {
		return fmt.Errorf("a server over a registry set is read-only: writes go to one repository at a time")
	}
	st := &setState{subs: map[string]*Server{}, members: s.opts.Set.Members()}
	for _, m := range st.members {
		st.subs[m.Name] = &Server{
			opts:  Options{Source: m.Repo, Remote: m.Remote, Refresh: s.opts.Refresh, Now: s.opts.Now, Open: m.Open},
			pages: s.pages, assets: s.assets, salt: s.salt, allowedHosts: s.allowedHosts,
			linkRoot: "/repos/" + url.PathEscape(m.Name) + "/",
		}
	}
	s.set = st
	return nil
}

// refreshSet checks the members that are due and rebuilds the views of
// those that changed. Members' failures are their state, not an error:
// only a cancelled ctx is.
func (s *Server) refreshSet(ctx context.Context) (bool, error) {
	s.opts.Set.Refresh(ctx)
	return s.syncSet(ctx)
}

// readSetNow is the first read of a set served with Options.ReadSetLater:
// every member now, a few at a time, each shown as soon as it is read.
func (s *Server) readSetNow(ctx context.Context) {
	s.opts.Set.RefreshAllEach(ctx, func(registryset.Result) { s.syncSet(ctx) })
}

// syncSet rebuilds the views of the members whose state changed since the
// last call, and the set's page when any did (or there is none yet).
func (s *Server) syncSet(ctx context.Context) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := false
	// Every member's state, not only of those checked now: the set may be
	// refreshed by others too (Set.Run, Member.Refresh).
	for _, m := range s.set.members {
		sub := s.set.subs[m.Name]
		st := m.State()
		if v := sub.cur.Load(); st.Snapshot != nil && (v == nil || v.fp != st.Fingerprint) {
			start := time.Now()
			nv := newViews(st.Fingerprint, st.Snapshot, st.ReadAt)
			sub.cur.Store(nv)
			changed = true
			s.logf("%s: read %d artifacts, %d tags in %v (fingerprint %s)", m.Name, len(nv.rows), nv.tags, time.Since(start).Round(time.Millisecond), st.Fingerprint)
		}
		msg := ""
		if st.Err != nil {
			msg = st.Err.Error()
		}
		if old := sub.staleMessage(); old != msg {
			changed = true
			if msg != "" {
				s.logf("%s: refresh failed: %s", m.Name, msg)
			}
			sub.lastErr.Store(&msg)
		}
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if changed || s.set.page.Load() == nil {
		p := s.newSetViews()
		s.set.page.Store(p)
		s.cur.Store(&views{fp: p.fp, builtAt: p.builtAt, cache: map[string][]byte{}})
	}
	return changed, nil
}

func (s *Server) newSetViews() *setViews {
	p := &setViews{builtAt: s.opts.Now()}
	h := sha256.New()
	types, labels, stages := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, m := range s.set.members {
		sub := s.set.subs[m.Name]
		st := m.State()
		repo := setRepo{Name: m.Name, Repo: m.Repo, Remote: m.Remote, Fingerprint: st.Fingerprint,
			ReadAt: st.ReadAt, CheckedAt: st.CheckedAt, Error: sub.staleMessage(), Pending: st.CheckedAt.IsZero()}
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%v\x00", m.Name, st.Fingerprint, repo.Error, repo.Pending)
		if v := sub.cur.Load(); v != nil {
			repo.Read, repo.Artifacts = true, len(v.rows)
			for _, row := range v.rows {
				sr := setRow{Repo: m.Name, tableRow: row}
				for i, vs := range row.InStage {
					if len(vs) > 0 {
						sr.Stages = append(sr.Stages, stageCell{Stage: v.table.Stages[i], Versions: vs})
						stages[v.table.Stages[i]] = true
					}
				}
				if row.Ann.Type != "" {
					types[row.Ann.Type] = true
				}
				for _, l := range row.Ann.Labels {
					labels[l] = true
				}
				p.rows = append(p.rows, sr)
			}
		}
		p.repos = append(p.repos, repo)
	}
	p.fp = hex.EncodeToString(h.Sum(nil)[:8])
	p.types, p.labels, p.stages = sortedKeys(types), sortedKeys(labels), sortedKeys(stages)
	return p
}

// setRoutes is the handler of a set server (routes calls it).
func (s *Server) setRoutes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.setPage)
	mux.HandleFunc("GET /static/{file...}", s.assets.serve)
	mux.HandleFunc("GET /api/v1/{$}", s.setAPIIndex)
	mux.HandleFunc("GET /api/v1/fingerprint", s.setFingerprint)
	mux.HandleFunc("GET /api/v1/events/stream", s.setStream)
	mux.HandleFunc("GET /api/v1/repos", s.apiRepos)
	mux.HandleFunc("GET /api/v1/repos/{repo}", s.apiRepos)
	// A member's own pages, and its API under both /api/v1/repos/NAME/
	// and /repos/NAME/api/v1/ (where its pages' links point).
	for pattern, h := range map[string]func(*Server, http.ResponseWriter, *http.Request){
		"/{$}":                 (*Server).registryPage,
		"/artifacts/{name...}": (*Server).artifactPage,
		"/history":             (*Server).historyPage,
	} {
		mux.HandleFunc("GET /repos/{repo}"+pattern, s.inRepo(h))
	}
	mux.HandleFunc("GET /repos/{repo}/static/{file...}", s.assets.serve)
	mux.HandleFunc("GET /repos/{repo}", s.inRepo(func(sub *Server, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, sub.linkRoot, http.StatusMovedPermanently)
	}))
	member := func(pattern string, h func(*Server, http.ResponseWriter, *http.Request)) {
		mux.HandleFunc("GET "+APIPrefix+"repos/{repo}/"+pattern, s.inRepo(h))
		mux.HandleFunc("GET /repos/{repo}"+APIPrefix+pattern, s.inRepo(h))
	}
	member("{$}", (*Server).apiIndex)
	for _, rt := range readRoutes {
		member(rt.pattern, rt.handle)
	}
	return mux
}

// inRepo runs a single-repository handler on the sub-server of the
// member named by the path: 404 for no such member, 503 for one that was
// never read.
func (s *Server) inRepo(h func(*Server, http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("repo")
		sub := s.set.subs[name]
		if sub == nil {
			s.fail(w, r, http.StatusNotFound, fmt.Sprintf("there is no repository %q in this registry set", name))
			return
		}
		if sub.cur.Load() == nil {
			msg := fmt.Sprintf("the repository %q has not been read yet: %s", name, cmp.Or(sub.staleMessage(), "its first read is under way"))
			if isAPI(r) {
				writeProblem(w, 0, &refusal{status: http.StatusServiceUnavailable, code: codeRepoUnavailable, msg: msg})
			} else {
				s.errorPage(w, r, http.StatusServiceUnavailable, msg)
			}
			return
		}
		if strings.HasSuffix(r.URL.Path, "/events/stream") {
			// A member's stream ends with the set server's (at shutdown).
			ctx, cancel := context.WithCancel(r.Context())
			defer cancel()
			go func() {
				select {
				case <-s.events.done():
					cancel()
				case <-ctx.Done():
				}
			}()
			r = r.WithContext(ctx)
		}
		h(sub, w, r)
	}
}

// codeRepoUnavailable: a member of a set that was never read.
const codeRepoUnavailable = "repository-unavailable"

// ---- the set's page ----

type setFilter struct {
	Q, Repo, Type, Label, Stage string
	Deprecated                  bool
}

func setFilterFrom(q url.Values) setFilter {
	return setFilter{Q: strings.TrimSpace(q.Get("q")), Repo: q.Get("repo"), Type: q.Get("type"), Label: q.Get("label"),
		Stage: q.Get("stage"), Deprecated: isTrue(q.Get("deprecated"))}
}

func (f setFilter) match(row setRow) bool {
	return (f.Repo == "" || row.Repo == f.Repo) &&
		registryFilter{Q: f.Q, Type: f.Type, Label: f.Label, Stage: f.Stage, Deprecated: f.Deprecated}.match(row.tableRow)
}

type setPageModel struct {
	page
	Filter     setFilter
	Repos      []setRepo
	RepoNames  []string
	Rows       []setPageRow
	Total      int
	Deprecated int
	StaleRepos int // members whose last refresh failed
	Types      []string
	Labels     []string
	Stages     []string
}

type setPageRow struct {
	setRow
	Link     string // the artifact's page
	RepoLink string // the member's registry page
	Hidden   bool   // static site: deprecated, shown on request
}

// memberLinks is the linker of a member's pages, below l.
func memberLinks(l linker, name string) linker {
	l.root += "repos/" + url.PathEscape(name) + "/"
	return l
}

func (s *Server) setModel(p *setViews, l linker, f setFilter) *setPageModel {
	m := &setPageModel{Filter: f, Repos: p.repos, Total: len(p.rows), Types: p.types, Labels: p.labels, Stages: p.stages}
	m.page = page{Title: "Artifact registries", Nav: "registry", L: l, Static: l.static, Fingerprint: p.fp, BuiltAt: p.builtAt,
		Source: fmt.Sprintf("%d repositories", len(p.repos))}
	if !l.static {
		m.PollSeconds = pollSeconds(s.opts.Refresh)
	}
	m.JSON = l.API("repos")
	for _, r := range p.repos {
		m.RepoNames = append(m.RepoNames, r.Name)
		if r.Stale() {
			m.StaleRepos++
		}
	}
	links := map[string]linker{}
	for _, row := range p.rows {
		if row.Deprecated {
			m.Deprecated++
		}
		if !l.static && !f.match(row) {
			continue
		}
		ml, ok := links[row.Repo]
		if !ok {
			ml = memberLinks(l, row.Repo)
			links[row.Repo] = ml
		}
		m.Rows = append(m.Rows, setPageRow{setRow: row, Link: ml.Artifact(row.Name), RepoLink: ml.Home(), Hidden: l.static && row.Deprecated})
	}
	return m
}

// RepoLink is the member's registry page (for the repositories table).
func (m *setPageModel) RepoLink(name string) string { return memberLinks(m.L, name).Home() }

func (s *Server) setPage(w http.ResponseWriter, r *http.Request) {
	v := s.cur.Load()
	if s.notModified(w, r, v) {
		return
	}
	f := setFilterFrom(r.URL.Query())
	p := s.set.page.Load()
	if f != (setFilter{}) || p.fp != v.fp { // filtered, or a refresh in between
		s.writePage(w, r, "set", s.setModel(p, s.serverLinks(), f), http.StatusOK)
		return
	}
	// The page without filters (thousands of rows) is rendered once per
	// fingerprint of the set.
	b, err := v.cached("page", func() ([]byte, error) {
		return s.pages.render("set", s.setModel(p, s.serverLinks(), f))
	})
	writeRendered(w, r, b, err, http.StatusOK)
}

// ---- the set's API ----

func (s *Server) setAPIIndex(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, func(v *views) ([]byte, error) {
		doc := &jsonout.Object{}
		doc.Set("repos", APIPrefix+"repos")
		doc.Set("repo NAME", APIPrefix+"repos/{REPO}")
		for _, rt := range readRoutes {
			doc.Set(rt.key+" of repo", APIPrefix+"repos/{REPO}/"+rt.path)
		}
		doc.Set("fingerprint", APIPrefix+"fingerprint")
		doc.Set("events stream", APIPrefix+"events/stream")
		doc.Set("writes", false)
		return encode(doc)
	})
}

// apiRepos is the list of members (or one, /api/v1/repos/NAME) with the
// state of their last refresh.
func (s *Server) apiRepos(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("repo")
	if name != "" && s.set.subs[name] == nil {
		writeProblem(w, 0, notFoundf("there is no repository %q in this registry set", name))
		return
	}
	s.serveJSON(w, r, func(v *views) ([]byte, error) {
		p := s.set.page.Load()
		if name != "" {
			i := slices.IndexFunc(p.repos, func(r setRepo) bool { return r.Name == name })
			return encode(repoDoc(p.repos[i], serveLinks))
		}
		return v.cached("repos", func() ([]byte, error) { return reposJSON(p, serveLinks) })
	})
}

// reposJSON is the document of /api/v1/repos, with links of l.
func reposJSON(p *setViews, l linker) ([]byte, error) {
	docs := make([]*jsonout.Object, len(p.repos))
	for i, r := range p.repos {
		docs[i] = repoDoc(r, l)
	}
	return encode(docs)
}

// repoDoc is a member in /api/v1/repos: its state, and where its
// documents and pages are (links of l).
func repoDoc(r setRepo, l linker) *jsonout.Object {
	doc := &jsonout.Object{}
	doc.Set("name", r.Name)
	doc.Set("repo", r.Repo)
	doc.Set("remote", r.Remote)
	doc.Set("read", r.Read)
	doc.Set("stale", r.Stale())
	doc.Set("pending", r.Pending)
	if r.Error != "" {
		doc.Set("error", r.Error)
	} else {
		doc.Set("error", nil)
	}
	doc.Set("artifacts", r.Artifacts)
	doc.Set("fingerprint", r.Fingerprint)
	doc.Set("read_at", jsonout.Time(r.ReadAt))
	doc.Set("checked_at", jsonout.Time(r.CheckedAt))
	ml := memberLinks(l, r.Name)
	if l.static {
		doc.Set("show", ml.API("show"))
	} else {
		doc.Set("show", APIPrefix+"repos/"+url.PathEscape(r.Name)+"/show")
	}
	doc.Set("page", ml.Home())
	return doc
}

// setFingerprint tells the set's page whether any member changed.
func (s *Server) setFingerprint(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, func(v *views) ([]byte, error) {
		doc := &jsonout.Object{}
		doc.Set("fingerprint", v.fp)
		doc.Set("built_at", jsonout.Time(v.builtAt))
		return encode(doc)
	})
}

// setStream tells the set's page when any member changed: a
// "fingerprint" event when it opens and at each change.
func (s *Server) setStream(w http.ResponseWriter, r *http.Request) {
	fingerprint := func(v *views) error {
		writeFingerprintEvent(w, v.fp)
		return nil
	}
	s.streamChanges(w, r, s.cur.Load(), fingerprint, func(_, to *views) error { return fingerprint(to) })
}

// ---- a registry set as a static site ----

// WriteSetSite writes a registry set as static files under dir: index.html
// lists every artifact of every member (as the set server's page, filtered
// in the browser) and the members with the state of their read; each
// member that could be read has the site WriteSite writes under
// repos/NAME/; api/v1/repos.json is /api/v1/repos. Every member is read
// now (set.RefreshAll). A member that cannot be read is listed with its
// error and has no folder: it does not fail the site. It returns the
// number of files written and the members that could not be read.
func WriteSetSite(ctx context.Context, set *registryset.Set, dir string, opts SiteOptions) (int, []*registryset.Member, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	set.RefreshAll(ctx)
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	pages, err := parseTemplates()
	if err != nil {
		return 0, nil, err
	}
	s := &Server{opts: Options{Set: set, Now: opts.Now}, pages: pages, assets: loadAssets()}
	if err := s.initSet(); err != nil {
		return 0, nil, err
	}
	n := 0
	var failed []*registryset.Member
	for _, m := range set.Members() {
		st := m.State()
		if st.Err != nil {
			failed = append(failed, m)
			msg := st.Err.Error()
			s.set.subs[m.Name].lastErr.Store(&msg)
			continue // a stale snapshot of a previous read is not written either
		}
		s.set.subs[m.Name].cur.Store(newViews(st.Fingerprint, st.Snapshot, st.ReadAt))
		k, err := writeSnapshotSite(ctx, st.Fingerprint, st.Snapshot, filepath.Join(dir, "repos", m.Name), SiteOptions{Source: m.Repo, Now: opts.Now, setHome: "../../"})
		n += k
		if err != nil {
			return n, failed, fmt.Errorf("%s: %w", m.Name, err)
		}
	}
	p := s.newSetViews()
	w := &siteWriter{dir: dir}
	w.page(s, "index.html", "set", s.setModel(p, linker{static: true}, setFilter{}))
	for name, b := range s.assets.files {
		w.file("static/"+name, b)
	}
	w.json("api/v1/repos.json", func() ([]byte, error) { return reposJSON(p, linker{static: true}) })
	return n + w.n, failed, w.err
}
