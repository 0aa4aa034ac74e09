package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
		tag := downloadETag(res)
		if res.Source == registry.SourceGit && etagMatches(r.Header.Get("If-None-Match"), tag) {
			w.Header().Set("ETag", tag)
			w.WriteHeader(http.StatusNotModified) // the client has this archive
			return nil
		}
		var tgz *registry.Tar
		start := func() { // only once the archive is sure to start: a problem document has no tag
			h := w.Header()
			h.Set("ETag", tag)
			h.Set("Cache-Control", "no-cache")
			h.Set("Content-Type", "application/gzip")
			h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{
				"filename": fmt.Sprintf("%s-%s.tar.gz", path.Base(res.Path), res.Version)}))
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

// archiveLayout names the way registry.NewTarGz lays out an archive:
// change it when that changes, so that an archive a client keeps from an
// older gto is not taken for the new one.
const archiveLayout = "gto-tar-gz-1"

// downloadETag is the entity tag of a version's archive: its bytes are
// those of the tree at Path in commit Rev (the commit fixes the files and
// their dates), laid out as archiveLayout says.
func downloadETag(res *registry.Resolved) string {
	h := sha256.Sum256([]byte(archiveLayout + "\x00" + res.Rev + "\x00" + res.Path))
	return `"` + hex.EncodeToString(h[:12]) + `"`
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
