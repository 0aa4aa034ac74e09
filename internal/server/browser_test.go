package server_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
	"github.com/gto-dev/gto/internal/server"
)

// The browser test drives headless Chromium (Debian's chromium package).
// It is skipped when Chromium is not installed, unless GTO_BROWSER_TEST=1
// (what .ci/run sets after installing it), which makes a missing browser a
// failure. GTO_SCREENSHOT=PATH saves the registry page's screenshot there
// (docs/serve.png in the README is made that way).

const showcaseYAML = `churn-model:
  type: model
  path: models/churn.pkl
  labels: [tabular, customers]
  description: Predicts which customers leave next month
fraud-detector:
  type: model
  path: models/fraud.onnx
  labels: [tabular, payments]
  description: Flags suspicious card payments in real time
image-embeddings:
  type: dataset
  path: data/embeddings.parquet
  labels: [images]
  description: CLIP embeddings of the product catalogue
segmentation:
  type: model
  path: models/segmentation.pt
  labels: [images, vision]
  description: Segments product photos for the catalogue
sentiment:
  type: model
  path: models/sentiment.bin
  labels: [nlp]
  description: Scores the tone of support tickets
escaped:
  type: model
  description: '<script>window.pwned = 1</script> is shown as text'
`

func showcase(t testing.TB) *gittest.Repo {
	t.Helper()
	r := gittest.NewRepo(t)
	r.WriteFile(".gto", "stages: [dev, staging, prod]\n")
	c1 := r.Commit("Train the first models", map[string]string{"artifacts.yaml": showcaseYAML, ".gto": "stages: [dev, staging, prod]\n"})
	r.Tag("churn-model@v1.0.0", c1, "Registering artifact churn-model version v1.0.0")
	r.Tag("fraud-detector@v0.3.0", c1, "Registering artifact fraud-detector version v0.3.0")
	r.Tag("sentiment@v1.0.0", c1, "Registering artifact sentiment version v1.0.0")
	r.Tag("escaped@v0.0.1", c1, "<script>window.pwned = 2</script>")
	r.Tag("churn-model#prod#1", c1, "Assigning stage prod to artifact churn-model version v1.0.0")
	r.Tag("sentiment#prod#1", c1, "Assigning stage prod to artifact sentiment version v1.0.0")
	c2 := r.Commit("Retrain on November data", map[string]string{"data.txt": "2"})
	r.Tag("churn-model@v1.1.0", c2, "Registering artifact churn-model version v1.1.0")
	r.Tag("churn-model#staging#2", c2, "Assigning stage staging to artifact churn-model version v1.1.0")
	r.Tag("fraud-detector@v0.4.0", c2, "Registering artifact fraud-detector version v0.4.0")
	r.Tag("fraud-detector#prod#1", c2, "Assigning stage prod to artifact fraud-detector version v0.4.0")
	r.Tag("image-embeddings@v2.0.0", c2, "Registering artifact image-embeddings version v2.0.0")
	r.Tag("image-embeddings#prod#1", c2, "Assigning stage prod to artifact image-embeddings version v2.0.0")
	c3 := r.Commit("Add a segmentation model", map[string]string{"data.txt": "3"})
	r.Tag("churn-model@v1.2.0", c3, "Registering artifact churn-model version v1.2.0")
	r.Tag("churn-model#dev#3", c3, "Assigning stage dev to artifact churn-model version v1.2.0")
	r.Tag("segmentation@v0.1.0", c3, "Registering artifact segmentation version v0.1.0")
	r.Tag("segmentation#dev#1", c3, "Assigning stage dev to artifact segmentation version v0.1.0")
	r.Tag("sentiment@v1.0.1", c3, "Registering artifact sentiment version v1.0.1")
	r.Tag("sentiment#staging#2", c3, "Assigning stage staging to artifact sentiment version v1.0.1")
	r.Tag("fraud-detector#dev#2", c2, "Assigning stage dev to artifact fraud-detector version v0.4.0")
	// After the last commit (whose annotation is an event too).
	r.Tag("escaped@deprecated", c1, "Deprecating artifact 'escaped'")
	return r
}

// chromium returns the browser to drive, or skips the test.
func chromium(t *testing.T) string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("GTO_BROWSER_TEST") == "1" {
		t.Fatal("GTO_BROWSER_TEST=1 but Chromium is not installed (apt-get install chromium)")
	}
	t.Skip("Chromium is not installed (apt-get install chromium); skipping the browser test")
	return ""
}

func TestBrowser(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	r := showcase(t)
	srv, ts := start(t, r, server.Options{Source: "~/src/models"})
	do, eval, strs, text, tableRows, waitFor, change := b.do, b.eval, b.strs, b.text, b.tableRows, b.waitFor, browserChange

	// The registry page: the table, one row per active artifact.
	do("open the registry page", chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#registry")))
	header := strs("header", `[[...document.querySelectorAll("#registry thead th")].map(th => th.innerText.trim())]`)[0]
	if got := strings.Join(header, "|"); !strings.EqualFold(got, "artifact|type|labels|latest|#dev|#staging|#prod") {
		t.Errorf("table header: %s", got)
	}
	rows := tableRows("registry rows", "#registry tbody tr")
	byName := map[string][]string{}
	for _, row := range rows {
		name, _, _ := strings.Cut(row[0], "\n")
		byName[name] = row
	}
	if len(rows) != 5 || byName["escaped"] != nil {
		t.Errorf("the registry lists %d artifacts (deprecated ones hidden): %v", len(rows), rows)
	}
	if got := strings.Join(byName["churn-model"][1:], "|"); got != "model|tabular customers|v1.2.0|v1.2.0|v1.1.0|v1.0.0" {
		t.Errorf("churn-model row: %s", got)
	}

	// The screenshot for the README (and for a person to look at).
	png, err := chromedp.Run(b.step(), chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatal("the screenshot is not a PNG")
	}
	shot := os.Getenv("GTO_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(t.TempDir(), "serve.png")
	}
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", shot, len(png))

	// Follow the link to an artifact: its versions, board and history.
	do("follow the link to churn-model",
		chromedp.Click(chromedp.CSS(`a[href="/artifacts/churn-model"]`)),
		chromedp.WaitVisible(chromedp.CSS("#versions")),
	)
	if title := text("title", "h1"); !strings.HasPrefix(title, "churn-model") {
		t.Errorf("artifact page title %q", title)
	}
	versions := tableRows("versions", "table.versions tbody tr")
	var names []string
	for _, v := range versions {
		names = append(names, v[0])
	}
	if strings.Join(names, ",") != "v1.2.0,v1.1.0,v1.0.0" {
		t.Errorf("versions: %v", versions)
	}
	if len(versions) > 0 && versions[0][1] != "dev" {
		t.Errorf("v1.2.0's stages: %q", versions[0][1])
	}
	board := strs("board", `[...document.querySelectorAll(".board .column")].map(c => [c.querySelector("h3").innerText, ...[...c.querySelectorAll(".ver")].map(v => v.innerText)])`)
	if got := flatten(board); got != "dev:v1.2.0 staging:v1.1.0 prod:v1.0.0" {
		t.Errorf("board: %s", got)
	}
	// 3 registrations, 3 assignments, 3 commits.
	if n := len(tableRows("history", "table.events tbody tr")); n != 9 {
		t.Errorf("history has %d rows, want 9", n)
	}
	// v1.0.0 was registered at 2022-01-01T01:02:00Z: 10:02 in Tokyo.
	created := text("created", "table.versions tbody tr:last-child td:nth-child(5) time")
	if zone := text("zone", ".tz"); created != "2022-01-01 10:02:00" || !strings.Contains(zone, "Asia/Tokyo") {
		t.Errorf("times are not in the reader's zone: %q (%q)", created, zone)
	}

	// A description and a tag message holding <script> show as text and
	// never run.
	do("the escaped artifact", chromedp.Navigate(ts.URL+"/artifacts/escaped"), chromedp.WaitVisible(chromedp.CSS(".description")))
	desc, message := text("description", ".description"), text("message", "table.versions .message")
	if pwned := eval("pwned", `window.pwned !== undefined`); desc != "<script>window.pwned = 1</script> is shown as text" || message != "<script>window.pwned = 2</script>" || pwned != false {
		t.Errorf("escaping: description %q, message %q, script ran: %v", desc, message, pwned)
	}

	// Filters: by type (the select submits the form), then by text.
	do("filter by type", chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#registry")), change(`select[name="type"]`, "dataset"))
	waitFor("filtered by type", "type=dataset")
	if rows := tableRows("rows of type dataset", "#registry tbody tr"); len(rows) != 1 || !strings.HasPrefix(rows[0][0], "image-embeddings") {
		t.Errorf("type=dataset shows %v", rows)
	}
	do("filter by text", chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#registry")),
		chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), "catalogue\r"))
	waitFor("filtered by text", "q=catalogue")
	if rows := tableRows("rows about the catalogue", "#registry tbody tr"); len(rows) != 2 {
		t.Errorf("q=catalogue shows %v", rows)
	}

	// The journal, filtered by event kind.
	do("the journal", chromedp.Click(chromedp.CSS(`header nav a[href="/history"]`)), chromedp.WaitVisible(chromedp.CSS("table.events")),
		change(`select[name="event"]`, "assignment"))
	waitFor("filtered journal", "event=assignment")
	rows = tableRows("assignments", "table.events tbody tr")
	if len(rows) != 9 {
		t.Errorf("the journal shows %d assignments, want 9", len(rows))
	}
	for _, row := range rows {
		if row[2] != "assignment" {
			t.Errorf("filtered journal row: %v", row)
		}
	}

	// Live: a new tag appears without the reader doing anything.
	do("open the registry page again", chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#registry")))
	r.Tag("live-model@v0.0.1", "HEAD", "Registering artifact live-model version v0.0.1")
	if changed, err := srv.Refresh(t.Context()); err != nil || !changed {
		t.Fatalf("Refresh = %v, %v", changed, err)
	}
	do("the page reloads by itself", chromedp.WaitVisible(chromedp.CSS(`a[href="/artifacts/live-model"]`)))
}

// browser is a headless Chromium for one test, and the steps the
// browser tests take in it.
type browser struct {
	t   *testing.T
	ctx context.Context
}

// newBrowser starts Chromium for the test (or skips it, see chromium).
func newBrowser(t *testing.T) *browser {
	path := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // root in CI
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 860),
		// The reader's zone: times must show in it, not in UTC.
		chromedp.Env("TZ=Asia/Tokyo"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // starts the browser, for the whole test
		t.Fatalf("starting %s: %v", path, err)
	}
	return &browser{t: t, ctx: ctx}
}

// step is the context of one step: its own deadline (derived: the
// browser outlives it).
func (b *browser) step() context.Context {
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	b.t.Cleanup(cancel)
	return ctx
}

func (b *browser) do(name string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.step(), actions...); err != nil {
		b.t.Fatalf("%s: %v", name, err)
	}
}

func (b *browser) eval(name, expr string) any {
	b.t.Helper()
	v, err := chromedp.Run(b.step(), chromedp.Evaluate[any](expr))
	if err != nil {
		b.t.Fatalf("%s: %v", name, err)
	}
	return v
}

func (b *browser) strs(name, expr string) [][]string {
	b.t.Helper()
	v, err := chromedp.Run(b.step(), chromedp.Evaluate[[][]string](expr))
	if err != nil {
		b.t.Fatalf("%s: %v", name, err)
	}
	return v
}

func (b *browser) text(name, sel string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.step(), chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("%s: %v", name, err)
	}
	return strings.TrimSpace(v)
}

// tableRows are the cells' texts of the rows sel selects that are shown.
func (b *browser) tableRows(name, sel string) [][]string {
	return b.strs(name, `[...document.querySelectorAll(`+"`"+sel+"`"+`)].filter(tr => !tr.hidden).map(tr => [...tr.cells].map(td => td.innerText.trim()))`)
}

// waitFor waits until the page's address contains want (a form was
// submitted and the new page loaded).
func (b *browser) waitFor(name, want string) {
	b.t.Helper()
	ctx := b.step()
	for {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err == nil && strings.Contains(loc, want) {
			break
		}
		select {
		case <-ctx.Done():
			b.t.Fatalf("%s: the address never contained %q (last %q, %v)", name, want, loc, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	b.do(name, chromedp.WaitReady(chromedp.CSS("footer")))
}

// browserChange sets a select's value and fires its change event, which
// submits the form — after the evaluation returned, so that the
// navigation cannot swallow its answer.
func browserChange(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`(() => { const el = document.querySelector(`+"`"+sel+"`"+`); el.value = "`+value+`"; setTimeout(() => el.dispatchEvent(new Event("change")), 0); return true })()`)(ctx, tg)
		return err
	})
}

func flatten(board [][]string) string {
	var cols []string
	for _, c := range board {
		if len(c) > 0 {
			cols = append(cols, c[0]+":"+strings.Join(c[1:], ","))
		}
	}
	return strings.Join(cols, " ")
}
