package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gto-dev/gto/internal/jsonout"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/registry"
)

// APIPrefix is where the JSON API lives.
const APIPrefix = "/api/v1/"

// routes builds the server's handler.
func (s *Server) routes() http.Handler {
	if s.set != nil {
		return s.withDefaults(s.setRoutes())
	}
	mux := http.NewServeMux()
	// Pages.
	mux.HandleFunc("GET /{$}", s.registryPage)
	mux.HandleFunc("GET /artifacts/{name...}", s.artifactPage)
	mux.HandleFunc("GET /history", s.historyPage)
	mux.HandleFunc("GET /static/{file...}", s.assets.serve)
	for action := range writeActions {
		mux.HandleFunc("POST /actions/"+action, s.pageWrite)
	}
	// The API: the CLI's --json documents.
	mux.HandleFunc("GET "+APIPrefix+"{$}", s.apiIndex)
	for _, rt := range readRoutes {
		mux.HandleFunc("GET "+APIPrefix+rt.pattern, func(w http.ResponseWriter, r *http.Request) { rt.handle(s, w, r) })
	}
	for action := range writeActions {
		mux.HandleFunc("POST /api/v1/"+action, s.apiWrite)
	}
	return s.withDefaults(mux)
}

// withDefaults adds the headers every response carries, refuses hosts
// the server does not answer to (421, a problem document for every route:
// it holds nothing of the registry), and answers unknown routes with this
// server's 404 (HTML for pages, JSON for the API) instead of the mux's
// plain text.
func (s *Server) withDefaults(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if !s.hostAllowed(r) {
			writeProblem(w, 0, misdirected(r.Host))
			return
		}
		if _, pattern := mux.Handler(r); pattern == "" {
			// No route: a 404, unless the path exists with another method
			// (the mux then answers 405 with an Allow header).
			rec := &statusRecorder{header: http.Header{}}
			mux.ServeHTTP(rec, r)
			switch rec.status {
			case http.StatusMethodNotAllowed:
				h.Set("Allow", rec.header.Get("Allow"))
				s.fail(w, r, http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed here")
				return
			case http.StatusNotFound:
				s.fail(w, r, http.StatusNotFound, "nothing at "+r.URL.Path)
				return
			}
		}
		mux.ServeHTTP(w, r)
	})
}

// statusRecorder captures the status the mux gives an unmatched request.
type statusRecorder struct {
	header http.Header
	status int
}

func (r *statusRecorder) Header() http.Header         { return r.header }
func (r *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *statusRecorder) WriteHeader(status int)      { r.status = status }

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, APIPrefix) }

// fail answers an error: a problem document under the API, else a page.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if isAPI(r) {
		writeProblem(w, status, errors.New(msg))
		return
	}
	s.errorPage(w, r, status, msg)
}

// etag is the entity tag of what a request gets: the views' fingerprint,
// the route with its query, and whatever else the response depends on.
func (s *Server) etag(v *views, r *http.Request) string {
	h := sha256.New()
	h.Write([]byte(r.URL.Path + "?" + r.URL.Query().Encode() + "\x00" + s.salt + "\x00" + s.staleMessage()))
	return `"` + v.fp + "-" + hex.EncodeToString(h.Sum(nil)[:6]) + `"`
}

// notModified sets the ETag of the response and reports (after answering
// 304) when the client's copy is current: pollers then cost a hash.
func (s *Server) notModified(w http.ResponseWriter, r *http.Request, v *views) bool {
	tag := s.etag(v, r)
	w.Header().Set("ETag", tag)
	w.Header().Set("Cache-Control", "no-cache")
	if match := r.Header.Get("If-None-Match"); match != "" && etagMatches(match, tag) {
		w.WriteHeader(http.StatusNotModified)
		return true
	}
	return false
}

// etagMatches implements If-None-Match's weak comparison against a list.
func etagMatches(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == tag {
			return true
		}
	}
	return false
}

// serveJSON answers a document with ETag support; body runs only when the
// client's copy is stale. A nil body with a nil error is "no content"
// (where the CLI prints nothing).
func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request, body func(v *views) ([]byte, error)) {
	v := s.cur.Load()
	if s.notModified(w, r, v) {
		return
	}
	b, err := body(v)
	if err != nil {
		writeProblem(w, 0, err)
		return
	}
	if b == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

// readRoutes are the read routes of one registry's API, under APIPrefix:
// the single server's, and every set member's under its prefix, besides
// the index (apiIndex, which lists them: key and path with placeholders).
var readRoutes = []struct {
	pattern   string
	handle    func(*Server, http.ResponseWriter, *http.Request)
	key, path string
}{
	{"show", (*Server).apiShow, "show", "show"},
	{"show/{name...}", (*Server).apiShow, "show NAME", "show/{NAME}"},
	{"history", (*Server).apiHistory, "history", "history"},
	{"history/{name...}", (*Server).apiHistory, "history NAME", "history/{NAME}"},
	{"stages", (*Server).apiStages, "stages", "stages"},
	{"check-ref/{ref...}", (*Server).apiCheckRef, "check-ref REF", "check-ref/{REF}"},
	{"describe/{name...}", (*Server).apiDescribe, "describe NAME", "describe/{NAME}"},
	{"fingerprint", (*Server).apiFingerprint, "fingerprint", "fingerprint"},
	{"events", (*Server).apiEvents, "events", "events"},
	{"events/stream", (*Server).apiEventStream, "events stream", "events/stream"},
	{"get/{ref...}", (*Server).apiGet, "get REF", "get/{REF}"},
	{"download/{ref...}", (*Server).apiDownload, "download REF", "download/{REF}"},
}

func (s *Server) apiIndex(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, func(v *views) ([]byte, error) {
		return v.cached("index", func() ([]byte, error) {
			doc := &jsonout.Object{}
			for _, rt := range readRoutes {
				doc.Set(rt.key, APIPrefix+rt.path)
			}
			doc.Set("writes", s.opts.AllowWrite)
			return encode(doc)
		})
	})
}

// stageView reads the show flags --vs, --av, --ro and --sort from the query.
func stageView(q url.Values) (model.StageView, bool, error) {
	view := model.DefaultStageView
	custom := false
	for _, k := range []string{"vs", "versions-per-stage", "av", "assignments-per-version"} {
		s := q.Get(k)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return view, false, model.Invalidf(k, "invalid %s %s: not an integer", k, strconv.Quote(s))
		}
		if k == "vs" || k == "versions-per-stage" {
			view.VersionsPerStage = n
		} else {
			view.AssignmentsPerVersion = n
		}
		custom = true
	}
	for _, k := range []string{"ro", "registered-only"} {
		if isTrue(q.Get(k)) {
			view.RegisteredOnly, custom = true, true
		}
	}
	if s := q.Get("sort"); s != "" {
		sort, err := model.ParseSort(s)
		if err != nil {
			return view, false, err
		}
		view.Sort, custom = sort, custom || sort != view.Sort
	}
	return view, custom, view.Validate()
}

func isTrue(s string) bool {
	b, err := strconv.ParseBool(s)
	return err == nil && b || s == "on" || s == "yes"
}

// apiShow is `gto show --json` and `gto show NAME --json`.
func (s *Server) apiShow(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	s.serveJSON(w, r, func(v *views) ([]byte, error) {
		view, custom, err := stageView(r.URL.Query())
		if err != nil {
			return nil, err
		}
		if name == "" {
			if !custom {
				return v.cached("show", func() ([]byte, error) { return encode(jsonout.Registry(v.table)) })
			}
			return encode(jsonout.Registry(v.snap.Table(view)))
		}
		av, err := v.artifactView(name, view)
		if err != nil {
			return nil, err
		}
		return encode(jsonout.Versions(av))
	})
}

// apiHistory is `gto history [NAME] --json` (?ascending=1: --ascending).
func (s *Server) apiHistory(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	asc := isTrue(r.URL.Query().Get("ascending")) || isTrue(r.URL.Query().Get("asc"))
	v := s.cur.Load()
	if s.notModified(w, r, v) {
		return
	}
	events := v.history
	if name != "" {
		events = v.artifactHistory(name)
	}
	if asc {
		events = slices.Clone(events)
		slices.Reverse(events)
	}
	w.Header().Set("Content-Type", "application/json")
	if name == "" && !asc {
		// The whole journal (tens of megabytes for a large registry) is
		// made once per fingerprint, when first asked for, into a file.
		if v.historyDoc.serve(w, func(w io.Writer) error { return jsonout.WriteHistory(w, v.history) }) {
			return
		}
	}
	jsonout.WriteHistory(w, events)
}

func historyJSON(events []*model.Event) ([]byte, error) {
	var b strings.Builder
	if err := jsonout.WriteHistory(&b, events); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

// apiStages is `gto stages --json` (?allowed=1, ?used=1).
func (s *Server) apiStages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	allowed, used := isTrue(q.Get("allowed")), isTrue(q.Get("used"))
	s.serveJSON(w, r, func(v *views) ([]byte, error) {
		switch {
		case allowed && used:
			return nil, registry.CheckStagesOptions(registry.StagesOptions{Allowed: allowed, Used: used})
		case allowed:
			return encode(v.snap.Config.Stages)
		case used:
			return encode(v.snap.State.UsedStages())
		}
		return encode(v.stages)
	})
}

// apiCheckRef is `gto check-ref REF --json`: 204 No Content where the
// CLI prints nothing (REF is not a GTO event tag).
func (s *Server) apiCheckRef(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	s.serveJSON(w, r, func(v *views) ([]byte, error) {
		e := v.checkRef(ref)
		if e == nil {
			return nil, nil
		}
		return encode(jsonout.CheckRef(e))
	})
}

// apiDescribe is `gto describe NAME`: 204 No Content when NAME is not
// annotated.
func (s *Server) apiDescribe(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	s.serveJSON(w, r, func(v *views) ([]byte, error) {
		a, err := v.describe(name)
		if err != nil || a == nil {
			return nil, err
		}
		return encode(jsonout.Annotation(a))
	})
}

// apiFingerprint tells pollers (the pages' script) whether anything
// changed: its ETag changes exactly when the views do.
func (s *Server) apiFingerprint(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, func(v *views) ([]byte, error) {
		doc := &jsonout.Object{}
		doc.Set("fingerprint", v.fp)
		doc.Set("built_at", jsonout.Time(v.builtAt))
		if msg := s.staleMessage(); msg != "" {
			doc.Set("refresh_error", msg)
		}
		return encode(doc)
	})
}

// staleMessage is the error of the last refresh, "" when it worked.
func (s *Server) staleMessage() string {
	if p := s.lastErr.Load(); p != nil {
		return *p
	}
	return ""
}

// decodeJSON reads a JSON request body into dst: one object whose keys
// are dst's fields (unknown fields refused), each given once, and
// nothing after it.
func decodeJSON(r *http.Request, dst any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return bodyError("invalid JSON body", err)
	}
	if err := duplicateKey(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			if typeErr.Field == "" {
				return model.Invalidf("", "invalid JSON body: it must be an object, not a %s", typeErr.Value)
			}
			return model.Invalidf(typeErr.Field, "invalid JSON body: %s must be a %s, not a %s", typeErr.Field, typeErr.Type, typeErr.Value)
		}
		return model.Invalidf("", "invalid JSON body: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return model.Invalidf("", "invalid JSON body: more than one JSON value")
	}
	return nil
}

// bodyError is the refusal of a body that could not be read: 413 past
// the limit, else a 400 that starts with what.
func bodyError(what string, err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &refusal{status: http.StatusRequestEntityTooLarge, code: codeBodyTooLarge,
			msg: fmt.Sprintf("the body of a write has at most %d bytes", tooLarge.Limit)}
	}
	return model.Invalidf("", "%s: %v", what, err)
}

// duplicateKey refuses a JSON object that gives a key twice (the decoder
// would keep the last one silently). Other problems are left to the
// decoder.
func duplicateKey(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil
		}
		key, _ := t.(string)
		if seen[key] {
			return model.Invalidf(key, "invalid JSON body: the field %s is given twice", strconv.Quote(truncate(key, 100)))
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil
		}
	}
	return nil
}
