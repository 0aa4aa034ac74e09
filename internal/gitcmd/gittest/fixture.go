package gittest

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Fixture is a repository that many tests start from, built once per test
// binary (by the first test that asks for it) and then copied for each
// test: copying a repository's few dozen files costs far less than the git
// processes that built it. Each test gets its own copy under its
// t.TempDir(), with the fixed clock where the build left it, and may
// change it freely; nobody gets the built repository itself.
//
// Declare fixtures as package variables:
//
//	var tagged = gittest.NewFixture(func(t testing.TB, g *gittest.Repo) string {
//		c := g.Commit("init", nil)
//		g.Tag("m@v1.0.0", c, "msg")
//		return c
//	})
//
//	g, commit := tagged.Copy(t)
//
// and remove the built ones when the tests are done, in TestMain:
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		gittest.RemoveFixtures()
//		os.Exit(code)
//	}
//
// Without that, they stay in the system's temporary directory.
//
// The build's Repo is sealed off like any other, but its directories
// outlive the test that happens to build it, while what that test creates
// under its t.TempDir() (a bare remote, a key file) does not: a fixture
// whose configuration names such a path must have it set again on each
// copy. The value the build returns is shared by every copy: do not modify
// it.
type Fixture[T any] struct {
	bare  bool
	build func(t testing.TB, r *Repo) T

	once  sync.Once
	ok    bool      // the build completed
	dir   string    // the built repository
	now   time.Time // its clock after the build
	value T
}

// NewFixture returns a fixture of a non-bare repository (empty, initial
// branch "main", as NewRepo) that build fills. build runs once, in the
// first test that calls Copy, with that test as t; it fails the way a test
// does (through the Repo's methods or t).
func NewFixture[T any](build func(t testing.TB, r *Repo) T) *Fixture[T] {
	return &Fixture[T]{build: build}
}

// NewBareFixture is NewFixture for a bare repository (as NewBare).
func NewBareFixture[T any](build func(t testing.TB, r *Repo) T) *Fixture[T] {
	return &Fixture[T]{bare: true, build: build}
}

// Copy returns a copy of the fixture's repository for t, and the value its
// build returned. The first call builds the fixture (see Build).
func (f *Fixture[T]) Copy(t testing.TB) (*Repo, T) {
	t.Helper()
	f.Build(t)
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(dir, os.DirFS(f.dir)); err != nil {
		t.Fatal(err)
	}
	return &Repo{Dir: dir, t: t, home: t.TempDir(), now: f.now}, f.value
}

// Build builds the fixture in t unless it is built already; Copy calls it.
// When the build fails, t fails with the build's error, and every later
// caller with a message that points to it.
//
// Parallel tests that need a fixture being built wait for it, each holding
// one of the -parallel slots. A test whose parallel subtests copy the
// fixture can call Build before it starts them: a parent test gives its
// slot back while its subtests run, so the build holds one slot only.
func (f *Fixture[T]) Build(t testing.TB) {
	t.Helper()
	f.once.Do(func() { f.make(t) })
	if !f.ok {
		t.Fatal("gittest: the fixture could not be built (see the first test that used it)")
	}
}

// make builds the fixture in a directory of its own, which outlives t.
func (f *Fixture[T]) make(t testing.TB) {
	t.Helper()
	root, err := fixtureDir()
	if err != nil {
		t.Fatal(err)
	}
	r := &Repo{Dir: filepath.Join(root, "repo"), t: t, home: filepath.Join(root, "home"), now: Epoch}
	for _, d := range []string{r.Dir, r.home} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	r.init(f.bare)
	f.value = f.build(t, r)
	f.dir, f.now, f.ok = r.Dir, r.Now(), true
}

// fixtures is where the built fixtures of this test binary are.
var fixtures struct {
	mu   sync.Mutex
	root string // "" until a fixture is built
}

// fixtureDir returns a new directory for a fixture under the root.
func fixtureDir() (string, error) {
	fixtures.mu.Lock()
	defer fixtures.mu.Unlock()
	if fixtures.root == "" {
		root, err := os.MkdirTemp("", "gittest-fixtures-")
		if err != nil {
			return "", err
		}
		if root, err = filepath.EvalSymlinks(root); err != nil {
			return "", err
		}
		fixtures.root = root
	}
	return os.MkdirTemp(fixtures.root, "fixture-")
}

// RemoveFixtures deletes the fixtures built so far. Call it once no test
// runs any more (in TestMain, after m.Run): a fixture whose files are gone
// cannot be copied.
func RemoveFixtures() {
	fixtures.mu.Lock()
	defer fixtures.mu.Unlock()
	if fixtures.root != "" {
		os.RemoveAll(fixtures.root)
		fixtures.root = ""
	}
}
