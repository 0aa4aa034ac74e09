package registry

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/internal/store/memstore"
	"github.com/gto-dev/gto/model"
)

// startRecorder is a store that records what it was told to start
// resolving.
type startRecorder struct {
	store.Store
	started []string
}

func (s *startRecorder) StartResolve(_ context.Context, rev string) {
	s.started = append(s.started, rev)
}

// TestStartResolve: a register tells the store the revision it will
// resolve (HEAD by default), an assign the one it names, before the write;
// bad input starts nothing; an unknown revision is the error even though
// the tags were read first.
func TestStartResolve(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	repo := memstore.NewRepo()
	rec := &startRecorder{Store: memstore.New(repo, memstore.Options{})}
	reg := openStore(rec, Options{Now: func() time.Time { return fakeClock }})
	t.Cleanup(func() { reg.Close() })
	c := repo.Commit("first", map[string]string{"f": "1\n"})

	if _, err := reg.Register(ctx, RegisterOptions{Name: "m"}); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Register(ctx, RegisterOptions{Name: "Bad Name!", Ref: c}); err == nil {
		t.Fatal("a bad name registered")
	}
	if _, err := reg.Assign(ctx, AssignOptions{Name: "m", Version: "v0.0.1", Stage: "prod"}); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Assign(ctx, AssignOptions{Name: "m", Ref: c, Stage: "dev"}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"HEAD", c}; !slices.Equal(rec.started, want) {
		t.Errorf("started %q, want %q", rec.started, want)
	}
	_, err := reg.Register(ctx, RegisterOptions{Name: "m", Ref: "no-such-branch"})
	var nf *model.NotFoundError
	if !errors.As(err, &nf) {
		t.Errorf("register at an unknown revision: %v, want a NotFoundError", err)
	}
	_, err = reg.Assign(ctx, AssignOptions{Name: "m", Ref: "no-such-branch", Stage: "prod"})
	if !errors.As(err, &nf) {
		t.Errorf("assign at an unknown revision: %v, want a NotFoundError", err)
	}
}
