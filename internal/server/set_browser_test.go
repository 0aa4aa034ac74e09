package server_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gto-dev/gto/internal/server"
)

// TestBrowserRegistrySet drives the page of a registry set: every
// artifact of every member with its repository, the broken member listed
// with its error, the repository filter, a member's artifact page, and
// the page reloading by itself when a member gets a tag.
func TestBrowserRegistrySet(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	set, repos := fiveRepos(t)
	srv, ts := serve(t, "set", server.Options{Set: set})

	b.do("open the set's page", chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#registry")))
	header := b.strs("header", `[[...document.querySelectorAll("#registry thead th")].map(th => th.innerText.trim())]`)[0]
	if got := strings.Join(header, "|"); !strings.EqualFold(got, "repository|artifact|type|labels|latest|stages") {
		t.Errorf("table header: %s", got)
	}
	perRepo := map[string]int{}
	rows := b.tableRows("rows", "#registry tbody tr")
	for _, row := range rows {
		perRepo[row[0]]++
	}
	// fixture: 4 active artifacts (old is deprecated, hidden); showcase: 5.
	if perRepo["alpha"] != 4 || perRepo["beta"] != 4 || perRepo["gamma"] != 5 || perRepo["mirror"] != 4 || len(perRepo) != 4 {
		t.Errorf("rows per repository: %v", perRepo)
	}
	members := b.tableRows("repositories", "#repos tbody tr")
	if len(members) != 5 || members[4][0] != "broken" || !strings.HasPrefix(members[4][3], "not read") || !strings.Contains(members[4][3], "gone.git") {
		t.Errorf("repositories: %v", members)
	}
	if pwned := b.eval("pwned", `window.pwned !== undefined`); pwned != false {
		t.Error("a description ran as script")
	}

	// The repository filter submits the form.
	b.do("filter by repository", browserChange(`select[name="repo"]`, "gamma"))
	b.waitFor("filtered by repository", "repo=gamma")
	rows = b.tableRows("gamma's rows", "#registry tbody tr")
	if len(rows) != 5 {
		t.Errorf("repo=gamma shows %d rows", len(rows))
	}
	for _, row := range rows {
		if row[0] != "gamma" {
			t.Errorf("repo=gamma shows %v", row)
		}
	}

	// A member's artifact page, with the member's links.
	b.do("follow the link to gamma's churn-model",
		chromedp.Click(chromedp.CSS(`a[href="/repos/gamma/artifacts/churn-model"]`)),
		chromedp.WaitVisible(chromedp.CSS("#versions")))
	if title := b.text("title", "h1"); !strings.HasPrefix(title, "churn-model") {
		t.Errorf("artifact page title %q", title)
	}
	if n := len(b.tableRows("versions", "table.versions tbody tr")); n != 3 {
		t.Errorf("gamma's churn-model has %d versions", n)
	}

	// Live: a tag in a member shows on the set's page by itself.
	b.do("open the set's page again", chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#registry")))
	repos["beta"].Tag("live-model@v0.0.1", "HEAD", "Registering artifact live-model version v0.0.1")
	if _, err := set.Member("beta").Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if changed, err := srv.Refresh(t.Context()); err != nil || !changed {
		t.Fatalf("Refresh = %v, %v", changed, err)
	}
	b.do("the page reloads by itself", chromedp.WaitVisible(chromedp.CSS(`a[href="/repos/beta/artifacts/live-model"]`)))
}
