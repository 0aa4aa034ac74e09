package server

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strconv"
)

//go:embed static
var staticFS embed.FS

// assets are the embedded files of static/ (style sheet, script, icon),
// served with an ETag of their content: the pages need nothing from any
// other host and work offline.
type assets struct {
	files   map[string][]byte
	etags   map[string]string
	version string // a hash of every file, for cache-busting links
}

func loadAssets() *assets {
	a := &assets{files: map[string][]byte{}, etags: map[string]string{}}
	sub, _ := fs.Sub(staticFS, "static")
	var names []string
	fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return nil
	})
	sort.Strings(names)
	all := sha256.New()
	for _, n := range names {
		b, _ := fs.ReadFile(sub, n)
		sum := sha256.Sum256(b)
		a.files[n] = b
		a.etags[n] = `"` + hex.EncodeToString(sum[:8]) + `"`
		all.Write(sum[:])
	}
	a.version = hex.EncodeToString(all.Sum(nil)[:6])
	return a
}

func (a *assets) serve(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, ok := a.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("ETag", a.etags[name])
	if r.URL.Query().Get("v") == a.version {
		h.Set("Cache-Control", "public, max-age=86400")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if etagMatches(r.Header.Get("If-None-Match"), a.etags[name]) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}
