package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/gto-dev/gto/internal/jsonout"
	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/registry"
)

// WriteRequest is the body of POST /api/v1/{register,assign,deprecate}
// (JSON, or the same fields form-encoded). Which fields apply:
//
//	register   name, ref (default HEAD), version or bump (patch|minor|major), message
//	assign     name, stage, version or ref, message
//	deprecate  name and ref (deprecate), name+version (deregister), name+version+stage (unassign), message
type WriteRequest struct {
	Name    string `json:"name"`
	Ref     string `json:"ref,omitempty"`
	Version string `json:"version,omitempty"`
	Stage   string `json:"stage,omitempty"`
	Bump    string `json:"bump,omitempty"`
	Message string `json:"message,omitempty"`
}

// maxWriteBody bounds the body of a write request.
const maxWriteBody = 64 << 10

var writeActions = map[string]bool{"register": true, "assign": true, "deprecate": true}

// The refusals of authorize.
var (
	errWritesOff    = &refusal{status: http.StatusForbidden, code: codeWritesDisabled, msg: "writes are disabled: this server was started read-only"}
	errCrossSite    = &refusal{status: http.StatusForbidden, code: codeCrossSite, msg: "cross-site request refused"}
	errFormOrigin   = &refusal{status: http.StatusForbidden, code: codeCrossSite, msg: "cross-site request refused: a form must be sent from this server's own pages (with an Origin header naming this server, or Sec-Fetch-Site: same-origin)"}
	errUnauthorized = &refusal{status: http.StatusUnauthorized, code: codeTokenRequired, msg: "a valid token is required to change the registry"}
)

var crossOrigin = http.NewCrossOriginProtection()

// authorize checks that a write may happen: writes are on, the request is
// not cross-site, the client has not used up its wrong-token attempts,
// and it carries the token (compared in constant time). A form must show
// that it comes from this server's pages (sameOrigin); the API, whose
// token is in a header that no cross-site form can set, refuses only what
// browsers mark as cross-site.
func (s *Server) authorize(r *http.Request, token string, form bool) error {
	if !s.opts.AllowWrite {
		return errWritesOff
	}
	if form {
		if !sameOrigin(r) {
			return errFormOrigin
		}
	} else if err := crossOrigin.Check(r); err != nil {
		return errCrossSite
	}
	client := clientOf(r.RemoteAddr)
	if wait := s.attempts.wait(client, s.opts.Now()); wait > 0 {
		return &refusal{status: http.StatusTooManyRequests, code: codeTooManyAttempts, retryAfter: wait,
			msg: fmt.Sprintf("too many wrong tokens from this address: try again in %d seconds", retrySeconds(wait))}
	}
	want := sha256.Sum256([]byte(s.opts.Token))
	got := sha256.Sum256([]byte(token))
	if token == "" || subtle.ConstantTimeCompare(want[:], got[:]) != 1 {
		s.attempts.fail(client, s.opts.Now())
		return errUnauthorized
	}
	return nil
}

// sameOrigin reports whether a form post comes from this server's own
// pages: Sec-Fetch-Site, when the browser sends it, says same-origin, and
// the Origin, when sent, names the host the request is for (over http or
// https: a proxy in front may add TLS). One of the two is required; a
// Referer alone proves nothing (a page can choose what it sends).
func sameOrigin(r *http.Request) bool {
	site, origin := r.Header.Get("Sec-Fetch-Site"), r.Header.Get("Origin")
	if site != "" && site != "same-origin" {
		return false
	}
	if origin != "" {
		u, err := url.Parse(origin)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil ||
			!strings.EqualFold(u.Host, r.Host) || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return false
		}
	}
	return site != "" || origin != ""
}

// bearer returns the token of an "Authorization: Bearer TOKEN" header.
func bearer(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// The media types of a write's body.
const (
	mediaJSON = "application/json"
	mediaForm = "application/x-www-form-urlencoded"
)

var errMediaType = &refusal{status: http.StatusUnsupportedMediaType, code: codeUnsupportedMedia,
	msg: "the body of a write is JSON (Content-Type: application/json) or a form (application/x-www-form-urlencoded)"}

// apiWrite is POST /api/v1/{register,assign,deprecate}: token in an
// Authorization: Bearer header, parameters as JSON (or a form).
func (s *Server) apiWrite(w http.ResponseWriter, r *http.Request) {
	action := path.Base(r.URL.Path)
	if err := s.authorize(r, bearer(r), false); err != nil {
		writeProblem(w, 0, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxWriteBody)
	req, err := readWriteRequest(r)
	if err != nil {
		writeProblem(w, 0, err)
		return
	}
	ctx, cancel := detached(r.Context())
	defer cancel()
	res, err := s.write(ctx, action, req)
	if err != nil {
		writeProblem(w, 0, err)
		return
	}
	b, err := encode(jsonout.Write(res))
	if err != nil {
		writeProblem(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusCreated)
	w.Write(b)
}

// readWriteRequest reads the body of an API write: one JSON object of
// known fields, each given once, or a form of the same fields.
func readWriteRequest(r *http.Request) (WriteRequest, error) {
	var req WriteRequest
	media, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case err != nil:
		return req, errMediaType
	case media == mediaJSON:
		return req, decodeJSON(r, &req)
	case media == mediaForm:
		if err := r.ParseForm(); err != nil {
			return req, bodyError("invalid form", err)
		}
		if err := uniqueFields(r.PostForm, isRequestField); err != nil {
			return req, err
		}
		return formRequest(r.PostForm), nil
	}
	return req, errMediaType
}

// isRequestField reports whether k is a field of WriteRequest.
func isRequestField(k string) bool {
	switch k {
	case model.FieldName, model.FieldRef, model.FieldVersion, model.FieldStage, model.FieldBump, fieldMessage:
		return true
	}
	return false
}

func formRequest(f url.Values) WriteRequest {
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	return WriteRequest{Name: get("name"), Ref: get("ref"), Version: get("version"), Stage: get("stage"), Bump: get("bump"), Message: f.Get("message")}
}

// pageWrite is the pages' forms: POST /actions/{action} with the token in
// a form field. Success redirects (303) to the artifact's page, which then
// says which tags were created; a refusal shows the page with the error.
func (s *Server) pageWrite(w http.ResponseWriter, r *http.Request) {
	action := path.Base(r.URL.Path)
	r.Body = http.MaxBytesReader(w, r.Body, maxWriteBody)
	if err := r.ParseForm(); err != nil {
		err = bodyError("invalid form", err)
		s.errorPage(w, r, errorStatus(err), err.Error())
		return
	}
	req := formRequest(r.PostForm)
	if err := s.authorize(r, r.PostForm.Get("token"), true); err != nil {
		s.writeFailed(w, r, req.Name, err)
		return
	}
	if err := uniqueFields(r.PostForm, func(k string) bool { return k == "token" || isRequestField(k) }); err != nil {
		s.writeFailed(w, r, req.Name, err)
		return
	}
	ctx, cancel := detached(r.Context())
	defer cancel()
	res, err := s.write(ctx, action, req)
	if err != nil {
		s.writeFailed(w, r, req.Name, err)
		return
	}
	q := url.Values{}
	for _, c := range res.Created {
		q.Add("created", c.Name)
	}
	http.Redirect(w, r, s.serverLinks().Artifact(req.Name)+"?"+q.Encode(), http.StatusSeeOther)
}

// writeFailed shows the artifact's page (or, for an artifact that does
// not exist, the registry's) with the error of a write.
func (s *Server) writeFailed(w http.ResponseWriter, r *http.Request, name string, err error) {
	status := errorStatus(err)
	var ref *refusal
	if errors.As(err, &ref) {
		ref.setHeaders(w)
	}
	v := s.cur.Load()
	if _, ok := v.byName[name]; ok {
		s.renderArtifact(w, r, v, name, status, err.Error())
		return
	}
	s.renderRegistry(w, r, v, status, err.Error())
}

// writeDeadline bounds a write once it started (it may push to a remote).
const writeDeadline = 2 * time.Minute

// detached is the context of a write: not cancelled when the client goes
// away (a write must finish whole or undo itself, and a client that hangs
// up mid-way must not leave a registration without its assignment), but
// bounded in time. The request's values stay.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), writeDeadline)
}

// write performs a write through the registry, as the CLI would, then
// refreshes the views so that the next page shows it. Writes to a remote
// registry are pushed (a refused push changes nothing).
func (s *Server) write(ctx context.Context, action string, req WriteRequest) (*registry.WriteResult, error) {
	if err := validate(action, req); err != nil {
		return nil, err
	}
	res, err := s.writeLocked(ctx, action, req)
	if err != nil {
		return nil, err
	}
	s.Refresh(ctx)
	return res, nil
}

func (s *Server) writeLocked(ctx context.Context, action string, req WriteRequest) (*registry.WriteResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	reg, err := s.opts.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer reg.Close()
	push := s.opts.Remote
	switch action {
	case "register":
		bump, err := model.ParseBump(req.Bump)
		if err != nil {
			return nil, err
		}
		return reg.Register(ctx, registry.RegisterOptions{Name: req.Name, Ref: req.Ref, Version: req.Version, Bump: bump, Message: req.Message, Push: push})
	case "assign":
		return reg.Assign(ctx, registry.AssignOptions{Name: req.Name, Stage: req.Stage, Version: req.Version, Ref: req.Ref, Message: req.Message, Push: push})
	}
	opts := registry.DeprecateOptions{Name: req.Name, Version: req.Version, Stage: req.Stage, Ref: req.Ref, Message: req.Message, Push: push}
	switch {
	case req.Stage != "":
		return reg.Unassign(ctx, opts)
	case req.Version != "":
		return reg.Deregister(ctx, opts)
	}
	return reg.Deprecate(ctx, opts)
}
