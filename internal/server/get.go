package server

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"path"

	"github.com/gto-dev/gto/internal/jsonout"
	"github.com/gto-dev/gto/registry"
)

// maxDownloads bounds the downloads streamed at once: each holds a git
// process and the registry open.
const maxDownloads = 4

// downloads is the semaphore of the downloads under way.
var downloads = make(chan struct{}, maxDownloads)

// apiGet answers the resolution of a reference (NAME, NAME@vX.Y.Z,
// NAME#STAGE, NAME@latest) as `gto get --json` prints it, with the
// download's address when the path is committed. It reads git (the
// annotation at the version's commit, the tree at its path), so it opens
// the registry like a write does, without waiting for one.
func (s *Server) apiGet(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	var doc *jsonout.Object
	err := s.withRegistry(r.Context(), func(reg *registry.Registry) error {
		res, err := reg.Resolve(r.Context(), registry.GetOptions{Ref: ref})
		if err != nil {
			return err
		}
		doc = jsonout.Get(res, "")
		if res.Source == registry.SourceGit {
			doc.Set("download", s.serverLinks().Download(res.Name, res.Version))
		}
		return nil
	})
	if err != nil {
		writeProblem(w, 0, err)
		return
	}
	b, err := encode(doc)
	if err != nil {
		writeProblem(w, 0, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(b)
}

// apiDownload streams the files of a version as a tar.gz archive, read
// from git's objects. Errors found before the first byte (an unknown
// version, a path not in git, a hostile tree) are problem documents; one
// after it cuts the stream short, which a client sees as a truncated
// archive.
func (s *Server) apiDownload(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	select {
	case downloads <- struct{}{}:
		defer func() { <-downloads }()
	case <-r.Context().Done():
		return
	}
	err := s.withRegistry(r.Context(), func(reg *registry.Registry) error {
		res, err := reg.Resolve(r.Context(), registry.GetOptions{Ref: ref})
		if err != nil {
			return err
		}
		var tgz *registry.Tar
		start := func() {
			h := w.Header()
			h.Set("Content-Type", "application/gzip")
			h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{
				"filename": fmt.Sprintf("%s-%s.tar.gz", path.Base(res.Path), res.Version)}))
			h.Set("Cache-Control", "no-cache")
			tgz = registry.NewTarGz(w, res.Time)
		}
		err = reg.Stream(r.Context(), res, func(f registry.File) error {
			if tgz == nil {
				start()
			}
			return tgz.File(f)
		})
		if tgz == nil {
			if err != nil {
				return err
			}
			start() // a folder without files: an empty archive
		}
		if err != nil {
			s.logf("download of %s cut short: %v", ref, err)
			return nil // the status is sent already
		}
		return tgz.Close()
	})
	if err != nil {
		writeProblem(w, 0, err)
	}
}

// withRegistry runs fn on the registry, opened for it and closed after.
func (s *Server) withRegistry(ctx context.Context, fn func(*registry.Registry) error) error {
	reg, err := s.opts.Open(ctx)
	if err != nil {
		return err
	}
	defer reg.Close()
	return fn(reg)
}
