package watch

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/gto-dev/gto/internal/jsonout"
	"github.com/gto-dev/gto/registry"
)

// Headers of a webhook delivery.
const (
	// HeaderSignature carries "sha256=" and the hex HMAC-SHA256 of the
	// body with the secret (GitHub's scheme); absent without a secret.
	HeaderSignature = "X-Gto-Signature-256"
	// HeaderDelivery carries the event id: the same for every attempt and
	// every repeat, so that a receiver can de-duplicate on it.
	HeaderDelivery = "X-Gto-Delivery"
	// HeaderEvent carries the event kind.
	HeaderEvent = "X-Gto-Event"
	// ContentType is that of CloudEvents' structured mode.
	ContentType = "application/cloudevents+json"
)

// Sign returns the value of HeaderSignature for body and secret.
func Sign(body []byte, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature (a HeaderSignature value) is that of
// body with secret, in constant time.
func Verify(body []byte, secret, signature string) bool {
	return hmac.Equal([]byte(Sign(body, secret)), []byte(signature))
}

type webhook struct {
	url, secret string
	client      *http.Client
}

// Webhook is the target that POSTs each event as a CloudEvent (structured
// mode) to url, signed with secret when it is not empty. Any 2xx answer
// is a delivery; anything else, a timeout or a refused connection is
// tried again. client nil: http.DefaultClient.
func Webhook(url, secret string, client *http.Client) Target {
	if client == nil {
		client = http.DefaultClient
	}
	return &webhook{url: url, secret: secret, client: client}
}

func (h *webhook) Key() string { return "webhook " + h.url }

func (h *webhook) Body(e *registry.Event, source string) ([]byte, error) {
	return jsonout.Line(jsonout.NewCloudEvent(e, source))
}

func (h *webhook) Deliver(ctx context.Context, it *Item) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(it.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set("User-Agent", "gto-watch")
	req.Header.Set(HeaderDelivery, it.ID)
	req.Header.Set(HeaderEvent, it.Event)
	if h.secret != "" {
		req.Header.Set(HeaderSignature, Sign(it.Body, h.secret))
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("HTTP %s", resp.Status)
	}
	return nil
}

type command struct {
	line string
	env  []string
}

// Exec is the target that runs line with sh -c for each event, the event
// line (as gto events prints it) on its stdin and GTO_EVENT, GTO_NAME,
// GTO_VERSION, GTO_STAGE, GTO_TAG and GTO_EVENT_ID in its environment,
// added to env. An exit status other than 0 is tried again.
func Exec(line string, env []string) Target { return &command{line: line, env: env} }

func (c *command) Key() string { return "exec " + c.line }

func (c *command) Body(e *registry.Event, _ string) ([]byte, error) {
	return jsonout.Line(jsonout.NewEventLine(e))
}

func (c *command) Deliver(ctx context.Context, it *Item) error {
	cmd := exec.CommandContext(ctx, "sh", "-c", c.line)
	cmd.Env = append(append([]string(nil), c.env...),
		"GTO_EVENT="+it.Event, "GTO_NAME="+it.Artifact, "GTO_VERSION="+it.Version,
		"GTO_STAGE="+it.Stage, "GTO_TAG="+it.Tag, "GTO_EVENT_ID="+it.ID)
	cmd.Stdin = bytes.NewReader(it.Body)
	var out tail
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("timed out: %w", err)
	}
	if err != nil {
		if last := out.last(); last != "" {
			return fmt.Errorf("%v: %s", err, last)
		}
	}
	return err
}

// tail keeps the end of a command's output, for its error.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 4096 {
		t.buf = t.buf[len(t.buf)-4096:]
	}
	return len(p), nil
}

// last is the last line of output.
func (t *tail) last() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.buf))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// logger writes the watcher's log: one line per delivery attempt and per
// problem, as text or JSON.
type logger struct {
	mu   sync.Mutex
	w    io.Writer
	json bool
	now  func() time.Time
}

// logRecord is a JSON log line.
type logRecord struct {
	Time       string `json:"time"`
	Level      string `json:"level"`
	Msg        string `json:"msg"`
	Target     string `json:"target,omitempty"`
	ID         string `json:"id,omitempty"`
	Event      string `json:"event,omitempty"`
	Tag        string `json:"tag,omitempty"`
	Attempt    int    `json:"attempt,omitempty"`
	Max        int    `json:"max_attempts,omitempty"`
	DurationMS int64  `json:"duration_ms,omitempty"`
	Error      string `json:"error,omitempty"`
	RetryInMS  int64  `json:"retry_in_ms,omitempty"`
}

func (l *logger) write(r logRecord, text string) {
	if l.w == nil {
		return
	}
	r.Time = l.now().UTC().Format(time.RFC3339Nano)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.json {
		b, _ := json.Marshal(r)
		l.w.Write(append(b, '\n'))
		return
	}
	fmt.Fprintf(l.w, "%s %s\n", l.now().UTC().Format(time.RFC3339), text)
}

// delivery logs the outcome of one attempt: msg is delivered, retry or
// parked.
func (l *logger) delivery(msg, target string, it *Item, attempt, maxAttempts int, took time.Duration, err error, wait time.Duration) {
	r := logRecord{Level: "info", Msg: msg, Target: target, ID: it.ID, Event: it.Event, Tag: it.Tag,
		Attempt: attempt, Max: maxAttempts, DurationMS: took.Milliseconds(), RetryInMS: wait.Milliseconds()}
	what := fmt.Sprintf("%s %s to %s", it.Event, it.Tag, target)
	var text string
	switch msg {
	case "delivered":
		text = fmt.Sprintf("delivered %s (attempt %d, %s, id %s)", what, attempt, took.Round(time.Millisecond), it.ID)
	case "retry":
		r.Level, r.Error = "warn", err.Error()
		text = fmt.Sprintf("failed %s (attempt %d of %d): %v; retrying in %s", what, attempt, maxAttempts, err, wait)
	default:
		r.Level, r.Error = "error", err.Error()
		text = fmt.Sprintf("parked %s after %d attempts: %v (kept in the state's dead letters)", what, attempt, err)
	}
	l.write(r, text)
}

// problem logs a failure that is not a delivery's.
func (l *logger) problem(msg string, err error, retry time.Duration) {
	text := fmt.Sprintf("%s: %v", msg, err)
	if retry > 0 {
		text += fmt.Sprintf("; trying again in %s", retry)
	}
	l.write(logRecord{Level: "error", Msg: msg, Error: err.Error(), RetryInMS: retry.Milliseconds()}, text)
}
