package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gto-dev/gto/internal/jsonout"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/registry"
)

// SiteOptions configure WriteSite.
type SiteOptions struct {
	// Source names the registry for people (shown in the pages' header).
	Source string
	// Now is the clock (default time.Now).
	Now func() time.Time

	setHome string // a member of a set's site: the set's folder, from the member's
}

// WriteSite writes the registry as static files under dir, for any static
// web host: the pages of `gto serve` (index.html, artifacts/NAME.html,
// history.html and history-N.html, 404.html) with relative links, their
// assets (static/), and the API documents as files (api/v1/show.json,
// api/v1/show/NAME.json, api/v1/history.json, api/v1/history/NAME.json,
// api/v1/stages.json, api/v1/describe/NAME.json for annotated artifacts).
// Existing files of those names are replaced; other files are left alone.
// It returns the number of files written.
func WriteSite(ctx context.Context, reg *registry.Registry, dir string, opts SiteOptions) (int, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	fp, err := reg.Fingerprint(ctx)
	if err != nil {
		return 0, err
	}
	snap, err := reg.Snapshot(ctx)
	if err != nil {
		return 0, err
	}
	return writeSnapshotSite(ctx, fp, snap, dir, opts)
}

// writeSnapshotSite is WriteSite of a snapshot already read.
func writeSnapshotSite(ctx context.Context, fp string, snap *registry.Snapshot, dir string, opts SiteOptions) (int, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	pages, err := parseTemplates()
	if err != nil {
		return 0, err
	}
	s := &Server{opts: Options{Source: opts.Source}, pages: pages, assets: loadAssets()}
	v := newViews(fp, snap, opts.Now())
	w := &siteWriter{dir: dir}

	top := linker{static: true, set: opts.setHome}
	w.page(s, "index.html", "registry", s.registryModel(v, top, registryFilter{}))
	for p := 1; ; p++ {
		m := s.historyModel(v, top, historyFilter{}, nil, p)
		name := "history.html"
		if p > 1 {
			name = fmt.Sprintf("history-%d.html", p)
		}
		w.page(s, name, "history", m)
		if m.PageNo >= m.Pages {
			break
		}
	}
	for _, row := range v.rows {
		file := "artifacts/" + row.Name + ".html"
		m, _ := s.artifactModel(v, linker{static: true, root: rootOf(file), set: opts.setHome}, row.Name)
		w.page(s, file, "artifact", m)
	}
	notFound := &errorPage{page: s.basePage(v, top, "Not Found", ""), Message: "There is no such page in this registry."}
	notFound.Status = 404
	w.page(s, "404.html", "error", notFound)

	for name, b := range s.assets.files {
		w.file("static/"+name, b)
	}

	w.json("api/v1/show.json", func() ([]byte, error) { return encode(jsonout.Registry(v.table)) })
	w.json("api/v1/history.json", func() ([]byte, error) { return historyJSON(v.history) })
	w.json("api/v1/stages.json", func() ([]byte, error) { return encode(v.stages) })
	for _, row := range v.rows {
		name := row.Name
		w.json("api/v1/show/"+name+".json", func() ([]byte, error) {
			av, err := v.artifactView(name, model.DefaultStageView)
			if err != nil {
				return nil, err
			}
			return encode(jsonout.Versions(av))
		})
		w.json("api/v1/history/"+name+".json", func() ([]byte, error) { return historyJSON(v.artifactHistory(name)) })
		if ann := snap.Annotation(name); ann != nil {
			w.json("api/v1/describe/"+name+".json", func() ([]byte, error) { return encode(jsonout.Annotation(ann)) })
		}
		if err := ctx.Err(); err != nil {
			return w.n, err
		}
	}
	return w.n, w.err
}

// rootOf is the relative path from a file of the site to its top folder.
func rootOf(file string) string {
	return strings.Repeat("../", strings.Count(file, "/"))
}

// siteWriter writes files under dir and keeps the first error.
type siteWriter struct {
	dir string
	n   int
	err error
}

func (w *siteWriter) page(s *Server, file, tmpl string, data any) {
	if w.err != nil {
		return
	}
	b, err := s.pages.render(tmpl, data)
	if err != nil {
		w.err = fmt.Errorf("rendering %s: %w", file, err)
		return
	}
	w.file(file, b)
}

func (w *siteWriter) json(file string, body func() ([]byte, error)) {
	if w.err != nil {
		return
	}
	b, err := body()
	if err != nil {
		w.err = fmt.Errorf("%s: %w", file, err)
		return
	}
	w.file(file, b)
}

func (w *siteWriter) file(file string, b []byte) {
	if w.err != nil {
		return
	}
	// Artifact names cannot hold ".." components (git refuses them in tag
	// names), but a file must never land outside dir whatever the name.
	if !filepath.IsLocal(filepath.FromSlash(file)) {
		w.err = fmt.Errorf("refusing to write %q outside the site folder", file)
		return
	}
	path := filepath.Join(w.dir, filepath.FromSlash(file))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		w.err = err
		return
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		w.err = err
		return
	}
	w.n++
}
