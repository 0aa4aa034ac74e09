package server

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gto-dev/gto/model"
)

// problem is the JSON document of a failed API request: an RFC 9457
// problem document (application/problem+json) with gto's own members.
// Its words are the registry's, never the CLI's (no flag names).
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	// Kind is what went wrong: invalid, not-found, conflict, policy,
	// push, error.
	Kind string `json:"kind"`
	// Rule is the promotion rule a refused assignment breaks (kind
	// policy): after, signed, signers, taggers, prerelease.
	Rule string `json:"rule,omitempty"`
	// Field names the request field (or query parameter) at fault.
	Field string `json:"field,omitempty"`
	// Code identifies the case (the registry's Detail.Code).
	Code string `json:"code,omitempty"`
	// Force reports a conflict that forcing the write would overcome.
	Force bool `json:"force,omitempty"`
	// Error repeats Detail for the clients of the first version of the
	// API, whose errors were {"error": "..."}.
	Error string `json:"error"`
}

// refusal is the server's own refusal of a request (not the registry's):
// a misdirected host, writes disabled, a cross-site write, a missing or
// wrong token, too many wrong tokens, a body of another type or too
// large. Its message, like the registry's, names no flag.
type refusal struct {
	status int
	// code names the case in problem documents (the code constants).
	code string
	msg  string
	// retryAfter, for a 429, is how long the client must wait.
	retryAfter time.Duration
}

func (e *refusal) Error() string { return e.msg }

// The codes of the server's refusals, in problem documents.
const (
	codeHostNotAllowed   = "host-not-allowed"
	codeWritesDisabled   = "writes-disabled"
	codeCrossSite        = "cross-site"
	codeTokenRequired    = "token-required"
	codeTooManyAttempts  = "too-many-attempts"
	codeUnsupportedMedia = "unsupported-media-type"
	codeBodyTooLarge     = "body-too-large"
)

// setHeaders sets the headers a refusal's answer carries: the
// authentication scheme of a 401, the wait of a 429.
func (e *refusal) setHeaders(w http.ResponseWriter) {
	switch e.status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="gto"`)
	case http.StatusTooManyRequests:
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(e.retryAfter)))
	}
}

// retrySeconds is a wait in whole seconds, rounded up, at least 1.
func retrySeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// errorStatus maps a registry error to an HTTP status.
func errorStatus(err error) int {
	var ref *refusal
	if errors.As(err, &ref) {
		return ref.status
	}
	switch {
	case errors.Is(err, model.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, model.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, model.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, model.ErrPush):
		return http.StatusBadGateway
	}
	return http.StatusInternalServerError
}

// problemOf describes err for an answer with status (0: errorStatus(err)).
func problemOf(status int, err error) problem {
	if status == 0 {
		status = errorStatus(err)
	}
	p := problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: err.Error(), Error: err.Error(), Kind: "error"}
	var detail *model.Detail
	var invalid *model.InvalidError
	var notFound *model.NotFoundError
	var conflict *model.ConflictError
	var policy *model.PolicyError
	var push *model.PushError
	var ref *refusal
	switch {
	case errors.As(err, &ref):
		p.Code = ref.code
	case errors.As(err, &policy):
		p.Kind, p.Rule, detail = "policy", policy.Rule, &policy.Detail
	case errors.As(err, &invalid):
		p.Kind, p.Field, detail = "invalid", invalid.Field, &invalid.Detail
	case errors.As(err, &notFound):
		p.Kind, detail = "not-found", &notFound.Detail
	case errors.As(err, &conflict):
		p.Kind, p.Force, detail = "conflict", conflict.Force, &conflict.Detail
	case errors.As(err, &push):
		p.Kind, detail = "push", &push.Detail
	}
	if detail != nil {
		p.Code = detail.Code
	}
	return p
}

// writeProblem answers err as a problem document with status (0: the
// status errorStatus gives).
func writeProblem(w http.ResponseWriter, status int, err error) {
	p := problemOf(status, err)
	var ref *refusal
	if errors.As(err, &ref) {
		ref.setHeaders(w)
	}
	b, _ := encode(p)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	w.Write(b)
}
