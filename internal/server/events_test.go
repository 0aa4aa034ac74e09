package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/server"
)

type eventPage struct {
	Events []map[string]any `json:"events"`
	Cursor string           `json:"cursor"`
	More   bool             `json:"more"`
}

func getEvents(t *testing.T, url string) eventPage {
	t.Helper()
	res := get(t, url)
	if res.status != http.StatusOK {
		t.Fatalf("%s: %d %s", url, res.status, res.body)
	}
	var p eventPage
	if err := json.Unmarshal([]byte(res.body), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAPIEvents(t *testing.T) {
	t.Parallel()
	g := fixture(t)
	_, ts := start(t, g, server.Options{})
	all := getEvents(t, ts.URL+"/api/v1/events")
	if len(all.Events) != 10 || all.More || all.Cursor != all.Events[9]["cursor"] {
		t.Fatalf("events: %d, more %v, cursor %s", len(all.Events), all.More, all.Cursor)
	}
	// the lines of gto events
	var cli []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(runCLI(t, g, "events")), "\n") {
		var m map[string]any
		json.Unmarshal([]byte(line), &m)
		cli = append(cli, m)
	}
	for i := range cli {
		if cli[i]["id"] != all.Events[i]["id"] || cli[i]["cursor"] != all.Events[i]["cursor"] || cli[i]["ref"] != all.Events[i]["ref"] {
			t.Errorf("event %d: API %v, CLI %v", i, all.Events[i], cli[i])
		}
	}
	first := getEvents(t, ts.URL+"/api/v1/events?limit=3")
	if len(first.Events) != 3 || !first.More || first.Cursor != all.Events[2]["cursor"] {
		t.Fatalf("limit 3: %d events, more %v", len(first.Events), first.More)
	}
	rest := getEvents(t, ts.URL+"/api/v1/events?since="+first.Cursor)
	if len(rest.Events) != 7 || rest.Events[0]["id"] != all.Events[3]["id"] {
		t.Errorf("since the third: %d events", len(rest.Events))
	}
	end := getEvents(t, ts.URL+"/api/v1/events?since="+all.Cursor)
	if len(end.Events) != 0 || end.Cursor != all.Cursor {
		t.Errorf("after the last: %+v", end)
	}
	for _, bad := range []string{"?since=nonsense", "?limit=0", "?limit=x", "?limit=10001"} {
		res := get(t, ts.URL+"/api/v1/events"+bad)
		if res.status != http.StatusBadRequest || res.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s", bad, res.status, res.body)
		}
	}
	if res := get(t, ts.URL+"/api/v1/events/stream?since=nonsense"); res.status != http.StatusBadRequest {
		t.Errorf("stream with a bad cursor: %d", res.status)
	}
}

// sseMessage is one message of an event stream.
type sseMessage struct{ id, event, data string }

// openStream opens an event stream (as a browser reconnecting after the
// message lastID, unless ""), checks its type, and returns its reader; the
// stream is closed when the test ends.
func openStream(t *testing.T, url, lastID string) *bufio.Scanner {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	if res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("content type %q", res.Header.Get("Content-Type"))
	}
	return bufio.NewScanner(res.Body)
}

func readMessage(t *testing.T, sc *bufio.Scanner) sseMessage {
	t.Helper()
	var m sseMessage
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "" && m.event != "":
			return m
		case strings.HasPrefix(line, "id: "):
			m.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			m.event = line[7:]
		case strings.HasPrefix(line, "data: "):
			m.data = line[6:]
		}
	}
	t.Fatalf("the stream ended: %v", sc.Err())
	return m
}

func TestEventStream(t *testing.T) {
	t.Parallel()
	g := fixture(t)
	srv, ts := start(t, g, server.Options{})
	all := getEvents(t, ts.URL+"/api/v1/events")
	sc := openStream(t, ts.URL+"/api/v1/events/stream", all.Events[7]["cursor"].(string)) // a browser reconnecting
	for _, i := range []int{8, 9} {
		m := readMessage(t, sc)
		if m.id != all.Events[i]["cursor"] || m.event != all.Events[i]["event"] || !strings.Contains(m.data, `"id":"`+all.Events[i]["id"].(string)+`"`) {
			t.Errorf("replayed %d: %+v", i, m)
		}
	}
	if m := readMessage(t, sc); m.event != "fingerprint" || m.data != `{"fingerprint":"`+srv.Fingerprint()+`"}` {
		t.Fatalf("first fingerprint: %+v", m)
	}
	g.Tag("nn#prod#2", "HEAD", "Assigning stage prod to artifact nn version v0.0.1")
	g.Git("tag", "-d", "churn#staging#3")
	if changed, err := srv.Refresh(t.Context()); err != nil || !changed {
		t.Fatalf("Refresh: %v %v", changed, err)
	}
	if m := readMessage(t, sc); m.event != "deleted" || !strings.Contains(m.data, `"ref":"churn#staging#3"`) {
		t.Errorf("deletion: %+v", m)
	}
	if m := readMessage(t, sc); m.event != "assignment" || !strings.Contains(m.data, `"ref":"nn#prod#2"`) {
		t.Errorf("new tag: %+v", m)
	}
	if m := readMessage(t, sc); m.event != "fingerprint" || !strings.Contains(m.data, srv.Fingerprint()) {
		t.Errorf("fingerprint after the change: %+v", m)
	}
}

// Serve stops at once with a stream open: streams end on shutdown.
func TestEventStreamEndsOnShutdown(t *testing.T) {
	t.Parallel()
	g := fixture(t)
	srv, err := server.New(t.Context(), server.Options{Open: openFunc(g, g.Dir, t.TempDir()), Source: g.Dir})
	if err != nil {
		t.Fatal(err)
	}
	addr, stop := serveOn(t, srv)
	res, err := http.Get("http://" + addr + "/api/v1/events/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	if m := readMessage(t, sc); m.event != "fingerprint" {
		t.Fatalf("first message %+v", m)
	}
	if err := stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	for sc.Scan() {
	}
}
